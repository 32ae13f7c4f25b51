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

BlockSummary summarize(const QVector<MetricPoint> &points)
{
    BlockSummary s;
    s.count = points.size();
    if (points.isEmpty())
        return s;
    s.firstStep = s.lastStep = points.first().step;
    for (const MetricPoint &p : points) {
        s.firstStep = qMin(s.firstStep, p.step);
        s.lastStep = qMax(s.lastStep, p.step);
        if (std::isnan(p.value))
            continue;
        if (!s.hasValues || p.value < s.min.value)
            s.min = p;
        if (!s.hasValues || p.value > s.max.value)
            s.max = p;
        s.hasValues = true;
    }
    return s;
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
