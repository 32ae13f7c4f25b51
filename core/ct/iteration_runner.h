#pragma once
// runLoopOnce: one pass of the continuous-training loop, as `orrery-cli ct run --once` runs it.
//
//   1. takes the loop's lock (the workspace lock "ct": an flock, so it dies with its holder) —
//      Busy, naming the holder, when another `ct run` has it: never two loops at once;
//   2. fails every iteration a killed loop left running (it holds the lock, so they are orphans;
//      IterationStore::recoverInterrupted), removing their worktrees;
//   3. reads ct.yaml and asks the triggers (trigger_evaluator.h); when none starts an iteration,
//      that decision (with its reason) is the result;
//   4. creates the iteration and runs its steps, each recorded with its reason, up to `until`.
//
// Built so far: the data step (data_step.h). An iteration asked to stop after it ends "stopped",
// with its data version committed on its branch and its worktree removed. The pipeline, the
// loop's own gate, approval and the canary come next; asking for them is refused before anything
// starts (Unsupported).
//
// Threads: on the calling thread; it opens its own connection to the workspace's database.

#include "core/common/status.h"
#include "core/ct/data_step.h"
#include "core/ct/iteration.h"
#include "core/ct/trigger_evaluator.h"

#include <functional>
#include <optional>

namespace orrery::common {
class Clock;
}

namespace orrery::ct {

struct RunOnceOptions {
    QString until = step::kData;                   // the last step to run
    std::function<void(const QString &line)> log;  // each decision and step, as it happens
};

struct RunOnceResult {
    QVector<Iteration> recovered;        // interrupted iterations failed on the way in
    TriggerDecision decision;
    std::optional<Iteration> iteration;  // the iteration it ran, as it ended
    std::optional<DataStepResult> data;  // what its data step made
    bool failed() const { return iteration && iteration->outcome == QLatin1String("failed"); }
};

Result<RunOnceResult> runLoopOnce(const QString &root, const common::Clock &clock, const RunOnceOptions &options = {});

} // namespace orrery::ct
