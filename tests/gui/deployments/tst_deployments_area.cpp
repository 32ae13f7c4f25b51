// The Deployments area over a real workspace (issue 16, part 6): model "fraud" from the registry
// fixture (fake TorchScript archives stored in the content cache, so DeploymentStore verifies and
// accepts them without LibTorch; v1 champion, v2 challenger, v3 failed a gate).
//
// - the empty state, then "Start rollout…" filled in and clicked: v1 direct on a new endpoint,
//   then v2 as a canary (the store's default when replacing), the table showing the phase, the
//   split "v1 95 % · v2 5 %" and "step 1 of 4: 5 %";
// - Pause, Resume, Abort, Retry, Promote and Rollback clicked, each checked in the database and in
//   the view, each button enabled only where the phase allows it; a step made behind the area's
//   back (the controller's compare-and-set) appearing within a poll with its analysis detail;
//   champion moving on promotion and rollback; a refused start naming why;
// - a server record whose /metrics is a core/http server serving known counters, so the live
//   figures (errors, p50, p99, requests per interval) are checked against numbers worked out by
//   hand; Stop server sending SIGTERM to the recorded pid; Start server running a stand-in
//   orrery-cli detached in the workspace and showing why it stopped.
// Screenshots go to the build's screenshots/ folder (looked at when the area changes).
#include "core/deploy/deployment_store.h"
#include "core/http/http_handler.h"
#include "core/http/http_server.h"
#include "core/registry/model_registry.h"
#include "core/store/database.h"
#include "core/store/database_worker.h"
#include "core/workspace/workspace.h"
#include "tests/gui/registry/registry_fixture.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/deployments/deployments_area.h"
#include "ui/deployments/endpoint_table_model.h"
#include "ui/deployments/live_metrics_panel.h"
#include "ui/deployments/request_rate_chart.h"
#include "ui/deployments/rollout_timeline.h"
#include "ui/deployments/server_panel.h"
#include "ui/deployments/start_rollout_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHostInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <atomic>

using namespace orrery;
using ui::DeploymentAction;

namespace {

constexpr int kTimeoutMs = 20000;

const ui::AreaInfo &deploymentsInfo()
{
    for (const ui::AreaInfo &a : ui::workbenchAreas())
        if (a.area == ui::Area::Deployments)
            return a;
    qFatal("no Deployments area in the catalogue");
}

QString screenshotPath(const QString &name)
{
    const QString dir = QStringLiteral(ORRERY_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir + QLatin1Char('/') + name;
}

struct Fixture {
    QTemporaryDir dir;
    QString root = dir.filePath(QStringLiteral("fraud-detection"));
    QString db() const { return workspace::Workspace::databasePathFor(root); }
    QString cache() const { return root + QStringLiteral("/.orrery/cache"); }
    bool build()
    {
        return QDir().mkpath(root) && workspace::Workspace::init(root).isOk() && QDir().mkpath(dir.filePath(QStringLiteral("scratch")))
            && testing::buildFraudRegistry(db(), cache(), dir.filePath(QStringLiteral("scratch")));
    }
    deploy::Deployment deployment(const QString &endpoint) const
    {
        auto db = store::Database::open(this->db());
        if (!db)
            return {};
        deploy::DeploymentStore store(**db, cache());
        auto d = store.get(endpoint);
        return d ? *d : deploy::Deployment{};
    }
    int champion() const
    {
        auto db = store::Database::open(this->db());
        if (!db)
            return -1;
        registry::ModelRegistry reg(**db);
        auto m = reg.model(QStringLiteral("fraud"));
        return m ? m->aliasVersion(QStringLiteral("champion")) : -1;
    }
};

// /metrics of a pretend server: at its n-th scrape, fraud v1 has answered n × (376 ok + 4 errors)
// and fraud v2 n × (18 ok + 2 errors), with fixed latency buckets per interval, so every interval
// between two scrapes holds the same known figures whatever its length.
class FakeMetrics : public http::HttpHandler {
public:
    std::atomic<int> scrapes{0};
    void handle(http::HttpRequest request, http::HttpResponder responder) override
    {
        if (request.path() != "/metrics") {
            responder.send(http::HttpResponse::text(404, "not found\n"));
            return;
        }
        const double n = ++scrapes;
        QByteArray out = "# TYPE orrery_requests_total counter\n";
        auto version = [&](const QByteArray &v, double ok, double bad, QList<double> buckets, int weight) {
            const QByteArray l = "endpoint=\"fraud\",version=\"" + v + "\"";
            out += "orrery_requests_total{" + l + ",code=\"200\"} " + QByteArray::number(n * ok) + "\n";
            out += "orrery_requests_total{" + l + ",code=\"500\"} " + QByteArray::number(n * bad) + "\n";
            const QList<QByteArray> edges{"0.001", "0.002", "0.005", "0.01", "+Inf"};
            for (int i = 0; i < edges.size(); ++i)
                out += "orrery_request_duration_seconds_bucket{" + l + ",le=\"" + edges[i] + "\"} " + QByteArray::number(n * buckets[i]) + "\n";
            out += "orrery_endpoint_weight{" + l + "} " + QByteArray::number(weight) + "\n";
        };
        version("1", 376, 4, {0, 190, 380, 380, 380}, 75);
        version("2", 18, 2, {10, 10, 10, 20, 20}, 25);
        out += "orrery_rollout_step{endpoint=\"fraud\"} 2\n";
        responder.send(http::HttpResponse::text(200, out));
    }
};

bool recordServer(const Fixture &f, qint64 pid, int port)
{
    auto db = store::Database::open(f.db());
    if (!db)
        return false;
    auto s = (*db)->prepare(QStringLiteral("INSERT INTO servers (hostname, pid, host, port, started, heartbeat, applied_revision) VALUES (?,?,?,?,?,?,?)"));
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    return s && s->bind(1, QHostInfo::localHostName()).bind(2, pid).bind(3, QStringLiteral("127.0.0.1")).bind(4, port).bind(5, now).bind(6, now).bind(7, 0).run().isOk();
}

QString cellText(ui::DeploymentsArea &area, int column)
{
    const int row = area.endpointModel()->rowOf(area.selectedEndpoint());
    return area.endpointModel()->index(row, column).data().toString();
}

} // namespace

class TstDeploymentsArea : public QObject {
    Q_OBJECT

    std::unique_ptr<ui::DeploymentsArea> makeArea(Fixture &f)
    {
        auto area = std::make_unique<ui::DeploymentsArea>(deploymentsInfo(), nullptr);
        area->resize(1300, 860);
        area->show();
        area->setWorkspaceRoot(f.root);
        return area;
    }

    // Opens "Start rollout…" with a click and fills it in as a user would.
    void startFromDialog(ui::DeploymentsArea &area, int version, const QString &endpoint, const QString &strategy = QString())
    {
        QTRY_VERIFY_WITH_TIMEOUT(area.startButton()->isEnabled(), kTimeoutMs);
        QTest::mouseClick(area.startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(area.startDialog() && area.startDialog()->isVisible(), kTimeoutMs);
        ui::StartRolloutDialog *d = area.startDialog();
        d->modelBox()->setCurrentIndex(d->modelBox()->findText(QStringLiteral("fraud")));
        const int v = d->versionBox()->findData(version);
        QVERIFY(v >= 0);
        d->versionBox()->setCurrentIndex(v);
        d->endpointBox()->lineEdit()->selectAll();
        QTest::keyClicks(d->endpointBox()->lineEdit(), endpoint);
        if (!strategy.isEmpty())
            d->strategyBox()->setCurrentIndex(d->strategyBox()->findData(strategy));
        QTest::mouseClick(d->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
    }

    void click(ui::DeploymentsArea &area, DeploymentAction action)
    {
        QPushButton *b = area.actionButton(action);
        QTRY_VERIFY2_WITH_TIMEOUT(b->isEnabled(), qPrintable(b->text()), kTimeoutMs);
        QTest::mouseClick(b, Qt::LeftButton);
    }

    QStringList enabledActions(ui::DeploymentsArea &area)
    {
        QStringList out;
        for (auto a : {DeploymentAction::Pause, DeploymentAction::Resume, DeploymentAction::Promote, DeploymentAction::Abort,
                       DeploymentAction::Retry, DeploymentAction::Rollback})
            if (area.actionButton(a)->isEnabled())
                out << ui::deploymentActionName(a);
        return out;
    }

private Q_SLOTS:
    void initTestCase() { QCoreApplication::setApplicationName(QStringLiteral("tst_deployments_area")); }

    void emptyStateAndNoServer()
    {
        Fixture f;
        QVERIFY(f.build());
        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(area->snapshot().revision >= 0, kTimeoutMs);
        QVERIFY(!area->isShowingEndpoints());
        QVERIFY(area->emptyState()->isVisible());
        QVERIFY(area->emptyState()->howToStart().contains(QStringLiteral("Start rollout…")));
        QVERIFY(area->emptyState()->howToStart().contains(QLatin1String("`orrery-cli serve`")));
        QVERIFY2(area->serverPanel()->statusLabel()->text().contains(QLatin1String("the desired state waits")),
                 qPrintable(area->serverPanel()->statusLabel()->text()));
        QVERIFY(area->serverPanel()->startButton()->isEnabled());
        QVERIFY(!area->serverPanel()->stopButton()->isEnabled());
        QCOMPARE(enabledActions(*area), QStringList());
        area->grab().save(screenshotPath(QStringLiteral("deployments-empty.png")));
    }

    void rolloutClickedThroughEveryAction()
    {
        Fixture f;
        QVERIFY(f.build());
        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(area->snapshot().revision >= 0, kTimeoutMs);

        // v1 directly on a new endpoint.
        startFromDialog(*area, 1, QStringLiteral("fraud"));
        QTRY_VERIFY_WITH_TIMEOUT(area->isShowingEndpoints(), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(f.deployment(QStringLiteral("fraud")).stableVersion, 1, kTimeoutMs);
        QCOMPARE(f.deployment(QStringLiteral("fraud")).strategy, deploy::Strategy::Direct);
        QTRY_COMPARE_WITH_TIMEOUT(area->selectedEndpoint(), QStringLiteral("fraud"), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(cellText(*area, ui::EndpointTableModel::PhaseColumn), QStringLiteral("healthy"), kTimeoutMs);
        QCOMPARE(cellText(*area, ui::EndpointTableModel::TrafficColumn), QStringLiteral("v1 100 %"));
        QCOMPARE(area->timeline()->kindAt(0), QStringLiteral("started"));
        QCOMPARE(enabledActions(*area), QStringList()); // nothing to pause, and nothing served before v1

        // v2 replaces it: a canary by default, with the dialog's steps and analysis.
        startFromDialog(*area, 2, QStringLiteral("fraud"));
        QTRY_COMPARE_WITH_TIMEOUT(f.deployment(QStringLiteral("fraud")).phase, deploy::Phase::Progressing, kTimeoutMs);
        deploy::Deployment d = f.deployment(QStringLiteral("fraud"));
        QCOMPARE(d.strategy, deploy::Strategy::Canary);
        QCOMPARE(d.candidateVersion, 2);
        QCOMPARE(d.steps, (QList<int>{5, 25, 50, 100}));
        QCOMPARE(d.analysis, QStringLiteral("error_rate <= stable + 0.01, p99_ms <= 1.2 * stable"));
        QTRY_COMPARE_WITH_TIMEOUT(cellText(*area, ui::EndpointTableModel::ProgressColumn), QStringLiteral("step 1 of 4: 5 %"), kTimeoutMs);
        QCOMPARE(cellText(*area, ui::EndpointTableModel::TrafficColumn), QStringLiteral("v1 95 % · v2 5 %"));
        QCOMPARE(cellText(*area, ui::EndpointTableModel::CandidateColumn), QStringLiteral("v2"));
        QCOMPARE(enabledActions(*area), (QStringList{QStringLiteral("pause"), QStringLiteral("promote"), QStringLiteral("abort"), QStringLiteral("rollback")}));

        click(*area, DeploymentAction::Pause);
        QTRY_COMPARE_WITH_TIMEOUT(f.deployment(QStringLiteral("fraud")).phase, deploy::Phase::Paused, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(cellText(*area, ui::EndpointTableModel::PhaseColumn), QStringLiteral("paused"), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(area->timeline()->kindAt(0), QStringLiteral("paused"), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(enabledActions(*area), (QStringList{QStringLiteral("resume"), QStringLiteral("promote"), QStringLiteral("abort"), QStringLiteral("rollback")}), kTimeoutMs);

        click(*area, DeploymentAction::Resume);
        QTRY_COMPARE_WITH_TIMEOUT(f.deployment(QStringLiteral("fraud")).phase, deploy::Phase::Progressing, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(cellText(*area, ui::EndpointTableModel::PhaseColumn), QStringLiteral("progressing"), kTimeoutMs);

        // The server's controller advances a step behind the area's back (compare-and-set on the
        // revision, as RolloutController does): it appears within a poll, analysis detail and all.
        {
            auto db = store::Database::open(f.db());
            QVERIFY(db);
            deploy::DeploymentStore store(**db, f.cache());
            const deploy::Deployment before = store.get(QStringLiteral("fraud")).value();
            deploy::Deployment next = before;
            next.stepIndex = 1;
            next.canaryWeight = 25;
            auto ok = store.controllerUpdate(before, next, QStringLiteral("step"),
                                             QStringLiteral("analysis passed: error_rate 0.004 <= 0.013, p99_ms 4.2 <= 4.8; 5 % → 25 %"));
            QVERIFY(ok && *ok);
        }
        QTRY_COMPARE_WITH_TIMEOUT(cellText(*area, ui::EndpointTableModel::ProgressColumn), QStringLiteral("step 2 of 4: 25 %"), kTimeoutMs);
        QCOMPARE(cellText(*area, ui::EndpointTableModel::TrafficColumn), QStringLiteral("v1 75 % · v2 25 %"));
        QTRY_COMPARE_WITH_TIMEOUT(area->timeline()->kindAt(0), QStringLiteral("step"), kTimeoutMs);
        QVERIFY(area->timeline()->detailAt(0).contains(QLatin1String("p99_ms 4.2 <= 4.8")));
        area->grab().save(screenshotPath(QStringLiteral("deployments-canary.png")));
        // It fits the window's narrowest layout: 1111 px less the mode bar and the Activity dock
        // (tst_main_window) leaves about 700 px.
        QVERIFY2(area->minimumSizeHint().width() <= 700, qPrintable(QString::number(area->minimumSizeHint().width())));
        area->resize(700, 600);
        QTest::qWait(100);
        area->grab().save(screenshotPath(QStringLiteral("deployments-narrow.png")));
        area->resize(1300, 860);

        click(*area, DeploymentAction::Abort);
        QTRY_COMPARE_WITH_TIMEOUT(f.deployment(QStringLiteral("fraud")).phase, deploy::Phase::Aborted, kTimeoutMs);
        QCOMPARE(f.deployment(QStringLiteral("fraud")).message, QStringLiteral("aborted in the Deployments area"));
        QTRY_COMPARE_WITH_TIMEOUT(cellText(*area, ui::EndpointTableModel::PhaseColumn), QStringLiteral("aborted"), kTimeoutMs);
        QCOMPARE(cellText(*area, ui::EndpointTableModel::MessageColumn), QStringLiteral("aborted in the Deployments area"));
        QCOMPARE(cellText(*area, ui::EndpointTableModel::TrafficColumn), QStringLiteral("v1 100 %"));
        // Retry only: v1 is the only version the endpoint ever served, so there is nothing to roll back to.
        QTRY_COMPARE_WITH_TIMEOUT(enabledActions(*area), QStringList{QStringLiteral("retry")}, kTimeoutMs);
        QVERIFY(area->selectionLabel()->text().contains(QLatin1String("aborted in the Deployments area")));

        click(*area, DeploymentAction::Retry);
        QTRY_COMPARE_WITH_TIMEOUT(f.deployment(QStringLiteral("fraud")).phase, deploy::Phase::Progressing, kTimeoutMs);
        QCOMPARE(f.deployment(QStringLiteral("fraud")).canaryWeight, 5); // from its first step again
        QTRY_COMPARE_WITH_TIMEOUT(area->timeline()->kindAt(0), QStringLiteral("retried"), kTimeoutMs);

        // A second rollout on the busy endpoint is refused, and the reason is shown.
        startFromDialog(*area, 1, QStringLiteral("fraud"), QStringLiteral("canary"));
        QTRY_VERIFY2_WITH_TIMEOUT(area->statusLabel()->text().contains(QLatin1String("busy")), qPrintable(area->statusLabel()->text()), kTimeoutMs);
        QCOMPARE(f.deployment(QStringLiteral("fraud")).candidateVersion, 2); // routing unchanged

        click(*area, DeploymentAction::Promote);
        QTRY_COMPARE_WITH_TIMEOUT(f.deployment(QStringLiteral("fraud")).phase, deploy::Phase::Healthy, kTimeoutMs);
        QCOMPARE(f.deployment(QStringLiteral("fraud")).stableVersion, 2);
        QCOMPARE(f.champion(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(cellText(*area, ui::EndpointTableModel::TrafficColumn), QStringLiteral("v2 100 %"), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(enabledActions(*area), QStringList{QStringLiteral("rollback")}, kTimeoutMs);

        // Rollback asks which version, the one served before v2 first.
        click(*area, DeploymentAction::Rollback);
        QInputDialog *ask = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((ask = area->findChild<QInputDialog *>(QStringLiteral("rollbackDialog"))) && ask->isVisible(), kTimeoutMs);
        QCOMPARE(ask->textValue(), QStringLiteral("v1 (served before v2)"));
        QCOMPARE(ask->comboBoxItems(), QStringList{QStringLiteral("v1 (served before v2)")});
        auto *box = ask->findChild<QDialogButtonBox *>();
        QVERIFY(box);
        QTest::mouseClick(box->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(f.deployment(QStringLiteral("fraud")).stableVersion, 1, kTimeoutMs);
        QCOMPARE(f.champion(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(area->timeline()->kindAt(0), QStringLiteral("rolled_back"), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(cellText(*area, ui::EndpointTableModel::StableColumn), QStringLiteral("v1"), kTimeoutMs);
        QVERIFY2(area->statusLabel()->text().contains(QLatin1String("fraud is healthy, serving v1")), qPrintable(area->statusLabel()->text()));

        // v3 failed a gate: the store refuses it and the area says why.
        startFromDialog(*area, 3, QStringLiteral("fraud"));
        QTRY_VERIFY2_WITH_TIMEOUT(area->statusLabel()->text().startsWith(QLatin1String("Could not start the rollout: cannot deploy fraud")),
                                  qPrintable(area->statusLabel()->text()), kTimeoutMs);
        QCOMPARE(f.deployment(QStringLiteral("fraud")).stableVersion, 1);
        area->grab().save(screenshotPath(QStringLiteral("deployments-history.png")));
    }

    void dialogNamesTyposBeforeClosing()
    {
        Fixture f;
        QVERIFY(f.build());
        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(area->snapshot().revision >= 0, kTimeoutMs);
        QTest::mouseClick(area->startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(area->startDialog() && area->startDialog()->isVisible(), kTimeoutMs);
        ui::StartRolloutDialog *d = area->startDialog();
        QCOMPARE(d->versionBox()->currentData().toString(), QStringLiteral("challenger")); // the usual thing to roll out
        QCOMPARE(d->endpointBox()->currentText(), QStringLiteral("fraud"));                // a new endpoint named after the model
        d->strategyBox()->setCurrentIndex(d->strategyBox()->findData(QStringLiteral("canary")));
        d->stepsEdit()->selectAll();
        QTest::keyClicks(d->stepsEdit(), QStringLiteral("5,50,25"));
        d->analysisEdit()->selectAll();
        QTest::keyClicks(d->analysisEdit(), QStringLiteral("latency <= stable"));
        QTest::mouseClick(d->buttons()->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QVERIFY(d->isVisible());
        QVERIFY2(d->errorLabel()->text().contains(QLatin1String("Steps:")) && d->errorLabel()->text().contains(QLatin1String("latency")),
                 qPrintable(d->errorLabel()->text()));
        d->grab().save(screenshotPath(QStringLiteral("deployments-start-dialog.png")));
        QTest::mouseClick(d->buttons()->button(QDialogButtonBox::Cancel), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!area->startDialog(), kTimeoutMs);
        QCOMPARE(f.deployment(QStringLiteral("fraud")).endpoint, QString()); // nothing written
    }

    void liveFiguresFromTheServersMetricsAndStop()
    {
        Fixture f;
        QVERIFY(f.build());
        {
            auto db = store::Database::open(f.db());
            QVERIFY(db);
            deploy::DeploymentStore store(**db, f.cache());
            deploy::StartRequest r;
            r.endpoint = QStringLiteral("fraud");
            r.model = QStringLiteral("fraud");
            r.version = 1;
            QVERIFY(store.start(r));
            r.version = 2;
            QVERIFY(store.start(r));
        }
        FakeMetrics metrics;
        http::HttpServer server(metrics);
        QVERIFY(server.start().isOk());
        // The record points at a process of ours that stands in for the server's.
        QProcess stand;
        stand.start(QStringLiteral("sleep"), {QStringLiteral("600")});
        QVERIFY(stand.waitForStarted());
        QVERIFY(recordServer(f, stand.processId(), server.port()));

        auto area = makeArea(f);
        area->livePanel()->setIntervalMs(300);
        const QString url = QStringLiteral("http://127.0.0.1:%1").arg(server.port());
        QTRY_VERIFY2_WITH_TIMEOUT(area->serverPanel()->statusLabel()->text().contains(url), qPrintable(area->serverPanel()->statusLabel()->text()), kTimeoutMs);
        QVERIFY(area->serverPanel()->stopButton()->isEnabled());
        QVERIFY(!area->serverPanel()->startButton()->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(area->livePanel()->scrapes() >= 3, kTimeoutMs);

        const QVector<ui::VersionFigures> figures = area->livePanel()->figures();
        QCOMPARE(figures.size(), 2);
        // v1 per interval: 380 answers, 4 of them 500s; bucket deltas ≤2 ms 190, ≤5 ms 380, so
        // p50 = 2 ms and p99 = 2 + 3 × (376.2 − 190) / 190 = 4.94 ms.
        QCOMPARE(figures[0].version, QStringLiteral("1"));
        QCOMPARE(figures[0].requests, 380.0);
        QCOMPARE(figures[0].errorRate, 4.0 / 380.0);
        QCOMPARE(figures[0].p50Ms, 2.0);
        QVERIFY(qAbs(figures[0].p99Ms - 4.94) < 1e-9);
        QVERIFY(figures[0].requestsPerSecond > 0);
        QCOMPARE(figures[0].weight, 75.0);
        // v2: 20 answers, 2 errors; 10 within 1 ms, 10 in (5, 10] ms: p50 1 ms, p99 5 + 5 × 9.8 / 10.
        QCOMPARE(figures[1].requests, 20.0);
        QCOMPARE(figures[1].errorRate, 0.1);
        QCOMPARE(figures[1].p50Ms, 1.0);
        QVERIFY(qAbs(figures[1].p99Ms - 9.9) < 1e-9);
        // The rate is the count over the interval, whatever the interval was.
        QVERIFY(qAbs(figures[1].requestsPerSecond * 19.0 - figures[0].requestsPerSecond) < 1e-6);

        QTreeWidget *table = area->livePanel()->table();
        QTRY_COMPARE_WITH_TIMEOUT(table->topLevelItemCount(), 2, kTimeoutMs);
        QCOMPARE(table->topLevelItem(0)->text(ui::LiveMetricsPanel::VersionColumn), QStringLiteral("v1"));
        QCOMPARE(table->topLevelItem(0)->text(ui::LiveMetricsPanel::ErrorColumn), QStringLiteral("1.05 %"));
        QCOMPARE(table->topLevelItem(0)->text(ui::LiveMetricsPanel::P50Column), QStringLiteral("2.00"));
        QCOMPARE(table->topLevelItem(0)->text(ui::LiveMetricsPanel::P99Column), QStringLiteral("4.94"));
        QCOMPARE(table->topLevelItem(1)->text(ui::LiveMetricsPanel::ErrorColumn), QStringLiteral("10.00 %"));
        QCOMPARE(table->topLevelItem(1)->text(ui::LiveMetricsPanel::P99Column), QStringLiteral("9.90"));
        QTRY_VERIFY_WITH_TIMEOUT(area->livePanel()->chart()->pointCount(QStringLiteral("fraud v2")) >= 3, kTimeoutMs);
        QCOMPARE(area->livePanel()->chart()->seriesNames().size(), 2);
        QTest::qWait(300); // one more frame for the chart's paint
        area->grab().save(screenshotPath(QStringLiteral("deployments-live.png")));

        // Stop: SIGTERM to the recorded pid; once it is gone the area says the state waits.
        QTest::mouseClick(area->serverPanel()->stopButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(stand.state(), QProcess::NotRunning, kTimeoutMs);
        QCOMPARE(stand.exitStatus(), QProcess::CrashExit); // ended by the signal
        QTRY_VERIFY2_WITH_TIMEOUT(area->serverPanel()->statusLabel()->text().contains(QLatin1String("the desired state waits")),
                                  qPrintable(area->serverPanel()->statusLabel()->text()), kTimeoutMs);
        QVERIFY(area->livePanel()->serverUrl().isEmpty());
    }

    void startServerRunsOrreryCliDetachedInTheWorkspace()
    {
        Fixture f;
        QVERIFY(f.build());
        // A stand-in orrery-cli that notes where and how it was started, then fails as a build
        // without orrery-serve fails (its message is what the area must show).
        QTemporaryDir bin;
        const QString cli = bin.filePath(QStringLiteral("orrery-cli"));
        QFile script(cli);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write("#!/bin/sh\nprintf '%s\\n' \"$(pwd)\" \"$@\" > \"$(dirname \"$0\")/args.txt\"\n"
                     "echo 'orrery-cli: serve: orrery-serve is not installed beside orrery-cli' >&2\nexit 2\n");
        script.close();
        QVERIFY(script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));

        auto area = makeArea(f);
        area->setCliDir(bin.path());
        QTRY_VERIFY_WITH_TIMEOUT(area->serverPanel()->startButton()->isEnabled(), kTimeoutMs);
        QTest::mouseClick(area->serverPanel()->startButton(), Qt::LeftButton);
        auto argsWritten = [&] {
            QFile args(bin.filePath(QStringLiteral("args.txt")));
            return args.open(QIODevice::ReadOnly) ? QString::fromUtf8(args.readAll()).trimmed().split(QLatin1Char('\n')) : QStringList();
        };
        QTRY_COMPARE_WITH_TIMEOUT(argsWritten().size(), 6, kTimeoutMs);
        const QStringList lines = argsWritten();
        QCOMPARE(lines, (QStringList{QFileInfo(f.root).canonicalFilePath(), QStringLiteral("serve"), QStringLiteral("--workspace"), f.root,
                                     QStringLiteral("--port"), QStringLiteral("0")}));
        QTRY_VERIFY2_WITH_TIMEOUT(area->serverPanel()->statusLabel()->text().contains(QLatin1String("orrery-serve is not installed")),
                                  qPrintable(area->serverPanel()->statusLabel()->text()), kTimeoutMs);
        QVERIFY(area->statusLabel()->text().contains(QLatin1String("stopped before it listened")));
        QVERIFY(area->serverPanel()->startButton()->isEnabled()); // may be tried again
    }
};

QTEST_MAIN(TstDeploymentsArea)
#include "tst_deployments_area.moc"
