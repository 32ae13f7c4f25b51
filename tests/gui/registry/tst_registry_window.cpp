// The Registry area inside the workbench window (Xvfb, 1600x1000): a workspace whose registry holds
// model "fraud" (v1 champion, v2 challenger, v3 failed a gate), the Registry mode chosen by its
// button, the challenger selected with its lineage graph. A run node of the graph brings the
// Experiments area to the front through the window's Navigator, "model_version" brings the
// Registry back, and Compare's "Diff the runs" opens Experiments' Diff tab on the two versions' runs. With ORRERY_SCREENSHOT_DIR set it saves registry.png there (the README's).
#include "core/workspace/workspace.h"
#include "tests/gui/registry/registry_fixture.h"
#include "ui/common/navigator.h"
#include "ui/experiments/experiment_area.h"
#include "ui/experiments/run_diff_view.h"
#include "ui/registry/lineage_graph_view.h"
#include "ui/registry/registry_area.h"
#include "core/store/database_worker.h"
#include "ui/shell/main_window.h"
#include "ui/shell/mode_bar.h"

#include <QDockWidget>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

using namespace orrery;

namespace {
constexpr int kTimeoutMs = 20000;
}

class TstRegistryWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void registryInTheWindow()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString root = dir.filePath(QStringLiteral("fraud-detection"));
        QVERIFY(QDir().mkpath(root));
        QVERIFY(workspace::Workspace::init(root).isOk());
        QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("scratch"))));
        QVERIFY(testing::buildFraudRegistry(workspace::Workspace::databasePathFor(root), root + QStringLiteral("/.orrery/cache"),
                                            dir.filePath(QStringLiteral("scratch"))));

        ui::MainWindow window;
        window.resize(1600, 1000);
        window.show();
        window.openWorkspace(root);
        QTRY_VERIFY_WITH_TIMEOUT(window.isWorkspaceOpen(), kTimeoutMs);
        QTest::mouseClick(window.modeBar()->buttonAt(3), Qt::LeftButton);
        auto *area = qobject_cast<ui::RegistryArea *>(window.areaStack()->currentWidget());
        QVERIFY(area);
        QTRY_VERIFY_WITH_TIMEOUT(area->isShowingModels(), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(area->versionProxy()->rowCount(), 3, kTimeoutMs);
        QCOMPARE(area->selectedVersion(), 2);
        QCOMPARE(area->lineageView()->nodes().size(), 6);

        const QString shots = qEnvironmentVariable("ORRERY_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            if (auto *dock = window.findChild<QDockWidget *>())
                dock->hide(); // room for the versions and the graph
            QTest::qWait(800); // Xvfb paints asynchronously
            QVERIFY(window.grab().save(shots + QStringLiteral("/registry.png")));
            // The other pages, to look at: a blocked promotion, the comparison, the history, the card.
            area->selectVersion(3);
            area->tabs()->setCurrentIndex(2);
            QTest::qWait(300);
            QVERIFY(window.grab().save(shots + QStringLiteral("/registry-blocked-compare.png")));
            area->tabs()->setCurrentIndex(3);
            QTest::qWait(300);
            QVERIFY(window.grab().save(shots + QStringLiteral("/registry-history.png")));
            area->tabs()->setCurrentIndex(1);
            QTest::qWait(300);
            QVERIFY(window.grab().save(shots + QStringLiteral("/registry-card.png")));
            area->tabs()->setCurrentIndex(4);
            QTest::qWait(300);
            QVERIFY(window.grab().save(shots + QStringLiteral("/registry-webhooks.png")));
            area->tabs()->setCurrentIndex(0);
            area->selectVersion(2);
            if (auto *dock = window.findChild<QDockWidget *>())
                dock->show();
        }

        // A training-run node opens the run in Experiments, which comes to the front.
        ui::LineageGraphView *graph = area->lineageView();
        int runNode = -1;
        for (int i = 0; i < graph->nodes().size(); ++i)
            if (graph->nodes()[i].id == QString::fromLatin1(testing::kTrainRunV2))
                runNode = i;
        QVERIFY(runNode >= 0);
        QTest::mouseClick(graph->viewport(), Qt::LeftButton, {}, graph->nodeCenter(runNode));
        QTRY_COMPARE_WITH_TIMEOUT(window.areaStack()->currentWidget()->objectName(), QStringLiteral("area.experiments"), kTimeoutMs);
        // And a model version opens back in the Registry.
        QVERIFY(window.navigator()->open({QStringLiteral("model_version"), QStringLiteral("fraud/3")}));
        QCOMPARE(window.areaStack()->currentWidget(), area);
        QTRY_COMPARE_WITH_TIMEOUT(area->selectedVersion(), 3, kTimeoutMs);

        // Compare v1 with v2, then "Diff the runs": the Experiments area's Diff tab on both runs.
        area->selectVersion(2);
        area->tabs()->setCurrentIndex(2);
        auto *diffButton = area->findChild<QPushButton *>(QStringLiteral("diffRuns"));
        QVERIFY(diffButton);
        QTRY_VERIFY_WITH_TIMEOUT(diffButton->isVisible() && diffButton->isEnabled(), kTimeoutMs);
        QTest::mouseClick(diffButton, Qt::LeftButton);
        auto *experiments = window.findChild<ui::ExperimentArea *>();
        QVERIFY(experiments);
        QTRY_COMPARE_WITH_TIMEOUT(window.areaStack()->currentWidget(), experiments, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(experiments->tabs()->currentWidget(), experiments->diffView(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(experiments->diffView()->hasComparison(), kTimeoutMs);
        QStringList compared{experiments->diffView()->comparison().a.info.runId, experiments->diffView()->comparison().b.info.runId};
        compared.sort();
        QCOMPARE(compared, (QStringList{QString::fromLatin1(testing::kTrainRunV1), QString::fromLatin1(testing::kTrainRunV2)}));
    }
};

QTEST_MAIN(TstRegistryWindow)
#include "tst_registry_window.moc"
