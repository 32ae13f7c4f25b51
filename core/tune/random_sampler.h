#pragma once
// Random search: each active parameter drawn independently, as Optuna's RandomSampler does —
// uniform in the parameter's internal range, then mapped back:
//   float         uniform in [low, high)
//   float, log    log-uniform: uniform in [ln low, ln high), then exp
//   float, step   uniform in [low − step/2, top + step/2), rounded to the grid (every grid
//                 point equally likely; top = the last grid point ≤ high)
//   int           the same with its step (default 1): every value equally likely
//   int, log      uniform in [ln(low − ½), ln(high + ½)), exp, rounded: a value's chance is
//                 proportional to ln((v + ½)/(v − ½)), about 1/v
//   categorical   each choice equally likely
// An inactive (conditional) parameter is NaN.
//
// The generator of trial k is seeded from (seed, k) alone, so a trial's point does not depend on
// what ran before it (a resumed or parallel sweep asks the same questions). TPE's start-up trials
// are this sampler's points.

#include "core/common/random.h"
#include "core/tune/sampler.h"

namespace orrery::tune {

class RandomSampler : public Sampler {
public:
    explicit RandomSampler(quint64 seed) : m_seed(seed) {}

    Result<Point> suggest(const SearchSpace &space, const History &history, int trialNumber) const override;

    // The generator a sampler uses for trial `trialNumber` of a sweep seeded `seed`.
    static common::Random generatorFor(quint64 seed, int trialNumber);
    // One point drawn with `random` (the parameters in the space's order).
    static Point draw(const SearchSpace &space, common::Random &random);
    // One value of parameter `spec` (it is active).
    static double drawValue(const ParamSpec &spec, common::Random &random);

private:
    quint64 m_seed;
};

} // namespace orrery::tune
