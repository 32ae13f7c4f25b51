#pragma once
// A block of metric points as stored in metric_blocks.points: up to kBlockPoints records of
// (step int64, timestamp int64, value as the 8 bytes of its IEEE double), little-endian. Storing
// the bits keeps NaN payloads, ±Inf and -0.0 exactly.

#include "core/tracking/tracking_types.h"

#include <QByteArray>
#include <QVector>

namespace orrery::tracking {

constexpr int kBlockPoints = 1024;
constexpr int kPointBytes = 24;

QByteArray encodePoints(const QVector<MetricPoint> &points);
QVector<MetricPoint> decodePoints(const QByteArray &blob);
void appendDecoded(const QByteArray &blob, QVector<MetricPoint> &out);

// Summary of a block: its extremes and where they are (NaN values are skipped).
struct BlockSummary {
    qint64 count = 0;
    qint64 firstStep = 0, lastStep = 0; // smallest and greatest step (steps need not be ordered)
    bool hasValues = false; // false when every value is NaN
    MetricPoint min, max;
};
BlockSummary summarize(const MetricPoint *begin, const MetricPoint *end);
inline BlockSummary summarize(const QVector<MetricPoint> &points) { return summarize(points.constData(), points.constData() + points.size()); }

// Each block also keeps the extremes of its 64-point segments, so that a zoomed chart gets up to
// 32 exact extremes per block without reading the block's points. Stored as pairs of points
// (min, max; 48 bytes a segment) in point order; a segment of only NaN stores NaN twice.
constexpr int kSegmentPoints = 64;
QByteArray encodeSegments(const QVector<MetricPoint> &points);
void appendSegments(const QByteArray &blob, QVector<BlockSummary> &out);

// MLflow's "latest" point: the greatest (step, timestamp, value).
bool isLater(const MetricPoint &a, const MetricPoint &b);

} // namespace orrery::tracking
