// InferenceService: the protocol's paths, the routing table, the shadow comparison and /metrics
// (inference_service.h); batching is each version's ModelRunner.

#include "core/serve/inference_service.h"

#include "core/serve/feedback_sink.h"
#include "core/serve/metrics_text.h"
#include "core/serve/model_runner.h"
#include "core/serve/oip_codec.h"
#include "core/serve/prediction_hook_queue.h"
#include "core/serve/serving_metrics.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

#include <array>
#include <atomic>
#include <mutex>

namespace orrery::serve {

namespace {

using Clock = std::chrono::steady_clock;

bool usableRequestId(const QByteArray &id)
{
    if (id.isEmpty() || id.size() > 128)
        return false;
    for (const char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-'))
            return false;
    return true;
}

QString key(const QString &endpoint, const QString &version) { return endpoint + QLatin1Char('\n') + version; }

struct ShadowCounters {
    QString endpoint, version;
    std::atomic<quint64> comparisons{0}, disagreements{0};
};

// The predicted class of each row: the argmax of the first output (a one-wide output: its value
// rounded at 0.5).
std::vector<int> predictedClasses(const std::vector<OutputTensor> &outputs, int firstRow, int rows)
{
    std::vector<int> classes;
    if (outputs.empty())
        return classes;
    const OutputTensor &t = outputs.front();
    for (int r = firstRow; r < firstRow + rows; ++r) {
        const double *row = t.values.data() + qsizetype(r) * t.width;
        if (t.width == 1) {
            classes.push_back(row[0] >= 0.5 ? 1 : 0);
            continue;
        }
        int best = 0;
        for (qint64 c = 1; c < t.width; ++c)
            if (row[c] > row[best])
                best = int(c);
        classes.push_back(best);
    }
    return classes;
}

// The two answers to one request, stable's and shadow's: whichever arrives second compares.
struct ShadowPair {
    std::shared_ptr<ShadowCounters> counters;
    std::mutex m;
    bool first = true;
    std::vector<int> classes;
    void offer(const std::vector<OutputTensor> &outputs, int firstRow, int rows)
    {
        std::vector<int> mine = predictedClasses(outputs, firstRow, rows);
        std::lock_guard lock(m);
        if (first) {
            first = false;
            classes = std::move(mine);
            return;
        }
        counters->comparisons.fetch_add(1);
        if (mine != classes)
            counters->disagreements.fetch_add(1);
    }
};

struct Route {
    QString name;
    std::vector<std::shared_ptr<ModelRunner>> runners; // in the order given
    std::vector<int> weights;
    std::array<int, 100> slotRunner{};                  // which runner each of the 100 slots goes to
    std::shared_ptr<ModelRunner> shadow;
    std::shared_ptr<ShadowCounters> shadowCounters;
    std::shared_ptr<std::atomic<quint64>> counter;

    ModelRunner *byVersion(const QString &version) const
    {
        for (const auto &r : runners)
            if (r->version() == version)
                return r.get();
        return nullptr;
    }
    // The runner of (version, md5) on this endpoint, a shadow included; null when none.
    std::shared_ptr<ModelRunner> running(const QString &version, const QString &md5) const
    {
        for (const auto &runner : runners)
            if (runner->version() == version && runner->md5() == md5)
                return runner;
        if (shadow && shadow->version() == version && shadow->md5() == md5)
            return shadow;
        return nullptr;
    }
    ModelRunner *primary() const // the heaviest, for the metadata
    {
        int best = 0;
        for (size_t i = 1; i < runners.size(); ++i)
            if (weights[i] > weights[size_t(best)])
                best = int(i);
        return runners.empty() ? nullptr : runners[size_t(best)].get();
    }
    ModelRunner *pick() const
    {
        const quint64 n = counter->fetch_add(1, std::memory_order_relaxed);
        return runners[size_t(slotRunner[size_t(n % 100)])].get();
    }
};

struct Table {
    std::vector<Route> routes;
    const Route *find(const QString &name) const
    {
        for (const auto &r : routes)
            if (r.name == name)
                return &r;
        return nullptr;
    }
};

} // namespace

struct InferenceService::Impl {
    ServeOptions o;
    mutable std::mutex m; // guards the fields below; the table itself is immutable
    std::shared_ptr<const Table> table = std::make_shared<Table>();
    bool routed = false;
    bool draining = false;
    QHash<QString, std::shared_ptr<ServingMetrics>> metrics;       // (endpoint, version), kept across tables
    QHash<QString, std::shared_ptr<ShadowCounters>> shadows;       // (endpoint, version)
    QHash<QString, std::shared_ptr<std::atomic<quint64>>> counters; // endpoint
    std::shared_ptr<PredictionHookQueue> hook; // always there; active once setHook() gave it a hook
    std::vector<std::shared_ptr<const MetricsSource>> sources;
    std::shared_ptr<FeedbackSink> feedback;
    std::atomic<quint64> refusedUnrouted{0}; // infers refused before any version took them (not ready, draining)
    QByteArray idPrefix = QByteArray::number(QRandomGenerator::system()->generate(), 16) + '-';
    std::atomic<quint64> nextId{1};

    QByteArray generatedId() { return idPrefix + QByteArray::number(nextId.fetch_add(1), 16); }
    http::HttpResponse error(int status, const QString &message, const QByteArray &id) { return inferenceAnswer(status, errorBody(message), id); }
    std::shared_ptr<const Table> current(bool *ready = nullptr, bool *isDraining = nullptr) const
    {
        std::lock_guard lock(m);
        if (ready)
            *ready = routed && !draining;
        if (isDraining)
            *isDraining = draining;
        return table;
    }
    std::shared_ptr<ServingMetrics> metricsFor(const QString &endpoint, const QString &version) // m held
    {
        auto &slot = metrics[key(endpoint, version)];
        if (!slot)
            slot = std::make_shared<ServingMetrics>(endpoint, version);
        return slot;
    }
    RunnerOptions runnerOptions() const { return RunnerOptions{o.maxBatch, o.maxDelayMs, o.threads, o.maxQueuedRows}; }
};

InferenceService::InferenceService(ServeOptions options) : d(std::make_unique<Impl>())
{
    d->o = std::move(options);
    d->o.maxBatch = qMax(1, d->o.maxBatch);
    d->o.threads = qMax(1, d->o.threads);
    d->o.maxDelayMs = qMax(0, d->o.maxDelayMs);
    d->hook = std::make_shared<PredictionHookQueue>(d->o.hookQueue);
}

InferenceService::~InferenceService()
{
    drain(5000);
    answerPending();
}

void InferenceService::setModel(std::shared_ptr<const InferenceModel> model, const QString &version)
{
    EndpointRoutes e;
    e.endpoint = d->o.endpoint;
    e.versions.push_back(RouteVersion{version, QString(), std::move(model), 100});
    const Status s = setRoutes({e}); // one endpoint, one version at 100 %: always a valid table
    ORRERY_ASSERT(s.isOk(), return);
}

Status InferenceService::setRoutes(const std::vector<EndpointRoutes> &routes, int drainMs)
{
    std::shared_ptr<const Table> old;
    {
        std::lock_guard lock(d->m);
        old = d->table;
    }
    auto running = [&](const QString &endpoint, const RouteVersion &v) -> std::shared_ptr<ModelRunner> {
        const Route *r = old->find(endpoint);
        return r ? r->running(v.version, v.md5) : nullptr;
    };
    // Validate everything before changing anything.
    QStringList names;
    for (const auto &e : routes) {
        if (e.endpoint.isEmpty() || names.contains(e.endpoint))
            return invalidArgument(QStringLiteral("endpoint '%1' is empty or given twice").arg(e.endpoint));
        names << e.endpoint;
        int total = 0;
        QStringList versions;
        for (const auto &v : e.versions) {
            if (v.weight < 0 || v.weight > 100)
                return invalidArgument(QStringLiteral("endpoint '%1': version %2 has weight %3; weights are percentages from 0 to 100").arg(e.endpoint, v.version).arg(v.weight));
            if (versions.contains(v.version))
                return invalidArgument(QStringLiteral("endpoint '%1': version %2 is given twice").arg(e.endpoint, v.version));
            versions << v.version;
            total += v.weight;
            if (!v.model && !running(e.endpoint, v))
                return invalidArgument(QStringLiteral("endpoint '%1': version %2 is not loaded and no model was given").arg(e.endpoint, v.version));
        }
        if (e.versions.empty() || total != 100)
            return invalidArgument(QStringLiteral("endpoint '%1': the weights add up to %2 %; they must add up to 100").arg(e.endpoint).arg(total));
        if (e.shadow && !e.shadow->model && !running(e.endpoint, *e.shadow))
            return invalidArgument(QStringLiteral("endpoint '%1': shadow version %2 is not loaded and no model was given").arg(e.endpoint, e.shadow->version));
    }

    auto table = std::make_shared<Table>();
    {
        std::lock_guard lock(d->m);
        auto runnerFor = [&](const QString &endpoint, const RouteVersion &v) {
            if (auto r = running(endpoint, v))
                return r;
            return std::make_shared<ModelRunner>(v.version, v.md5, v.model, d->runnerOptions(), d->metricsFor(endpoint, v.version), d->hook);
        };
        for (const auto &e : routes) {
            Route r;
            r.name = e.endpoint;
            auto &counter = d->counters[e.endpoint];
            if (!counter)
                counter = std::make_shared<std::atomic<quint64>>(0);
            r.counter = counter;
            for (const auto &v : e.versions) {
                r.runners.push_back(runnerFor(e.endpoint, v));
                r.weights.push_back(v.weight);
            }
            // Smooth weighted round-robin (nginx's) deals the 100 slots: each step every version
            // gains its weight and the one with the most credit takes the slot and pays 100. Any
            // run of consecutive requests is then within one request of the weights.
            std::vector<int> credit(r.weights.size(), 0);
            for (size_t slot = 0; slot < 100; ++slot) {
                size_t best = 0;
                for (size_t i = 0; i < credit.size(); ++i) {
                    credit[i] += r.weights[i];
                    if (credit[i] > credit[best])
                        best = i;
                }
                credit[best] -= 100;
                r.slotRunner[slot] = int(best);
            }
            if (e.shadow) {
                r.shadow = runnerFor(e.endpoint, *e.shadow);
                auto &counters = d->shadows[key(e.endpoint, e.shadow->version)];
                if (!counters) {
                    counters = std::make_shared<ShadowCounters>();
                    counters->endpoint = e.endpoint;
                    counters->version = e.shadow->version;
                }
                r.shadowCounters = counters;
            }
            table->routes.push_back(std::move(r));
        }
        d->table = table;
        d->routed = true;
    }
    // Runners the new table no longer names answer what they hold, then go.
    for (const auto &r : old->routes) {
        auto retire = [&](const std::shared_ptr<ModelRunner> &runner) {
            for (const auto &n : table->routes) {
                if (n.shadow == runner)
                    return;
                for (const auto &kept : n.runners)
                    if (kept == runner)
                        return;
            }
            runner->drain(drainMs);
        };
        for (const auto &runner : r.runners)
            retire(runner);
        if (r.shadow)
            retire(r.shadow);
    }
    return Status();
}

bool InferenceService::runs(const QString &endpoint, const QString &version, const QString &md5) const
{
    const auto table = d->current();
    const Route *r = table->find(endpoint);
    return r && r->running(version, md5);
}

std::shared_ptr<const ServingMetrics> InferenceService::metrics(const QString &endpoint, const QString &version) const
{
    std::lock_guard lock(d->m);
    return d->metrics.value(key(endpoint, version));
}

std::vector<std::shared_ptr<const ServingMetrics>> InferenceService::endpointMetrics(const QString &endpoint) const
{
    std::lock_guard lock(d->m);
    std::vector<std::shared_ptr<const ServingMetrics>> out;
    for (const auto &m : d->metrics)
        if (m->endpoint() == endpoint)
            out.push_back(m);
    return out;
}

void InferenceService::setHook(std::shared_ptr<PredictionHook> hook)
{
    d->hook->setHook(std::move(hook));
}

bool InferenceService::flushHook(int timeoutMs)
{
    return !d->hook->active() || d->hook->waitHandedOver(timeoutMs);
}

std::function<void()> InferenceService::hookFlusher(int timeoutMs) const
{
    return [hook = d->hook, timeoutMs] {
        if (hook->active())
            hook->waitHandedOver(timeoutMs);
    };
}

void InferenceService::addMetricsSource(std::shared_ptr<const MetricsSource> source) { d->sources.push_back(std::move(source)); }

void InferenceService::setFeedbackSink(std::shared_ptr<FeedbackSink> sink) { d->feedback = std::move(sink); }

bool InferenceService::drain(int timeoutMs)
{
    std::shared_ptr<const Table> table;
    {
        std::lock_guard lock(d->m);
        d->draining = true;
        table = d->table;
    }
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    bool all = true;
    for (const auto &r : table->routes) {
        for (const auto &runner : r.runners)
            all = runner->drain(int(qMax<qint64>(0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count()))) && all;
        if (r.shadow)
            r.shadow->drain(0); // a shadow's answers go nowhere: nothing to wait for
    }
    return all;
}

bool InferenceService::ready() const
{
    bool isReady = false;
    d->current(&isReady);
    return isReady;
}

InferenceStats InferenceService::stats() const
{
    InferenceStats s;
    std::lock_guard lock(d->m);
    quint64 answered = 0;
    for (const auto &m : std::as_const(d->metrics)) {
        s.requests += m->answered(200);
        answered += m->snapshot().answered;
        s.batches += m->batches();
        s.largestBatch = qMax(s.largestBatch, m->largestBatch());
    }
    s.rejected = answered - s.requests + d->refusedUnrouted.load();
    s.hookDropped = d->hook->dropped();
    return s;
}

const ServeOptions &InferenceService::options() const { return d->o; }

QByteArray InferenceService::metricsText() const
{
    std::vector<std::shared_ptr<ServingMetrics>> all;
    std::vector<std::shared_ptr<ShadowCounters>> shadows;
    std::shared_ptr<const Table> table;
    {
        std::lock_guard lock(d->m);
        for (const auto &m : std::as_const(d->metrics))
            all.push_back(m);
        for (const auto &s : std::as_const(d->shadows))
            shadows.push_back(s);
        table = d->table;
    }
    std::sort(all.begin(), all.end(), [](const auto &a, const auto &b) {
        return std::tie(a->endpoint(), a->version()) < std::tie(b->endpoint(), b->version());
    });
    QByteArray out;
    out.reserve(4096 + int(all.size()) * 12'000);
    appendMetricFamily(out, "orrery_requests_total", "counter", "Infer requests answered, by endpoint, model version and HTTP status.");
    for (const auto &m : all)
        m->appendRequests(out);
    appendMetricFamily(out, "orrery_request_duration_seconds", "histogram", "Infer request latency from arrival to answer.");
    for (const auto &m : all)
        m->appendLatency(out);
    appendMetricFamily(out, "orrery_batch_rows", "histogram", "Rows per model call (dynamic batching).");
    for (const auto &m : all)
        m->appendBatches(out);
    appendMetricFamily(out, "orrery_queue_rows", "gauge", "Rows waiting for a model call.");
    for (const auto &m : all)
        m->appendQueue(out);
    appendMetricFamily(out, "orrery_endpoint_weight", "gauge", "Percent of an endpoint's traffic routed to a model version.");
    for (const auto &r : table->routes)
        for (size_t i = 0; i < r.runners.size(); ++i) {
            out += "orrery_endpoint_weight{";
            appendLabel(out, "endpoint", r.name);
            out += ',';
            appendLabel(out, "version", r.runners[i]->version());
            out += "} " + QByteArray::number(r.weights[i]) + '\n';
        }
    if (!shadows.empty()) {
        appendMetricFamily(out, "orrery_shadow_comparisons_total", "counter", "Shadow answers compared with the answer the client got.");
        for (const auto &s : shadows) {
            out += "orrery_shadow_comparisons_total{";
            appendLabel(out, "endpoint", s->endpoint);
            out += ',';
            appendLabel(out, "version", s->version);
            out += "} " + QByteArray::number(s->comparisons.load()) + '\n';
        }
        appendMetricFamily(out, "orrery_shadow_disagreements_total", "counter", "Compared shadow answers whose predicted class differed in some row.");
        for (const auto &s : shadows) {
            out += "orrery_shadow_disagreements_total{";
            appendLabel(out, "endpoint", s->endpoint);
            out += ',';
            appendLabel(out, "version", s->version);
            out += "} " + QByteArray::number(s->disagreements.load()) + '\n';
        }
    }
    for (const auto &source : d->sources)
        source->appendMetrics(out);
    return out;
}

http::HttpBodyPlan InferenceService::planBody(const http::HttpRequest &head)
{
    http::HttpBodyPlan plan;
    if (head.method == "POST" && (head.path().endsWith("/infer") || head.path().endsWith("/feedback"))) {
        plan.limit = d->o.maxBodyBytes;
        if (head.contentLength > d->o.maxBodyBytes) {
            QByteArray id = head.header("x-request-id");
            if (!usableRequestId(id))
                id = d->generatedId();
            plan.answer = d->error(413, QStringLiteral("the request body is %1 bytes; an infer request may have at most %2 (orrery-cli serve --max-body-bytes)")
                                            .arg(head.contentLength).arg(d->o.maxBodyBytes), id);
            plan.answer->close = true;
        }
    } else {
        plan.limit = 64 * 1024;
    }
    return plan;
}

http::HttpResponse InferenceService::errorResponse(int status, const QString &message)
{
    return d->error(status, message, d->generatedId());
}

void InferenceService::answerPending()
{
    std::shared_ptr<const Table> old;
    {
        std::lock_guard lock(d->m);
        d->draining = true;
        old = std::exchange(d->table, std::make_shared<Table>());
    }
    old.reset(); // the runners answer what they still hold (503) and join
}

void InferenceService::handle(http::HttpRequest request, http::HttpResponder responder)
{
    QByteArray id = request.header("x-request-id");
    if (!usableRequestId(id))
        id = d->generatedId();
    auto reply = [&](int status, QByteArray body) { responder.send(inferenceAnswer(status, std::move(body), id)); };
    auto fail = [&](int status, const QString &message) { responder.send(d->error(status, message, id)); };
    auto json = [](const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); };
    const bool get = request.method == "GET" || request.method == "HEAD";

    if (request.path() == "/metrics") {
        if (!get)
            return fail(405, QStringLiteral("use GET here"));
        http::HttpResponse r = http::HttpResponse::text(200, metricsText());
        r.contentType = "text/plain; version=0.0.4; charset=utf-8";
        return responder.send(std::move(r));
    }

    const QList<QByteArray> raw = request.path().split('/');
    QStringList segs;
    for (qsizetype i = 1; i < raw.size(); ++i)
        segs << http::HttpRequest::decodeComponent(raw[i], false);

    bool isReady = false, draining = false;
    const std::shared_ptr<const Table> table = d->current(&isReady, &draining);
    const QString anEndpoint = table->routes.empty() ? d->o.endpoint : table->routes.front().name;
    if (raw.isEmpty() || !raw.first().isEmpty() || segs.isEmpty() || segs[0] != QLatin1String("v2"))
        return fail(404, QStringLiteral("no such path; this server speaks the Open Inference Protocol v2 (/v2, /v2/health/live, /v2/models/%1/infer)").arg(anEndpoint));
    const QString notReady = draining ? QStringLiteral("the server is shutting down") : QStringLiteral("the server is not ready yet (loading its models)");
    if (segs.size() == 1 || (segs.size() == 3 && segs[1] == QLatin1String("health"))) {
        if (!get)
            return fail(405, QStringLiteral("use GET here"));
        if (segs.size() == 1)
            return reply(200, json({{QStringLiteral("name"), QStringLiteral("orrery")}, {QStringLiteral("version"), QStringLiteral(ORRERY_SERVE_VERSION)},
                                    {QStringLiteral("extensions"), QJsonArray()}}));
        if (segs[2] == QLatin1String("live"))
            return reply(200, json({{QStringLiteral("live"), true}}));
        if (segs[2] == QLatin1String("ready"))
            return isReady ? reply(200, json({{QStringLiteral("ready"), true}}))
                           : reply(503, json({{QStringLiteral("ready"), false}, {QStringLiteral("error"), notReady}}));
        return fail(404, QStringLiteral("no such health check; use /v2/health/live or /v2/health/ready"));
    }
    if (segs.size() < 3 || segs[1] != QLatin1String("models"))
        return fail(404, QStringLiteral("no such path; models are under /v2/models/%1").arg(anEndpoint));
    const QString name = segs[2];
    QStringList rest = segs.mid(3);
    QString pinned;
    bool pins = false;
    if (rest.size() >= 2 && rest[0] == QLatin1String("versions")) {
        pins = true;
        pinned = rest[1];
        rest = rest.mid(2);
    }
    if (!pins && rest.size() == 1 && rest[0] == QLatin1String("feedback")) {
        if (request.method != "POST")
            return fail(405, QStringLiteral("feedback takes POST"));
        if (!d->feedback)
            return fail(404, QStringLiteral("this server keeps no feedback: it serves one model alone; the workspace's server (orrery-cli serve) takes labels"));
        return d->feedback->submit(name, std::move(request.body), responder);
    }
    if (rest.size() > 1 || (rest.size() == 1 && rest[0] != QLatin1String("ready") && rest[0] != QLatin1String("infer")))
        return fail(404, QStringLiteral("no such path under /v2/models/%1 (its metadata, /ready, /infer or /feedback)").arg(name));
    const QString action = rest.isEmpty() ? QString() : rest[0];
    const Route *route = table->find(name);
    if (!route) {
        if (!isReady) {
            d->refusedUnrouted.fetch_add(action == QLatin1String("infer") ? 1 : 0);
            return action == QLatin1String("ready") ? reply(503, json({{QStringLiteral("name"), name}, {QStringLiteral("ready"), false}, {QStringLiteral("error"), notReady}}))
                                                    : fail(503, notReady);
        }
        QStringList known;
        for (const auto &r : table->routes)
            known << QLatin1Char('\'') + r.name + QLatin1Char('\'');
        return fail(404, known.isEmpty() ? QStringLiteral("no model named '%1' here; this server serves no endpoint yet").arg(name)
                                         : QStringLiteral("no model named '%1' here; this server serves %2").arg(name, known.join(QStringLiteral(", "))));
    }
    if (action == QLatin1String("infer") ? request.method != "POST" : !get)
        return fail(405, action == QLatin1String("infer") ? QStringLiteral("infer takes POST") : QStringLiteral("use GET here"));
    if (action == QLatin1String("ready") && !isReady)
        return reply(503, json({{QStringLiteral("name"), name}, {QStringLiteral("ready"), false}, {QStringLiteral("error"), notReady}}));
    if (draining && action == QLatin1String("infer")) {
        d->refusedUnrouted.fetch_add(1);
        return fail(503, notReady);
    }
    ModelRunner *runner = nullptr;
    if (pins) {
        runner = route->byVersion(pinned);
        if (!runner) {
            QStringList versions;
            for (const auto &r : route->runners)
                versions << r->version();
            return fail(404, QStringLiteral("model '%1' has no version '%2' here; it serves version %3").arg(name, pinned, versions.join(QStringLiteral(", "))));
        }
    }
    if (action == QLatin1String("ready"))
        return reply(200, json({{QStringLiteral("name"), name}, {QStringLiteral("ready"), true}}));
    if (action.isEmpty()) {
        const ModelRunner *shown = runner ? runner : route->primary();
        QJsonObject o = modelMetadataJson(name, shown->version(), shown->metadata());
        if (!runner) {
            QJsonArray versions;
            for (const auto &r : route->runners)
                versions.append(r->version());
            o.insert(QStringLiteral("versions"), versions);
        }
        return reply(200, json(o));
    }
    if (!runner)
        runner = route->pick();

    auto infer = std::make_shared<QueuedInfer>();
    infer->responder = responder;
    infer->requestId = id;
    infer->endpoint = name;
    infer->arrived = Clock::now();
    auto parsed = parseInferRequest(request.body, runner->metadata(), d->o.maxBatch);
    if (!parsed)
        return runner->refuse(*infer, 400, parsed.status().message());
    infer->request = std::move(*parsed);
    std::shared_ptr<QueuedInfer> copy;
    if (route->shadow && !pins && route->shadow.get() != runner) {
        auto pair = std::make_shared<ShadowPair>();
        pair->counters = route->shadowCounters;
        copy = std::make_shared<QueuedInfer>();
        copy->request = infer->request;
        copy->requestId = id;
        copy->endpoint = name;
        copy->arrived = infer->arrived;
        copy->shadow = true;
        copy->onOutputs = [pair](const std::vector<OutputTensor> &o, int first, int rows) { pair->offer(o, first, rows); };
        infer->onOutputs = [pair](const std::vector<OutputTensor> &o, int first, int rows) { pair->offer(o, first, rows); };
    }
    switch (runner->submit(infer)) {
    case ModelRunner::Submitted::Queued:
        break;
    case ModelRunner::Submitted::Full:
        return runner->refuse(*infer, 503, QStringLiteral("the server is overloaded (%1 rows waiting for version %2); retry later").arg(runner->queuedRows()).arg(runner->version()));
    case ModelRunner::Submitted::Stopped:
        // A routing change retired this version between the table read and now: the new
        // table's choice answers instead (a routing change fails no request).
        if (!pins) {
            bool stillReady = false;
            const auto now = d->current(&stillReady);
            const Route *again = now->find(name);
            if (stillReady && again) {
                ModelRunner *next = again->pick();
                if (auto reparsed = parseInferRequest(request.body, next->metadata(), d->o.maxBatch)) {
                    infer->request = std::move(*reparsed);
                    if (next->submit(infer) == ModelRunner::Submitted::Queued)
                        break;
                }
            }
        }
        d->refusedUnrouted.fetch_add(1);
        return fail(503, draining ? notReady : QStringLiteral("version %1 of '%2' was just taken out of service; retry").arg(runner->version(), name));
    }
    if (copy)
        route->shadow->submit(std::move(copy)); // a full or stopped shadow simply compares nothing
}

} // namespace orrery::serve
