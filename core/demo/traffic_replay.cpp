#include "core/demo/traffic_replay.h"

#include "core/common/clock.h"
#include "core/common/random.h"
#include "core/demo/replay_request.h"
#include "core/http/http_connection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QUrl>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace orrery::demo {
namespace {

using Clock = std::chrono::steady_clock;

// How long the earliest due label waits for others to share its post: labels go out at most
// this late, in a few posts a second instead of one per request.
constexpr int kCoalesceMs = 100;

qint64 msBetween(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

bool usableIdPrefix(const QString &prefix)
{
    if (prefix.isEmpty() || prefix.size() > 100)
        return false;
    for (const QChar c : prefix)
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != QLatin1Char('.') && c != QLatin1Char('_') && c != QLatin1Char(':') && c != QLatin1Char('-'))
            return false;
    return true;
}

// What a failed answer says: the server's {"error": …} or the first bytes of its body.
QString describe(const http::ConnectionReply &reply)
{
    if (reply.status == 0)
        return reply.error;
    const QString error = QJsonDocument::fromJson(reply.body).object().value(QStringLiteral("error")).toString();
    return QStringLiteral("HTTP %1: %2").arg(reply.status).arg(error.isEmpty() ? QString::fromUtf8(reply.body.left(200)) : error);
}

// One answered request's labels, waiting for their time.
struct PendingLabels {
    QString requestId;
    std::vector<qint8> labels; // per row: 0, 1, or -1 (not labelled)
    qint64 count = 0;
};

} // namespace

struct TrafficReplay::Impl {
    ReplayOptions o;
    const common::Clock *clock = nullptr;
    // The clock's durations as real waits (traffic_replay.h, "The clock").
    qint64 durationRealMs = 0, labelsAfterRealMs = -1;
    std::optional<ReplayRequest> request;
    std::optional<ReplayStream> stream;
    common::Random labelDraw{1};
    QByteArray inferTarget, feedbackTarget;
    http::HeaderList headers;

    mutable std::mutex m;
    std::condition_variable wake;
    bool stopping = false;
    bool running = false;
    bool sendingDone = false;
    qint64 next = 0;
    Clock::time_point start;
    ReplayCounts c;
    std::multimap<Clock::time_point, PendingLabels> labels;

    bool labelling() const { return o.labelsAfterMs >= 0; }
    Clock::time_point due(qint64 k) const
    {
        return start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(double(k) / o.rate));
    }
    void noteError(const QString &error)
    {
        if (c.firstError.isEmpty())
            c.firstError = error;
    }

    void sender();
    void labeller();
    void postLabels(http::HttpConnection &connection, std::vector<PendingLabels> batch);
};

TrafficReplay::TrafficReplay() : d(std::make_unique<Impl>()) {}
TrafficReplay::~TrafficReplay() = default;

Result<std::unique_ptr<TrafficReplay>> TrafficReplay::create(ReplayOptions o)
{
    const QUrl url(o.url);
    if (!url.isValid() || url.scheme() != QLatin1String("http") || url.host().isEmpty())
        return invalidArgument(QStringLiteral("--url '%1' is no http:// URL of a server (e.g. http://127.0.0.1:8080)").arg(o.url));
    if (o.endpoint.isEmpty())
        return invalidArgument(QStringLiteral("give the endpoint to replay to (--endpoint E)"));
    if (!(o.rate >= 0.01 && o.rate <= 100'000))
        return invalidArgument(QStringLiteral("--rate must be from 0.01 to 100000 requests per second, got %1").arg(o.rate));
    if (o.rowsPerRequest < 1 || o.rowsPerRequest > 100'000)
        return invalidArgument(QStringLiteral("--rows-per-request must be from 1 to 100000, got %1").arg(o.rowsPerRequest));
    if (o.requests < 0 || o.durationMs < 0)
        return invalidArgument(QStringLiteral("--requests and --duration cannot be negative"));
    if (!(o.labelShare >= 0 && o.labelShare <= 1))
        return invalidArgument(QStringLiteral("--label-share must be from 0 to 1, got %1").arg(o.labelShare));
    if (o.connections < 1 || o.connections > 256)
        return invalidArgument(QStringLiteral("connections must be from 1 to 256, got %1").arg(o.connections));
    if (o.timeoutMs < 1 || o.maxLabelsPerPost < 1)
        return invalidArgument(QStringLiteral("the timeout and the labels per post must be positive"));
    if (o.idPrefix.isEmpty())
        o.idPrefix = QStringLiteral("replay-%1").arg(QRandomGenerator::system()->generate(), 8, 16, QLatin1Char('0'));
    if (!usableIdPrefix(o.idPrefix))
        return invalidArgument(QStringLiteral("request id prefix '%1' must be 1–100 characters of A-Z a-z 0-9 . _ : -").arg(o.idPrefix));
    if (!o.timeline.start.isValid())
        o.timeline = timelineAfter(QString()); // the demo's default dataset
    ORRERY_ASSIGN_OR_RETURN(ReplayRequest request, ReplayRequest::fromSignature(o.signature));

    std::unique_ptr<TrafficReplay> replay(new TrafficReplay());
    Impl &d = *replay->d;
    d.request = std::move(request);
    d.clock = o.clock ? o.clock : &common::Clock::system();
    d.durationRealMs = d.clock->realMs(o.durationMs);
    d.labelsAfterRealMs = o.labelsAfterMs < 0 ? -1 : d.clock->realMs(o.labelsAfterMs);
    if (o.shiftAtMs >= 0)
        d.c.shiftRequest = qint64(std::ceil(double(d.clock->realMs(o.shiftAtMs)) * o.rate / 1000.0 - 1e-9));
    d.stream.emplace(o.seed, o.timeline, d.c.shiftRequest >= 0 ? d.c.shiftRequest * o.rowsPerRequest : -1, o.shift);
    // The labels' own draws: another stream of the seed, so the share never changes the rows.
    d.labelDraw = common::Random(o.seed ^ 0x6c6162656c73ULL);
    const QByteArray endpoint = QUrl::toPercentEncoding(o.endpoint);
    d.inferTarget = "/v2/models/" + endpoint + "/infer";
    d.feedbackTarget = "/v2/models/" + endpoint + "/feedback";
    if (!o.token.isEmpty())
        d.headers.append({QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + o.token});
    d.o = std::move(o);
    return replay;
}

const ReplayOptions &TrafficReplay::options() const { return d->o; }

QString TrafficReplay::requestId(qint64 index) const { return d->o.idPrefix + QLatin1Char('-') + QString::number(index); }

Status TrafficReplay::checkServer(int waitMs) const
{
    ORRERY_ASSIGN_OR_RETURN(auto connection, http::HttpConnection::create(QUrl(d->o.url), d->o.timeoutMs));
    const QByteArray target = "/v2/models/" + QUrl::toPercentEncoding(d->o.endpoint) + "/ready";
    const Clock::time_point until = Clock::now() + std::chrono::milliseconds(waitMs);
    for (;;) {
        const http::ConnectionReply reply = connection->request("GET", target, QByteArray(), d->headers);
        if (reply.status == 200)
            return Status();
        if (reply.status == 0)
            return Status(ErrorCode::FailedPrecondition,
                          QStringLiteral("cannot reach the server at %1 (%2); start it with `orrery-cli serve`").arg(d->o.url, reply.error));
        if (reply.status == 401)
            return Status(ErrorCode::FailedPrecondition,
                          QStringLiteral("the server at %1 wants a bearer token: give the file it was started with (--token-file F)").arg(d->o.url));
        if (reply.status == 404)
            return Status(ErrorCode::NotFound, QStringLiteral("the server at %1 does not serve endpoint '%2': %3").arg(d->o.url, d->o.endpoint, describe(reply)));
        if (reply.status != 503 || Clock::now() >= until)
            return Status(ErrorCode::FailedPrecondition, QStringLiteral("endpoint '%1' at %2 is not ready: %3").arg(d->o.endpoint, d->o.url, describe(reply)));
        std::this_thread::sleep_for(std::chrono::milliseconds(200)); // loading its model
    }
}

void TrafficReplay::stop()
{
    {
        std::lock_guard lock(d->m);
        d->stopping = true;
    }
    d->wake.notify_all();
}

ReplayCounts TrafficReplay::counts() const
{
    std::lock_guard lock(d->m);
    ReplayCounts c = d->c;
    c.elapsedMs = d->running ? d->clock->clockMs(msBetween(d->start, Clock::now())) : d->c.elapsedMs;
    return c;
}

ReplayCounts TrafficReplay::run()
{
    {
        std::lock_guard lock(d->m);
        d->start = Clock::now();
        d->running = true;
    }
    std::thread labeller;
    if (d->labelling())
        labeller = std::thread([this] { d->labeller(); });
    std::vector<std::thread> senders;
    for (int i = 0; i < d->o.connections; ++i)
        senders.emplace_back([this] { d->sender(); });
    for (auto &t : senders)
        t.join();
    {
        std::lock_guard lock(d->m);
        d->sendingDone = true;
    }
    d->wake.notify_all();
    if (labeller.joinable())
        labeller.join();
    std::lock_guard lock(d->m);
    d->running = false;
    d->c.elapsedMs = d->clock->clockMs(msBetween(d->start, Clock::now()));
    d->c.stopped = d->stopping;
    return d->c;
}

void TrafficReplay::Impl::sender()
{
    auto made = http::HttpConnection::create(QUrl(o.url), o.timeoutMs);
    if (!made)
        return; // create() checked the URL already
    http::HttpConnection &connection = **made;
    for (;;) {
        qint64 k = 0;
        Clock::time_point when;
        std::vector<data::FraudTransaction> rows;
        std::vector<qint8> rowLabels;
        {
            std::unique_lock lock(m);
            if (stopping || (o.requests > 0 && next >= o.requests))
                return;
            k = next;
            when = due(k);
            if (o.durationMs > 0 && (msBetween(start, when) >= durationRealMs || msBetween(start, Clock::now()) >= durationRealMs))
                return;
            ++next;
            // Drawn here, in request order, whatever the connections' timing.
            rows = stream->next(o.rowsPerRequest);
            if (labelling())
                rowLabels = ReplayRequest::rowLabels(rows, o.labelShare, [this] { return labelDraw.uniform(); });
            if (wake.wait_until(lock, when, [this] { return stopping; }))
                return;
            const qint64 lag = msBetween(when, Clock::now());
            c.maxLagMs = qMax(c.maxLagMs, lag);
            if (k == c.shiftRequest)
                c.shiftStartedMs = clock->clockMs(msBetween(start, Clock::now()));
            ++c.sent;
        }
        const QString id = o.idPrefix + QLatin1Char('-') + QString::number(k);
        http::HeaderList headers = this->headers;
        headers.append({QByteArrayLiteral("X-Request-Id"), id.toLatin1()});
        const http::ConnectionReply reply = connection.post(inferTarget, request->body(id, rows), headers);
        const Clock::time_point answered = Clock::now();
        std::lock_guard lock(m);
        c.statuses[reply.status]++;
        if (reply.status / 100 != 2) {
            ++c.failed;
            noteError(QStringLiteral("request %1: %2").arg(id, describe(reply)));
            continue;
        }
        ++c.answered;
        c.rows += qint64(rows.size());
        if (labelling()) {
            PendingLabels p;
            const QByteArray recorded = reply.header("x-request-id"); // what the prediction log has
            p.requestId = recorded.isEmpty() ? id : QString::fromLatin1(recorded);
            for (const qint8 l : rowLabels)
                p.count += l >= 0 ? 1 : 0;
            p.labels = std::move(rowLabels);
            if (p.count > 0) {
                c.labelsPending += p.count;
                labels.emplace(answered + std::chrono::milliseconds(labelsAfterRealMs), std::move(p));
                wake.notify_all();
            }
        }
    }
}

void TrafficReplay::Impl::labeller()
{
    auto made = http::HttpConnection::create(QUrl(o.url), o.timeoutMs);
    if (!made)
        return;
    http::HttpConnection &connection = **made;
    std::unique_lock lock(m);
    for (;;) {
        // Wait for the earliest label's time and kCoalesceMs more, so the labels falling due
        // meanwhile share its post — or for stop(), which sends every label at once.
        const auto sendAt = [this] { return labels.begin()->first + std::chrono::milliseconds(kCoalesceMs); };
        while (!(stopping && !labels.empty()) && !(!labels.empty() && sendAt() <= Clock::now()) && !(sendingDone && labels.empty())) {
            if (labels.empty())
                wake.wait(lock);
            else
                wake.wait_until(lock, sendAt());
        }
        if (labels.empty() && sendingDone)
            return;
        const Clock::time_point now = Clock::now();
        std::vector<PendingLabels> batch;
        qint64 n = 0;
        while (!labels.empty() && (stopping || labels.begin()->first <= now) && n < o.maxLabelsPerPost) {
            n += labels.begin()->second.count;
            batch.push_back(std::move(labels.begin()->second));
            labels.erase(labels.begin());
        }
        lock.unlock();
        postLabels(connection, std::move(batch));
        lock.lock();
    }
}

void TrafficReplay::Impl::postLabels(http::HttpConnection &connection, std::vector<PendingLabels> batch)
{
    QJsonArray entries;
    for (const PendingLabels &p : batch)
        ReplayRequest::appendLabels(entries, p.requestId, p.labels);
    const qint64 n = entries.size();
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("labels"), entries}}).toJson(QJsonDocument::Compact);
    http::ConnectionReply reply;
    for (int attempt = 0; attempt < 3; ++attempt) {
        reply = connection.post(feedbackTarget, body, headers);
        if (reply.status != 0)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
    }
    std::lock_guard lock(m);
    c.labelsPending -= n;
    if (reply.status / 100 != 2) {
        c.labelsFailed += n;
        noteError(QStringLiteral("labels for %1 requests: %2").arg(batch.size()).arg(describe(reply)));
        return;
    }
    const QJsonObject answer = QJsonDocument::fromJson(reply.body).object();
    ++c.labelPosts;
    c.labelsSent += answer.value(QStringLiteral("accepted")).toInteger(n);
    c.labelsMatched += answer.value(QStringLiteral("matched")).toInteger();
    c.labelsUnknown += answer.value(QStringLiteral("unknown")).toInteger();
    for (const auto &id : answer.value(QStringLiteral("unknown_ids")).toArray())
        if (c.unknownIds.size() < 20 && !c.unknownIds.contains(id.toString()))
            c.unknownIds << id.toString();
}

} // namespace orrery::demo
