#pragma once
// ServingMetrics: what one endpoint's version did — its infer answers by HTTP status, their
// latency, the rows per model call and the rows waiting — counted with atomics on the answering
// path (no lock), read as a snapshot by /metrics (Prometheus text, metrics_text.h) and by the
// rollout analysis, which compares the difference of two snapshots (a canary step's requests).
//
// Latency buckets are fine and logarithmic (upper edges 10 µs · 2^(k/4), k = 0…90, about 19 %
// apart, up to ~60 s), so a p99 read from them (linear inside a bucket, as Prometheus'
// histogram_quantile does) is within one bucket's width of the true one; /metrics exposes the
// same edges, so PromQL computes the same quantile the analysis does.

#include <QByteArray>
#include <QString>

#include <array>
#include <atomic>
#include <vector>

namespace orrery::serve {

struct LatencySnapshot {
    std::vector<quint64> counts; // per bucket (not cumulative); the last one is +Inf
    double sumSeconds = 0;
    quint64 total() const;
    // The q-quantile in seconds (0 ≤ q ≤ 1), interpolated inside its bucket; 0 with no samples.
    double quantile(double q) const;
    LatencySnapshot minus(const LatencySnapshot &earlier) const;
};

struct VersionSnapshot {
    quint64 answered = 0; // infer requests answered, any status
    quint64 failed = 0;   // of those, not 2xx
    LatencySnapshot latency;
    VersionSnapshot minus(const VersionSnapshot &earlier) const;
    double errorRate() const { return answered ? double(failed) / double(answered) : 0.0; }
};

class ServingMetrics {
public:
    ServingMetrics(QString endpoint, QString version);

    static constexpr int kLatencyBuckets = 91; // finite edges; one more bucket for +Inf
    static double latencyEdge(int k);         // seconds

    const QString &endpoint() const { return m_endpoint; }
    const QString &version() const { return m_version; }

    void recordAnswer(int status, double seconds); // an infer request answered
    void recordBatch(int rows);
    void addQueuedRows(qint64 delta) { m_queuedRows.fetch_add(delta, std::memory_order_relaxed); }
    qint64 queuedRows() const { return m_queuedRows.load(std::memory_order_relaxed); }

    VersionSnapshot snapshot() const;
    quint64 answered(int status) const;
    quint64 batches() const;
    int largestBatch() const { return m_largestBatch.load(); }

    // Appends this version's samples of the families metrics_text.h declares.
    void appendRequests(QByteArray &out) const;
    void appendLatency(QByteArray &out) const;
    void appendBatches(QByteArray &out) const;
    void appendQueue(QByteArray &out) const;

private:
    static constexpr std::array<int, 8> kCodes{200, 400, 404, 413, 429, 500, 503, 0}; // 0: any other
    static constexpr int kBatchBuckets = 21; // 1, 2, 4, … 2^20 rows
    static int codeSlot(int status);
    QByteArray labels() const; // endpoint="…",version="…"

    QString m_endpoint;
    QString m_version;
    std::array<std::atomic<quint64>, kCodes.size()> m_byCode{};
    std::array<std::atomic<quint64>, kLatencyBuckets + 1> m_latency{};
    std::atomic<quint64> m_latencyMicros{0};
    std::array<std::atomic<quint64>, kBatchBuckets + 1> m_batchRows{};
    std::atomic<quint64> m_rowsTotal{0};
    std::atomic<qint64> m_queuedRows{0};
    std::atomic<int> m_largestBatch{0};
};

} // namespace orrery::serve
