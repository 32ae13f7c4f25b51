// Routing an endpoint between versions (core/serve's InferenceService::setRoutes) over real HTTP
// on 127.0.0.1 with fake models: exact weights, pinned versions, a routing change under load that
// fails no request, the shadow copy and its comparison, refused tables that change nothing, and
// /metrics in the Prometheus text format (checked by promtool, the real parser).
#include "core/http/http_server.h"
#include "core/serve/inference_service.h"
#include "core/serve/serving_metrics.h"
#include "tests/auto/http/http_test_client.h"
#include "tests/auto/serve/fake_inference_model.h"

#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <atomic>
#include <thread>

using namespace orrery;
using orrery::testing::FakeModel;
using orrery::testing::HttpReply;
using orrery::testing::HttpTestClient;

namespace {

QByteArray inferBody(double x0, double x1, double x2)
{
    return "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[" + QByteArray::number(x0) + ',' + QByteArray::number(x1) + ',' +
           QByteArray::number(x2) + "]}]}";
}

serve::RouteVersion version(const QString &v, std::shared_ptr<const serve::InferenceModel> model, int weight)
{
    return serve::RouteVersion{v, QStringLiteral("md5-") + v, std::move(model), weight};
}

// The value of one sample line of a /metrics text ("name{labels} value"); -1 when absent.
double sample(const QByteArray &text, const QByteArray &series)
{
    for (const QByteArray &line : text.split('\n'))
        if (line.startsWith(series + ' '))
            return line.mid(series.size() + 1).toDouble();
    return -1;
}

} // namespace

class TstServingRoutes : public QObject {
    Q_OBJECT

    std::shared_ptr<FakeModel> m_one = std::make_shared<FakeModel>();
    std::shared_ptr<FakeModel> m_two = std::make_shared<FakeModel>(true);
    std::unique_ptr<serve::InferenceService> m_service;
    std::unique_ptr<http::HttpServer> m_http;

    quint16 startServer(serve::ServeOptions o = {})
    {
        m_service = std::make_unique<serve::InferenceService>(o);
        m_http = std::make_unique<http::HttpServer>(*m_service, http::HttpServerOptions{});
        const Status s = m_http->start();
        return s ? m_http->port() : 0;
    }

private Q_SLOTS:
    void cleanup()
    {
        if (m_http)
            m_http->stop();
        m_http.reset();
        m_service.reset();
    }

    void weightsSplitTrafficExactlyAndEvenly()
    {
        const quint16 port = startServer();
        QVERIFY(port);
        QVERIFY(m_service->setRoutes({{QStringLiteral("fraud"), {version(QStringLiteral("1"), m_one, 95), version(QStringLiteral("2"), m_two, 5)}, {}}}));
        HttpTestClient c(port);
        QList<int> toTwo;
        for (int i = 0; i < 200; ++i) {
            const HttpReply r = c.post("/v2/models/fraud/infer", inferBody(1, 2, 3));
            QCOMPARE(r.status, 200);
            if (r.json().value(QStringLiteral("model_version")).toString() == QLatin1String("2"))
                toTwo << i;
        }
        QCOMPARE(toTwo.size(), 10); // 5 % of 200, exactly
        for (int k = 1; k < toTwo.size(); ++k)
            QVERIFY2(toTwo[k] - toTwo[k - 1] >= 5, "the canary's requests come spread out, not in a burst");
        const QByteArray metrics = c.get("/metrics").body;
        QCOMPARE(sample(metrics, "orrery_requests_total{endpoint=\"fraud\",version=\"1\",code=\"200\"}"), 190.0);
        QCOMPARE(sample(metrics, "orrery_requests_total{endpoint=\"fraud\",version=\"2\",code=\"200\"}"), 10.0);
        QCOMPARE(sample(metrics, "orrery_endpoint_weight{endpoint=\"fraud\",version=\"2\"}"), 5.0);
        // The metadata lists both versions.
        const QJsonArray versions = c.get("/v2/models/fraud").json().value(QStringLiteral("versions")).toArray();
        QCOMPARE(versions, (QJsonArray{QStringLiteral("1"), QStringLiteral("2")}));
    }

    void aVersionAtWeightZeroIsReachedOnlyPinned()
    {
        const quint16 port = startServer();
        QVERIFY(m_service->setRoutes({{QStringLiteral("e"), {version(QStringLiteral("1"), m_one, 100), version(QStringLiteral("2"), m_two, 0)}, {}}}));
        HttpTestClient c(port);
        for (int i = 0; i < 50; ++i)
            QCOMPARE(c.post("/v2/models/e/infer", inferBody(1, 2, 3)).json().value(QStringLiteral("model_version")).toString(), QStringLiteral("1"));
        const HttpReply pinned = c.post("/v2/models/e/versions/2/infer", inferBody(1, 2, 3));
        QCOMPARE(pinned.status, 200);
        QCOMPARE(pinned.json().value(QStringLiteral("model_version")).toString(), QStringLiteral("2"));
        QCOMPARE(c.post("/v2/models/e/versions/3/infer", inferBody(1, 2, 3)).status, 404);
        QCOMPARE(c.post("/v2/models/other/infer", inferBody(1, 2, 3)).status, 404);
    }

    void aRoutingChangeUnderLoadFailsNoRequest()
    {
        serve::ServeOptions o;
        o.maxDelayMs = 2; // requests wait in the queues while versions come and go
        const quint16 port = startServer(o);
        QVERIFY(m_service->setRoutes({{QStringLiteral("e"), {version(QStringLiteral("1"), m_one, 100)}, {}}}));
        std::atomic<bool> stop{false};
        std::atomic<int> answered{0}, failed{0};
        std::vector<std::thread> clients;
        struct Join { // a failed check returns early: the clients still stop and are joined
            std::atomic<bool> &stop;
            std::vector<std::thread> &threads;
            ~Join()
            {
                stop = true;
                for (auto &t : threads)
                    if (t.joinable())
                        t.join();
            }
        } join{stop, clients};
        for (int t = 0; t < 4; ++t)
            clients.emplace_back([&] {
                HttpTestClient c(port);
                while (!stop) {
                    const HttpReply r = c.post("/v2/models/e/infer", inferBody(1, 2, 3));
                    (r.status == 200 ? answered : failed).fetch_add(1);
                }
            });
        // Canary steps, a full switch, and back to a freshly loaded version 1 (a new runner).
        const std::vector<std::vector<serve::RouteVersion>> plans = {
            {version(QStringLiteral("1"), m_one, 95), version(QStringLiteral("2"), m_two, 5)},
            {version(QStringLiteral("1"), nullptr, 50), version(QStringLiteral("2"), nullptr, 50)},
            {version(QStringLiteral("2"), nullptr, 100)},
            {serve::RouteVersion{QStringLiteral("1"), QStringLiteral("md5-other"), m_one, 100}},
        };
        for (int round = 0; round < 5; ++round)
            for (const auto &plan : plans) {
                const int before = answered;
                QTRY_VERIFY(answered >= before + 20); // traffic flows before each change
                const Status s = m_service->setRoutes({{QStringLiteral("e"), plan, {}}});
                QVERIFY2(s, qPrintable(s.message()));
            }
        stop = true;
        for (auto &t : clients)
            t.join();
        QCOMPARE(failed.load(), 0);
        QVERIFY(answered > 400);
    }

    void theShadowGetsACopyThatIsComparedAndNeverAnswers()
    {
        const quint16 port = startServer();
        serve::EndpointRoutes e{QStringLiteral("e"), {version(QStringLiteral("1"), m_one, 100)}, version(QStringLiteral("2"), m_two, 0)};
        QVERIFY(m_service->setRoutes({e}));
        HttpTestClient c(port);
        // x0 = 5, x1 + x2 = 0: stable says (5, 10) → class 1, the shadow (10, 5) → class 0.
        // x0 = 1, x1 + x2 = 8: stable (9, 2) → class 0, shadow (2, 9) → class 1. Both disagree;
        // x0 = 0, sum 0: (0, 0) both → class 0, they agree.
        const QList<QByteArray> bodies = {inferBody(5, 0, 0), inferBody(1, 4, 4), inferBody(0, 0, 0), inferBody(0, 0, 0)};
        for (const QByteArray &b : bodies) {
            const HttpReply r = c.post("/v2/models/e/infer", b);
            QCOMPARE(r.status, 200);
            QCOMPARE(r.json().value(QStringLiteral("model_version")).toString(), QStringLiteral("1"));
        }
        QByteArray metrics;
        QTRY_VERIFY((metrics = c.get("/metrics").body, sample(metrics, "orrery_shadow_comparisons_total{endpoint=\"e\",version=\"2\"}") == 4.0));
        QCOMPARE(sample(metrics, "orrery_shadow_disagreements_total{endpoint=\"e\",version=\"2\"}"), 2.0);
        QCOMPARE(sample(metrics, "orrery_requests_total{endpoint=\"e\",version=\"2\",code=\"200\"}"), 0.0); // not the endpoint's traffic
        QCOMPARE(sample(metrics, "orrery_requests_total{endpoint=\"e\",version=\"1\",code=\"200\"}"), 4.0);
    }

    void aBadTableIsRefusedAndChangesNothing()
    {
        const quint16 port = startServer();
        QVERIFY(m_service->setRoutes({{QStringLiteral("e"), {version(QStringLiteral("1"), m_one, 100)}, {}}}));
        const std::vector<std::pair<std::vector<serve::EndpointRoutes>, QString>> bad = {
            {{{QStringLiteral("e"), {version(QStringLiteral("1"), m_one, 120)}, {}}}, QStringLiteral("from 0 to 100")},
            {{{QStringLiteral("e"), {version(QStringLiteral("1"), m_one, 60), version(QStringLiteral("2"), m_two, 30)}, {}}}, QStringLiteral("add up to 90")},
            {{{QStringLiteral("e"), {version(QStringLiteral("3"), nullptr, 100)}, {}}}, QStringLiteral("not loaded")},
            {{{QStringLiteral("e"), {version(QStringLiteral("1"), m_one, 50), version(QStringLiteral("1"), m_one, 50)}, {}}}, QStringLiteral("twice")},
        };
        for (const auto &[routes, needle] : bad) {
            const Status s = m_service->setRoutes(routes);
            QVERIFY(!s);
            QVERIFY2(s.message().contains(needle), qPrintable(s.message()));
        }
        HttpTestClient c(port);
        const HttpReply r = c.post("/v2/models/e/infer", inferBody(1, 2, 3));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QStringLiteral("model_version")).toString(), QStringLiteral("1"));
        QVERIFY(m_service->runs(QStringLiteral("e"), QStringLiteral("1"), QStringLiteral("md5-1")));
        QVERIFY(!m_service->runs(QStringLiteral("e"), QStringLiteral("2"), QStringLiteral("md5-2")));
    }

    void metricsAreValidPrometheusText()
    {
        const quint16 port = startServer();
        QVERIFY(m_service->setRoutes({{QStringLiteral("fraud \"a\"\\b"), {version(QStringLiteral("1"), m_one, 50), version(QStringLiteral("2"), m_two, 50)}, {}}}));
        HttpTestClient c(port);
        for (int i = 0; i < 20; ++i)
            c.post("/v2/models/fraud%20%22a%22%5Cb/infer", i % 5 ? inferBody(1, 2, 3) : inferBody(-1, 0, 0)); // every fifth refused by the model (400)
        const HttpReply r = c.get("/metrics");
        QCOMPARE(r.status, 200);
        QVERIFY(r.headers.value("content-type").startsWith("text/plain; version=0.0.4"));
        const QByteArray e = "endpoint=\"fraud \\\"a\\\"\\\\b\"";
        QCOMPARE(sample(r.body, "orrery_requests_total{" + e + ",version=\"1\",code=\"400\"}") + sample(r.body, "orrery_requests_total{" + e + ",version=\"2\",code=\"400\"}"), 4.0);
        QCOMPARE(sample(r.body, "orrery_request_duration_seconds_count{" + e + ",version=\"1\"}"), 10.0); // 50 % of 20
        QCOMPARE(sample(r.body, "orrery_request_duration_seconds_count{" + e + ",version=\"2\"}"), 10.0);
        QProcess promtool;
        promtool.start(QStringLiteral("promtool"), {QStringLiteral("check"), QStringLiteral("metrics")});
        QVERIFY2(promtool.waitForStarted(), "promtool is missing: packaging/setup.sh --test installs Debian's prometheus");
        promtool.write(r.body);
        promtool.closeWriteChannel();
        QVERIFY(promtool.waitForFinished(30000));
        const QByteArray said = promtool.readAllStandardOutput() + promtool.readAllStandardError();
        QVERIFY2(promtool.exitCode() == 0, said.constData()); // promtool exits 0 also for lint hints; 1 for a parse error
        QVERIFY2(!said.contains("error"), said.constData());
    }

    void latencyQuantilesMatchTheSamples()
    {
        // Closed form: 1,000 latencies 1 ms … 1000 ms; the true p99 is 990 ms, p50 500 ms. The
        // buckets are 19 % apart, so the estimate is within one bucket of the truth.
        serve::ServingMetrics m(QStringLiteral("e"), QStringLiteral("1"));
        for (int i = 1; i <= 1000; ++i)
            m.recordAnswer(i % 100 ? 200 : 500, i / 1000.0);
        const serve::VersionSnapshot s = m.snapshot();
        QCOMPARE(s.answered, quint64(1000));
        QCOMPARE(s.failed, quint64(10));
        QVERIFY(qAbs(s.errorRate() - 0.01) < 1e-12);
        for (const auto &[q, truth] : {std::pair{0.99, 0.990}, std::pair{0.5, 0.500}, std::pair{0.9, 0.900}}) {
            const double estimate = s.latency.quantile(q);
            QVERIFY2(estimate > truth / 1.19 && estimate < truth * 1.19, qPrintable(QStringLiteral("p%1: %2 s, truly %3 s").arg(q).arg(estimate).arg(truth)));
        }
        // The difference of two snapshots is what happened in between.
        for (int i = 0; i < 100; ++i)
            m.recordAnswer(503, 0.002);
        const serve::VersionSnapshot step = m.snapshot().minus(s);
        QCOMPARE(step.answered, quint64(100));
        QCOMPARE(step.failed, quint64(100));
        QVERIFY(step.latency.quantile(0.99) > 0.002 / 1.19 && step.latency.quantile(0.99) < 0.002 * 1.19);
    }
};

QTEST_GUILESS_MAIN(TstServingRoutes)
#include "tst_serving_routes.moc"
