#pragma once
// The median rule (Optuna 3.1's MedianPruner: its PercentilePruner at the 50th percentile).
//
// A trial is pruned after its report at step s when all of these hold:
//   1. at least `startupTrials` trials have finished Complete (and at least one has: with
//      startupTrials 0 and none complete, nothing is pruned). Pruned and Failed trials never count;
//   2. s > `warmupSteps` — the first warmupSteps steps are never pruned. Our steps start at 1 (the
//      epoch), Optuna's at 0, so warmupSteps W keeps W steps safe in both (Optuna: step < W);
//   3. the trial's best value over all its steps so far (not its latest: a trial that peaked and
//      dipped is judged by its peak) is strictly worse than the median of the Complete trials'
//      values at step s. Equal to the median is kept. No Complete trial reported at s: kept.
// The median of an even count is numpy's linear interpolation of the two middle values a ≤ b,
// computed as numpy does it (b − (b − a)·0.5), so the oracle test can compare to the last bit.
//
// NaN (a diverged trial's report) is the worst value:
//   - a trial whose every report so far is NaN is pruned (once rules 1 and 2 allow; Optuna's rule);
//     a NaN among other values does not change its best;
//   - a Complete trial's NaN at a step counts there as the worst value (−∞ when maximizing, +∞ when
//     minimizing), which moves the median toward the worse side. Optuna's nanpercentile leaves it
//     out instead — the one place where our answers differ.
//
// Fixed as in Optuna's defaults: interval_steps 1 (every step is checked) and n_min_trials 1.
// Defaults (PrunerSpec) as Optuna's: startupTrials 5, warmupSteps 0.
//
// Incremental: report() keeps the running trial's best and last step; finished(Complete) moves its
// values into one running median per step (two heaps: O(log n) to add, O(1) to read), so a sweep
// of 100,000 trials asks in constant time. Pruned and Failed trials are forgotten.
//
// Threads: one thread at a time.

#include "core/tune/pruner.h"

#include <map>
#include <unordered_map>
#include <utility>
#include <vector>

namespace orrery::tune {

class MedianPruner final : public Pruner {
public:
    MedianPruner(Direction direction, int startupTrials, int warmupSteps);

    // A report at a step the trial already passed (repeated or earlier) is ignored, as Optuna
    // keeps the first value reported at a step; steps increase within a trial by contract.
    void report(int trial, int step, double value) override;
    // About the trial's last report: `step` must be its last reported step, otherwise false.
    bool shouldPrune(int trial, int step) override;
    void finished(int trial, TrialState state) override;

    // The median of the Complete trials' values at `step` (NaN counted as the worst value);
    // NaN when no Complete trial reported at that step.
    double medianAt(int step) const;
    int completeTrials() const { return m_completeTrials; }

private:
    // The median of a stream of values: the lower half in a max-heap, the upper in a min-heap,
    // the lower never smaller than the upper nor more than one larger.
    class RunningMedian {
    public:
        void add(double v);
        double median() const;
        bool empty() const { return m_lower.empty(); }

    private:
        std::vector<double> m_lower; // max-heap
        std::vector<double> m_upper; // min-heap
    };

    struct RunningTrial {
        std::vector<std::pair<int, double>> values; // (step, value as reported), steps increasing
        double best = 0.0; // the best non-NaN value; meaningless while !hasValue
        bool hasValue = false; // a non-NaN value was reported
    };

    // NaN → the worst value of the direction; anything else unchanged.
    double ranked(double v) const;
    bool better(double a, double b) const;

    Direction m_direction;
    int m_startupTrials;
    int m_warmupSteps;
    int m_completeTrials = 0;
    std::unordered_map<int, RunningTrial> m_running;
    std::map<int, RunningMedian> m_completeAtStep;
};

} // namespace orrery::tune
