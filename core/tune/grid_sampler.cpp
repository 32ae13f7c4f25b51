#include "core/tune/grid_sampler.h"

#include "core/common/random.h"

#include <cmath>
#include <functional>

namespace orrery::tune {

namespace {

// The number of points from parameter i on, given the earlier values in `p` (conditions look
// back only, so the count of a prefix is exact). Saturates past the limit.
qint64 countFrom(const SearchSpace &space, Point &p, int i, qint64 limit)
{
    if (i == space.size())
        return 1;
    if (!space.isActive(p, i)) {
        p[size_t(i)] = std::nan("");
        return countFrom(space, p, i + 1, limit);
    }
    const ParamSpec &spec = space.params()[i];
    const qint64 n = spec.cardinality();
    // A categorical parent changes what follows; anything else does not, so one value stands for all.
    bool isParent = false;
    for (int j = i + 1; j < space.size() && !isParent; ++j)
        isParent = space.params()[j].parent == spec.name;
    if (!isParent) {
        p[size_t(i)] = spec.kind == ParamKind::Categorical ? 0.0 : spec.low;
        const qint64 rest = countFrom(space, p, i + 1, limit);
        return rest > limit / std::max<qint64>(n, 1) ? limit + 1 : n * rest;
    }
    qint64 total = 0;
    for (qint64 c = 0; c < n; ++c) {
        p[size_t(i)] = double(c);
        total += countFrom(space, p, i + 1, limit);
        if (total > limit)
            return limit + 1;
    }
    return total;
}

} // namespace

Result<std::unique_ptr<GridSampler>> GridSampler::create(const SearchSpace &space, quint64 seed)
{
    for (const ParamSpec &spec : space.params())
        if (spec.cardinality() <= 0)
            return invalidArgument(QStringLiteral("parameter '%1': grid search needs a step for a float (a continuous range has no grid points); "
                                                  "give it a step, make it categorical, or use random or tpe")
                                       .arg(spec.name));
    Point scratch(size_t(space.size()), 0.0);
    const qint64 count = countFrom(space, scratch, 0, kMaxPoints);
    if (count > kMaxPoints)
        return invalidArgument(QStringLiteral("the grid has more than %1 points; coarsen the steps, drop values, or use random or tpe").arg(kMaxPoints));

    std::vector<Point> points;
    points.reserve(size_t(count));
    Point p(size_t(space.size()), std::nan(""));
    std::function<void(int)> enumerate = [&](int i) {
        if (i == space.size()) {
            points.push_back(p);
            return;
        }
        if (!space.isActive(p, i)) {
            p[size_t(i)] = std::nan("");
            enumerate(i + 1);
            return;
        }
        const ParamSpec &spec = space.params()[i];
        const qint64 n = spec.cardinality();
        const double q = spec.kind == ParamKind::Int ? std::max(spec.step, 1.0) : spec.step;
        for (qint64 k = 0; k < n; ++k) {
            p[size_t(i)] = spec.kind == ParamKind::Categorical ? double(k) : spec.low + double(k) * q;
            enumerate(i + 1);
        }
    };
    enumerate(0);

    // Fisher–Yates with the sweep's seed: the order is a function of the seed alone.
    common::Random random(seed);
    for (size_t i = points.size(); i > 1; --i)
        std::swap(points[i - 1], points[size_t(random.below(i))]);
    return std::unique_ptr<GridSampler>(new GridSampler(std::move(points)));
}

Result<Point> GridSampler::suggest(const SearchSpace &space, const History &, int trialNumber) const
{
    if (trialNumber < 0 || qint64(trialNumber) >= size())
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("grid exhausted: trial %1 asked for a point, and the grid has %2 (trials 0 … %3)")
                          .arg(trialNumber)
                          .arg(size())
                          .arg(size() - 1));
    const Point &p = m_points[size_t(trialNumber)];
    if (int(p.size()) != space.size())
        return invalidArgument(QStringLiteral("the grid was made for %1 parameters and the search space has %2").arg(p.size()).arg(space.size()));
    return p;
}

} // namespace orrery::tune
