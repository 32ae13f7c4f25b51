#pragma once
// PredictionLog: every answered prediction in the workspace database (the `predictions` table,
// migration 11) — its request id, endpoint, model version, latency, time and outputs, so that
// delayed labels can always be matched to what was predicted; the inputs too for a sampled share
// of requests (inputRate, chosen by a hash of the request id, so a request is either logged whole
// or not at all, the same on every run).
//
// It is core/serve's PredictionHook (prediction_hook.h): the server hands it records on the hook's
// own consumer thread, never on the answering path; record() only appends to a buffer. A writer
// thread with its own connection commits the buffer every flushMs (100) or when maxBatch (2,000)
// records wait, in one transaction — so serving never waits on SQLite.
//
// Asynchronous by design: a crash (kill -9) loses what was not committed yet — at most flushMs of
// traffic plus what waited in the hook's queue. A record the buffer cannot take (maxBuffered,
// 100,000: the disk is slower than the traffic) is dropped and counted, never blocks the server.
// Retention: rows older than retentionDays, and beyond maxRows per endpoint, are deleted by the
// writer about once a minute.
//
// Threads: record() from one thread at a time (the hook's consumer); stats() from any thread.

#include "core/common/status.h"
#include "core/serve/prediction_hook.h"

#include <QString>

#include <memory>

namespace orrery::monitor {

struct PredictionLogOptions {
    double inputRate = 0.1;        // share of requests whose inputs are kept (0 … 1)
    int flushMs = 100;
    int maxBatch = 2'000;
    int maxBuffered = 100'000;
    int retentionDays = 30;
    qint64 maxRows = 10'000'000;   // per endpoint
    int retentionEveryMs = 60'000;
};

struct PredictionLogStats {
    quint64 recorded = 0;  // handed to record()
    quint64 committed = 0; // in the database
    quint64 dropped = 0;   // the buffer was full
    quint64 withInputs = 0;
    quint64 deleted = 0;   // by retention
};

class PredictionLog : public serve::PredictionHook {
public:
    // Opens its own connection to `databasePath` and starts the writer.
    static Result<std::unique_ptr<PredictionLog>> open(const QString &databasePath, PredictionLogOptions options = {});
    ~PredictionLog() override; // commits what is buffered, then stops

    void record(const serve::PredictionRecord &record) override;
    // Commits what is buffered now (tests, a clean stop); returns once it is on disk.
    Status flush();
    PredictionLogStats stats() const;
    // Whether `requestId`'s inputs are kept at `rate` (a stable hash, so callers can tell too).
    static bool keepsInputs(const QString &requestId, double rate);

private:
    PredictionLog() = default;
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace orrery::monitor
