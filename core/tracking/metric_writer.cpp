#include "core/tracking/metric_writer.h"

#include "core/common/clock.h"
#include "core/store/database.h"
#include "core/tracking/metric_block.h"

#include <QDateTime>
#include <QHash>
#include <QSet>

#include <cmath>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace orrery::tracking {
namespace {

using Entry = SeriesPoint;

// The writer's memory of the newest block of one run and key, so appending never re-reads it.
struct Tail {
    qint64 block = 0;
    QVector<MetricPoint> points;
    bool dirty = false;
    bool haveLatest = false;
    MetricPoint latest;
    bool latestDirty = false;
};

using TailKey = std::pair<QString, QString>;
struct TailKeyHash {
    size_t operator()(const TailKey &k) const { return qHash(k.first) * 31 + qHash(k.second); }
};

} // namespace

struct MetricWriter::Impl {
    std::unique_ptr<store::Database> db;
    int intervalMs = 100;
    const common::Clock *clock = nullptr;

    std::mutex mutex;                 // guards queue, waiters, stopping, flushRequested, committedTicket
    std::condition_variable wake;     // writer: work or stop
    std::condition_variable committed; // flushers: a commit happened
    std::vector<Entry> queue;
    std::vector<CommitCallback> waiters; // called after the commit of what is queued now
    QVector<std::pair<QString, QString>> seriesNames; // id → (run, key); guarded by mutex
    QHash<std::pair<QString, QString>, int> seriesIds;
    quint64 queuedTicket = 0;    // entries ever queued
    quint64 committedTicket = 0; // entries ever committed (or failed)
    bool stopping = false;
    bool flushRequested = false;
    Status firstError;

    std::atomic<quint64> points{0};
    std::atomic<quint64> commitCount{0};
    // Writer thread only. Node-based, so the pointers a commit holds survive inserts.
    std::unordered_map<TailKey, Tail, TailKeyHash> tails;
    QVector<Tail *> seriesTails; // series id → its tail in `tails`
    std::thread thread;

    Status loadTail(const TailKey &key, Tail &tail)
    {
        ORRERY_ASSIGN_OR_RETURN(auto s,
            db->prepare(
                QStringLiteral("SELECT block, points FROM metric_points WHERE run_id = ? AND key = ? ORDER BY block DESC LIMIT 1")));
        s.bind(1, key.first).bind(2, key.second);
        if (s.next()) {
            tail.block = s.int64(0);
            tail.points = decodePoints(s.blob(1));
            if (tail.points.size() >= kBlockPoints) {
                ++tail.block;
                tail.points.clear();
            }
        }
        ORRERY_TRY(s.status());
        ORRERY_ASSIGN_OR_RETURN(
            auto l, db->prepare(QStringLiteral("SELECT value, timestamp, step, is_nan FROM latest_metrics WHERE run_id = ? AND key = ?")));
        l.bind(1, key.first).bind(2, key.second);
        if (l.next()) {
            tail.haveLatest = true;
            tail.latest = {l.int64(2), l.int64(1), l.int64(3) ? std::nan("") : l.real(0)};
        }
        return l.status();
    }

    // Whether the remembered tail is still what the database holds: another writer (a second
    // process, or a second MetricWriter here) may have appended to the same run and key since
    // this one last committed, and appending to a stale tail would write over its points. Asked
    // inside the commit's IMMEDIATE transaction, so nobody can append between the check and the
    // write; one indexed read of the newest block's summary row per series and commit.
    Result<bool> tailIsCurrent(const TailKey &key, const Tail &tail)
    {
        ORRERY_ASSIGN_OR_RETURN(auto s,
            db->prepare(QStringLiteral("SELECT block, count FROM metric_blocks WHERE run_id = ? AND key = ? ORDER BY block DESC LIMIT 1")));
        s.bind(1, key.first).bind(2, key.second);
        const bool any = s.next();
        ORRERY_TRY(s.status());
        if (!tail.points.isEmpty())
            return any && s.int64(0) == tail.block && s.int64(1) == tail.points.size();
        // An empty tail starts block `tail.block`: the one before it is full, or there is none.
        if (tail.block == 0)
            return !any;
        return any && s.int64(0) == tail.block - 1 && s.int64(1) == kBlockPoints;
    }

    // The three rows a block is stored as: its points, its summary and its segments' summaries.
    struct BlockStatements {
        store::Statement points, summary, segments;
    };

    Status writeBlock(const TailKey &key, const Tail &tail, BlockStatements &st)
    {
        store::Statement &insertPoints = st.points, &insert = st.summary, &insertSegments = st.segments;
        insertPoints.reset();
        insertPoints.bind(1, key.first).bind(2, key.second).bind(3, tail.block).bind(4, encodePoints(tail.points));
        ORRERY_TRY(insertPoints.run());
        const BlockSummary sum = summarize(tail.points);
        insert.reset();
        insert.bind(1, key.first).bind(2, key.second).bind(3, tail.block).bind(4, sum.count).bind(5, sum.firstStep).bind(6, sum.lastStep);
        if (sum.hasValues)
            insert.bind(7, sum.min.value).bind(8, sum.min.step).bind(9, sum.max.value).bind(10, sum.max.step)
                .bind(11, sum.min.timestamp).bind(12, sum.max.timestamp);
        else
            insert.bindNull(7).bindNull(8).bindNull(9).bindNull(10).bindNull(11).bindNull(12);
        ORRERY_TRY(insert.run());
        insertSegments.reset();
        insertSegments.bind(1, key.first).bind(2, key.second).bind(3, tail.block).bind(4, encodeSegments(tail.points));
        return insertSegments.run();
    }

    Status appendPoint(const TailKey &key, Tail &tail, const MetricPoint &point, BlockStatements &st)
    {
        tail.points.append(point);
        tail.dirty = true;
        if (!tail.haveLatest || isLater(point, tail.latest)) {
            tail.latest = point;
            tail.haveLatest = true;
            tail.latestDirty = true;
        }
        if (tail.points.size() == kBlockPoints) {
            ORRERY_TRY(writeBlock(key, tail, st));
            ++tail.block;
            tail.points.clear();
            tail.dirty = false;
        }
        return Status::ok();
    }

    Status commit(std::vector<Entry> &batch)
    {
        store::Transaction tx(*db);
        ORRERY_TRY(tx.status());
        ORRERY_ASSIGN_OR_RETURN(auto insert,
            db->prepare(QStringLiteral("INSERT OR REPLACE INTO metric_blocks(run_id, key, block, count, first_step, last_step, min_value, "
                                       "min_step, max_value, max_step, "
                                       "min_time, max_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")));
        ORRERY_ASSIGN_OR_RETURN(auto insertPoints,
            db->prepare(QStringLiteral("INSERT OR REPLACE INTO metric_points(run_id, key, block, points) VALUES (?,?,?,?)")));
        ORRERY_ASSIGN_OR_RETURN(auto insertSegments,
            db->prepare(QStringLiteral("INSERT OR REPLACE INTO metric_segments(run_id, key, block, segments) VALUES (?,?,?,?)")));
        BlockStatements st{std::move(insertPoints), std::move(insert), std::move(insertSegments)};
        // Series ids index a vector of tails: no string is hashed per point.
        QVector<std::pair<QString, QString>> names;
        {
            std::lock_guard<std::mutex> lock(mutex);
            names = seriesNames;
        }
        if (seriesTails.size() < names.size())
            seriesTails.resize(names.size(), nullptr);
        QVector<int> touched;
        QVector<bool> checked(names.size(), false); // tailIsCurrent asked in this commit
        for (const Entry &e : batch) {
            Tail *&tail = seriesTails[e.series];
            if (!tail) {
                const TailKey key = names[e.series];
                auto it = tails.find(key);
                if (it == tails.end()) {
                    it = tails.emplace(key, Tail()).first;
                    ORRERY_TRY(loadTail(key, it->second));
                    checked[e.series] = true; // just read inside this transaction
                }
                tail = &it->second;
            }
            if (!checked[e.series]) {
                checked[e.series] = true;
                ORRERY_ASSIGN_OR_RETURN(auto current, tailIsCurrent(names[e.series], *tail));
                if (!current) { // someone else appended: continue from what is stored
                    *tail = Tail();
                    ORRERY_TRY(loadTail(names[e.series], *tail));
                }
            }
            if (!tail->dirty && !tail->latestDirty)
                touched.append(e.series);
            ORRERY_TRY(appendPoint(names[e.series], *tail, e.point, st));
            tail->dirty = true; // keeps it in `touched` once, even after a full block was written
        }
        ORRERY_ASSIGN_OR_RETURN(auto latest,
            db->prepare(
                QStringLiteral("INSERT OR REPLACE INTO latest_metrics(run_id, key, value, timestamp, step, is_nan) VALUES (?,?,?,?,?,?)")));
        QSet<QString> runs;
        for (int id : touched) {
            Tail &tail = *seriesTails[id];
            const TailKey &key = names[id];
            if (tail.dirty && !tail.points.isEmpty())
                ORRERY_TRY(writeBlock(key, tail, st));
            tail.dirty = false;
            if (tail.latestDirty) {
                latest.reset();
                latest.bind(1, key.first).bind(2, key.second);
                if (std::isnan(tail.latest.value))
                    latest.bindNull(3);
                else
                    latest.bind(3, tail.latest.value);
                latest.bind(4, tail.latest.timestamp).bind(5, tail.latest.step).bind(6, std::isnan(tail.latest.value) ? 1 : 0);
                ORRERY_TRY(latest.run());
                tail.latestDirty = false;
            }
            runs.insert(key.first);
        }
        // A run that logs is alive: its heartbeat moves with every commit.
        ORRERY_ASSIGN_OR_RETURN(auto beat, db->prepare(QStringLiteral("UPDATE runs SET heartbeat_time = ? WHERE id = ?")));
        const qint64 now = clock->now().toMSecsSinceEpoch();
        for (const QString &run : runs) {
            beat.reset();
            beat.bind(1, now).bind(2, run);
            ORRERY_TRY(beat.run());
        }
        ORRERY_TRY(tx.commit());
        points += batch.size();
        ++commitCount;
        return Status::ok();
    }

    static void notify(std::vector<CommitCallback> &callbacks, const Status &s)
    {
        for (const CommitCallback &c : callbacks)
            c(s);
        callbacks.clear();
    }

    void run()
    {
        std::vector<Entry> batch;
        std::vector<CommitCallback> notifyAfter;
        for (;;) {
            quint64 ticket = 0;
            {
                std::unique_lock<std::mutex> lock(mutex);
                wake.wait_for(lock, std::chrono::milliseconds(intervalMs),
                              [&] { return stopping || flushRequested || queue.size() >= 200000; });
                batch.swap(queue);
                queue.reserve(batch.capacity());
                notifyAfter.swap(waiters); // every waiter's points are in `batch` (queued under this lock)
                ticket = queuedTicket;
                flushRequested = false;
                if (batch.empty()) {
                    committedTicket = ticket;
                    committed.notify_all();
                    if (stopping && notifyAfter.empty())
                        return;
                }
            }
            Status s = batch.empty() ? Status::ok() : commit(batch);
            if (!s) { // the transaction rolled back: what the tails remember is not on disk
                tails.clear();
                seriesTails.clear();
            }
            batch.clear();
            notify(notifyAfter, s); // outside the lock: a callback may send an answer
            std::lock_guard<std::mutex> lock(mutex);
            if (!s && firstError.isOk())
                firstError = s;
            committedTicket = ticket;
            committed.notify_all();
        }
    }
};

MetricWriter::MetricWriter() : d(std::make_unique<Impl>()) {}

MetricWriter::~MetricWriter()
{
    (void)close();
}

Result<std::unique_ptr<MetricWriter>> MetricWriter::open(const QString &databasePath, int flushIntervalMs, const common::Clock *clock)
{
    ORRERY_ASSIGN_OR_RETURN(auto db, store::Database::open(databasePath));
    std::unique_ptr<MetricWriter> writer(new MetricWriter());
    writer->d->db = std::move(db);
    writer->d->intervalMs = qMax(1, flushIntervalMs);
    writer->d->clock = clock ? clock : &common::Clock::system();
    writer->d->queue.reserve(1 << 16);
    writer->d->thread = std::thread([impl = writer->d.get()] { impl->run(); });
    return writer;
}

int MetricWriter::series(const QString &runId, const QString &key)
{
    std::lock_guard<std::mutex> lock(d->mutex);
    const auto name = std::pair{runId, key};
    const auto it = d->seriesIds.constFind(name);
    if (it != d->seriesIds.constEnd())
        return *it;
    const int id = int(d->seriesNames.size());
    d->seriesNames.append(name);
    d->seriesIds.insert(name, id);
    return id;
}

void MetricWriter::log(int series, const MetricPoint &point)
{
    std::lock_guard<std::mutex> lock(d->mutex);
    d->queue.push_back({series, point});
    ++d->queuedTicket;
}

void MetricWriter::log(const QString &runId, const QString &key, const MetricPoint &point)
{
    log(series(runId, key), point);
}

void MetricWriter::logThenNotify(const std::vector<SeriesPoint> &points, CommitCallback committed)
{
    {
        std::lock_guard<std::mutex> lock(d->mutex);
        if (d->thread.joinable() && !d->stopping) {
            d->queue.insert(d->queue.end(), points.begin(), points.end());
            d->queuedTicket += points.size();
            d->waiters.push_back(std::move(committed));
            d->flushRequested = true;
            d->wake.notify_one();
            return;
        }
    }
    committed(Status(ErrorCode::FailedPrecondition, QStringLiteral("the metric writer is closed: the points were not stored")));
}

Status MetricWriter::flush()
{
    std::unique_lock<std::mutex> lock(d->mutex);
    if (!d->thread.joinable())
        return d->firstError;
    const quint64 target = d->queuedTicket;
    d->flushRequested = true;
    d->wake.notify_one();
    d->committed.wait(lock, [&] { return d->committedTicket >= target; });
    return d->firstError;
}

Status MetricWriter::close()
{
    if (!d->thread.joinable())
        return d->firstError;
    {
        std::lock_guard<std::mutex> lock(d->mutex);
        d->stopping = true;
    }
    d->wake.notify_one();
    d->thread.join();
    return d->firstError;
}

quint64 MetricWriter::pointsCommitted() const
{
    return d->points.load();
}

quint64 MetricWriter::commits() const
{
    return d->commitCount.load();
}

} // namespace orrery::tracking
