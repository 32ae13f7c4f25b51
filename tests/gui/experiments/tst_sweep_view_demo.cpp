// The Sweep tab on a real sweep (issue 19's user story, the GUI half): `orrery-cli demo DIR`, its
// pipeline run once (`orrery-cli run`: the training split and a registered model, "fraud"), then a
// real sweep over the demo's train.yaml (`orrery-cli tune sweep.yaml`: TPE, the median pruner,
// four trials two at a time, each one orrery-train). The window is opened on DIR as a user opens
// it afterwards: the Experiments mode, a click on the sweep's experiment, one on the sweep's run, the Sweep tab with every trial
// and the best one; a click on "Train the best configuration" trains it again for real (a run of its
// own, with a model); a click on "Register it" registers that run's model under the name the
// experiment already registers ("fraud"), as version 2. Saves sweep-view.png (1600×1000, the
// README's screenshot) in the build's screenshots/ folder; ORRERY_SCREENSHOT_TRIALS=N runs N trials
// instead of 4 (the README's was taken with 30).
#include "core/store/database.h"
#include "core/workspace/workspace.h"
#include "tests/support/test_support.h"
#include "ui/experiments/experiment_area.h"
#include "ui/experiments/run_table_model.h"
#include "ui/experiments/sweep_actions.h"
#include "ui/experiments/sweep_trial_model.h"
#include "ui/experiments/sweep_view.h"
#include "ui/shell/main_window.h"
#include "ui/shell/mode_bar.h"

#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeView>
#include <QtTest>

using namespace orrery;

namespace {
constexpr int kTimeoutMs = 30000;
constexpr int kTrainingMs = 300000;
} // namespace

class TstSweepViewDemo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void trainAndRegisterTheBestOfARealSweep()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString root = tmp.filePath(QStringLiteral("demo"));
        testing::ProcessOptions slow;
        slow.timeoutMs = 600000;
        auto r = testing::runCli({QStringLiteral("demo"), root}, slow);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        slow.workingDirectory = root;
        r = testing::runCli({QStringLiteral("run")}, slow);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const int trials
            = qEnvironmentVariableIsSet("ORRERY_SCREENSHOT_TRIALS") ? qEnvironmentVariableIntValue("ORRERY_SCREENSHOT_TRIALS") : 4;
        testing::writeFile(root + QStringLiteral("/sweep.yaml"),
            QStringLiteral(R"(name: lr-hidden
train: train.yaml
metric: val_pr_auc
trials: %1
parallel: 2
sampler: {type: tpe, seed: 1, startup_trials: 5}
pruner: {type: median, startup_trials: 3}
params:
  optimizer.lr: {type: float, low: 1.0e-4, high: 0.1, log: true}
  model.hidden: {type: categorical, choices: [[32, 16], [64, 32], [16]]}
  model.dropout: {type: float, low: 0.0, high: 0.5, step: 0.05}
)")
                .arg(trials)
                .toUtf8());
        r = testing::runCli({QStringLiteral("tune"), QStringLiteral("sweep.yaml"), QStringLiteral("--json")}, slow);
        QVERIFY2(r.ok(), qPrintable(r.describe()));

        ui::MainWindow window;
        window.resize(1600, 1000);
        window.show();
        window.openWorkspace(root);
        QTRY_VERIFY_WITH_TIMEOUT(window.isWorkspaceOpen(), kTimeoutMs);
        QTest::mouseClick(window.modeBar()->buttonAt(2), Qt::LeftButton);
        auto *area = qobject_cast<ui::ExperimentArea *>(window.areaStack()->currentWidget());
        QVERIFY(area);
        ui::SweepView *view = area->sweepView();
        // The test runs beside the build's tests, not beside orrery-cli as the window does.
        view->setCliDir(QFileInfo(testing::cliPath()).absolutePath());
        QTRY_VERIFY_WITH_TIMEOUT(area->isShowingRuns(), kTimeoutMs);
        // The sweep's runs are in its training config's experiment (fraud-pipeline); the area opens
        // on the experiment with the most runs (the pipeline's): the user clicks the other one.
        QListView *experiments = area->experimentView();
        int fraud = -1;
        for (int r = 0; r < experiments->model()->rowCount(); ++r)
            if (experiments->model()->index(r, 0).data().toString().startsWith(QStringLiteral("fraud-pipeline")))
                fraud = r;
        QVERIFY(fraud >= 0);
        QTest::mouseClick(experiments->viewport(), Qt::LeftButton, Qt::NoModifier,
            experiments->visualRect(experiments->model()->index(fraud, 0)).center());

        // The sweep's run: the top-level run named after the sweep.
        QString sweepRun;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const QString &id : area->runModel()->runIds())
                    if (const tracking::RunRow *row = area->runModel()->cachedRow(area->runModel()->indexOfRun(id));
                        row && row->info.runName == QLatin1String("lr-hidden"))
                        sweepRun = id;
                return !sweepRun.isEmpty();
            }(),
            kTimeoutMs);
        QTreeView *runs = area->runView();
        const QModelIndex row = area->runModel()->indexOfRun(sweepRun);
        runs->scrollTo(row);
        QTest::mouseClick(runs->viewport(), Qt::LeftButton, Qt::NoModifier, runs->visualRect(row).center());
        QTRY_COMPARE_WITH_TIMEOUT(area->tabs()->currentWidget(), static_cast<QWidget *>(view), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(view->trialModel()->rowCount(), trials, kTimeoutMs);
        QVERIFY(!view->snapshot()->isRunning());
        QVERIFY(view->snapshot()->summary.bestTrial.has_value());
        const int best = *view->snapshot()->summary.bestTrial;
        QVERIFY(view->summaryLabel()->text().contains(QStringLiteral("best: trial %1").arg(best)));

        // Every trial logged its model: Register it is ready before any retraining, for the best
        // trial's own run; the name is the model the demo's pipeline registers.
        ui::SweepActions *actions = view->actions();
        QTRY_VERIFY_WITH_TIMEOUT(actions->registerButton()->isEnabled(), kTimeoutMs);
        QCOMPARE(actions->registerRunId(), view->snapshot()->bestRunId);
        QCOMPARE(actions->nameEdit()->text(), QStringLiteral("fraud"));

        QSignalSpy finished(actions, &ui::SweepActions::finished);
        QVERIFY(actions->trainButton()->isEnabled());
        QTest::mouseClick(actions->trainButton(), Qt::LeftButton);
        QVERIFY(!actions->registerButton()->isEnabled()); // one process at a time
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTrainingMs);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(actions->statusLabel()->text()));
        const QString trainedRun = actions->registerRunId();
        QVERIFY(trainedRun != view->snapshot()->bestRunId); // the run just trained, not the trial's
        QVERIFY2(actions->statusLabel()->text().startsWith(
                     QStringLiteral("Trained trial %1's configuration: run %2, val_pr_auc ").arg(best).arg(trainedRun.left(8))),
            qPrintable(actions->statusLabel()->text()));

        QTest::mouseClick(actions->registerButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kTimeoutMs);
        QVERIFY2(finished.last().at(0).toBool(), qPrintable(actions->statusLabel()->text()));
        QVERIFY2(actions->statusLabel()->text().startsWith(QStringLiteral("Registered fraud version 2")),
            qPrintable(actions->statusLabel()->text()));
        {
            auto db = store::Database::open(workspace::Workspace::databasePathFor(root));
            QVERIFY(db);
            auto q = (*db)->prepare(QStringLiteral("SELECT run_id FROM model_versions WHERE name = 'fraud' AND version = 2"));
            QVERIFY(q);
            QVERIFY(q->next());
            QCOMPARE(q->text(0), trainedRun);
        }

        if (auto *dock = window.findChild<QDockWidget *>())
            dock->hide(); // room for the sweep
        QTest::qWait(800); // let the window settle (Xvfb paints asynchronously)
        const QString shots = QStringLiteral(ORRERY_BINARY_DIR "/screenshots");
        QDir().mkpath(shots);
        QVERIFY(window.grab().save(shots + QStringLiteral("/sweep-view.png")));
    }
};

QTEST_MAIN(TstSweepViewDemo)
#include "tst_sweep_view_demo.moc"
