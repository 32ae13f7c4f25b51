// InferenceService: routing, the batching queue, the inference threads and the hook's consumer
// (see inference_service.h).

#include "core/serve/inference_service.h"

#include "core/serve/oip_codec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace orrery::serve {

namespace {

using Clock = std::chrono::steady_clock;

struct Pending {
    InferRequest request;
    http::HttpResponder responder;
    QByteArray requestId;
    Clock::time_point arrived;
};

bool usableRequestId(const QByteArray &id)
{
    if (id.isEmpty() || id.size() > 128)
        return false;
    for (const char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-'))
            return false;
    return true;
}

} // namespace

struct InferenceService::Impl {
    ServeOptions o;
    mutable std::mutex m;
    std::condition_variable work;
    std::condition_variable idle;
    std::deque<std::shared_ptr<Pending>> queue;
    qint64 queuedRows = 0;
    int running = 0;
    std::shared_ptr<const InferenceModel> model;
    QString version;
    bool draining = false;
    bool stopping = false;
    std::vector<std::thread> workers;

    std::shared_ptr<PredictionHook> hook;
    std::mutex hm;
    std::condition_variable hcv;
    std::deque<PredictionRecord> records;
    bool hookStop = false;
    std::thread hookThread;

    std::atomic<quint64> requests{0}, rejected{0}, batches{0}, batchedRows{0}, hookDropped{0};
    std::atomic<int> largestBatch{0};
    QByteArray idPrefix = QByteArray::number(QRandomGenerator::system()->generate(), 16) + '-';
    std::atomic<quint64> nextId{1};

    QByteArray generatedId() { return idPrefix + QByteArray::number(nextId.fetch_add(1), 16); }

    http::HttpResponse answer(int status, QByteArray body, const QByteArray &id)
    {
        http::HttpResponse r = http::HttpResponse::json(status, std::move(body));
        r.headers.append({QByteArrayLiteral("x-request-id"), id});
        return r;
    }
    http::HttpResponse error(int status, const QString &message, const QByteArray &id) { return answer(status, errorBody(message), id); }

    void worker();
    void runBatch(std::vector<std::shared_ptr<Pending>> &batch, int rows, const std::shared_ptr<const InferenceModel> &model, const QString &version);
    void hookLoop();
    void stopWorkers();
};

InferenceService::InferenceService(ServeOptions options) : d(std::make_unique<Impl>())
{
    d->o = std::move(options);
    d->o.maxBatch = qMax(1, d->o.maxBatch);
    d->o.threads = qMax(1, d->o.threads);
    d->o.maxDelayMs = qMax(0, d->o.maxDelayMs);
    for (int i = 0; i < d->o.threads; ++i)
        d->workers.emplace_back([this] { d->worker(); });
}

InferenceService::~InferenceService()
{
    drain(5000);
    d->stopWorkers();
    {
        std::lock_guard lock(d->hm);
        d->hookStop = true;
    }
    d->hcv.notify_all();
    if (d->hookThread.joinable())
        d->hookThread.join();
}

void InferenceService::Impl::stopWorkers()
{
    std::deque<std::shared_ptr<Pending>> left;
    {
        std::lock_guard lock(m);
        stopping = true;
        left.swap(queue);
        queuedRows = 0;
    }
    work.notify_all();
    for (auto &p : left)
        p->responder.send(error(503, QStringLiteral("the server stopped before this request ran"), p->requestId));
    for (auto &t : workers)
        if (t.joinable())
            t.join();
    workers.clear();
}

void InferenceService::setModel(std::shared_ptr<const InferenceModel> model, const QString &version)
{
    std::lock_guard lock(d->m);
    d->model = std::move(model);
    d->version = version;
}

void InferenceService::setHook(std::shared_ptr<PredictionHook> hook)
{
    d->hook = std::move(hook);
    if (d->hook && !d->hookThread.joinable())
        d->hookThread = std::thread([this] { d->hookLoop(); });
}

bool InferenceService::drain(int timeoutMs)
{
    std::unique_lock lock(d->m);
    d->draining = true;
    d->work.notify_all(); // a batch waiting for company runs now
    return d->idle.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return d->queue.empty() && d->running == 0; });
}

bool InferenceService::ready() const
{
    std::lock_guard lock(d->m);
    return d->model && !d->draining;
}

InferenceStats InferenceService::stats() const
{
    InferenceStats s;
    s.requests = d->requests;
    s.rejected = d->rejected;
    s.batches = d->batches;
    s.batchedRows = d->batchedRows;
    s.largestBatch = d->largestBatch;
    s.hookDropped = d->hookDropped;
    return s;
}

const ServeOptions &InferenceService::options() const { return d->o; }

void InferenceService::Impl::worker()
{
    std::unique_lock lock(m);
    for (;;) {
        work.wait(lock, [&] { return stopping || !queue.empty(); });
        if (stopping)
            return;
        const Clock::time_point deadline = queue.front()->arrived + std::chrono::milliseconds(o.maxDelayMs);
        while (!stopping && !draining && !queue.empty() && queuedRows < o.maxBatch && Clock::now() < deadline)
            work.wait_until(lock, deadline);
        if (stopping)
            return;
        if (queue.empty())
            continue; // another thread took them
        std::vector<std::shared_ptr<Pending>> batch;
        int rows = 0;
        while (!queue.empty() && (batch.empty() || rows + queue.front()->request.rows <= o.maxBatch)) {
            rows += queue.front()->request.rows;
            batch.push_back(std::move(queue.front()));
            queue.pop_front();
        }
        queuedRows -= rows;
        running += int(batch.size());
        const auto current = model;
        const QString currentVersion = version;
        lock.unlock();
        runBatch(batch, rows, current, currentVersion);
        lock.lock();
        running -= int(batch.size());
        if (queue.empty() && running == 0)
            idle.notify_all();
    }
}

void InferenceService::Impl::runBatch(std::vector<std::shared_ptr<Pending>> &batch, int rows, const std::shared_ptr<const InferenceModel> &current,
                                      const QString &currentVersion)
{
    batches.fetch_add(1);
    batchedRows.fetch_add(quint64(rows));
    for (int seen = largestBatch.load(); rows > seen && !largestBatch.compare_exchange_weak(seen, rows);) {
    }
    std::vector<InputTensor> stacked;
    if (batch.size() == 1) {
        stacked = batch.front()->request.inputs;
    } else {
        stacked.resize(batch.front()->request.inputs.size());
        for (size_t i = 0; i < stacked.size(); ++i) {
            const InputTensor &first = batch.front()->request.inputs[i];
            InputTensor &t = stacked[i];
            t.name = first.name;
            t.datatype = first.datatype;
            t.width = first.width;
            t.rows = rows;
            if (t.datatype == QLatin1String("BYTES"))
                t.texts.reserve(size_t(rows * t.width));
            else
                t.values.reserve(size_t(rows * t.width));
            for (const auto &p : batch) {
                const InputTensor &part = p->request.inputs[i];
                t.values.insert(t.values.end(), part.values.begin(), part.values.end());
                t.texts.insert(t.texts.end(), part.texts.begin(), part.texts.end());
            }
        }
    }
    auto outputs = current->run(stacked, rows);
    if (outputs) {
        for (const auto &t : *outputs)
            if (t.rows != rows || t.values.size() != size_t(rows) * size_t(t.width))
                outputs = internalError(QStringLiteral("the model returned %1 rows of '%2' for %3 rows").arg(t.rows).arg(t.name).arg(rows));
    }
    if (!outputs) {
        const int status = outputs.status().code() == ErrorCode::InvalidArgument ? 400 : 500;
        for (auto &p : batch) {
            rejected.fetch_add(1);
            p->responder.send(error(status, outputs.status().message(), p->requestId));
        }
        return;
    }
    int offset = 0;
    for (auto &p : batch) {
        const int n = p->request.rows;
        p->responder.send(answer(200, inferResponse(o.endpoint, currentVersion, p->request.id, p->request.outputs, *outputs, offset, n), p->requestId));
        requests.fetch_add(1);
        if (hook) {
            PredictionRecord r;
            r.requestId = QString::fromLatin1(p->requestId);
            r.endpoint = o.endpoint;
            r.version = currentVersion;
            r.inputs = std::move(p->request.inputs);
            for (const auto &t : *outputs) {
                OutputTensor slice;
                slice.name = t.name;
                slice.width = t.width;
                slice.rows = n;
                slice.values.assign(t.values.begin() + qsizetype(offset) * t.width, t.values.begin() + qsizetype(offset + n) * t.width);
                r.outputs.push_back(std::move(slice));
            }
            r.latencyMs = std::chrono::duration<double, std::milli>(Clock::now() - p->arrived).count();
            r.time = QDateTime::currentDateTimeUtc();
            std::unique_lock lock(hm);
            if (int(records.size()) >= o.hookQueue) {
                hookDropped.fetch_add(1);
            } else {
                records.push_back(std::move(r));
                lock.unlock();
                hcv.notify_one();
            }
        }
        offset += n;
    }
}

void InferenceService::Impl::hookLoop()
{
    std::unique_lock lock(hm);
    for (;;) {
        hcv.wait(lock, [&] { return hookStop || !records.empty(); });
        if (records.empty())
            return; // stopping, nothing left
        PredictionRecord r = std::move(records.front());
        records.pop_front();
        lock.unlock();
        hook->record(r);
        lock.lock();
    }
}

http::HttpBodyPlan InferenceService::planBody(const http::HttpRequest &head)
{
    http::HttpBodyPlan plan;
    if (head.method == "POST" && head.path().endsWith("/infer")) {
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

void InferenceService::answerPending() { d->stopWorkers(); }

void InferenceService::handle(http::HttpRequest request, http::HttpResponder responder)
{
    QByteArray id = request.header("x-request-id");
    if (!usableRequestId(id))
        id = d->generatedId();
    auto reply = [&](int status, QByteArray body) { responder.send(d->answer(status, std::move(body), id)); };
    auto fail = [&](int status, const QString &message) { responder.send(d->error(status, message, id)); };
    auto json = [](const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); };

    const QList<QByteArray> raw = request.path().split('/');
    QStringList segs;
    for (qsizetype i = 1; i < raw.size(); ++i)
        segs << http::HttpRequest::decodeComponent(raw[i], false);
    const bool get = request.method == "GET" || request.method == "HEAD";

    std::shared_ptr<const InferenceModel> model;
    QString version;
    bool draining;
    {
        std::lock_guard lock(d->m);
        model = d->model;
        version = d->version;
        draining = d->draining;
    }
    const bool isReady = model && !draining;
    const QString notReady = draining ? QStringLiteral("the server is shutting down") : QStringLiteral("model '%1' is not ready yet (loading)").arg(d->o.endpoint);

    if (raw.isEmpty() || !raw.first().isEmpty() || segs.isEmpty() || segs[0] != QLatin1String("v2"))
        return fail(404, QStringLiteral("no such path; this server speaks the Open Inference Protocol v2 (/v2, /v2/health/live, /v2/models/%1/infer)").arg(d->o.endpoint));
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
        return fail(404, QStringLiteral("no such path; models are under /v2/models/%1").arg(d->o.endpoint));
    const QString name = segs[2];
    QStringList rest = segs.mid(3);
    QString pinned;
    bool pins = false;
    if (rest.size() >= 2 && rest[0] == QLatin1String("versions")) {
        pins = true;
        pinned = rest[1];
        rest = rest.mid(2);
    }
    if (name != d->o.endpoint)
        return fail(404, QStringLiteral("no model named '%1' here; this server serves '%2'").arg(name, d->o.endpoint));
    if (rest.size() > 1 || (rest.size() == 1 && rest[0] != QLatin1String("ready") && rest[0] != QLatin1String("infer")))
        return fail(404, QStringLiteral("no such path under /v2/models/%1 (its metadata, /ready or /infer)").arg(name));
    const QString action = rest.isEmpty() ? QString() : rest[0];
    if (action == QLatin1String("infer") ? request.method != "POST" : !get)
        return fail(405, action == QLatin1String("infer") ? QStringLiteral("infer takes POST") : QStringLiteral("use GET here"));
    if (action == QLatin1String("ready") && !isReady)
        return reply(503, json({{QStringLiteral("name"), name}, {QStringLiteral("ready"), false}, {QStringLiteral("error"), notReady}}));
    if (!model || (draining && action == QLatin1String("infer"))) {
        d->rejected.fetch_add(action == QLatin1String("infer") ? 1 : 0);
        return fail(503, notReady);
    }
    if (pins && pinned != version)
        return fail(404, QStringLiteral("model '%1' has no version '%2' here; it serves version %3").arg(name, pinned, version));
    if (action == QLatin1String("ready"))
        return reply(200, json({{QStringLiteral("name"), name}, {QStringLiteral("ready"), true}}));
    if (action.isEmpty())
        return reply(200, json(modelMetadataJson(name, version, model->metadata())));

    auto parsed = parseInferRequest(request.body, model->metadata(), d->o.maxBatch);
    if (!parsed) {
        d->rejected.fetch_add(1);
        return fail(400, parsed.status().message());
    }
    auto pending = std::make_shared<Pending>();
    pending->request = std::move(*parsed);
    pending->responder = responder;
    pending->requestId = id;
    pending->arrived = Clock::now();
    {
        std::lock_guard lock(d->m);
        if (d->draining || d->stopping) {
            d->rejected.fetch_add(1);
            return fail(503, QStringLiteral("the server is shutting down"));
        }
        if (d->queuedRows + pending->request.rows > d->o.maxQueuedRows) {
            d->rejected.fetch_add(1);
            return fail(503, QStringLiteral("the server is overloaded (%1 rows waiting); retry later").arg(d->queuedRows));
        }
        d->queuedRows += pending->request.rows;
        d->queue.push_back(std::move(pending));
    }
    d->work.notify_all();
}

} // namespace orrery::serve
