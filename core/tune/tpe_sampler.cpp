#include "core/tune/tpe_sampler.h"

#include "core/tune/parzen_estimator.h"
#include "core/tune/random_sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace orrery::tune {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Optuna's ranking key (_get_observation_pairs): (−step, signed value), Complete trials at
// step −∞; then the trial's place in time breaks ties (its argsort is stable).
struct RankKey {
    double step;
    double value;
    int position; // index in trial-number order
    bool operator<(const RankKey &o) const
    {
        if (step != o.step)
            return step < o.step;
        if (value != o.value)
            return value < o.value;
        return position < o.position;
    }
};

// What one suggestion knows of the history: the finished trials in trial-number order and
// which of them are "below".
struct Split {
    std::vector<const HistoryTrial *> trials;
    std::vector<char> below;
};

// Fits l and g over `params` (trials where all of them are active), draws the candidates from
// l and writes the best into `point`.
void sampleGroup(const SearchSpace &space, const Split &split, const std::vector<int> &params, const SamplerSpec &spec,
                 common::Random &random, Point &point)
{
    const size_t d = params.size();
    std::vector<ParzenDimension> dims;
    dims.reserve(d);
    for (int i : params)
        dims.push_back(ParzenDimension::of(space.params()[i]));
    // A value outside today's range (a sweep resumed with a narrower space) counts as inactive,
    // as Optuna leaves out a parameter whose distribution changed.
    auto usable = [&](size_t j, double v) {
        const double slack = 1e-12 * std::max(1.0, dims[j].valueHigh - dims[j].valueLow);
        return v >= dims[j].valueLow - slack && v <= dims[j].valueHigh + slack;
    };

    std::vector<double> below, above;
    below.reserve(26 * d);
    above.reserve(split.trials.size() * d);
    for (size_t t = 0; t < split.trials.size(); ++t) {
        const Point &x = split.trials[t]->x;
        bool active = true;
        for (size_t j = 0; j < d && active; ++j)
            active = usable(j, x[size_t(params[j])]); // false for NaN: inactive
        if (!active)
            continue;
        std::vector<double> &group = split.below[t] ? below : above;
        for (int i : params)
            group.push_back(x[size_t(i)]);
    }
    ParzenOptions options;
    options.multivariate = spec.multivariate;
    const ParzenEstimator l(dims, below.data(), int(below.size() / d), options);
    const ParzenEstimator g(dims, above.data(), int(above.size() / d), options);

    const int count = std::max(spec.candidates, 1);
    const size_t n = static_cast<size_t>(count);
    std::vector<double> candidates(n * d), logL(n), logG(n);
    l.sample(random, count, candidates.data());
    l.logPdf(candidates.data(), count, logL.data());
    g.logPdf(candidates.data(), count, logG.data());
    int best = 0;
    double bestScore = -kInf;
    for (int c = 0; c < count; ++c) {
        const double score = logL[size_t(c)] - logG[size_t(c)];
        if (score > bestScore) {
            bestScore = score;
            best = c;
        }
    }
    for (size_t j = 0; j < d; ++j)
        point[size_t(params[j])] = candidates[size_t(best) * d + j];
}

double singleValue(const ParamSpec &spec)
{
    return spec.kind == ParamKind::Categorical ? 0.0 : spec.low;
}

} // namespace

int TpeSampler::gamma(int n)
{
    // As numpy computes it: ⌈0.1 · n⌉ in doubles (0.1 · 30 rounds up to 3.0000000000000004: 4).
    return std::min(int(std::ceil(0.1 * n)), 25);
}

namespace {

// The finished trials in trial-number order, and which of them are "below".
Split splitHistory(const History &history)
{
    Split split;
    split.trials.reserve(history.trials.size());
    for (const HistoryTrial &t : history.trials)
        if (t.state == TrialState::Complete || t.state == TrialState::Pruned)
            split.trials.push_back(&t);
    const int n = int(split.trials.size());
    auto byNumber = [](const HistoryTrial *a, const HistoryTrial *b) { return a->number < b->number; };
    if (!std::is_sorted(split.trials.begin(), split.trials.end(), byNumber))
        std::stable_sort(split.trials.begin(), split.trials.end(), byNumber);

    const double sign = history.direction == Direction::Minimize ? 1.0 : -1.0;
    std::vector<RankKey> keys(static_cast<size_t>(n));
    for (int p = 0; p < n; ++p) {
        const HistoryTrial &t = *split.trials[size_t(p)];
        RankKey &k = keys[size_t(p)];
        k.position = p;
        if (t.state == TrialState::Complete) {
            k.step = -kInf;
            k.value = std::isnan(t.value) ? kInf : sign * t.value;
        } else if (t.lastStep > 0) {
            k.step = -double(t.lastStep);
            k.value = std::isnan(t.value) ? kInf : sign * t.value;
        } else {
            k.step = 1.0; // pruned before its first report: after everything
            k.value = 0.0;
        }
    }
    const int nBelow = std::min(TpeSampler::gamma(n), n);
    std::nth_element(keys.begin(), keys.begin() + nBelow, keys.end());
    split.below.assign(size_t(n), 0);
    for (int i = 0; i < nBelow; ++i)
        split.below[size_t(keys[size_t(i)].position)] = 1;
    return split;
}

} // namespace

std::vector<int> TpeSampler::belowGroup(const History &history)
{
    const Split split = splitHistory(history);
    std::vector<int> numbers;
    for (size_t i = 0; i < split.trials.size(); ++i)
        if (split.below[i])
            numbers.push_back(split.trials[i]->number);
    return numbers;
}

Result<Point> TpeSampler::suggest(const SearchSpace &space, const History &history, int trialNumber) const
{
    const int dims = space.size();
    for (const HistoryTrial &t : history.trials)
        if ((t.state == TrialState::Complete || t.state == TrialState::Pruned) && int(t.x.size()) != dims)
            return invalidArgument(QStringLiteral("trial %1 has %2 parameter values and the search space has %3 parameters (was the sweep's space changed?)")
                                       .arg(t.number)
                                       .arg(t.x.size())
                                       .arg(dims));
    common::Random random = RandomSampler::generatorFor(m_spec.seed, trialNumber);
    int n = 0;
    for (const HistoryTrial &t : history.trials)
        n += t.state == TrialState::Complete || t.state == TrialState::Pruned;
    if (n < m_spec.startupTrials || n == 0)
        return RandomSampler::draw(space, random);
    const Split split = splitHistory(history);

    Point point(size_t(dims), std::nan(""));
    std::vector<char> done(size_t(dims), 0);
    if (m_spec.multivariate) {
        std::vector<int> joint;
        for (int i = 0; i < dims; ++i) {
            const ParamSpec &spec = space.params()[i];
            if (!spec.parent.isEmpty())
                continue;
            done[size_t(i)] = 1;
            if (spec.cardinality() == 1)
                point[size_t(i)] = singleValue(spec);
            else
                joint.push_back(i);
        }
        if (!joint.empty())
            sampleGroup(space, split, joint, m_spec, random, point);
    }
    for (int i = 0; i < dims; ++i) {
        if (done[size_t(i)] || !space.isActive(point, i))
            continue;
        const ParamSpec &spec = space.params()[i];
        if (spec.cardinality() == 1)
            point[size_t(i)] = singleValue(spec);
        else
            sampleGroup(space, split, {i}, m_spec, random, point);
    }
    return point;
}

} // namespace orrery::tune
