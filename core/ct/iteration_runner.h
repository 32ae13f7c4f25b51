#pragma once
// The continuous-training loop: `orrery-cli ct run` (long-running) and `ct run --once`.
//
// A pass of the loop:
//   1. (the caller holds the loop's lock, the workspace lock "ct": an flock, so it dies with its
//      holder — never two loops at once, and every iteration still marked running is an orphan)
//   2. an active iteration is carried on: one a stopped or killed loop left running resumes at
//      its step (below); an approved one goes on to its canary; one waiting for approval waits;
//   3. otherwise ct.yaml's triggers are asked (trigger_evaluator.h) and, when one fires and the
//      policies allow, a new iteration is created and run.
//
// An iteration runs its steps in order, each recorded with its reason (iteration_store.h):
//   data      the training data with the labelled production rows, a new data version committed
//             on the iteration's branch in its worktree (data_step.h); the newest labelled rows
//             are kept out for the gate
//   pipeline  the workspace's pipeline on it, in the worktree (pipeline_step.h); its register
//             stage applies the model's offline gates: failed → ends no_change
//   gate      challenger against champion on the kept rows (gate_step.h): failed → no_change
//   approval  with policies.require_approval: parked (waiting_approval) until `ct approve`
//             (→ approved, carried on by the loop) or `ct reject` (→ rejected)
//   canary    the challenger's canary on the endpoint, followed to its end (canary_step.h)
//   promote   completed → promoted (champion moved with the rollout); aborted → rolled_back
// Which step comes next is read from the recorded steps, so a resumed iteration goes on where it
// was: a data step cut off is failed cleanly (its worktree and branch go; the data is rebuilt by
// the next iteration), a pipeline or gate step is done again (the pipeline's own dvc.lock and run
// cache skip what had finished), a canary is followed on (the server kept running it). The
// worktree is removed when the iteration ends; the branch stays as its record.
//
// Stopping (the job's cancel: SIGTERM or Ctrl-C in `ct run`): the step in progress is cut short
// where that is clean — a pipeline is cancelled (its stages killed; the step is "interrupted"),
// a canary is left to the server — or finished where it is short (data, gate), and the loop
// returns with the iteration still running, to be resumed by the next `ct run`.
//
// Threads: on the calling thread; it opens its own connection to the workspace's database.

#include "core/common/status.h"
#include "core/ct/data_step.h"
#include "core/ct/iteration.h"
#include "core/ct/trigger_evaluator.h"

#include <functional>
#include <memory>
#include <optional>

namespace orrery::common {
class Clock;
class JobContext;
}
namespace orrery::workspace {
class WorkspaceLock;
}

namespace orrery::ct {

struct LoopOptions {
    QString until = step::kPromote;                // the last step to run (data, pipeline, gate, canary, promote)
    QString cliDir;                                // the folder of orrery-cli, for the pipeline's and gate's commands
    int workers = 0;                               // the pipeline's stages at once (0: the cores)
    qint64 canaryPollMs = 250;                     // how often a canary is looked at (real time)
    std::function<void(const QString &line)> log;  // each decision and step, as it happens
};

struct PassResult {
    QVector<Iteration> recovered;        // interrupted iterations failed on the way in
    TriggerDecision decision;            // when no iteration was active
    std::optional<Iteration> iteration;  // the iteration it ran or carried on, as it stands now
    std::optional<DataStepResult> data;  // what its data step made, when it ran now
    bool stopped = false;                // the job's cancel cut it short: it resumes next time
    bool failed() const { return iteration && iteration->outcome == QLatin1String("failed"); }
};
using RunOnceResult = PassResult;

// The loop's lock, waited for up to waitMs (Busy names the holder).
Result<std::unique_ptr<workspace::WorkspaceLock>> acquireLoopLock(const QString &root, int waitMs = 2000);

// One pass, the lock held by the caller.
Result<PassResult> runLoopPass(const QString &root, const common::Clock &clock, const LoopOptions &options, common::JobContext *job = nullptr);

// Takes the lock, runs one pass, releases it: `ct run --once`.
Result<PassResult> runLoopOnce(const QString &root, const common::Clock &clock, const LoopOptions &options = {}, common::JobContext *job = nullptr);

// Names the steps `until` may take, in order ("data, pipeline, gate, canary, promote").
Status checkUntil(const QString &until);

} // namespace orrery::ct
