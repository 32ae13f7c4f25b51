// core/deploy without LibTorch: DeploymentStore's changes as single transactions (events, audit,
// webhook rows, champion's moves, refusals that change nothing) and the RolloutController in a
// real InferenceService on 127.0.0.1 with fake models — a canary completing under traffic, a
// failed analysis aborting, an unloadable candidate aborting with the reason, a user's pause
// winning over the controller's stale step.
#include "core/common/clock.h"
#include "core/deploy/deployment_store.h"
#include "core/deploy/rollout_controller.h"
#include "core/deploy/server_record.h"
#include "core/http/http_server.h"
#include "core/registry/model_file.h"
#include "core/registry/model_registry.h"
#include "core/serve/inference_service.h"
#include "core/store/database.h"
#include "tests/auto/http/http_test_client.h"
#include "tests/auto/serve/fake_inference_model.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <thread>

using namespace orrery;
using orrery::testing::HttpTestClient;

namespace {

const QByteArray kInfer = R"({"inputs":[{"name":"x","shape":[1,3],"datatype":"FP32","data":[1,2,3]}]})";

} // namespace

class TstRollout : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_cache;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<deploy::DeploymentStore> m_store;
    std::atomic<int> m_loads{0};

    int count(const QString &sql)
    {
        auto s = m_db->prepare(sql);
        if (!s || !s->next())
            qFatal("query failed: %s", qPrintable(sql));
        return int(s->int64(0));
    }
    int champion()
    {
        registry::ModelRegistry r(*m_db);
        auto v = r.versionByAlias(QStringLiteral("fraud"), QStringLiteral("champion"));
        return v ? v->version : 0;
    }

    // A validated TorchScript-format version whose stored file holds `content` (the fake loader
    // reads it: "swapped" makes the other fake).
    int registerVersion(const QByteArray &content, const QString &format = QStringLiteral("torchscript"))
    {
        const QString path = m_dir.filePath(QStringLiteral("model-%1.pt").arg(QString::fromLatin1(content.toHex())));
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(content);
        f.close();
        auto stored = registry::storeModelFile(m_cache, path);
        if (!stored)
            qFatal("%s", qPrintable(stored.status().message()));
        registry::NewVersion v;
        v.name = QStringLiteral("fraud");
        v.source = path;
        v.modelMd5 = stored->md5;
        v.modelSize = stored->size;
        v.modelFileName = QStringLiteral("model.pt");
        v.format = format;
        v.signature = {{QStringLiteral("inputs"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("x")}, {QStringLiteral("dtype"), QStringLiteral("FP32")},
                                                                         {QStringLiteral("shape"), QJsonArray{-1, 3}}}}}};
        v.validation = registry::Validation::Passed;
        registry::ModelRegistry r(*m_db);
        auto created = r.createVersion(v);
        if (!created)
            qFatal("%s", qPrintable(created.status().message()));
        return created->version;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cache = m_dir.filePath(QStringLiteral("cache"));
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(m_dir.filePath(QStringLiteral("orrery.db")), o);
        QVERIFY2(db, qPrintable(db.status().message()));
        m_db = std::move(*db);
        m_store = std::make_unique<deploy::DeploymentStore>(*m_db, m_cache, nullptr, QStringLiteral("tester"));
        QVERIFY(m_db->exec(QStringLiteral("INSERT INTO webhooks(url, events, secret, created) VALUES ('http://127.0.0.1:9/h', 'deployment.changed', 's', 0)")));
        QCOMPARE(registerVersion("plain"), 1);
        QCOMPARE(registerVersion("swapped"), 2);
    }

    void changesAreTransactionsWithTheirHistory()
    {
        deploy::StartRequest r;
        r.model = QStringLiteral("fraud");
        r.version = 1;
        r.endpoint = QStringLiteral("fraud");
        auto first = m_store->start(r);
        QVERIFY2(first, qPrintable(first.status().message()));
        QCOMPARE(first->strategy, deploy::Strategy::Direct); // a new endpoint: direct by default
        QCOMPARE(first->phase, deploy::Phase::Healthy);
        QCOMPARE(first->weightsJson(), QStringLiteral("{\"1\":100}"));
        QCOMPARE(champion(), 1);
        r.version = 2;
        r.steps = {10, 100};
        r.pauseMs = 200;
        r.minRequests = 10;
        r.analysis = QStringLiteral("error_rate <= stable + 0.01");
        auto second = m_store->start(r);
        QVERIFY2(second, qPrintable(second.status().message()));
        QCOMPARE(second->strategy, deploy::Strategy::Canary); // replacing a version: canary
        QCOMPARE(second->weightsJson(), QStringLiteral("{\"1\":90,\"2\":10}"));
        QCOMPARE(champion(), 1); // not before it completes
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM deployment_events")), 2);
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM audit_log WHERE action LIKE 'deploy.%'")), 2);
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM webhook_deliveries WHERE event = 'deployment.changed'")), 2);
        QCOMPARE(*m_store->revision(), qint64(2));
        // Refusals change nothing.
        const auto refused = [&](const Result<deploy::Deployment> &d, const QString &needle) {
            QVERIFY(!d);
            QVERIFY2(d.status().message().contains(needle), qPrintable(d.status().message()));
        };
        refused(m_store->start(r), QStringLiteral("busy"));
        refused(m_store->resume(QStringLiteral("fraud")), QStringLiteral("not paused"));
        refused(m_store->rollback(QStringLiteral("fraud"), 7), QStringLiteral("7"));
        deploy::StartRequest bad = r;
        bad.endpoint = QStringLiteral("other");
        bad.analysis = QStringLiteral("latency <= stable");
        refused(m_store->start(bad), QStringLiteral("latency"));
        bad.analysis.clear();
        bad.steps = {50, 20, 100};
        refused(m_store->start(bad), QStringLiteral("above the one before"));
        bad.steps = {10, 100};
        bad.strategy = deploy::Strategy::Canary;
        bad.strategyGiven = true;
        refused(m_store->start(bad), QStringLiteral("serves nothing yet"));
        bad.endpoint = QStringLiteral("fraud");
        bad.strategyGiven = false;
        QVERIFY(m_store->abort(QStringLiteral("fraud"))); // not busy, so the version itself is what is refused
        bad.version = registerVersion("logistic", QStringLiteral("orrery.baseline_logistic"));
        refused(m_store->start(bad), QStringLiteral("not TorchScript"));
        QVERIFY(m_store->retry(QStringLiteral("fraud")));
        QCOMPARE(*m_store->revision(), qint64(4)); // the abort and the retry, nothing of the refusals
        QCOMPARE(count(QStringLiteral("SELECT count(*) FROM deployment_events")), 4);
        // The controller's change loses to a command made since it read the row.
        const deploy::Deployment seen = *m_store->get(QStringLiteral("fraud"));
        QVERIFY(m_store->pause(QStringLiteral("fraud")));
        deploy::Deployment step = seen;
        step.stepIndex = 1;
        QCOMPARE(*m_store->controllerUpdate(seen, step, QStringLiteral("step"), QStringLiteral("stale")), false);
        QCOMPARE(m_store->get(QStringLiteral("fraud"))->phase, deploy::Phase::Paused);
        QVERIFY(m_store->resume(QStringLiteral("fraud")));
    }

    void theControllerRunsTheCanaryToCompletion()
    {
        serve::InferenceService service(serve::ServeOptions{});
        http::HttpServer http(service, http::HttpServerOptions{});
        QVERIFY(http.start());
        // The fake loader: the file's content says which fake; "broken" does not load.
        auto load = [this](const QString &path) -> Result<std::shared_ptr<const serve::InferenceModel>> {
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            const QByteArray content = f.readAll();
            ++m_loads;
            if (content == "broken")
                return invalidArgument(QStringLiteral("not a TorchScript archive"));
            return std::shared_ptr<const serve::InferenceModel>(std::make_shared<orrery::testing::FakeModel>(content == "swapped"));
        };
        deploy::RolloutController controller(m_db->path(), m_cache, service, load, deploy::RolloutController::Options{});
        QVERIFY(controller.start(QStringLiteral("127.0.0.1"), http.port()));
        QCOMPARE(m_loads.load(), 2); // each version once, before ready
        QCOMPARE(deploy::liveServers(*m_db)->size(), 1);
        std::atomic<bool> stop{false};
        std::atomic<int> failed{0};
        std::thread traffic([&] {
            HttpTestClient c(http.port());
            while (!stop)
                if (c.post("/v2/models/fraud/infer", kInfer).status != 200)
                    ++failed;
        });
        QTRY_COMPARE_WITH_TIMEOUT(m_store->get(QStringLiteral("fraud"))->phase, deploy::Phase::Healthy, 60000);
        const deploy::Deployment done = *m_store->get(QStringLiteral("fraud"));
        QCOMPARE(done.stableVersion, 2);
        QCOMPARE(champion(), 2); // completion moved champion
        // A failed analysis: v1 back as a canary whose rule cannot pass.
        deploy::StartRequest r;
        r.model = QStringLiteral("fraud");
        r.version = 1;
        r.endpoint = QStringLiteral("fraud");
        r.steps = {50, 100};
        r.pauseMs = 100;
        r.minRequests = 10;
        r.analysis = QStringLiteral("error_rate < stable"); // 0 < 0 never holds
        QVERIFY(m_store->start(r));
        QTRY_COMPARE_WITH_TIMEOUT(m_store->get(QStringLiteral("fraud"))->phase, deploy::Phase::Aborted, 60000);
        QVERIFY2(m_store->get(QStringLiteral("fraud"))->message.contains(QStringLiteral("error_rate")), qPrintable(m_store->get(QStringLiteral("fraud"))->message));
        QCOMPARE(champion(), 2);
        // An unloadable candidate aborts with the loader's reason; the stable serves on.
        const int broken = registerVersion("broken");
        r.version = broken;
        r.analysis.clear();
        QVERIFY(m_store->abort(QStringLiteral("fraud")).status().code() == ErrorCode::FailedPrecondition); // nothing to abort: already aborted
        QVERIFY(m_store->start(r));
        QTRY_COMPARE_WITH_TIMEOUT(m_store->get(QStringLiteral("fraud"))->phase, deploy::Phase::Aborted, 60000);
        QVERIFY2(m_store->get(QStringLiteral("fraud"))->message.contains(QStringLiteral("not a TorchScript archive")),
                 qPrintable(m_store->get(QStringLiteral("fraud"))->message));
        stop = true;
        traffic.join();
        QCOMPARE(failed.load(), 0);
        HttpTestClient c(http.port());
        QCOMPARE(c.post("/v2/models/fraud/infer", kInfer).json().value(QStringLiteral("model_version")).toString(), QStringLiteral("2"));
        controller.stop();
        QCOMPARE(deploy::liveServers(*m_db)->size(), 0); // a clean stop removes the record
        http.stop();
    }

    // Blue-green: the candidate answers on E-preview until promoted, then on E. Shadow: the
    // candidate gets a copy of every request, compared and never answered.
    void blueGreenAndShadow()
    {
        serve::InferenceService service(serve::ServeOptions{});
        http::HttpServer http(service, http::HttpServerOptions{});
        QVERIFY(http.start());
        auto load = [](const QString &path) -> Result<std::shared_ptr<const serve::InferenceModel>> {
            QFile f(path);
            f.open(QIODevice::ReadOnly);
            return std::shared_ptr<const serve::InferenceModel>(std::make_shared<orrery::testing::FakeModel>(f.readAll() == "swapped"));
        };
        deploy::RolloutController controller(m_db->path(), m_cache, service, load, deploy::RolloutController::Options{});
        QVERIFY(controller.start(QStringLiteral("127.0.0.1"), http.port()));
        HttpTestClient c(http.port());
        const auto answeredBy = [&](const QByteArray &path) { return c.post(path, kInfer).json().value(QStringLiteral("model_version")).toString(); };
        deploy::StartRequest r;
        r.model = QStringLiteral("fraud");
        r.version = 1;
        r.endpoint = QStringLiteral("bg");
        QVERIFY(m_store->start(r));
        r.version = 2;
        r.strategy = deploy::Strategy::BlueGreen;
        r.strategyGiven = true;
        QVERIFY(m_store->start(r));
        QTRY_COMPARE_WITH_TIMEOUT(answeredBy("/v2/models/bg-preview/infer"), QStringLiteral("2"), 10000);
        QCOMPARE(answeredBy("/v2/models/bg/infer"), QStringLiteral("1"));
        QVERIFY(m_store->promote(QStringLiteral("bg")));
        QTRY_COMPARE_WITH_TIMEOUT(answeredBy("/v2/models/bg/infer"), QStringLiteral("2"), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(c.post("/v2/models/bg-preview/infer", kInfer).status, 404, 10000); // the preview is gone
        QCOMPARE(champion(), 2);

        r.endpoint = QStringLiteral("sh");
        r.version = 1;
        r.strategyGiven = false;
        QVERIFY(m_store->start(r));
        r.version = 2;
        r.strategy = deploy::Strategy::Shadow;
        r.strategyGiven = true;
        QVERIFY(m_store->start(r));
        QTRY_VERIFY_WITH_TIMEOUT(c.get("/metrics").body.contains("orrery_shadow_comparisons_total{endpoint=\"sh\",version=\"2\"}"), 10000);
        for (int i = 0; i < 20; ++i)
            QCOMPARE(answeredBy("/v2/models/sh/infer"), QStringLiteral("1")); // the shadow never answers
        // [1, 2, 3]: v1 says (6, 2), class 0; the swapped v2 (2, 6), class 1 — every copy disagrees.
        QTRY_VERIFY_WITH_TIMEOUT(c.get("/metrics").body.contains("orrery_shadow_disagreements_total{endpoint=\"sh\",version=\"2\"} 20\n"), 10000);
        controller.stop();
        http.stop();
    }
};

QTEST_GUILESS_MAIN(TstRollout)
#include "tst_rollout.moc"
