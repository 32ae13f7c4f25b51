// Opening another area's object goes through the window's Navigator: in the demo workspace the
// pipeline editor runs its load stage; the run panel's "Open run in Experiments" click asks the
// Navigator for the stage's run, the window switches to Experiments and the run is selected there
// — also when a filter hid it. With another handler registered for runs, the same click reaches
// that handler and the window stays where it was: the editor knows no other way to Experiments.
// A continuous-training iteration's pipeline run opens in Experiments from the Automation area, and
// an iteration opens in Automation.

#include "core/ct/iteration_store.h"
#include "core/demo/demo_workspace.h"
#include "core/pipeline/pipeline_model.h"
#include "core/store/database.h"
#include "core/workspace/workspace.h"
#include "ui/automation/automation_area.h"
#include "ui/automation/iteration_panel.h"
#include "ui/automation/iteration_table_model.h"
#include "ui/data/data_area.h"
#include "ui/data/dataset_list_model.h"
#include "ui/common/navigator.h"
#include "ui/experiments/experiment_area.h"
#include "ui/experiments/run_table_model.h"
#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_editor.h"
#include "ui/pipeline/pipeline_scene.h"
#include "ui/pipeline/stage_node_item.h"
#include "ui/pipeline/stage_run_panel.h"
#include "ui/shell/main_window.h"
#include "ui/shell/mode_bar.h"

#include <QAction>
#include <QItemSelectionModel>
#include <QLabel>
#include <QTableView>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTreeView>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::ui;

namespace {
// Each wait: the run of one stage of a 5,000-row demo takes about a second here; seven such waits
// at most stay inside the test's CTest TIMEOUT (300 s) even when every one of them fails.
constexpr int kTimeoutMs = 30000;

// The run ids selected in the Experiments area's table.
QStringList selectedRunIds(ExperimentArea *area)
{
    QStringList ids;
    for (const QModelIndex &i : area->runView()->selectionModel()->selectedRows())
        ids << area->runModel()->runId(i);
    return ids;
}
} // namespace

class TstOpenAcrossAreas : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::unique_ptr<MainWindow> m_window;
    PipelineEditor *m_editor = nullptr;
    ExperimentArea *m_experiments = nullptr;
    QString m_runId;

    void showArea(QWidget *area)
    {
        m_window->modeBar()->setCurrentIndex(m_window->areaStack()->indexOf(area));
        QCOMPARE(m_window->areaStack()->currentWidget(), area);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
        demo::DemoOptions o;
        o.rows = 5000;
        o.trainer = demo::DemoTrainer::Baseline; // the load stage is a built-in either way
        const QString root = m_tmp.filePath(QStringLiteral("demo"));
        auto demo = demo::createDemoWorkspace(root, o);
        QVERIFY2(demo.isOk(), qPrintable(demo.status().message()));

        m_window = std::make_unique<MainWindow>();
        m_window->setErrorHandler([](const QString &title, const QString &message) {
            QFAIL(qPrintable(title + QStringLiteral(": ") + message));
        });
        m_window->resize(1600, 1000);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_window->openWorkspace(root);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->isWorkspaceOpen(), kTimeoutMs);
        m_editor = m_window->findChild<PipelineEditor *>();
        m_experiments = m_window->findChild<ExperimentArea *>();
        QVERIFY(m_editor && m_experiments);
        QTRY_VERIFY_WITH_TIMEOUT(m_editor->document()->model()->nodeByName(QStringLiteral("load")) != 0, kTimeoutMs);
    }

    void theStageRunOpensInExperiments()
    {
        // Experiments seen once before the run: its list and table are older than the run.
        showArea(m_experiments);
        showArea(m_editor);
        const pipeline::NodeId load = m_editor->document()->model()->nodeByName(QStringLiteral("load"));
        m_editor->scene()->nodeItem(load)->setSelected(true);
        StageRunPanel *panel = m_editor->runPanel();
        QVERIFY(panel->openRunButton()->isHidden()); // not run yet: no run to open
        QSignalSpy finished(m_editor, &PipelineEditor::runFinished);
        m_editor->action(QStringLiteral("runSelected"))->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, kTimeoutMs);
        QVERIFY2(finished.first().first().toBool(), qPrintable(m_editor->message()));
        m_runId = panel->runId();
        QVERIFY(!m_runId.isEmpty());
        m_window->findChild<QTabWidget *>(QStringLiteral("pipelineSide"))->setCurrentWidget(panel);
        QTRY_VERIFY(panel->openRunButton()->isVisible());

        QSignalSpy opening(m_window->navigator(), &Navigator::opening);
        QTest::mouseClick(panel->openRunButton(), Qt::LeftButton);
        QCOMPARE(opening.size(), 1);
        QCOMPARE(opening.first().at(0).value<ObjectRef>(), (ObjectRef{QStringLiteral("run"), m_runId}));
        QCOMPARE(opening.first().at(1).value<QWidget *>(), m_experiments);
        QCOMPARE(m_window->areaStack()->currentWidget(), m_experiments);
        QTRY_COMPARE_WITH_TIMEOUT(selectedRunIds(m_experiments), QStringList{m_runId}, kTimeoutMs);
    }

    void aFilterThatHidesTheRunIsCleared()
    {
        QVERIFY(!m_runId.isEmpty());
        m_experiments->applyFilter(QStringLiteral("params.nothing = 'here'"));
        QTRY_COMPARE_WITH_TIMEOUT(m_experiments->runModel()->rowCount(), 0, kTimeoutMs);
        showArea(m_editor);
        QTest::mouseClick(m_editor->runPanel()->openRunButton(), Qt::LeftButton);
        QCOMPARE(m_window->areaStack()->currentWidget(), m_experiments);
        QTRY_COMPARE_WITH_TIMEOUT(selectedRunIds(m_experiments), QStringList{m_runId}, kTimeoutMs);
        QVERIFY(m_experiments->filterEdit()->text().isEmpty());
    }

    // An iteration of the loop whose pipeline run is the stage's run: Open pipeline run in the
    // Automation area brings Experiments to the front with it selected; "ct_iteration" brings
    // Automation back with that iteration shown.
    void anIterationsRunOpensInExperiments()
    {
        QVERIFY(!m_runId.isEmpty());
        qint64 id = 0;
        {
            auto db = store::Database::open(workspace::Workspace::databasePathFor(m_window->workspaceRoot()));
            QVERIFY(db.isOk());
            ct::IterationStore iterations(**db);
            ct::NewIteration n;
            n.triggerKind = QStringLiteral("manual");
            n.triggerDetail = QStringLiteral("asked for by the test");
            n.model = QStringLiteral("fraud");
            n.endpoint = QStringLiteral("fraud");
            auto i = iterations.create(n);
            QVERIFY2(i.isOk(), qPrintable(i.status().message()));
            id = i->id;
            ct::Iteration made = *i;
            made.pipelineRun = m_runId;
            QVERIFY(iterations.update(made).isOk());
            QVERIFY(iterations.finish(id, ct::outcome::kStopped, QStringLiteral("ran as far as asked")).isOk());
        }
        auto *automation = m_window->findChild<AutomationArea *>();
        QVERIFY(automation);
        showArea(automation);
        QTRY_COMPARE_WITH_TIMEOUT(automation->iterationPanel()->iterationId(), id, kTimeoutMs);
        QPushButton *open = automation->iterationPanel()->openRunButton();
        QTRY_VERIFY_WITH_TIMEOUT(open->isEnabled(), kTimeoutMs);
        QTest::mouseClick(open, Qt::LeftButton);
        QCOMPARE(m_window->areaStack()->currentWidget(), m_experiments);
        QTRY_COMPARE_WITH_TIMEOUT(selectedRunIds(m_experiments), QStringList{m_runId}, kTimeoutMs);

        QVERIFY(m_window->navigator()->open({QStringLiteral("ct_iteration"), QString::number(id)}));
        QCOMPARE(m_window->areaStack()->currentWidget(), automation);
        QCOMPARE(automation->selectedIteration(), id);
    }

    void theClickReachesWhicheverAreaHandlesRuns()
    {
        // Another handler for runs: the editor's click ends there, not in the Experiments area.
        QWidget elsewhere;
        QList<ObjectRef> opened;
        m_window->navigator()->registerHandler(QStringLiteral("run"), &elsewhere, [&](const ObjectRef &ref) { opened << ref; });
        showArea(m_editor);
        QTest::mouseClick(m_editor->runPanel()->openRunButton(), Qt::LeftButton);
        QCOMPARE(opened, QList<ObjectRef>{(ObjectRef{QStringLiteral("run"), m_runId})});
        QCOMPARE(m_window->areaStack()->currentWidget(), m_editor); // `elsewhere` is no area of the window
    }

    // A model's lineage names its data by path: the Data area comes to the front with that
    // dataset selected; a pipeline's working file, which is no dataset, is said so.
    void aDatasetOpensInTheDataArea()
    {
        auto *data = m_window->findChild<DataArea *>();
        QVERIFY(data);
        showArea(m_editor);
        QVERIFY(m_window->navigator()->open({QStringLiteral("dataset"), QStringLiteral("data/transactions.csv")}));
        QCOMPARE(m_window->areaStack()->currentWidget(), data);
        auto selectedPath = [data] {
            const QModelIndexList rows = data->datasetView()->selectionModel()->selectedRows();
            return rows.isEmpty() ? QString() : rows.first().data(DatasetListModel::PathRole).toString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(selectedPath(), QStringLiteral("data/transactions.csv"), kTimeoutMs);
        QVERIFY(m_window->navigator()->open({QStringLiteral("dataset"), QStringLiteral("work/train.csv")}));
        QLabel *note = nullptr;
        for (QLabel *l : data->findChildren<QLabel *>())
            if (l->text().contains(QLatin1String("work/train.csv")))
                note = l;
        QVERIFY2(note && note->text().contains(QLatin1String("not a dataset")), "no note names the working file");
        QCOMPARE(selectedPath(), QStringLiteral("data/transactions.csv"));
    }

    void cleanupTestCase()
    {
        m_window.reset();
    }
};

QTEST_MAIN(TstOpenAcrossAreas)
#include "tst_open_across_areas.moc"
