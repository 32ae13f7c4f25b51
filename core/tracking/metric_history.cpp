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
    auto s = db.prepare(QStringLiteral("SELECT points FROM metric_points WHERE run_id = ? AND key = ? AND block >= ? ORDER BY block"));
    if (!s)
        return s.status();
    s->bind(1, runId).bind(2, key).bind(3, firstBlock);
    qint64 skip = offset - firstBlock * kBlockPoints;
    while (s->next()) {
        QVector<MetricPoint> block = decodePoints(s->blob(0));
        for (qint64 i = skip; i < block.size() && points.size() < limit; ++i)
            points.append(block[int(i)]);
        skip = 0;
        if (points.size() >= limit)
            break;
    }
    ORRERY_TRY(s->status());
    return points;
}

Result<qint64> metricPointCount(store::Database &db, const QString &runId, const QString &key)
{
    auto s = db.prepare(QStringLiteral("SELECT coalesce(sum(count), 0) FROM metric_blocks WHERE run_id = ? AND key = ?"));
    if (!s)
        return s.status();
    s->bind(1, runId).bind(2, key);
    if (!s->next())
        return s->status();
    return s->int64(0);
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

Result<QVector<MetricPoint>> decimatedHistory(store::Database &db, const QString &runId, const QString &key, int maxPoints,
                                              Decimation mode, StepRange range)
{
    // First the summaries of the blocks in range: cheap, the points stay on disk.
    struct Block {
        qint64 index, count, firstStep, lastStep;
        bool hasValues;
        MetricPoint min, max;
    };
    QVector<Block> blocks;
    auto s = db.prepare(QStringLiteral("SELECT block, count, first_step, last_step, min_value, min_step, max_value, max_step FROM metric_blocks "
                                       "WHERE run_id = ? AND key = ? AND last_step >= ? AND first_step <= ? ORDER BY block"));
    if (!s)
        return s.status();
    s->bind(1, runId).bind(2, key).bind(3, range.from).bind(4, range.to);
    qint64 total = 0;
    while (s->next()) {
        Block b{s->int64(0), s->int64(1), s->int64(2), s->int64(3), !s->isNull(4), {s->int64(5), 0, s->real(4)}, {s->int64(7), 0, s->real(6)}};
        total += b.count;
        blocks.append(b);
    }
    ORRERY_TRY(s->status());

    const auto readBlocks = [&](const QVector<Block> &which) -> Result<QVector<MetricPoint>> {
        QVector<MetricPoint> points;
        auto r = db.prepare(QStringLiteral("SELECT points FROM metric_points WHERE run_id = ? AND key = ? AND block = ?"));
        if (!r)
            return r.status();
        for (const Block &b : which) {
            r->reset();
            r->bind(1, runId).bind(2, key).bind(3, b.index);
            if (r->next()) {
                QVector<MetricPoint> block = decodePoints(r->blob(0));
                for (const MetricPoint &p : block)
                    if (p.step >= range.from && p.step <= range.to)
                        points.append(p);
            }
            ORRERY_TRY(r->status());
        }
        return points;
    };

    // Few enough blocks to read (at most ~8 points per point asked for): decimate the real
    // points, exact for any range. Beyond that the summaries answer, without reading points.
    if (blocks.size() <= qMax(4, maxPoints / 8)) {
        auto points = readBlocks(blocks);
        if (!points)
            return points.status();
        const auto byStep = [](const MetricPoint &a, const MetricPoint &b) { return a.step < b.step; };
        if (!std::is_sorted(points->begin(), points->end(), byStep))
            std::stable_sort(points->begin(), points->end(), byStep);
        return mode == Decimation::Lttb ? decimateLttb(*points, maxPoints) : decimateMinMax(*points, maxPoints);
    }

    // Many blocks: group whole blocks into maxPoints/2 buckets and take each bucket's extremes
    // from the summaries. The two edge blocks may hold points outside the range: read those.
    QVector<MetricPoint> out;
    const int buckets = qMax(1, maxPoints / 2);
    const int nb = int(blocks.size());
    for (int g = 0; g < buckets; ++g) {
        const int begin = int(qint64(nb) * g / buckets), end = int(qint64(nb) * (g + 1) / buckets);
        bool have = false;
        MetricPoint lo, hi;
        for (int i = begin; i < end; ++i) {
            const Block &b = blocks[i];
            const bool partial = b.firstStep < range.from || b.lastStep > range.to;
            if (partial) {
                auto points = readBlocks({b});
                if (!points)
                    return points.status();
                for (const MetricPoint &p : *points) {
                    if (std::isnan(p.value))
                        continue;
                    if (!have || p.value < lo.value)
                        lo = p;
                    if (!have || p.value > hi.value)
                        hi = p;
                    have = true;
                }
                continue;
            }
            if (!b.hasValues)
                continue;
            if (!have || b.min.value < lo.value)
                lo = b.min;
            if (!have || b.max.value > hi.value)
                hi = b.max;
            have = true;
        }
        if (!have)
            continue;
        if (lo.step == hi.step && lo.value == hi.value)
            out.append(lo);
        else if (lo.step <= hi.step)
            out << lo << hi;
        else
            out << hi << lo;
    }
    if (mode == Decimation::Lttb)
        return decimateLttb(out, maxPoints);
    return out;
}

} // namespace orrery::tracking
