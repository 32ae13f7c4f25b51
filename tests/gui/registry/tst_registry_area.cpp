// The Registry area over a real database (ModelRegistry, files stored with storeModelFile): the
// model listed with champion v1 and challenger v2; a version's gates, card and metrics shown; a
// promotion blocked by a failed gate (the button disabled, the reason beside it), then the
// challenger promoted with a mouse click (champion moved and an audit entry in the database) and
// demoted back; lineage nodes opening datasets and runs through the Navigator, and the area
// opening "model_version" itself; a version registered behind the area's back appearing within a
// poll; the empty state naming how models get registered; the webhooks managed from the area, a
// promotion delivered signed to a real receiver on 127.0.0.1.
#include "core/deploy/deployment_store.h"
#include "core/registry/model_registry.h"
#include "core/store/database.h"
#include "tests/gui/registry/registry_fixture.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/common/navigator.h"
#include "tests/auto/registry/webhook_receiver.h"
#include "ui/registry/lineage_graph_view.h"
#include "ui/registry/registry_area.h"
#include "core/store/database_worker.h"
#include "ui/registry/webhooks_panel.h"

#include <QComboBox>
#include <QCryptographicHash>
#include <QLabel>
#include <QLineEdit>
#include <QMessageAuthenticationCode>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTreeView>
#include <QTreeWidget>
#include <QtTest>

using namespace orrery;

namespace {

constexpr int kTimeoutMs = 15000;

const ui::AreaInfo &registryInfo()
{
    for (const ui::AreaInfo &a : ui::workbenchAreas())
        if (a.area == ui::Area::Registry)
            return a;
    qFatal("no Registry area in the catalogue");
}

struct Fixture {
    QTemporaryDir dir;
    QString db() const { return dir.filePath(QStringLiteral("orrery.db")); }
    QString cache() const { return dir.filePath(QStringLiteral("cache")); }
    QString scratch() const { return dir.path(); }
};

int aliasInDb(const QString &dbPath, const QString &alias)
{
    auto db = store::Database::open(dbPath);
    if (!db)
        return -1;
    registry::ModelRegistry reg(**db);
    auto m = reg.model(QStringLiteral("fraud"));
    return m ? m->aliasVersion(alias) : -1;
}

int countInDb(const QString &dbPath, const QString &sql)
{
    auto db = store::Database::open(dbPath);
    if (!db)
        return -1;
    auto s = (*db)->prepare(sql);
    if (!s || !s->next())
        return -1;
    return int(s->int64(0));
}

void settle(ui::RegistryArea &area)
{
    QTRY_VERIFY_WITH_TIMEOUT(area.worker()->pending() == 0, kTimeoutMs);
}

} // namespace

class TstRegistryArea : public QObject {
    Q_OBJECT

    // A shown area over the fraud registry with its first snapshot applied.
    std::unique_ptr<ui::RegistryArea> makeArea(Fixture &f, ui::Navigator *navigator = nullptr)
    {
        auto area = std::make_unique<ui::RegistryArea>(registryInfo(), navigator);
        area->resize(1400, 900);
        area->show();
        area->setDatabasePath(f.db());
        return area;
    }

private Q_SLOTS:
    void emptyStateSaysHowModelsArrive()
    {
        Fixture f;
        store::OpenOptions o;
        o.create = true;
        QVERIFY(store::Database::open(f.db(), o));
        ui::RegistryArea area(registryInfo(), nullptr);
        area.setDatabasePath(f.db());
        settle(area);
        QVERIFY(!area.isShowingModels());
        QVERIFY(area.emptyState()->howToStart().contains(QLatin1String("orrery-cli models register NAME --file")));
        QVERIFY(area.emptyState()->howToStart().contains(QLatin1String("register stage")));
    }

    void listsTheModelWithChampionAndChallenger()
    {
        Fixture f;
        QVERIFY(testing::buildFraudRegistry(f.db(), f.cache(), f.scratch()));
        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(area->isShowingModels(), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(area->versionProxy()->rowCount(), 3, kTimeoutMs);
        QCOMPARE(area->modelView()->topLevelItemCount(), 1);
        QTreeWidgetItem *row = area->modelView()->topLevelItem(0);
        QCOMPARE(row->text(0), QStringLiteral("fraud"));
        QCOMPARE(row->text(1), QStringLiteral("3"));
        QCOMPARE(row->text(2), QStringLiteral("v1"));
        QCOMPARE(row->text(3), QStringLiteral("v2"));
        QVERIFY(!row->text(4).isEmpty());
        // The challenger is the version selected first: the one to decide on.
        QCOMPARE(area->selectedVersion(), 2);
        // Metric columns from the lineage, sortable and filterable.
        QStringList headers;
        for (int c = 0; c < area->versionProxy()->columnCount(); ++c)
            headers << area->versionProxy()->headerData(c, Qt::Horizontal).toString();
        QVERIFY2(headers.contains(QStringLiteral("roc_auc")) && headers.contains(QStringLiteral("recall")), qPrintable(headers.join(',')));
        const int auc = headers.indexOf(QStringLiteral("roc_auc"));
        area->versionView()->sortByColumn(auc, Qt::DescendingOrder);
        QCOMPARE(area->versionProxy()->index(0, 0).data().toString(), QStringLiteral("v2")); // 0.92 > 0.90 > 0.87
        QCOMPARE(area->versionProxy()->index(2, 0).data().toString(), QStringLiteral("v3"));
        QTest::keyClicks(area->filterEdit(), QStringLiteral("failed"));
        QCOMPARE(area->versionProxy()->rowCount(), 1);
        QCOMPARE(area->versionProxy()->index(0, 0).data().toString(), QStringLiteral("v3"));
        area->filterEdit()->clear();
        QCOMPARE(area->versionProxy()->rowCount(), 3);
    }

    void selectingAVersionShowsItsGatesCardAndLineage()
    {
        Fixture f;
        QVERIFY(testing::buildFraudRegistry(f.db(), f.cache(), f.scratch()));
        auto area = makeArea(f);
        QTRY_COMPARE_WITH_TIMEOUT(area->versionProxy()->rowCount(), 3, kTimeoutMs);
        area->selectVersion(3);
        QCOMPARE(area->selectedVersion(), 3);
        const QString detail = area->detailView()->toPlainText();
        QVERIFY2(detail.contains(QLatin1String("beats champion v1 on roc_auc by >= 0.01")), qPrintable(detail));
        QVERIFY(detail.contains(QLatin1String("worse")));
        QVERIFY(detail.contains(QLatin1String("Validation: failed")));
        QVERIFY(detail.contains(QLatin1String("Servable")));
        QVERIFY(detail.contains(QLatin1String("merchant_risk"))); // the signature's inputs
        QVERIFY(detail.contains(QLatin1String("data/transactions.csv")));
        QVERIFY(detail.contains(QLatin1String("3c0ffee")));
        // The card is Markdown rendered: no '#' left, the heading is a heading.
        QVERIFY(area->cardView()->toPlainText().contains(QLatin1String("Intended use")));
        QVERIFY(!area->cardView()->toPlainText().contains(QLatin1String("## ")));
        // data, data → pipeline run → stage run → training run → model version
        QCOMPARE(area->lineageView()->nodes().size(), 6);
        // Compare: v1 (the champion) with v3, the commits and data that differ named.
        QCOMPARE(area->compareA()->currentData().toInt(), 1);
        QCOMPARE(area->compareB()->currentData().toInt(), 3);
        const QString compare = area->compareView()->toPlainText();
        QVERIFY2(compare.contains(QLatin1String("The commits differ")), qPrintable(compare));
        QVERIFY(compare.contains(QLatin1String("roc_auc")));
        // The history: the model's audit entries and its aliases' moves.
        QVERIFY(area->auditView()->topLevelItemCount() >= 5);
        QVERIFY(area->aliasView()->topLevelItemCount() >= 2);
    }

    void promotionBlockedByAFailedGateThenPromotedByAClickThenDemoted()
    {
        Fixture f;
        QVERIFY(testing::buildFraudRegistry(f.db(), f.cache(), f.scratch()));
        auto area = makeArea(f);
        QVERIFY(QTest::qWaitForWindowExposed(area.get()));
        QTRY_COMPARE_WITH_TIMEOUT(area->versionProxy()->rowCount(), 3, kTimeoutMs);

        area->selectVersion(3);
        QVERIFY(!area->promoteButton()->isEnabled());
        QVERIFY2(area->blockedLabel()->text().contains(QLatin1String("failed its gates")), qPrintable(area->blockedLabel()->text()));
        QVERIFY(area->blockedLabel()->text().contains(QLatin1String("beats champion v1")));
        QVERIFY(area->blockedLabel()->isVisible());
        QTest::mouseClick(area->promoteButton(), Qt::LeftButton); // disabled: nothing happens
        settle(*area);
        QCOMPARE(aliasInDb(f.db(), QStringLiteral("champion")), 1);

        // The challenger: its gates passed.
        area->selectVersion(2);
        QVERIFY(area->promoteButton()->isEnabled());
        QCOMPARE(area->promoteButton()->text(), QStringLiteral("Promote v2 to champion"));
        QTest::mouseClick(area->promoteButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(aliasInDb(f.db(), QStringLiteral("champion")), 2, kTimeoutMs);
        QCOMPARE(aliasInDb(f.db(), QStringLiteral("challenger")), 0);
        QCOMPARE(countInDb(f.db(), QStringLiteral("SELECT count(*) FROM audit_log WHERE action = 'model.promote' AND target = 'model fraud v2'")), 1);
        QTRY_COMPARE_WITH_TIMEOUT(area->modelView()->topLevelItem(0)->text(2), QStringLiteral("v2"), kTimeoutMs);
        QVERIFY(area->statusLabel()->text().contains(QLatin1String("v2 is champion (was v1)")));
        QVERIFY(!area->promoteButton()->isEnabled()); // it is the champion now
        QTRY_VERIFY_WITH_TIMEOUT(!area->auditView()->findItems(QStringLiteral("model.promote"), Qt::MatchExactly, 1).isEmpty(), kTimeoutMs);

        // Demote gives champion back to v1.
        QVERIFY(area->demoteButton()->isEnabled());
        QTest::mouseClick(area->demoteButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(aliasInDb(f.db(), QStringLiteral("champion")), 1, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(area->modelView()->topLevelItem(0)->text(2), QStringLiteral("v1"), kTimeoutMs);

        // Archive v3, then unarchive it.
        area->selectVersion(3);
        QCOMPARE(area->archiveButton()->text(), QStringLiteral("Archive v3"));
        QTest::mouseClick(area->archiveButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(countInDb(f.db(), QStringLiteral("SELECT count(*) FROM model_versions WHERE name = 'fraud' AND version = 3 AND archived = 1")), 1, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(area->archiveButton()->text(), QStringLiteral("Unarchive v3"), kTimeoutMs);
        QVERIFY(area->blockedLabel()->text().contains(QLatin1String("archived")));
        QTest::mouseClick(area->archiveButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(countInDb(f.db(), QStringLiteral("SELECT count(*) FROM model_versions WHERE name = 'fraud' AND version = 3 AND archived = 0")), 1, kTimeoutMs);
    }

    // Once an endpoint serves the model, Promote starts that endpoint's rollout of the version
    // (a canary: the store's default when replacing a version) instead of moving champion at
    // once; champion moves when the rollout completes (docs/architecture.md's champion table).
    void promoteStartsTheServingEndpointsRollout()
    {
        Fixture f;
        QVERIFY(testing::buildFraudRegistry(f.db(), f.cache(), f.scratch()));
        {
            auto db = store::Database::open(f.db());
            QVERIFY(db);
            deploy::DeploymentStore store(**db, f.cache());
            deploy::StartRequest r;
            r.endpoint = QStringLiteral("fraud-api");
            r.model = QStringLiteral("fraud");
            r.alias = QStringLiteral("champion");
            QVERIFY(store.start(r));
        }
        auto area = makeArea(f);
        QVERIFY(QTest::qWaitForWindowExposed(area.get()));
        QTRY_COMPARE_WITH_TIMEOUT(area->versionProxy()->rowCount(), 3, kTimeoutMs);
        area->selectVersion(2);
        QTRY_COMPARE_WITH_TIMEOUT(area->promoteButton()->text(), QStringLiteral("Promote v2: roll out on fraud-api"), kTimeoutMs);
        QVERIFY(area->promoteButton()->isEnabled());
        QVERIFY2(area->blockedLabel()->text().contains(QLatin1String("champion moves when it completes")), qPrintable(area->blockedLabel()->text()));
        QTest::mouseClick(area->promoteButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(countInDb(f.db(), QStringLiteral("SELECT count(*) FROM deployments WHERE endpoint = 'fraud-api' AND candidate_version = 2 "
                                                                   "AND phase = 'progressing' AND strategy = 'canary' AND stable_version = 1")), 1, kTimeoutMs);
        QCOMPARE(aliasInDb(f.db(), QStringLiteral("champion")), 1); // not yet: the rollout decides
        QTRY_VERIFY2_WITH_TIMEOUT(area->statusLabel()->text().contains(QLatin1String("canary rollout of v2 started on endpoint fraud-api")),
                                  qPrintable(area->statusLabel()->text()), kTimeoutMs);
        // While v2 rolls out, Promote says so instead of starting a second rollout.
        QTRY_VERIFY_WITH_TIMEOUT(!area->promoteButton()->isEnabled(), kTimeoutMs);
        QVERIFY2(area->blockedLabel()->text().contains(QLatin1String("v2 is rolling out on fraud-api")), qPrintable(area->blockedLabel()->text()));
        // The rollout completes (promoted through the store, as `deploy promote` does): champion moves.
        {
            auto db = store::Database::open(f.db());
            QVERIFY(db);
            deploy::DeploymentStore store(**db, f.cache());
            QVERIFY(store.promote(QStringLiteral("fraud-api")));
        }
        QCOMPARE(aliasInDb(f.db(), QStringLiteral("champion")), 2);
        QTRY_COMPARE_WITH_TIMEOUT(area->modelView()->topLevelItem(0)->text(2), QStringLiteral("v2"), kTimeoutMs);
    }

    // The registry's webhooks as `models webhooks` offers them: a file URL refused naming the
    // scheme, a receiver added with a generated secret shown once (never listed), a promotion
    // delivered to it signed, the delivery listed, the webhook removed.
    void webhooksAreManagedInTheArea()
    {
        Fixture f;
        QVERIFY(testing::buildFraudRegistry(f.db(), f.cache(), f.scratch()));
        orrery::testing::WebhookReceiver receiver;
        auto area = makeArea(f);
        QVERIFY(QTest::qWaitForWindowExposed(area.get()));
        QTRY_COMPARE_WITH_TIMEOUT(area->versionProxy()->rowCount(), 3, kTimeoutMs);
        ui::WebhooksPanel *panel = area->webhooksPanel();
        area->tabs()->setCurrentWidget(panel);

        panel->urlEdit()->setText(QStringLiteral("file:///etc/passwd"));
        QTest::mouseClick(panel->addButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(panel->messageLabel()->text().contains(QLatin1String("file")), kTimeoutMs);
        settle(*area);
        QCOMPARE(panel->hookView()->topLevelItemCount(), 0);

        panel->urlEdit()->clear();
        QTest::keyClicks(panel->urlEdit(), receiver.url());
        QTest::mouseClick(panel->addButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(panel->hookView()->topLevelItemCount(), 1, kTimeoutMs);
        const QString message = panel->messageLabel()->text();
        QVERIFY2(message.contains(QLatin1String("shown only now")), qPrintable(message));
        const QString secret = message.section(QLatin1String(": "), -1).trimmed();
        QCOMPARE(secret.size(), 64);
        QCOMPARE(panel->hookView()->topLevelItem(0)->text(4), QStringLiteral("set"));
        for (int c = 0; c < panel->hookView()->columnCount(); ++c)
            QVERIFY(!panel->hookView()->topLevelItem(0)->text(c).contains(secret));

        // A promotion from the area: its alias.moved event reaches the receiver, signed.
        area->selectVersion(2);
        QTest::mouseClick(area->promoteButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!receiver.received.isEmpty(), kTimeoutMs);
        const orrery::testing::ReceivedRequest &got = receiver.received.first();
        QCOMPARE(got.headers.value("x-orrery-event"), QByteArray("alias.moved"));
        const QByteArray expected = "sha256=" + QMessageAuthenticationCode::hash(got.body, secret.toUtf8(), QCryptographicHash::Sha256).toHex();
        QCOMPARE(got.headers.value("x-orrery-signature"), expected);
        panel->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!panel->deliveryView()->findItems(QStringLiteral("delivered"), Qt::MatchExactly, 3).isEmpty(), kTimeoutMs);

        panel->hookView()->topLevelItem(0)->setSelected(true);
        QVERIFY(panel->removeButton()->isEnabled());
        QTest::mouseClick(panel->removeButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(panel->hookView()->topLevelItemCount(), 0, kTimeoutMs);
        QCOMPARE(countInDb(f.db(), QStringLiteral("SELECT count(*) FROM webhooks")), 0);
    }

    void lineageNodesOpenThroughTheNavigator()
    {
        Fixture f;
        QVERIFY(testing::buildFraudRegistry(f.db(), f.cache(), f.scratch()));
        ui::Navigator navigator;
        QWidget dataArea, experimentsArea;
        QVector<ui::ObjectRef> opened;
        navigator.registerHandler(QStringLiteral("dataset"), &dataArea, [&](const ui::ObjectRef &ref) { opened << ref; });
        navigator.registerHandler(QStringLiteral("run"), &experimentsArea, [&](const ui::ObjectRef &ref) { opened << ref; });
        auto area = makeArea(f, &navigator);
        QVERIFY(QTest::qWaitForWindowExposed(area.get()));
        QTRY_COMPARE_WITH_TIMEOUT(area->versionProxy()->rowCount(), 3, kTimeoutMs);
        QCOMPARE(area->selectedVersion(), 2);
        ui::LineageGraphView *graph = area->lineageView();
        QCOMPARE(graph->nodes().size(), 6);
        auto click = [&](const QString &kind, const QString &id) {
            for (int i = 0; i < graph->nodes().size(); ++i) {
                if (graph->nodes()[i].kind == kind && graph->nodes()[i].id == id) {
                    QTest::mouseClick(graph->viewport(), Qt::LeftButton, {}, graph->nodeCenter(i));
                    return true;
                }
            }
            return false;
        };
        QVERIFY(click(QStringLiteral("dataset"), QStringLiteral("data/transactions.csv")));
        QVERIFY(click(QStringLiteral("run"), QString::fromLatin1(testing::kPipelineRun)));
        QVERIFY(click(QStringLiteral("run"), QString::fromLatin1(testing::kStageRun)));
        QVERIFY(click(QStringLiteral("run"), QString::fromLatin1(testing::kTrainRunV2)));
        QCOMPARE(opened.size(), 4);
        QCOMPARE(opened[0], (ui::ObjectRef{QStringLiteral("dataset"), QStringLiteral("data/transactions.csv")}));
        QCOMPARE(opened[1], (ui::ObjectRef{QStringLiteral("run"), QString::fromLatin1(testing::kPipelineRun)}));
        QCOMPARE(opened[2], (ui::ObjectRef{QStringLiteral("run"), QString::fromLatin1(testing::kStageRun)}));
        QCOMPARE(opened[3], (ui::ObjectRef{QStringLiteral("run"), QString::fromLatin1(testing::kTrainRunV2)}));

        // The area opens model versions for the others: "NAME/VERSION".
        QVERIFY(navigator.canOpen(QStringLiteral("model_version")));
        QVERIFY(navigator.open({QStringLiteral("model_version"), QStringLiteral("fraud/1")}));
        QTRY_COMPARE_WITH_TIMEOUT(area->selectedVersion(), 1, kTimeoutMs);
        QVERIFY(area->detailView()->toPlainText().contains(QLatin1String("fraud v1")));
    }

    void aVersionRegisteredBehindItsBackAppearsWithinAPoll()
    {
        Fixture f;
        QVERIFY(testing::buildFraudRegistry(f.db(), f.cache(), f.scratch()));
        auto area = makeArea(f);
        QVERIFY(QTest::qWaitForWindowExposed(area.get()));
        QTRY_COMPARE_WITH_TIMEOUT(area->versionProxy()->rowCount(), 3, kTimeoutMs);
        area->selectVersion(3);
        // As `orrery-cli models register` would: another connection, another writer.
        QCOMPARE(testing::addFraudVersion(f.db(), f.cache(), f.scratch(), 4, registry::Validation::Passed), 4);
        QTRY_COMPARE_WITH_TIMEOUT(area->versionProxy()->rowCount(), 4, 3 * ui::RegistryArea::kPollIntervalMs + 2000);
        QCOMPARE(area->modelView()->topLevelItem(0)->text(3), QStringLiteral("v4")); // the new challenger
        QCOMPARE(area->selectedVersion(), 3); // the selection stays
    }
};

QTEST_MAIN(TstRegistryArea)
#include "tst_registry_area.moc"
