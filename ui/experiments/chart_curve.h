#pragma once
// The arithmetic between a metric's points and what a chart draws, apart from any widget so tests
// check it directly: x as step, wall time or time since the run started; TensorBoard's debiased
// exponential moving average; and the last decimation to the plot's pixel columns (the first and
// last point and the minimum and maximum of each column, in x order), so Qt Charts never gets
// more than two points per pixel column and a spike survives every zoom level.
//
// Threads: plain functions.

#include "core/tracking/tracking_types.h"

#include <QPointF>
#include <QVector>

namespace orrery::ui {

enum class ChartXAxis { Step, WallTime, RelativeTime };

// x of each point: the step; the timestamp (ms since the epoch); or seconds since `startTimeMs`.
QVector<QPointF> curvePoints(const QVector<tracking::MetricPoint> &points, ChartXAxis axis, qint64 startTimeMs);

// TensorBoard's smoothing: last = last * weight + (1 - weight) * y, divided by (1 - weight^n) so
// the first points are not pulled towards zero. weight 0 returns the input; NaN and infinite
// values are kept as they are and do not enter the average.
QVector<QPointF> smoothEma(const QVector<QPointF> &points, double weight);

// Points with x in [xMin, xMax] (plus the nearest point outside on each side, so lines reach the
// edges), reduced to at most 2 per pixel column over `columns` columns: each column keeps its
// minimum and maximum in x order. Input sorted by x.
QVector<QPointF> decimateToColumns(const QVector<QPointF> &points, double xMin, double xMax, int columns);

// For a log-scale axis: points with y <= 0 or non-finite y are dropped.
QVector<QPointF> positiveOnly(const QVector<QPointF> &points);

} // namespace orrery::ui
