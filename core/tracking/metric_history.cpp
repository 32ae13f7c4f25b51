#include "core/tracking/metric_history.h"

#include "core/store/database.h"
#include "core/tracking/metric_block.h"

#include <algorithm>
#include <cmath>

namespace orrery::tracking {

Result<QVector<MetricPoint>> metricHistory(store::Database &db, const QString &runId, const QString &key, qint64 offset, qint64 limit)
{
    QVector<MetricPoint> points;
    if (limit <= 0)
        return points;
    const qint64 firstBlock = offset / kBlockPoints;
    ORRERY_ASSIGN_OR_RETURN(
        auto s, db.prepare(QStringLiteral("SELECT points FROM metric_points WHERE run_id = ? AND key = ? AND block >= ? ORDER BY block")));
    s.bind(1, runId).bind(2, key).bind(3, firstBlock);
    qint64 skip = offset - firstBlock * kBlockPoints;
    while (s.next()) {
        QVector<MetricPoint> block = decodePoints(s.blob(0));
        for (qint64 i = skip; i < block.size() && points.size() < limit; ++i)
            points.append(block[int(i)]);
        skip = 0;
        if (points.size() >= limit)
            break;
    }
    ORRERY_TRY(s.status());
    return points;
}

Result<qint64> metricPointCount(store::Database &db, const QString &runId, const QString &key)
{
    ORRERY_ASSIGN_OR_RETURN(
        auto s, db.prepare(QStringLiteral("SELECT coalesce(sum(count), 0) FROM metric_blocks WHERE run_id = ? AND key = ?")));
    s.bind(1, runId).bind(2, key);
    if (!s.next())
        return s.status();
    return s.int64(0);
}

QVector<MetricPoint> decimateMinMax(const QVector<MetricPoint> &points, int maxPoints)
{
    if (points.size() <= maxPoints || maxPoints < 2)
        return points;
    const int buckets = maxPoints / 2;
    QVector<MetricPoint> out;
    out.reserve(maxPoints);
    const qint64 n = points.size();
    for (int b = 0; b < buckets; ++b) {
        const qint64 begin = n * b / buckets, end = n * (b + 1) / buckets;
        int lo = -1, hi = -1;
        for (qint64 i = begin; i < end; ++i) {
            const double v = points[int(i)].value;
            if (std::isnan(v))
                continue;
            if (lo < 0 || v < points[lo].value)
                lo = int(i);
            if (hi < 0 || v > points[hi].value)
                hi = int(i);
        }
        if (lo < 0) // only NaN in this bucket: keep one, so the gap shows
            out.append(points[int(begin)]);
        else if (lo == hi)
            out.append(points[lo]);
        else
            out << points[qMin(lo, hi)] << points[qMax(lo, hi)];
    }
    return out;
}

QVector<MetricPoint> decimateLttb(const QVector<MetricPoint> &points, int maxPoints)
{
    const int n = int(points.size());
    if (n <= maxPoints || maxPoints < 3)
        return points;
    QVector<MetricPoint> out;
    out.reserve(maxPoints);
    out.append(points.first());
    const double every = double(n - 2) / double(maxPoints - 2);
    int a = 0;
    for (int i = 0; i < maxPoints - 2; ++i) {
        // The average of the next bucket is the third corner of the triangle.
        const int nextBegin = int(std::floor((i + 1) * every)) + 1;
        const int nextEnd = qMin(int(std::floor((i + 2) * every)) + 1, n);
        double avgX = 0, avgY = 0;
        int count = 0;
        for (int j = nextBegin; j < nextEnd; ++j) {
            if (std::isnan(points[j].value))
                continue;
            avgX += double(points[j].step);
            avgY += points[j].value;
            ++count;
        }
        if (count > 0) {
            avgX /= count;
            avgY /= count;
        }
        const int begin = int(std::floor(i * every)) + 1;
        const int end = int(std::floor((i + 1) * every)) + 1;
        double best = -1;
        int chosen = begin;
        for (int j = begin; j < end; ++j) {
            const double area = std::fabs((double(points[a].step) - avgX) * (points[j].value - points[a].value)
                                          - (double(points[a].step) - double(points[j].step)) * (avgY - points[a].value));
            if (area > best || std::isnan(best)) {
                best = area;
                chosen = j;
            }
        }
        out.append(points[chosen]);
        a = chosen;
    }
    out.append(points.last());
    return out;
}

namespace {

// One row of metric_blocks, without its segments.
struct StoredBlock {
    qint64 index = 0;
    BlockSummary summary;
    bool legacy = false; // written before migration 5: no timestamps of extremes, no segments
};

// Groups `units` (block or segment summaries, in point order) into `buckets` buckets and keeps
// each bucket's minimum and maximum, in step order.
QVector<MetricPoint> extremesPerBucket(const QVector<BlockSummary> &units, int buckets)
{
    QVector<MetricPoint> out;
    out.reserve(2 * buckets);
    const qint64 n = units.size();
    for (int g = 0; g < buckets; ++g) {
        const qint64 begin = n * g / buckets, end = n * (g + 1) / buckets;
        bool have = false;
        MetricPoint lo, hi;
        for (qint64 i = begin; i < end; ++i) {
            const BlockSummary &u = units[int(i)];
            if (!u.hasValues)
                continue;
            if (!have || u.min.value < lo.value)
                lo = u.min;
            if (!have || u.max.value > hi.value)
                hi = u.max;
            have = true;
        }
        if (!have)
            continue;
        if (lo.step == hi.step && lo.timestamp == hi.timestamp && lo.value == hi.value)
            out.append(lo);
        else if (lo.step <= hi.step)
            out << lo << hi;
        else
            out << hi << lo;
    }
    return out;
}

// Segment summaries of points read from a block (an edge block partly out of range, or a block
// stored before segments existed).
void appendSegmentsOf(const QVector<MetricPoint> &points, QVector<BlockSummary> &units)
{
    for (int begin = 0; begin < points.size(); begin += kSegmentPoints) {
        const MetricPoint *first = points.constData() + begin;
        units.append(summarize(first, first + qMin(kSegmentPoints, int(points.size()) - begin)));
    }
}

} // namespace

Result<QVector<MetricPoint>> decimatedHistory(store::Database &db, const QString &runId, const QString &key, int maxPoints,
                                              Decimation mode, StepRange range)
{
    // Three resolutions, chosen by how many blocks the range covers, so the work depends on the
    // points asked for, not on the history's length:
    //   - few blocks: read the points and decimate them exactly;
    //   - fewer blocks than buckets: each block's 64-point segment extremes (up to 32 per block);
    //   - more blocks than buckets: each block's own extremes, from compact summary rows.
    // Blocks at the edges of a range may hold points outside it: those are read point by point.
    QVector<StoredBlock> blocks;
    ORRERY_ASSIGN_OR_RETURN(auto s,
        db.prepare(QStringLiteral("SELECT block, count, first_step, last_step, min_value, min_step, max_value, max_step, "
                                  "min_time, max_time FROM metric_blocks "
                                  "WHERE run_id = ? AND key = ? AND last_step >= ? AND first_step <= ? ORDER BY block")));
    s.bind(1, runId).bind(2, key).bind(3, range.from).bind(4, range.to);
    while (s.next()) {
        StoredBlock b;
        b.index = s.int64(0);
        b.summary.count = s.int64(1);
        b.summary.firstStep = s.int64(2);
        b.summary.lastStep = s.int64(3);
        b.summary.hasValues = !s.isNull(4);
        b.summary.min = {s.int64(5), s.int64(8), s.real(4)};
        b.summary.max = {s.int64(7), s.int64(9), s.real(6)};
        b.legacy = b.summary.hasValues && s.isNull(8);
        blocks.append(b);
    }
    ORRERY_TRY(s.status());

    ORRERY_ASSIGN_OR_RETURN(
        auto readPoints, db.prepare(QStringLiteral("SELECT points FROM metric_points WHERE run_id = ? AND key = ? AND block = ?")));
    const auto pointsInRange = [&](const StoredBlock &b, QVector<MetricPoint> &out) -> Status {
        readPoints.reset();
        readPoints.bind(1, runId).bind(2, key).bind(3, b.index);
        if (readPoints.next()) {
            const QVector<MetricPoint> block = decodePoints(readPoints.blob(0));
            for (const MetricPoint &p : block)
                if (p.step >= range.from && p.step <= range.to)
                    out.append(p);
        }
        return readPoints.status();
    };
    const auto needsPoints = [&](const StoredBlock &b) {
        return b.legacy || b.summary.firstStep < range.from || b.summary.lastStep > range.to;
    };

    const int buckets = qMax(1, maxPoints / 2);
    const qint64 nb = blocks.size();
    if (nb * (kBlockPoints / kSegmentPoints) < buckets || nb <= 2) {
        QVector<MetricPoint> points;
        for (const StoredBlock &b : blocks)
            ORRERY_TRY(pointsInRange(b, points));
        const auto byStep = [](const MetricPoint &a, const MetricPoint &b) { return a.step < b.step; };
        if (!std::is_sorted(points.begin(), points.end(), byStep))
            std::stable_sort(points.begin(), points.end(), byStep);
        return mode == Decimation::Lttb ? decimateLttb(points, maxPoints) : decimateMinMax(points, maxPoints);
    }

    QVector<BlockSummary> units;
    if (nb < buckets) {
        ORRERY_ASSIGN_OR_RETURN(auto segs,
            db.prepare(QStringLiteral("SELECT block, segments FROM metric_segments WHERE run_id = ? AND key = ? AND block BETWEEN ? AND ? "
                                      "ORDER BY block")));
        segs.bind(1, runId).bind(2, key).bind(3, blocks.first().index).bind(4, blocks.last().index);
        units.reserve(int(nb) * (kBlockPoints / kSegmentPoints));
        bool haveRow = segs.next();
        for (const StoredBlock &b : blocks) {
            // Rows of blocks out of the step range (between two in it) are passed over; a block
            // with no row is from before segments existed.
            while (haveRow && segs.int64(0) < b.index)
                haveRow = segs.next();
            if (haveRow && segs.int64(0) == b.index && !needsPoints(b)) {
                appendSegments(segs.blob(1), units);
            } else {
                QVector<MetricPoint> points;
                ORRERY_TRY(pointsInRange(b, points));
                appendSegmentsOf(points, units);
            }
        }
        ORRERY_TRY(segs.status());
    } else {
        units.reserve(int(nb));
        for (const StoredBlock &b : blocks) {
            if (needsPoints(b)) {
                QVector<MetricPoint> points;
                ORRERY_TRY(pointsInRange(b, points));
                units.append(summarize(points));
            } else {
                units.append(b.summary);
            }
        }
    }
    const QVector<MetricPoint> out = extremesPerBucket(units, qMin(buckets, int(units.size())));
    return mode == Decimation::Lttb ? decimateLttb(out, maxPoints) : out;
}

} // namespace orrery::tracking
