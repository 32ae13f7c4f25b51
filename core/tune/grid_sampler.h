#pragma once
// Grid search: every combination of the parameters' values — an int's values, a stepped float's
// grid points, a categorical's choices — in an order shuffled with the seed (as Optuna's
// GridSampler), trial k taking the k-th point. A conditional parameter enumerates its values
// only where it is active: {optimizer.name: sgd|adam, optimizer.momentum: 0.5|0.9 when sgd} is
// three points, not four, and no point repeats.
//
// The points are made once, in create(), and kept (a Point per combination): a grid beyond
// kMaxPoints is refused with its size, as is a float without a step (it has no grid).

#include "core/tune/sampler.h"

#include <vector>

namespace orrery::tune {

class GridSampler : public Sampler {
public:
    static constexpr qint64 kMaxPoints = 1'000'000;

    static Result<std::unique_ptr<GridSampler>> create(const SearchSpace &space, quint64 seed);

    Result<Point> suggest(const SearchSpace &space, const History &history, int trialNumber) const override;
    qint64 size() const override { return qint64(m_points.size()); }
    // The points in the order trials take them.
    const std::vector<Point> &points() const { return m_points; }

private:
    explicit GridSampler(std::vector<Point> points) : m_points(std::move(points)) {}
    std::vector<Point> m_points;
};

} // namespace orrery::tune
