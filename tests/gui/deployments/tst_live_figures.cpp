// Live figures from two /metrics scrapes (ui/deployments/live_figures.h) against numbers worked
// out by hand: the request rate over a 2 s interval, the error rate from non-2xx codes, p50 and
// p99 interpolated within the bucket deltas as Prometheus' histogram_quantile does, label values
// with escapes, a counter reset (the server restarted), a quantile in the +Inf bucket, and a
// version with no request in the interval.
#include "ui/deployments/live_figures.h"

#include <QtTest>

using namespace orrery::ui;

namespace {

// Buckets 1 ms, 2 ms, 5 ms, 10 ms, +Inf for (endpoint, version) with cumulative counts.
QByteArray series(const QByteArray &endpoint, const QByteArray &version, double ok, double bad, QList<double> cumulative, double weight)
{
    const QByteArray l = "endpoint=\"" + endpoint + "\",version=\"" + version + "\"";
    QByteArray out = "orrery_requests_total{" + l + ",code=\"200\"} " + QByteArray::number(ok) + "\n";
    if (bad > 0)
        out += "orrery_requests_total{" + l + ",code=\"500\"} " + QByteArray::number(bad) + "\n";
    const QList<QByteArray> edges{"0.001", "0.002", "0.005", "0.01", "+Inf"};
    for (int i = 0; i < edges.size(); ++i)
        out += "orrery_request_duration_seconds_bucket{" + l + ",le=\"" + edges[i] + "\"} " + QByteArray::number(cumulative[i]) + "\n";
    out += "orrery_request_duration_seconds_count{" + l + "} " + QByteArray::number(cumulative.last()) + "\n";
    out += "orrery_endpoint_weight{" + l + "} " + QByteArray::number(weight) + "\n";
    return out;
}

} // namespace

class TstLiveFigures : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void ratesErrorsAndQuantilesOverTheInterval()
    {
        const QByteArray header = "# HELP orrery_requests_total Infer answers.\n# TYPE orrery_requests_total counter\n";
        const MetricsScrape a = parseMetricsScrape(header + series("fraud", "1", 1000, 0, {100, 500, 900, 1000, 1000}, 95)
                                                       + series("fraud", "2", 50, 0, {10, 20, 40, 50, 50}, 5), 10'000);
        // 2 s later: v1 answered 380 more (4 of them 500s), v2 20 more (2 of them 500s).
        //   v1 bucket deltas: ≤1 ms 0, ≤2 ms 190, ≤5 ms 380, ≤10 ms 380 → p50: rank 190 = 2 ms exactly;
        //   p99: rank 376.2 in (2, 5] ms: 2 + 3 × (376.2 − 190) / 190 = 4.94 ms.
        //   v2 deltas: ≤1 ms 10, ≤2 ms 10, ≤5 ms 10, ≤10 ms 20 → p50 rank 10 = 1 ms; p99 rank 19.8 in
        //   (5, 10] ms: 5 + 5 × 9.8 / 10 = 9.9 ms.
        const MetricsScrape b = parseMetricsScrape(header + series("fraud", "1", 1376, 4, {100, 690, 1280, 1380, 1380}, 95)
                                                       + series("fraud", "2", 68, 2, {20, 30, 50, 70, 70}, 5), 12'000);
        const QVector<VersionFigures> f = liveFigures(a, b);
        QCOMPARE(f.size(), 2);
        QCOMPARE(f[0].version, QStringLiteral("1"));
        QCOMPARE(f[0].requests, 380.0);
        QCOMPARE(f[0].requestsPerSecond, 190.0);
        QCOMPARE(f[0].errorRate, 4.0 / 380.0);
        QCOMPARE(f[0].p50Ms, 2.0);
        QVERIFY2(qAbs(f[0].p99Ms - 4.94) < 1e-9, qPrintable(QString::number(f[0].p99Ms)));
        QCOMPARE(f[0].weight, 95.0);
        QCOMPARE(f[1].version, QStringLiteral("2"));
        QCOMPARE(f[1].requestsPerSecond, 10.0);
        QCOMPARE(f[1].errorRate, 0.1);
        QCOMPARE(f[1].p50Ms, 1.0);
        QVERIFY2(qAbs(f[1].p99Ms - 9.9) < 1e-9, qPrintable(QString::number(f[1].p99Ms)));
    }

    void aRestartedServerCountsFromZero()
    {
        const MetricsScrape a = parseMetricsScrape(series("fraud", "1", 1000, 10, {100, 500, 900, 1010, 1010}, 100), 0);
        const MetricsScrape b = parseMetricsScrape(series("fraud", "1", 30, 0, {0, 30, 30, 30, 30}, 100), 1'000);
        const QVector<VersionFigures> f = liveFigures(a, b);
        QCOMPARE(f.size(), 1);
        QCOMPARE(f[0].requests, 30.0);
        QCOMPARE(f[0].errorRate, 0.0);
        QCOMPARE(f[0].p50Ms, 1.5); // rank 15 of 30 in (1, 2] ms
    }

    void noRequestsMeansNoLatency()
    {
        const QByteArray text = series("fraud", "1", 5, 0, {5, 5, 5, 5, 5}, 100);
        const QVector<VersionFigures> f = liveFigures(parseMetricsScrape(text, 0), parseMetricsScrape(text, 1'000));
        QCOMPARE(f.size(), 1);
        QCOMPARE(f[0].requestsPerSecond, 0.0);
        QCOMPARE(f[0].errorRate, 0.0);
        QCOMPARE(f[0].p50Ms, -1.0);
        QCOMPARE(f[0].p99Ms, -1.0);
    }

    void quantileInTheInfBucketIsTheLastEdge()
    {
        QCOMPARE(bucketQuantile({{0.001, 0}, {0.01, 1}, {qInf(), 100}}, 0.99), 0.01);
        QCOMPARE(bucketQuantile({}, 0.5), -1.0);
    }

    void escapedLabelsAndOtherFamilies()
    {
        const QByteArray text = "orrery_queue_rows{endpoint=\"a\",version=\"1\"} 3\n"
                                "orrery_requests_total{endpoint=\"we\\\"ird\\\\name\",version=\"7\",code=\"200\"} 12 1700000000000\n"
                                "orrery_rollout_step{endpoint=\"fraud\"} 2\n"
                                "garbage line without value\n"
                                "orrery_requests_total{endpoint=\"unterminated} 5\n";
        const MetricsScrape s = parseMetricsScrape(text, 0);
        QCOMPARE(s.versions.size(), 1);
        const auto key = std::make_pair(QStringLiteral("we\"ird\\name"), QStringLiteral("7"));
        QVERIFY(s.versions.contains(key));
        QCOMPARE(s.versions.value(key).answered, 12.0);
        QCOMPARE(s.rolloutStep.value(QStringLiteral("fraud")), 2);
    }
};

QTEST_GUILESS_MAIN(TstLiveFigures)
#include "tst_live_figures.moc"
