#pragma once
// Executor: runs a dvc.yaml pipeline the way `dvc repro` does, with Orrery's tracking.
//
// - Order: stages run after the stages whose outputs they read; independent stages run in
//   parallel on a pool of `workers` threads. Built-in stages (`orrery-cli stage TYPE …`) run
//   in-process on a worker; any other cmd runs as a process (core/exec).
// - Skipping: a stage whose cmd, dep hashes and param values equal its dvc.lock entry, and whose
//   outs are as recorded, is skipped; outs missing from the workspace are restored from the
//   content cache. A stage whose inputs match an earlier run in the run cache gets that run's
//   outs from the cache without running. --force runs everything selected; always_changed
//   stages always run; frozen stages never do.
// - Failure: a failed stage stops the stages downstream of it; independent stages go on, and
//   each finished stage is in dvc.lock at once (written atomically after every stage), so a
//   crash or a kill loses only the stages that were running. Outs are removed before a stage
//   runs (unless persist), so nothing half-written from an earlier attempt is ever taken for a
//   result: the lock never names an out its stage did not finish.
// - Cancel (the job's flag) kills running processes and stops built-in stages at their next
//   check; a per-stage timeout does the same to one stage.
// - Tracking: the pipeline run is a tracked run (experiment "pipeline"); each stage that runs is
//   a child run (tag mlflow.parentRunId) with its params, the numbers of its metrics files, its
//   log as an artifact, its timings and the reproducibility manifest — for a command stage also
//   the interpreter it runs (`python3 --version` and its installed packages).
//
// Before anything runs, the whole selection is checked: unknown stage types and their
// arguments, params missing from their files, deps that neither exist nor are written by a
// stage, cycles and outs written twice — each an error naming the stage and the fix.
//
// Threads: run() blocks the calling thread, which coordinates (it alone uses the Database);
// stages run on worker threads of their own.

#include "core/common/status.h"
#include "core/exec/executor.h"
#include "core/pipeline/stage_type.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

namespace orrery::common {
class Clock;
class JobContext;
}
namespace orrery::store {
class Database;
}

namespace orrery::pipeline {

enum class StageState {
    Pending,
    Skipped,     // up to date with dvc.lock
    Restored,    // outs restored from the cache (lock or run cache), not run
    Ran,
    Failed,      // error, non-zero exit, crash
    CheckFailed, // a data test or gate did not pass
    TimedOut,
    Cancelled,
    NotRun,      // an upstream stage failed, or the run was cancelled first
    WouldRun,    // --dry-run
    Frozen,
};
const char *stageStateName(StageState s);

struct StageReport {
    QString name;
    StageState state = StageState::Pending;
    QString reason;       // why it ran / was skipped / failed, in words
    QStringList findings; // failed checks, for CheckFailed
    qint64 durationMs = 0;
    QString runId;        // child run, when it ran
    QString logPath;      // absolute
    QString logTail;      // the last lines of the log, for a failure
    bool builtin = false;
    // Where it runs (executors.yaml: "local", "slurm", …) and, while it runs there, what the
    // executor last said (pending with the scheduler's reason, running on a node, the job's id).
    QString executor = QStringLiteral("local");
    exec::JobStatus job;
};

struct PipelineReport {
    QString runId; // the pipeline's tracked run (empty for a dry run)
    QVector<StageReport> stages;
    bool cancelled = false;
    bool anyCheckFailed() const;
    bool anyFailed() const; // failed, timed out or cancelled
};

struct ExecutorOptions {
    QStringList targets;   // empty: all stages
    bool force = false;
    bool dryRun = false;
    int workers = 2;
    qint64 stageTimeoutMs = 0; // 0: none
    bool track = true;
    QString parentRunId;   // the tracked pipeline run hangs under this run (a sweep's), when set
    QString cliDir;        // put first on PATH for command stages, so `orrery-cli` resolves
    const StageRegistry *registry = nullptr;
    // Where command stages run: each stage's executor from the workspace's executors.yaml
    // (core/exec/placement.h) unless this is set, which then runs every command stage (a sweep's
    // trials pass theirs).
    exec::Executor *commandExecutor = nullptr;
    const common::Clock *clock = nullptr; // stamps stage and run times; the system clock when null
    // Called on the coordinating thread when a stage starts (state Pending), whenever its job's
    // state changes while it runs (still Pending; `job` says queued or running, and where), and
    // when it ends.
    std::function<void(const StageReport &)> onStage;
};

class Executor {
public:
    Executor(QString root, store::Database &db, ExecutorOptions options);
    ~Executor();

    // Errors (the pipeline cannot run at all) as a Status; stage failures in the report.
    Result<PipelineReport> run(common::JobContext *job = nullptr);

private:
    struct Impl;
    QString m_root;
    store::Database &m_db;
    ExecutorOptions m_options;
};

} // namespace orrery::pipeline
