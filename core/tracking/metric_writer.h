#pragma once
// MetricWriter: the one writer thread through which metric points reach the database.
//
// log() never waits on SQLite: it appends to an in-memory queue under a short mutex and
// returns (the writer swaps the whole queue out, so producers never wait for a commit). The
// writer commits what arrived at most every flushInterval (100 ms) in one transaction — a group
// commit: points are packed into blocks per run and key (metric_block.h), the run's latest
// value and heartbeat are updated in the same transaction.
//
// Durability, two guarantees:
// - log() is asynchronous by design (the trainer's in-process writer): a kill -9 loses at most
//   what was logged since the last commit (up to flushInterval), never the integrity of the
//   database (WAL). flush() returns once everything logged before it is committed
//   (synchronous=FULL), and close() flushes.
// - logThenNotify() is for answers that say "stored" (the tracking server): its callback runs
//   only after the transaction holding those points committed. A waiting caller makes the writer
//   commit at once instead of at its next tick, and whatever other callers queue meanwhile shares
//   the following commit (group commit), so concurrent clients cost one fsync per round, not one
//   each.
//
// Threads: log() and flush() may be called from any thread. The writer has its own connection.

#include "core/common/status.h"
#include "core/tracking/tracking_types.h"

#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace orrery::common {
class Clock;
}

namespace orrery::tracking {

struct SeriesPoint {
    int series; // from MetricWriter::series()
    MetricPoint point;
};

class MetricWriter {
public:
    // Called once with Status::ok() when the points are on disk, or with the error that rolled
    // their transaction back (or that the writer was closed). Runs on the writer's thread: keep it
    // short and do not call back into the writer.
    using CommitCallback = std::function<void(const Status &)>;

    // `clock` stamps the runs' heartbeats (the system clock when null); it must outlive the writer.
    static Result<std::unique_ptr<MetricWriter>> open(const QString &databasePath, int flushIntervalMs = 100,
                                                      const common::Clock *clock = nullptr);
    ~MetricWriter(); // close()

    // A handle for one run's metric key: log(series, point) is the fastest path (no strings are
    // copied or hashed per point). Handles stay valid for the writer's lifetime.
    int series(const QString &runId, const QString &key);
    void log(int series, const MetricPoint &point);
    // Convenience: looks the series up first.
    void log(const QString &runId, const QString &key, const MetricPoint &point);

    // Queues the points and calls `committed` once they are committed (see CommitCallback).
    void logThenNotify(const std::vector<SeriesPoint> &points, CommitCallback committed);

    // Blocks until everything logged so far is committed; the first write error, if any.
    Status flush();
    Status close();

    quint64 pointsCommitted() const;
    quint64 commits() const;

private:
    MetricWriter();
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace orrery::tracking
