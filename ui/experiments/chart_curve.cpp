#include "ui/experiments/chart_curve.h"

#include <algorithm>
#include <cmath>

namespace orrery::ui {

QVector<QPointF> curvePoints(const QVector<tracking::MetricPoint> &points, ChartXAxis axis, qint64 startTimeMs)
{
    QVector<QPointF> out;
    out.reserve(points.size());
    for (const auto &p : points) {
        double x = double(p.step);
        if (axis == ChartXAxis::WallTime)
            x = double(p.timestamp);
        else if (axis == ChartXAxis::RelativeTime)
            x = double(p.timestamp - startTimeMs) / 1000.0;
        out.append(QPointF(x, p.value));
    }
    if (axis != ChartXAxis::Step) // clocks may step back; the chart needs x in order
        std::stable_sort(out.begin(), out.end(), [](const QPointF &a, const QPointF &b) { return a.x() < b.x(); });
    return out;
}

QVector<QPointF> smoothEma(const QVector<QPointF> &points, double weight)
{
    if (weight <= 0.0)
        return points;
    weight = std::min(weight, 0.999);
    QVector<QPointF> out;
    out.reserve(points.size());
    double last = 0.0;
    int n = 0;
    for (const QPointF &p : points) {
        if (!std::isfinite(p.y())) {
            out.append(p);
            continue;
        }
        last = last * weight + (1.0 - weight) * p.y();
        ++n;
        const double debias = 1.0 - std::pow(weight, n);
        out.append(QPointF(p.x(), last / debias));
    }
    return out;
}

QVector<QPointF> decimateToColumns(const QVector<QPointF> &points, double xMin, double xMax, int columns)
{
    QVector<QPointF> out;
    if (points.isEmpty() || columns <= 0 || !(xMax > xMin))
        return out;
    auto lessX = [](const QPointF &p, double x) { return p.x() < x; };
    auto first = std::lower_bound(points.begin(), points.end(), xMin, lessX);
    auto last = std::lower_bound(first, points.end(), xMax, [](const QPointF &p, double x) { return p.x() <= x; });
    // One neighbour outside on each side, so the line is drawn up to the plot's edges.
    const bool before = first != points.begin();
    const bool after = last != points.end();
    if (before)
        out.append(*(first - 1));
    const qint64 inside = last - first;
    if (inside <= 2 * qint64(columns)) {
        for (auto it = first; it != last; ++it)
            out.append(*it);
    } else {
        const double width = (xMax - xMin) / columns;
        auto it = first;
        while (it != last) {
            const int column = std::min(columns - 1, int((it->x() - xMin) / width));
            const double columnEnd = xMin + (column + 1) * width;
            auto lo = it, hi = it;
            // Always past `it`: rounding may put x a hair beyond its own column's end.
            auto end = it + 1;
            while (end != last && (end->x() < columnEnd || column == columns - 1)) {
                if (std::isfinite(end->y())) {
                    if (!std::isfinite(lo->y()) || end->y() < lo->y())
                        lo = end;
                    if (!std::isfinite(hi->y()) || end->y() > hi->y())
                        hi = end;
                }
                ++end;
            }
            if (lo == hi) {
                out.append(*lo);
            } else if (lo < hi) {
                out.append(*lo);
                out.append(*hi);
            } else {
                out.append(*hi);
                out.append(*lo);
            }
            it = end;
        }
    }
    if (after)
        out.append(*last);
    return out;
}

QVector<QPointF> positiveOnly(const QVector<QPointF> &points)
{
    QVector<QPointF> out;
    out.reserve(points.size());
    for (const QPointF &p : points)
        if (std::isfinite(p.y()) && p.y() > 0.0)
            out.append(p);
    return out;
}

} // namespace orrery::ui
