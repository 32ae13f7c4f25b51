#pragma once
// Asynchronous successive halving, ASHA (Li et al. 2018, arXiv:1810.05934), as Optuna 3.1's
// SuccessiveHalvingPruner decides it.
//
// Rungs: rung k is reached at step  minResource · factor^(minEarlyStoppingRate + k),  k = 0, 1, …
// (minResource 1, factor 3, rate 0: steps 1, 3, 9, 27 …). Steps are the resource: step s means s
// epochs done, as in Optuna, where a trial is first judged at step min_resource.
//
// At each report the trial's value is checked against its next unpassed rung, and on as long as
// it is promoted (a trial that jumps steps can pass several rungs at one report, with that one
// value):
//   - below the rung's step: kept, nothing recorded — between rungs a trial is never pruned;
//   - NaN: pruned, and nothing recorded (NaN is the worst value; Optuna prunes it the same way);
//   - otherwise the value is recorded at the rung, and the trial is promoted when it is at least
//     as good as the i-th best of all values recorded at that rung, its own included, where
//     i = max(1, ⌊n / factor⌋) for n values: the top 1/factor, and while fewer than `factor`
//     trials have reached the rung only the best so far (the first to arrive is alone, so it is
//     the best). Ties are promoted. Not promoted: pruned.
// Every trial's recorded rung values count — running, Complete, Pruned or Failed — as in Optuna,
// where they are the trials' system attributes. The decision is the one Optuna's should_prune
// gives when asked right after each report (it records rung values when asked); ours records at
// report(), so a resumed sweep that feeds its history again without asking rebuilds the same rungs.
//
// Defaults (PrunerSpec): minResource 1, reductionFactor 3, minEarlyStoppingRate 0.
//   - Optuna's reduction_factor default is 4; ours is 3, Hyperband's default factor in both. One
//     factor for asha and hyperband keeps their rungs the same when a sweep switches, and with the
//     10–30 epochs of a training here, 3 gives rungs at 1, 3, 9, 27 where 4 gives 1, 4, 16: one
//     more judgement inside the training, each keeping a third instead of a quarter.
//   - Optuna's min_resource default "auto" (the first Complete trial's last step / 100, at least
//     1) is 1 for any training under 200 epochs; ours is a plain number, 1.
//   - Optuna's bootstrap_count is fixed at its default, 0.
//
// Memory: per running trial its last step, value and rung count; per rung a sorted vector of the
// recorded values (an insertion moves at most n doubles; reading the i-th best is O(1)).
//
// Threads: one thread at a time.

#include "core/tune/pruner.h"

#include <unordered_map>
#include <vector>

namespace orrery::tune {

class SuccessiveHalvingPruner final : public Pruner {
public:
    SuccessiveHalvingPruner(Direction direction, int minResource, int reductionFactor, int minEarlyStoppingRate);

    // A report at a step the trial already passed (repeated or earlier) is ignored.
    void report(int trial, int step, double value) override;
    // The decision made at the trial's last report; `step` must be that report's step, otherwise
    // false.
    bool shouldPrune(int trial, int step) override;
    void finished(int trial, TrialState state) override;

    // The step at which rung k is reached; saturates at INT64_MAX (a rung no training reaches).
    qint64 rungStep(int rung) const;
    // How many values are recorded at rung k (every trial that reached it with a number).
    int recordedAt(int rung) const;

private:
    struct TrialProgress {
        int lastStep = 0; // 0: nothing reported yet (steps start at 1)
        int rungsPassed = 0; // rungs with a value recorded for this trial
        bool prune = false; // the decision at lastStep
    };

    // Records `value` at `rung` and says whether it is promoted from there.
    bool recordAndPromote(int rung, double value);

    Direction m_direction;
    int m_minResource;
    int m_reductionFactor;
    int m_minEarlyStoppingRate;
    std::unordered_map<int, TrialProgress> m_trials;
    std::vector<std::vector<double>> m_rungValues; // per rung, ascending
};

} // namespace orrery::tune
