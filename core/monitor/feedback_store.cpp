// FeedbackStore: delayed labels parsed, matched to the prediction log and committed before the
// answer (feedback_store.h).

#include "core/monitor/feedback_store.h"

#include "core/common/clock.h"
#include "core/monitor/prediction_log.h"
#include "core/serve/oip_codec.h"
#include "core/store/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

namespace orrery::monitor {

namespace {

Result<Label> parseLabel(const QJsonValue &value, const QString &requestId, int row, const QString &where)
{
    Label l;
    l.requestId = requestId;
    l.row = row;
    if (requestId.isEmpty() || requestId.size() > 128)
        return invalidArgument(QStringLiteral("%1: \"request_id\" must be the X-Request-Id of an answer (1–128 characters)").arg(where));
    if (row < 0)
        return invalidArgument(QStringLiteral("%1: \"row\" must be 0 or more").arg(where));
    if (value.isDouble()) {
        l.number = value.toDouble();
    } else if (value.isString()) {
        l.isNumber = false;
        l.text = value.toString();
    } else {
        return invalidArgument(QStringLiteral("%1: the label must be a number or a string (a class name)").arg(where));
    }
    return l;
}

QByteArray answerBody(const FeedbackResult &r)
{
    QJsonArray ids;
    for (int i = 0; i < r.unknownIds.size() && i < 100; ++i)
        ids.append(r.unknownIds[i]);
    return QJsonDocument(QJsonObject{{QStringLiteral("accepted"), r.accepted},
                                     {QStringLiteral("matched"), r.matched},
                                     {QStringLiteral("unknown"), int(r.unknownIds.size())},
                                     {QStringLiteral("unknown_ids"), ids}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

Result<QVector<Label>> parseFeedback(const QByteArray &body, int maxLabels)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return invalidArgument(QStringLiteral("the feedback is not a JSON object (%1 at offset %2)").arg(error.errorString()).arg(error.offset));
    const QJsonObject o = doc.object();
    QVector<Label> labels;
    const QString requestId = o.value(QStringLiteral("request_id")).toString();
    if (o.contains(QStringLiteral("label"))) {
        ORRERY_ASSIGN_OR_RETURN(Label l, parseLabel(o.value(QStringLiteral("label")), requestId, o.value(QStringLiteral("row")).toInt(0), QStringLiteral("the label")));
        labels.append(l);
    } else if (o.value(QStringLiteral("labels")).isArray()) {
        const QJsonArray a = o.value(QStringLiteral("labels")).toArray();
        if (a.isEmpty() || a.size() > maxLabels)
            return invalidArgument(QStringLiteral("\"labels\" has %1 entries; give 1 to %2").arg(a.size()).arg(maxLabels));
        for (int i = 0; i < a.size(); ++i) {
            const QString where = QStringLiteral("labels[%1]").arg(i);
            if (!requestId.isEmpty()) { // one request, a label per row
                ORRERY_ASSIGN_OR_RETURN(Label l, parseLabel(a[i], requestId, i, where));
                labels.append(l);
                continue;
            }
            if (!a[i].isObject())
                return invalidArgument(QStringLiteral("%1 must be {\"request_id\", \"label\"[, \"row\"]} (or give \"request_id\" once for a request's rows)").arg(where));
            const QJsonObject e = a[i].toObject();
            ORRERY_ASSIGN_OR_RETURN(Label l, parseLabel(e.value(QStringLiteral("label")), e.value(QStringLiteral("request_id")).toString(),
                                                        e.value(QStringLiteral("row")).toInt(0), where));
            labels.append(l);
        }
    } else {
        return invalidArgument(QStringLiteral("give {\"request_id\", \"label\"}, {\"request_id\", \"labels\": [per row]} or {\"labels\": [{\"request_id\", \"label\"}, …]}"));
    }
    return labels;
}

struct FeedbackStore::Impl {
    struct Job {
        QString endpoint;
        QVector<Label> labels;
        http::HttpResponder responder;                      // from HTTP
        std::shared_ptr<std::promise<Result<FeedbackResult>>> done; // from store()
    };
    std::unique_ptr<store::Database> db;
    std::shared_ptr<PredictionLog> log;
    std::function<void()> handOver;
    std::mutex m;
    std::condition_variable wake;
    std::deque<Job> jobs;
    bool stopping = false;
    std::thread writer;

    void loop();
    Result<QVector<FeedbackResult>> commit(const std::vector<Job> &batch);
};

Result<std::unique_ptr<FeedbackStore>> FeedbackStore::open(const QString &databasePath, std::shared_ptr<PredictionLog> log)
{
    std::unique_ptr<FeedbackStore> store(new FeedbackStore());
    store->d = std::make_unique<Impl>();
    ORRERY_ASSIGN_OR_RETURN(store->d->db, store::Database::open(databasePath));
    store->d->log = std::move(log);
    Impl *d = store->d.get();
    store->d->writer = std::thread([d] { d->loop(); });
    return store;
}

void FeedbackStore::setBeforeMatching(std::function<void()> handOver)
{
    d->handOver = std::move(handOver);
}

FeedbackStore::~FeedbackStore()
{
    {
        std::lock_guard lock(d->m);
        d->stopping = true;
    }
    d->wake.notify_all();
    d->writer.join();
}

void FeedbackStore::submit(const QString &endpoint, QByteArray body, http::HttpResponder responder)
{
    auto labels = parseFeedback(body);
    if (!labels)
        return responder.send(http::HttpResponse::json(400, serve::errorBody(labels.status().message())));
    std::lock_guard lock(d->m);
    if (d->stopping)
        return responder.send(http::HttpResponse::json(503, serve::errorBody(QStringLiteral("the server is shutting down"))));
    d->jobs.push_back(Impl::Job{endpoint, std::move(*labels), responder, nullptr});
    d->wake.notify_one();
}

Result<FeedbackResult> FeedbackStore::store(const QString &endpoint, const QVector<Label> &labels)
{
    auto done = std::make_shared<std::promise<Result<FeedbackResult>>>();
    auto future = done->get_future();
    {
        std::lock_guard lock(d->m);
        d->jobs.push_back(Impl::Job{endpoint, labels, http::HttpResponder(), done});
    }
    d->wake.notify_one();
    return future.get();
}

void FeedbackStore::Impl::loop()
{
    std::unique_lock lock(m);
    for (;;) {
        wake.wait(lock, [&] { return stopping || !jobs.empty(); });
        if (jobs.empty())
            return; // stopping, nothing left
        std::vector<Job> batch(std::make_move_iterator(jobs.begin()), std::make_move_iterator(jobs.end()));
        jobs.clear();
        lock.unlock();
        if (handOver)
            handOver();
        if (log)
            log->flush(); // the predictions these labels follow are on disk before matching
        const auto results = commit(batch);
        for (size_t i = 0; i < batch.size(); ++i) {
            Result<FeedbackResult> r = results ? Result<FeedbackResult>((*results)[int(i)]) : Result<FeedbackResult>(results.status());
            if (batch[i].done)
                batch[i].done->set_value(r);
            else if (r)
                batch[i].responder.send(http::HttpResponse::json(200, answerBody(*r)));
            else
                batch[i].responder.send(http::HttpResponse::json(500, serve::errorBody(r.status().message())));
        }
        lock.lock();
    }
}

Result<QVector<FeedbackResult>> FeedbackStore::Impl::commit(const std::vector<Job> &batch)
{
    store::Transaction tx(*db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto find, db->prepare(QStringLiteral("SELECT id, version, rows FROM predictions WHERE request_id = ? AND endpoint = ? ORDER BY id DESC LIMIT 1")));
    ORRERY_ASSIGN_OR_RETURN(auto insert, db->prepare(QStringLiteral("INSERT INTO feedback (endpoint, request_id, row, label_number, label_text, time, prediction_id, version) "
                                                                    "VALUES (?,?,?,?,?,?,?,?)")));
    const qint64 now = common::Clock::system().nowMs(); // the predictions' clock (core/common/clock.h)
    QVector<FeedbackResult> results;
    for (const Job &job : batch) {
        FeedbackResult r;
        for (const Label &l : job.labels) {
            find.reset();
            find.bind(1, l.requestId).bind(2, job.endpoint);
            const bool found = find.next() && l.row < find.int64(2);
            ORRERY_TRY(find.status());
            insert.reset();
            insert.bind(1, job.endpoint).bind(2, l.requestId).bind(3, l.row);
            if (l.isNumber)
                insert.bind(4, l.number).bindNull(5);
            else
                insert.bindNull(4).bind(5, l.text);
            insert.bind(6, now);
            if (found)
                insert.bind(7, find.int64(0)).bind(8, find.text(1));
            else
                insert.bindNull(7).bind(8, QString());
            ORRERY_TRY(insert.run());
            ++r.accepted;
            if (found)
                ++r.matched;
            else
                r.unknownIds << l.requestId;
        }
        results.append(r);
    }
    ORRERY_TRY(tx.commit());
    return results;
}

} // namespace orrery::monitor
