#pragma once
// Reading a metric's history: pages of raw points (metrics/get-history), and a decimated view for
// charts — never more points than asked for, with every bucket's exact minimum and maximum kept
// (spikes survive) or by LTTB (shape kept, for smooth curves).
//
// Long histories decimate from the per-block summaries (min, max and where they are, for every
// 1,024 points) without reading the points themselves, so the cost depends on the number of
// blocks in range, not on the points: a 10,000,000-point history is 9,766 summaries.

#include "core/common/status.h"
#include "core/tracking/tracking_types.h"

#include <QVector>

#include <limits>

namespace orrery::store {
class Database;
}

namespace orrery::tracking {

enum class Decimation { MinMax, Lttb };

struct StepRange {
    qint64 from = std::numeric_limits<qint64>::min();
    qint64 to = std::numeric_limits<qint64>::max();
    bool isAll() const { return from == std::numeric_limits<qint64>::min() && to == std::numeric_limits<qint64>::max(); }
};

// Points in logged order, starting at `offset`; at most `limit`.
Result<QVector<MetricPoint>> metricHistory(store::Database &db, const QString &runId, const QString &key, qint64 offset = 0,
                                           qint64 limit = std::numeric_limits<qint64>::max());
Result<qint64> metricPointCount(store::Database &db, const QString &runId, const QString &key);

// At most maxPoints points of the history within `range`, in step order. Short ranges (up to
// ~8 × maxPoints points) decimate the real points; longer ones take each bucket's extremes from
// the block summaries, so a history with fewer 1,024-point blocks than maxPoints/2 yields two
// points per block — fewer than asked, every extreme still exact.
Result<QVector<MetricPoint>> decimatedHistory(store::Database &db, const QString &runId, const QString &key, int maxPoints,
                                              Decimation mode = Decimation::MinMax, StepRange range = {});

// The decimation itself, on points in memory (also used by the charts when zooming).
QVector<MetricPoint> decimateMinMax(const QVector<MetricPoint> &points, int maxPoints);
QVector<MetricPoint> decimateLttb(const QVector<MetricPoint> &points, int maxPoints);

} // namespace orrery::tracking
