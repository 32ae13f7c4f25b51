#include "core/tune/parameter_importance.h"

#include "core/tune/sweep_store.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace orrery::tune {
namespace {

// K for n observations: round(n^(1/3)), 2 … maxBins.
int continuousBinsFor(int n, int maxBins)
{
    const int k = int(std::lround(std::cbrt(double(std::max(n, 1)))));
    return std::clamp(k, 2, std::max(2, maxBins));
}

bool byGridValue(const ParamSpec &p, int continuousBins)
{
    const qint64 c = p.kind == ParamKind::Categorical ? 0 : p.cardinality();
    return c > 0 && c <= continuousBins;
}

double scaled(const ParamSpec &p, double v)
{
    return p.log ? std::log(v) : v;
}

} // namespace

int importanceBinCount(const ParamSpec &p, int continuousBins)
{
    if (p.kind == ParamKind::Categorical)
        return int(p.choices.size()) + 1;
    if (byGridValue(p, continuousBins))
        return int(p.cardinality()) + 1;
    return continuousBins + 1;
}

int importanceBin(const ParamSpec &p, double v, int continuousBins)
{
    const int inactive = importanceBinCount(p, continuousBins) - 1;
    if (std::isnan(v))
        return inactive;
    if (p.kind == ParamKind::Categorical)
        return std::clamp(int(std::lround(v)), 0, inactive - 1);
    if (byGridValue(p, continuousBins)) {
        const double step = p.step > 0 ? p.step : 1.0;
        return std::clamp(int(std::lround((v - p.low) / step)), 0, inactive - 1);
    }
    const double lo = scaled(p, p.low), hi = scaled(p, p.high);
    if (!(hi > lo))
        return 0;
    const double t = (scaled(p, std::clamp(v, p.low, p.high)) - lo) / (hi - lo);
    return std::clamp(int(std::floor(t * continuousBins)), 0, continuousBins - 1);
}

QVector<int> ImportanceResult::ranking() const
{
    QVector<int> order(params.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [this](int a, int b) { return params[a].importance > params[b].importance; });
    return order;
}

namespace {

// The estimate over n observations: point(k) and value(k) for k in 0 … n−1, every value finite and
// every point of the space's size. Templated on the accessors so that a sweep's trials are read
// where they are (no copy of 100,000 points).
template <typename PointAt, typename ValueAt>
ImportanceResult estimate(const SearchSpace &space, int n, PointAt point, ValueAt value, const ImportanceOptions &options)
{
    ImportanceResult result;
    for (const ParamSpec &p : space.params())
        result.params.push_back({p.name, 0.0, 0.0, 0.0, 0});
    result.trials = n;
    if (n < std::max(options.minTrials, 2))
        return result;

    // Two passes (mean, then squared deviations): no cancellation when values sit far from 0.
    double mean = 0.0;
    for (int t = 0; t < n; ++t)
        mean += value(t);
    mean /= n;
    double ssTotal = 0.0;
    for (int t = 0; t < n; ++t)
        ssTotal += (value(t) - mean) * (value(t) - mean);
    if (!(ssTotal > 0.0))
        return result; // a constant objective: nothing to explain

    const int k = continuousBinsFor(n, options.maxBins);
    std::vector<double> sum;
    std::vector<int> count;
    double total = 0.0;
    for (int i = 0; i < space.size(); ++i) {
        const ParamSpec &p = space.params()[i];
        const int binCount = importanceBinCount(p, k);
        sum.assign(size_t(binCount), 0.0);
        count.assign(size_t(binCount), 0);
        for (int t = 0; t < n; ++t) {
            const int b = importanceBin(p, point(t)[size_t(i)], k);
            sum[size_t(b)] += value(t) - mean; // deviations: the bins' means need no second pass
            ++count[size_t(b)];
        }
        double ssBetween = 0.0;
        int nonEmpty = 0;
        for (int b = 0; b < binCount; ++b) {
            if (count[size_t(b)] == 0)
                continue;
            ++nonEmpty;
            ssBetween += sum[size_t(b)] * sum[size_t(b)] / count[size_t(b)]; // n_b (ȳ_b − ȳ)²
        }
        ParamImportance &out = result.params[i];
        out.bins = nonEmpty;
        out.etaSquared = std::clamp(ssBetween / ssTotal, 0.0, 1.0);
        const int dfWithin = n - nonEmpty;
        if (nonEmpty < 2 || dfWithin <= 0) {
            // One bin explains nothing; as many bins as trials "explain" everything and say nothing.
            out.importance = 0.0;
            continue;
        }
        const double msWithin = std::max(ssTotal - ssBetween, 0.0) / dfWithin;
        out.importance = std::clamp((ssBetween - (nonEmpty - 1) * msWithin) / ssTotal, 0.0, 1.0);
        total += out.importance;
    }
    result.explained = std::min(total, 1.0);
    if (total > 0.0)
        for (ParamImportance &p : result.params)
            p.share = p.importance / total;
    return result;
}

} // namespace

ImportanceResult parameterImportance(
    const SearchSpace &space, const std::vector<Point> &points, const std::vector<double> &values, const ImportanceOptions &options)
{
    // The observations that count: a finite value and a point of the space's size.
    std::vector<int> used;
    used.reserve(values.size());
    for (size_t t = 0; t < values.size() && t < points.size(); ++t)
        if (std::isfinite(values[t]) && int(points[t].size()) == space.size())
            used.push_back(int(t));
    return estimate(
        space, int(used.size()), [&](int k) -> const Point & { return points[size_t(used[size_t(k)])]; },
        [&](int k) { return values[size_t(used[size_t(k)])]; }, options);
}

ImportanceResult parameterImportance(const SearchSpace &space, const QVector<Trial> &trials, const ImportanceOptions &options)
{
    std::vector<int> used;
    used.reserve(size_t(trials.size()));
    for (int t = 0; t < trials.size(); ++t) {
        const Trial &trial = trials[t];
        if (trial.state == TrialState::Complete && trial.value && std::isfinite(*trial.value) && int(trial.point.size()) == space.size())
            used.push_back(t);
    }
    return estimate(
        space, int(used.size()), [&](int k) -> const Point & { return trials[used[size_t(k)]].point; },
        [&](int k) { return *trials[used[size_t(k)]].value; }, options);
}

} // namespace orrery::tune
