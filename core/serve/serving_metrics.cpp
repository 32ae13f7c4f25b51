#include "core/serve/serving_metrics.h"

#include "core/serve/metrics_text.h"

#include <cmath>

namespace orrery::serve {

quint64 LatencySnapshot::total() const
{
    quint64 n = 0;
    for (const quint64 c : counts)
        n += c;
    return n;
}

double LatencySnapshot::quantile(double q) const
{
    const quint64 n = total();
    if (n == 0)
        return 0.0;
    const double rank = q * double(n);
    quint64 below = 0;
    for (size_t k = 0; k < counts.size(); ++k) {
        if (counts[k] == 0)
            continue;
        if (double(below + counts[k]) >= rank) {
            if (k + 1 == counts.size()) // +Inf: the highest finite edge, as Prometheus answers
                return ServingMetrics::latencyEdge(ServingMetrics::kLatencyBuckets - 1);
            const double lower = k == 0 ? 0.0 : ServingMetrics::latencyEdge(int(k) - 1);
            const double upper = ServingMetrics::latencyEdge(int(k));
            return lower + (upper - lower) * (rank - double(below)) / double(counts[k]);
        }
        below += counts[k];
    }
    return ServingMetrics::latencyEdge(ServingMetrics::kLatencyBuckets - 1);
}

LatencySnapshot LatencySnapshot::minus(const LatencySnapshot &earlier) const
{
    LatencySnapshot d = *this;
    for (size_t k = 0; k < d.counts.size() && k < earlier.counts.size(); ++k)
        d.counts[k] -= qMin(d.counts[k], earlier.counts[k]);
    d.sumSeconds = qMax(0.0, sumSeconds - earlier.sumSeconds);
    return d;
}

VersionSnapshot VersionSnapshot::minus(const VersionSnapshot &earlier) const
{
    VersionSnapshot d;
    d.answered = answered - qMin(answered, earlier.answered);
    d.failed = failed - qMin(failed, earlier.failed);
    d.latency = latency.minus(earlier.latency);
    return d;
}

ServingMetrics::ServingMetrics(QString endpoint, QString version) : m_endpoint(std::move(endpoint)), m_version(std::move(version)) {}

double ServingMetrics::latencyEdge(int k) { return 1e-5 * std::exp2(double(k) / 4.0); }

int ServingMetrics::codeSlot(int status)
{
    for (size_t i = 0; i + 1 < kCodes.size(); ++i)
        if (kCodes[i] == status)
            return int(i);
    return int(kCodes.size()) - 1;
}

void ServingMetrics::recordAnswer(int status, double seconds)
{
    m_byCode[size_t(codeSlot(status))].fetch_add(1, std::memory_order_relaxed);
    // The bucket whose upper edge is the first >= seconds: k = ceil(4 log2(seconds / 10 µs)).
    int k = seconds <= 1e-5 ? 0 : int(std::ceil(4.0 * std::log2(seconds / 1e-5) - 1e-9));
    k = qBound(0, k, kLatencyBuckets);
    m_latency[size_t(k)].fetch_add(1, std::memory_order_relaxed);
    m_latencyMicros.fetch_add(quint64(qMax(0.0, seconds) * 1e6 + 0.5), std::memory_order_relaxed);
}

void ServingMetrics::recordBatch(int rows)
{
    int k = 0;
    while (k < kBatchBuckets && (1 << k) < rows)
        ++k;
    m_batchRows[size_t(k)].fetch_add(1, std::memory_order_relaxed);
    m_rowsTotal.fetch_add(quint64(rows), std::memory_order_relaxed);
    for (int seen = m_largestBatch.load(); rows > seen && !m_largestBatch.compare_exchange_weak(seen, rows);) {
    }
}

quint64 ServingMetrics::answered(int status) const { return m_byCode[size_t(codeSlot(status))].load(); }

quint64 ServingMetrics::batches() const
{
    quint64 n = 0;
    for (const auto &c : m_batchRows)
        n += c.load();
    return n;
}

VersionSnapshot ServingMetrics::snapshot() const
{
    VersionSnapshot s;
    for (size_t i = 0; i < kCodes.size(); ++i) {
        const quint64 n = m_byCode[i].load();
        s.answered += n;
        if (kCodes[i] != 200)
            s.failed += n;
    }
    s.latency.counts.resize(m_latency.size());
    for (size_t k = 0; k < m_latency.size(); ++k)
        s.latency.counts[k] = m_latency[k].load();
    s.latency.sumSeconds = double(m_latencyMicros.load()) / 1e6;
    return s;
}

QByteArray ServingMetrics::labels() const
{
    QByteArray l;
    appendLabel(l, "endpoint", m_endpoint);
    l += ',';
    appendLabel(l, "version", m_version);
    return l;
}

void ServingMetrics::appendRequests(QByteArray &out) const
{
    const QByteArray l = labels();
    for (size_t i = 0; i < kCodes.size(); ++i) {
        const quint64 n = m_byCode[i].load();
        if (n == 0 && kCodes[i] != 200)
            continue; // a series appears with its first answer; 200 always, so rates start at 0
        out += "orrery_requests_total{" + l + ",code=\"" + (kCodes[i] ? QByteArray::number(kCodes[i]) : QByteArray("other")) + "\"} " +
               QByteArray::number(n) + '\n';
    }
}

void ServingMetrics::appendLatency(QByteArray &out) const
{
    const QByteArray l = labels();
    quint64 cumulative = 0;
    for (int k = 0; k < kLatencyBuckets; ++k) {
        cumulative += m_latency[size_t(k)].load();
        out += "orrery_request_duration_seconds_bucket{" + l + ",le=\"" + QByteArray::number(latencyEdge(k), 'g', 6) + "\"} " +
               QByteArray::number(cumulative) + '\n';
    }
    cumulative += m_latency[size_t(kLatencyBuckets)].load();
    out += "orrery_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} " + QByteArray::number(cumulative) + '\n';
    out += "orrery_request_duration_seconds_sum{" + l + "} " + metricNumber(double(m_latencyMicros.load()) / 1e6) + '\n';
    out += "orrery_request_duration_seconds_count{" + l + "} " + QByteArray::number(cumulative) + '\n';
}

void ServingMetrics::appendBatches(QByteArray &out) const
{
    const QByteArray l = labels();
    quint64 cumulative = 0;
    for (int k = 0; k < kBatchBuckets; ++k) {
        cumulative += m_batchRows[size_t(k)].load();
        out += "orrery_batch_rows_bucket{" + l + ",le=\"" + QByteArray::number(1 << k) + "\"} " + QByteArray::number(cumulative) + '\n';
    }
    cumulative += m_batchRows[size_t(kBatchBuckets)].load();
    out += "orrery_batch_rows_bucket{" + l + ",le=\"+Inf\"} " + QByteArray::number(cumulative) + '\n';
    out += "orrery_batch_rows_sum{" + l + "} " + QByteArray::number(m_rowsTotal.load()) + '\n';
    out += "orrery_batch_rows_count{" + l + "} " + QByteArray::number(cumulative) + '\n';
}

void ServingMetrics::appendQueue(QByteArray &out) const
{
    out += "orrery_queue_rows{" + labels() + "} " + QByteArray::number(qMax<qint64>(0, queuedRows())) + '\n';
}

} // namespace orrery::serve
