#pragma once
// SweepRunner: runs a sweep to its end — or until cancelled — as a sweep's controller.
//
// Each trial is `orrery-cli train` on a config of its own (trial_config.h) in
// `.orrery/tune/<sweep id>/trial-<n>/` (config.yaml, log.txt, the report channel's files), run
// through core/exec, at most `parallel` at once. The trial's training run is a child of the sweep's
// tracking run (mlflow.parentRunId), tagged with its number and outcome. After every epoch the
// trainer reports its validation metrics (core/exec/report_channel.h); the runner records the
// sweep's metric as the trial's step, asks the pruner, and answers continue or stop.
//
// A trial ends:
//   complete  its final validation value of the metric (the outcome's, after early stopping's
//             restore) is the trial's value
//   pruned    stopped by the pruner; its value is the last one it reported
//   failed    it exited non-zero, crashed, ran past trial_timeout, or its metric is NaN or missing
//             — with the reason (the log's last line); the sweep goes on.
// Which trial comes next: reruns (trials a stopped or killed runner left running) first, then the
// sweep file's `enqueue` configurations not yet tried, then the sampler's suggestion.
//
// Cancelled (Ctrl-C, the window's Stop): running trials are killed and queued again, the sweep is
// `stopped`; `resume` continues it with the same spec, sampler and pruner state (the pruner is fed
// the recorded steps again), never repeating a finished trial.
//
// Threads: run on one thread (a common::Job's); each trial's process is followed on a thread of
// its own, which touches only its own slot; every database write happens on the calling thread.

#include "core/common/status.h"
#include "core/tune/sweep_store.h"

#include <QString>

#include <functional>
#include <optional>

namespace orrery::common {
class Clock;
class JobContext;
}
namespace orrery::exec {
class Executor;
}
namespace orrery::store {
class Database;
}

namespace orrery::tune {

struct SweepEvent {
    enum class Kind { Started, TrialStarted, TrialStep, TrialEnded, Warning, Finished };
    Kind kind = Kind::Started;
    Sweep sweep;
    Trial trial;          // TrialStarted, TrialStep, TrialEnded
    int step = 0;         // TrialStep
    double value = 0.0;   // TrialStep
    QString text;         // Warning
    SweepSummary summary; // after the event (all but TrialStep)
};

struct SweepRunOptions {
    int parallel = 0;       // 0: the sweep file's
    int trials = 0;         // 0: the sweep file's (a resumed sweep may be given more)
    QString cliPath;        // the orrery-cli that runs trials; default: next to this program
    exec::Executor *executor = nullptr; // the local executor when null
    const common::Clock *clock = nullptr;
    int pollMs = 5;         // how often running trials' reports are read
    // Asked as often as the job's cancel (a pipeline stage has no JobContext, only this).
    std::function<bool()> isCancelled;
    // On the calling thread.
    std::function<void(const SweepEvent &)> onEvent;
};

struct SweepOutcome {
    Sweep sweep;
    SweepSummary summary;
    std::optional<Trial> best;
    bool cancelled = false;
};

class SweepRunner {
public:
    SweepRunner(QString workspaceRoot, store::Database &db, SweepRunOptions options);
    ~SweepRunner();

    // A new sweep (refused when its name is taken: resume that one).
    Result<SweepOutcome> start(const SweepSpec &spec, common::JobContext *job = nullptr);
    Result<SweepOutcome> resume(const QString &name, common::JobContext *job = nullptr);

    // Where a sweep's trials keep their files.
    static QString sweepDir(const QString &workspaceRoot, qint64 sweepId);

private:
    struct Impl;
    Result<SweepOutcome> run(qint64 sweepId, common::JobContext *job);
    QString m_root;
    store::Database &m_db;
    SweepRunOptions m_options;
};

} // namespace orrery::tune
