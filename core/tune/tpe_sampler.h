#pragma once
// The Tree-structured Parzen Estimator, by the rules of Optuna 3.1's TPESampler (defaults:
// consider_prior, prior_weight 1, consider_magic_clip, no consider_endpoints, default_gamma,
// default_weights; see parzen_estimator.h for the estimator's own rules):
//
//   history      the Complete and Pruned trials, n of them; Running, Queued and Failed ones are
//                ignored (no constant liar). Fewer than startupTrials: the trial is
//                RandomSampler's point for the same seed and trial number.
//   split        the trials ranked best first: Complete ones by value (in the sweep's
//                direction, NaN last), then Pruned ones by the step they reached (later first)
//                and then their last value, then Pruned ones that never reported; ties by trial
//                number. The first γ(n) = min(⌈0.1 n⌉, 25) are "below" (good), the rest "above".
//                Each group is then put in trial-number order, which the weights' ramp follows.
//   estimators   l(x) fitted to the below group, g(x) to the above one, each over only the trials
//                where the parameters are active (conditional ones: NaN elsewhere).
//                multivariate: one joint estimator over the unconditional parameters (Scott's
//                bandwidth, BOHB), each conditional parameter then on its own when its parent's
//                sampled value makes it active (Optuna samples the parameters outside its
//                intersection search space independently, with the same estimator settings;
//                Optuna's group decomposition is not done). Univariate: every parameter on its
//                own, in the space's order.
//   choice       `candidates` points drawn from l; the one with the largest ln l(x) − ln g(x)
//                (the first on ties) is taken.
//   one value    a parameter with a single value (one choice, one grid point) takes it.
//
// Reproducible: the random generator of trial k is seeded from (seed, k) alone
// (RandomSampler::generatorFor), so a suggestion depends only on the seed, the trial number and
// the history (in any order: it is sorted by trial number first).
//
// Cost per suggestion: one pass over the history into flat arrays, one partial sort for the split
// (nth_element; a full sort by trial number only when the history is not in order already), and
// candidates × kernels × dimensions kernel terms (see parzen_estimator.h).

#include "core/tune/sampler.h"

namespace orrery::tune {

class TpeSampler : public Sampler {
public:
    explicit TpeSampler(const SamplerSpec &spec) : m_spec(spec) {}

    Result<Point> suggest(const SearchSpace &space, const History &history, int trialNumber) const override;

    // Optuna's default_gamma: how many of n finished trials are "below".
    static int gamma(int n);
    // The numbers of the trials in the "below" group of `history`, in trial-number order.
    static std::vector<int> belowGroup(const History &history);

private:
    SamplerSpec m_spec;
};

} // namespace orrery::tune
