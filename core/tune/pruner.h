#pragma once
// Pruners: whether a trial that has reported an intermediate value (the trainer's validation
// metric after each epoch; step = the epoch, from 1) should stop now.
//   none       never.
//   median     Optuna's MedianPruner: after `startupTrials` finished trials and past `warmupSteps`,
//              prune when the trial's best value so far is worse than the median of the finished
//              (complete) trials' values at the same step.
//   asha       asynchronous successive halving (Li et al. 2018; Optuna's SuccessiveHalvingPruner):
//              rungs at minResource · factor^(minEarlyStoppingRate + k); a trial reaching a rung is
//              promoted only if it is in the top 1/factor of the values recorded at that rung.
//   hyperband  several ASHA brackets (Li et al. 2017; Optuna's HyperbandPruner): bracket b has
//              minEarlyStoppingRate b; each trial belongs to one bracket (chosen from its number,
//              weighted by the brackets' budgets) and competes only within it; maxResource bounds
//              the number of brackets.
//
// Stateful and incremental: the controller feeds every report and every end, in the order they
// happened; a resumed sweep feeds the recorded history again before asking. Values are compared in
// the sweep's direction; a NaN report counts as the worst value.
//
// Threads: one thread at a time (the sweep's controller).

#include "core/common/status.h"
#include "core/tune/sampler.h"

#include <QString>

#include <memory>

namespace orrery::tune {

struct PrunerSpec {
    QString type = QStringLiteral("median"); // none | median | asha | hyperband
    int startupTrials = 5;     // median
    int warmupSteps = 0;       // median
    int minResource = 1;       // asha, hyperband: steps before the first rung
    int reductionFactor = 3;   // asha, hyperband
    int minEarlyStoppingRate = 0; // asha
    int maxResource = 0;       // hyperband: the most steps a trial runs (the training's epochs)
};

class Pruner {
public:
    virtual ~Pruner() = default;
    // Trial `trial` reported `value` at `step` (steps increase within a trial).
    virtual void report(int trial, int step, double value) = 0;
    // Whether the trial should stop after its report at `step`.
    virtual bool shouldPrune(int trial, int step) = 0;
    // The trial ended (Complete, Pruned or Failed).
    virtual void finished(int trial, TrialState state) = 0;
};

// An unknown type names the known ones; bad numbers (factor < 2, minResource < 1, hyperband
// without maxResource) name the field.
Result<std::unique_ptr<Pruner>> makePruner(const PrunerSpec &spec, Direction direction);

} // namespace orrery::tune
