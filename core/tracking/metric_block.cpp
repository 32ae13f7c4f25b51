#include "core/tracking/metric_block.h"

#include <QtEndian>

#include <cmath>
#include <cstring>

namespace orrery::tracking {

QByteArray encodePoints(const QVector<MetricPoint> &points)
{
    QByteArray blob(points.size() * kPointBytes, Qt::Uninitialized);
    char *p = blob.data();
    for (const MetricPoint &m : points) {
        quint64 bits;
        std::memcpy(&bits, &m.value, 8);
        qToLittleEndian<qint64>(m.step, p);
        qToLittleEndian<qint64>(m.timestamp, p + 8);
        qToLittleEndian<quint64>(bits, p + 16);
        p += kPointBytes;
    }
    return blob;
}

void appendDecoded(const QByteArray &blob, QVector<MetricPoint> &out)
{
    const int n = int(blob.size() / kPointBytes);
    const char *p = blob.constData();
    out.reserve(out.size() + n);
    for (int i = 0; i < n; ++i, p += kPointBytes) {
        MetricPoint m;
        m.step = qFromLittleEndian<qint64>(p);
        m.timestamp = qFromLittleEndian<qint64>(p + 8);
        const quint64 bits = qFromLittleEndian<quint64>(p + 16);
        std::memcpy(&m.value, &bits, 8);
        out.append(m);
    }
}

QVector<MetricPoint> decodePoints(const QByteArray &blob)
{
    QVector<MetricPoint> points;
    appendDecoded(blob, points);
    return points;
}

BlockSummary summarize(const MetricPoint *begin, const MetricPoint *end)
{
    BlockSummary s;
    s.count = end - begin;
    if (begin == end)
        return s;
    s.firstStep = s.lastStep = begin->step;
    for (const MetricPoint *p = begin; p != end; ++p) {
        s.firstStep = qMin(s.firstStep, p->step);
        s.lastStep = qMax(s.lastStep, p->step);
        if (std::isnan(p->value))
            continue;
        if (!s.hasValues || p->value < s.min.value)
            s.min = *p;
        if (!s.hasValues || p->value > s.max.value)
            s.max = *p;
        s.hasValues = true;
    }
    return s;
}

QByteArray encodeSegments(const QVector<MetricPoint> &points)
{
    QVector<MetricPoint> extremes;
    extremes.reserve(2 * ((points.size() + kSegmentPoints - 1) / kSegmentPoints));
    for (int begin = 0; begin < points.size(); begin += kSegmentPoints) {
        const MetricPoint *first = points.constData() + begin;
        const BlockSummary s = summarize(first, first + qMin(kSegmentPoints, int(points.size()) - begin));
        if (s.hasValues) {
            extremes << s.min << s.max;
        } else {
            extremes << *first << *first; // only NaN: the gap shows
        }
    }
    return encodePoints(extremes);
}

void appendSegments(const QByteArray &blob, QVector<BlockSummary> &out)
{
    // Read in place: a zoomed chart decodes thousands of these per curve.
    const int n = int(blob.size() / kPointBytes);
    const char *p = blob.constData();
    const auto pointAt = [p](int i) {
        MetricPoint m;
        const char *q = p + qsizetype(i) * kPointBytes;
        m.step = qFromLittleEndian<qint64>(q);
        m.timestamp = qFromLittleEndian<qint64>(q + 8);
        const quint64 bits = qFromLittleEndian<quint64>(q + 16);
        std::memcpy(&m.value, &bits, 8);
        return m;
    };
    if (out.capacity() < out.size() + n / 2)
        out.reserve(std::max<qsizetype>(out.size() + n / 2, 2 * out.capacity()));
    for (int i = 0; i + 1 < n; i += 2) {
        BlockSummary s;
        s.min = pointAt(i);
        s.max = pointAt(i + 1);
        s.hasValues = !std::isnan(s.min.value);
        s.firstStep = qMin(s.min.step, s.max.step);
        s.lastStep = qMax(s.min.step, s.max.step);
        s.count = kSegmentPoints;
        out.append(s);
    }
}

bool isLater(const MetricPoint &a, const MetricPoint &b)
{
    if (a.step != b.step)
        return a.step > b.step;
    if (a.timestamp != b.timestamp)
        return a.timestamp > b.timestamp;
    if (std::isnan(b.value))
        return !std::isnan(a.value);
    return !std::isnan(a.value) && a.value > b.value;
}

} // namespace orrery::tracking
