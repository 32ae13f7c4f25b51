#pragma once
// Executor::Impl — the state of one Executor::run() and the methods that act on it. Private to
// core/pipeline: only the executor*.cpp files include it. One Impl lives for one run; its methods
// are defined by concern:
//   executor.cpp           the public Executor API, the run loop, marking stages downstream of a failure
//   executor_workers.cpp   the worker pool: threads that take a Task and run one stage
//   executor_decide.cpp    checks before anything runs, the skip / restore / run decision, the run
//                          cache, and recording a finished stage in dvc.lock
//   executor_tracking.cpp  the tracked pipeline run, each stage's child run, interpreter capture
//
// Threads: everything but the worker pool's members is used by the coordinating thread only
// (run() and what it calls); workers see only their Task, `opt` (read-only) and `cancel`, and
// hand back a Done under `mutex`.

#include "core/exec/executor_set.h"
#include "core/exec/placement.h"
#include "core/pipeline/executor.h"
#include "core/pipeline/lock_file.h"
#include "core/pipeline/output_store.h"
#include "core/pipeline/param_value.h"
#include "core/pipeline/pipeline_file.h"
#include "core/pipeline/pipeline_graph.h"
#include "core/pipeline/stage.h"
#include "core/pipeline/stage_type.h"

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace orrery::tracking {
class MetricWriter;
class TrackingStore;
} // namespace orrery::tracking

namespace orrery::pipeline {

struct Executor::Impl {
    // One stage handed to a worker.
    struct Task {
        int index = -1;
        Stage stage;
        std::optional<BuiltinCall> builtin;
        QString workDir;
        QString logPath;
        QString runId; // the stage's tracked run, when tracking
        exec::Placement placement;        // executors.yaml's entry for it
        exec::Executor *executor = nullptr; // where its commands run
    };

    // What a worker hands back when a stage ends.
    struct Done {
        int index = -1;
        StageState state = StageState::Ran;
        QString reason;
        QStringList findings;
        QVector<std::pair<QString, double>> metrics;
        qint64 startMs = 0;
        qint64 durationMs = 0;
        exec::JobStatus job; // the last command's job, as its executor last reported it
        // The folders of its commands' jobs elsewhere (Slurm, Kubernetes): their run journals are
        // recorded by the coordinator before the stage is (importJournals).
        QStringList jobDirs;
    };

    Executor &e;
    const QString &root;
    ExecutorOptions &opt;
    const common::Clock &clock; // opt.clock, or the system clock
    qint64 nowMs() const;
    PipelineFile file;
    LockFile lock;
    std::optional<PipelineGraph> graph;
    QVector<int> selection;
    QVector<StageReport> reports;
    QHash<QString, ParamValue> paramsFiles;
    std::unique_ptr<OutputStore> outs;
    bool lockWritten = false; // dvc.lock was renamed into place at least once: fsync it at the end

    // Tracking.
    std::unique_ptr<tracking::TrackingStore> store;
    std::unique_ptr<tracking::MetricWriter> writer;
    QString experimentId;
    QString parentRunId;
    QJsonObject baseManifest;
    QHash<QString, QJsonObject> interpreters;

    // Where stages run (executors.yaml) and the executors made for this run.
    exec::Placements placements;
    std::unique_ptr<exec::ExecutorSet> executors;

    // The worker pool.
    std::mutex mutex;
    std::condition_variable taskReady, doneReady;
    std::deque<Task> tasks;
    std::deque<Done> done;
    std::deque<std::pair<int, exec::JobStatus>> jobUpdates; // a running stage's job changed state
    std::vector<std::thread> threads;
    std::atomic<bool> cancel{false};
    bool stopping = false;

    // Out of line (executor.cpp), where the tracking types are complete.
    Impl(Executor &ex, const QString &r, ExecutorOptions &o);
    ~Impl();

    // ---- the worker pool (executor_workers.cpp) ----

    void startWorkers();
    void stopWorkers();
    void workerLoop();
    Done execute(const Task &task);

    // ---- checks before anything runs (executor_decide.cpp) ----

    Result<ParamValue> paramsFile(const QString &name);
    Result<LockParams> paramValues(const Stage &s);
    Status validate();

    static QStringList QProcess_split(const QString &c);

    // ---- decisions (executor_decide.cpp) ----

    enum class Decision { Skip, Restore, Run, WouldRun, Frozen, Fail };
    struct Decided {
        Decision what = Decision::Run;
        QString reason;
        LockStage current;                       // cmd, deps, params now
        QVector<std::pair<QString, QString>> restore; // path → md5
    };

    QString runCacheKey(const LockStage &cur) const;
    QString runCachePath(const QString &key) const;
    static bool paramsEqual(const LockParams &a, const LockParams &b);
    Result<Decided> decide(int i);

    // ---- tracking (executor_tracking.cpp) ----

    QJsonObject interpreterFor(const Stage &s);
    Status startTracking();
    Result<QString> startChildRun(int i, const Decided &d, QString *logPath);
    void finishChildRun(int i, const Done &done, const Decided &d);

    // ---- a finished stage in dvc.lock and the run cache (executor_decide.cpp) ----

    Status recordFinished(int i, Decided &d);
    Status writeLock(const LockStage &entry);

    // ---- the run (executor.cpp), in its steps ----

    // What the scheduling loop knows of each stage, by graph index.
    QVector<Decided> decisions;
    QVector<bool> decided;  // decide() ran for it
    QVector<bool> launched; // handed to a worker (Pending until its Done arrives)
    int running = 0;

    Status loadPipeline();                 // dvc.yaml, dvc.lock, the graph, the selection, checks
    Status loadPlacements();               // executors.yaml, checked against dvc.yaml; executors made
    Status hashWhatTheSelectionTouches();  // one stat-cached pass over every dep and out
    // Settles stage i with `state` and tells onStage; a failure marks its downstream not run.
    void settle(int i, StageState state, const QString &reason);
    void markDownstreamNotRun(int failed);
    // Settles a stage that needs no worker (skip, frozen, dry run, failed check, restore from the
    // cache); false when it must run.
    bool settleWithoutRunning(int i, const Decided &d);
    // Clears the stage's outs, opens its child run and log, and queues it for a worker.
    Status launch(int i, const Decided &d);
    // One pass over the ready stages: decides, settles or launches each; false when none moved.
    Result<bool> scheduleReadyStages(common::JobContext *job);
    // The runs a stage's jobs journaled on other nodes, into the database (its log says what came
    // in and what was torn); an error fails the stage.
    Status importJournals(const Done &done);
    void recordDone(Done &done);          // a worker's result into dvc.lock, the run and the report
    PipelineReport finishRun(Status &fatal); // workers stopped, dvc.lock synced, the parent run ended
    Result<PipelineReport> run(common::JobContext *job);
};

} // namespace orrery::pipeline
