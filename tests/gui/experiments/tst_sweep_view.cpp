// The Experiments area's Sweep tab (issue 19, part 3) over a workspace whose sweep is written
// through SweepStore as `orrery-cli tune` writes one (sweep_fixture.h: 40 trials — complete,
// pruned at known steps, failed with a reason, one still running — each trial's run a child of the
// sweep's run). As a user meets it: a click on the sweep's run in the runs table brings the Sweep
// tab forward with the trial table (values, states, pruned and failed rows marked, a failed trial's
// reason as its tooltip), the best value, pruned trials' ends marked at their steps, lr ranked the
// most important parameter (the objective is built so), the plots on the space's scales; a trial
// written while the view is open appears within seconds and becomes the best; "Train the best
// configuration" runs orrery-cli and shows how it ended; "Register it" is enabled once the best
// run has a model and registers it for real; selecting a trial's run selects its row; a run that is
// not a sweep's says so. Under Xvfb; screenshots in the build's screenshots/ folder.

#include "core/store/database.h"
#include "core/store/database_worker.h"
#include "core/tracking/artifact_store.h"
#include "core/tracking/tracking_store.h"
#include "core/tune/sweep_runner.h"
#include "core/tune/sweep_store.h"
#include "core/workspace/workspace.h"
#include "sweep_fixture.h"
#include "tests/support/test_support.h"
#include "ui/common/area_catalog.h"
#include "ui/experiments/experiment_area.h"
#include "ui/experiments/run_parallel_coordinates.h"
#include "ui/experiments/run_table_model.h"
#include "ui/experiments/sweep_actions.h"
#include "ui/experiments/sweep_history_plot.h"
#include "ui/experiments/sweep_importance_bars.h"
#include "ui/experiments/sweep_slice_plot.h"
#include "ui/experiments/sweep_steps_plot.h"
#include "ui/experiments/sweep_trial_model.h"
#include "ui/experiments/sweep_view.h"

#include <QBrush>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include <cmath>

using namespace orrery;
using ui::ExperimentArea;
using ui::SweepTrialModel;

namespace {
constexpr int kTimeoutMs = 20000;

ui::AreaInfo experimentsInfo()
{
    for (const auto &a : ui::workbenchAreas())
        if (a.area == ui::Area::Experiments)
            return a;
    qFatal("no Experiments area in the catalogue");
}

QString screenshotPath(const QString &name)
{
    const QString dir = QStringLiteral(ORRERY_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir + QLatin1Char('/') + name;
}

template <typename T> T check(Result<T> r)
{
    if (!r)
        qFatal("set-up: %s", qPrintable(r.status().message()));
    return std::move(*r);
}

void check(const Status &s)
{
    if (!s)
        qFatal("set-up: %s", qPrintable(s.message()));
}
} // namespace

class TstSweepView : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_root;
    testing::SweepFixture m_fixture;
    QString m_notebookRun;
    QString m_newBestRun; // trial 40's, written while the view is open
    std::unique_ptr<ExperimentArea> m_area;

    ui::SweepView *view() const { return m_area->sweepView(); }
    SweepTrialModel *trials() const { return view()->trialModel(); }

    QString cell(int trial, int column, int role = Qt::DisplayRole) const
    {
        const int row = trials()->rowOfTrial(trial);
        return row < 0 ? QStringLiteral("(no row)") : trials()->index(row, column).data(role).toString();
    }

    std::unique_ptr<store::Database> openDb() const { return check(store::Database::open(workspace::Workspace::databasePathFor(m_root))); }

    void waitIdle()
    {
        QTRY_VERIFY_WITH_TIMEOUT(
            !view()->isLoading() && m_area->sweepWorker()->pending() == 0 && m_area->tableWorker()->pending() == 0, kTimeoutMs);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_root = m_dir.filePath(QStringLiteral("ws"));
        QVERIFY(QDir().mkpath(m_root));
        QVERIFY(workspace::Workspace::init(m_root).isOk());
        auto db = openDb();
        testing::SweepFixtureOptions o;
        o.trials = 40;
        o.running = 1;
        o.root = m_root;
        m_fixture = check(testing::writeSweepFixture(*db, o));
        QVERIFY(m_fixture.bestTrial >= 0);
        QVERIFY(m_fixture.pruned.size() >= 5);
        QVERIFY(m_fixture.failed.size() >= 3);
        // The running trial is a Slurm array task: the view reads its job from the trial's row.
        QVERIFY(tune::SweepStore(*db).setTrialJob(m_fixture.sweepId, m_fixture.running.first(), QStringLiteral("running · slurm job 41_39 on n1")).isOk());
        tracking::TrackingStore tracking(*db);
        m_notebookRun = check(tracking.createRun(m_fixture.experimentId, QStringLiteral("notebook"))).runId;

        m_area = std::make_unique<ExperimentArea>(experimentsInfo());
        view()->setCliDir(QFileInfo(QStringLiteral(ORRERY_CLI_PATH)).absolutePath());
        m_area->setWorkspaceRoot(m_root);
        m_area->resize(1600, 1000);
        m_area->show();
        // The sweep's run (its 40 trials under it) and the notebook run.
        QTRY_COMPARE_WITH_TIMEOUT(m_area->runModel()->rowCount(), 2, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(
            m_area->runModel()->cachedRow(m_area->runModel()->indexOfRun(m_fixture.sweepRunId)) != nullptr, kTimeoutMs);
    }

    // A click on the sweep's run brings the Sweep tab forward with the sweep's trials.
    void clickingTheSweepRunShowsItsSweep()
    {
        QCOMPARE(m_area->tabs()->currentWidget() == view(), false);
        QTreeView *runs = m_area->runView();
        const QModelIndex row = m_area->runModel()->indexOfRun(m_fixture.sweepRunId);
        QVERIFY(row.isValid());
        runs->scrollTo(row);
        QTest::mouseClick(runs->viewport(), Qt::LeftButton, Qt::NoModifier, runs->visualRect(row).center());
        QTRY_COMPARE_WITH_TIMEOUT(m_area->tabs()->currentWidget(), static_cast<QWidget *>(view()), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(view()->hasSweep(), kTimeoutMs);
        waitIdle();
        QCOMPARE(trials()->rowCount(), 40);
        QCOMPARE(view()->sweepId(), m_fixture.sweepId);

        QStringList headers;
        for (int c = 0; c < trials()->columnCount(); ++c)
            headers << trials()->headerData(c, Qt::Horizontal).toString();
        QCOMPARE(headers,
            (QStringList{QStringLiteral("#"), QStringLiteral("State"), QStringLiteral("val_pr_auc"), QStringLiteral("Steps"),
                QStringLiteral("Duration"), QStringLiteral("optimizer.lr"), QStringLiteral("model.hidden"),
                QStringLiteral("model.dropout")}));

        // The best value is shown, and its row is bold.
        const QString best = QString::number(m_fixture.bestValue, 'g', 6);
        const QString summary = view()->summaryLabel()->text();
        QVERIFY2(
            summary.contains(QStringLiteral("best: trial %1").arg(m_fixture.bestTrial)) && summary.contains(best), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral("1 running")), qPrintable(summary));
        QCOMPARE(cell(m_fixture.bestTrial, SweepTrialModel::ValueColumn), best);
        QVERIFY(trials()->index(trials()->rowOfTrial(m_fixture.bestTrial), 0).data(Qt::FontRole).value<QFont>().bold());

        // Params as the space writes them: the categorical by its choice.
        const tune::Point p = testing::sweepFixturePoint(1, 3);
        const QString hidden = cell(3, SweepTrialModel::kFixedColumns + 1);
        QVERIFY2(hidden.startsWith(QLatin1Char('[')) && hidden.endsWith(QLatin1Char(']')), qPrintable(hidden));
        QCOMPARE(cell(3, SweepTrialModel::kFixedColumns), QString::number(p[0], 'g', 4));

        // Failed trials: marked, their reason as the tooltip.
        for (int n : std::as_const(m_fixture.failed)) {
            QCOMPARE(cell(n, SweepTrialModel::StateColumn), QStringLiteral("failed"));
            QVERIFY(cell(n, SweepTrialModel::StateColumn, Qt::ToolTipRole).contains(QStringLiteral("the loss became NaN at epoch 2")));
            QCOMPARE(
                trials()->index(trials()->rowOfTrial(n), 0).data(Qt::ForegroundRole).value<QBrush>().color(), QColor(0xc6, 0x28, 0x28));
        }
        // Pruned trials: marked, with the step they stopped at.
        for (int i = 0; i < m_fixture.pruned.size(); ++i) {
            const int n = m_fixture.pruned[i];
            QCOMPARE(cell(n, SweepTrialModel::StateColumn), QStringLiteral("pruned at step %1").arg(m_fixture.prunedAtStep[i]));
            QCOMPARE(cell(n, SweepTrialModel::StepsColumn), QString::number(m_fixture.prunedAtStep[i]));
            QVERIFY(
                trials()->index(trials()->rowOfTrial(n), 0).data(Qt::ForegroundRole).value<QBrush>().color() != QColor(0xc6, 0x28, 0x28));
            QVERIFY(trials()->index(trials()->rowOfTrial(n), 0).data(Qt::ForegroundRole).isValid());
        }
        QCOMPARE(cell(m_fixture.running.first(), SweepTrialModel::StateColumn), QStringLiteral("running · slurm job 41_39 on n1"));
        view()->grab().save(screenshotPath(QStringLiteral("sweep-view-steps.png")));
    }

    // Each pruned trial's line ends with a cross at the step and value where it was stopped.
    void prunedTrialsMarkedWhereTheyStopped()
    {
        const auto marks = view()->stepsPlot()->prunedMarks();
        QCOMPARE(marks.size(), m_fixture.pruned.size());
        for (int i = 0; i < m_fixture.pruned.size(); ++i) {
            const int n = m_fixture.pruned[i];
            const auto it = std::find_if(marks.begin(), marks.end(), [n](const auto &m) { return m.number == n; });
            QVERIFY2(it != marks.end(), qPrintable(QStringLiteral("no mark for pruned trial %1").arg(n)));
            QCOMPARE(int(it->at.x()), m_fixture.prunedAtStep[i]);
            const tune::Trial *t = trials()->trialAt(trials()->rowOfTrial(n));
            QVERIFY(t && t->value);
            QCOMPARE(it->at.y(), *t->value);
        }
        // Every trial that reported a value has a line (40 ≤ the newest 200 drawn).
        QCOMPARE(view()->stepsPlot()->drawnTrials().size(), 40);
    }

    // The objective is driven by lr (a peak at 10^-2.5), a little by hidden, not by dropout.
    void importanceRanksTheDrivingParameterFirst()
    {
        const QStringList ranked = view()->importanceBars()->rankedNames();
        QCOMPARE(ranked.size(), 3);
        QCOMPARE(ranked.first(), QStringLiteral("optimizer.lr"));
        const tune::ImportanceResult &r = view()->importanceBars()->importance();
        QVERIFY2(r.params[0].share > 0.6, qPrintable(QString::number(r.params[0].share)));
        QCOMPARE(r.trials, 40 - m_fixture.pruned.size() - m_fixture.failed.size() - 1);
    }

    // The plots use the space's scales; the best-so-far line ends at the best value.
    void plotsOnTheSpaceScales()
    {
        QVERIFY(view()->slicePlot()->isLogSlice(QStringLiteral("optimizer.lr")));
        QVERIFY(!view()->slicePlot()->isLogSlice(QStringLiteral("model.dropout")));
        QCOMPARE(view()->slicePlot()->slicedParams(),
            (QStringList{QStringLiteral("optimizer.lr"), QStringLiteral("model.hidden"), QStringLiteral("model.dropout")}));
        const auto best = view()->historyPlot()->bestSoFar();
        QVERIFY(!best.isEmpty());
        QCOMPARE(best.last().y(), m_fixture.bestValue);
        QCOMPARE(int(best.last().x()), 39); // the line runs to the newest trial
        for (int i = 1; i < best.size(); ++i)
            QVERIFY(best[i].y() >= best[i - 1].y()); // maximised: never down
        const QStringList axes = view()->parallelView()->axisNames();
        QVERIFY2(axes.contains(QStringLiteral("params.optimizer.lr")) && axes.last() == QStringLiteral("metrics.val_pr_auc"),
            qPrintable(axes.join(u',')));
        QVERIFY(view()->parallelView()->isLogAxis(int(axes.indexOf(QStringLiteral("params.optimizer.lr")))));
        for (int tab = 0; tab < view()->chartTabs()->count(); ++tab) {
            view()->chartTabs()->setCurrentIndex(tab);
            QTest::qWait(200);
            view()->grab().save(screenshotPath(QStringLiteral("sweep-view-tab%1.png").arg(tab)));
        }
        view()->chartTabs()->setCurrentIndex(0);
    }

    // A click on the value's header sorts the trials; trials with no value stay last.
    void sortsByValue()
    {
        QHeaderView *header = view()->trialView()->horizontalHeader();
        const int x = header->sectionViewportPosition(SweepTrialModel::ValueColumn) + header->sectionSize(SweepTrialModel::ValueColumn) / 2;
        QTest::mouseClick(header->viewport(), Qt::LeftButton, Qt::NoModifier, QPoint(x, header->height() / 2));
        if (header->sortIndicatorOrder() != Qt::DescendingOrder)
            QTest::mouseClick(header->viewport(), Qt::LeftButton, Qt::NoModifier, QPoint(x, header->height() / 2));
        QCOMPARE(header->sortIndicatorSection(), int(SweepTrialModel::ValueColumn));
        QCOMPARE(trials()->trialAt(0)->number, m_fixture.bestTrial);
        for (int r = 1; r < trials()->rowCount(); ++r) {
            const tune::Trial *a = trials()->trialAt(r - 1), *b = trials()->trialAt(r);
            if (a->value && b->value)
                QVERIFY(*a->value >= *b->value);
            else
                QVERIFY(!b->value); // once values run out, none comes back
        }
    }

    // Train: the best trial's config exists; Register: no run with a model yet.
    void buttonsFollowWhatExists()
    {
        ui::SweepActions *a = view()->actions();
        QVERIFY(a->trainButton()->isEnabled());
        QCOMPARE(a->bestConfigPath(),
            tune::SweepRunner::sweepDir(m_root, m_fixture.sweepId) + QStringLiteral("/trial-%1/config.yaml").arg(m_fixture.bestTrial));
        QVERIFY(!a->registerButton()->isEnabled());
        QVERIFY(a->registerButton()->toolTip().contains(QStringLiteral("Enabled once")));
        QCOMPARE(a->nameEdit()->text(), QStringLiteral("lr-hidden")); // no registered model from this experiment yet
    }

    // "Train the best configuration" runs `orrery-cli train CONFIG --workspace ROOT --json` and shows
    // how it ended: the fixture's configs are stubs (no data), so the trainer refuses them, and the
    // view says so with the trainer's own message.
    void trainShowsHowTheTrainingEnded()
    {
        ui::SweepActions *a = view()->actions();
        QSignalSpy finished(a, &ui::SweepActions::finished);
        QTest::mouseClick(a->trainButton(), Qt::LeftButton);
        QVERIFY(a->isBusy() || finished.count() == 1);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QCOMPARE(finished.first().at(0).toBool(), false);
        const QString status = a->statusLabel()->text();
        QVERIFY2(status.startsWith(QStringLiteral("Training trial %1's configuration failed (exit ").arg(m_fixture.bestTrial)),
            qPrintable(status));
        QVERIFY2(!status.endsWith(QStringLiteral("it printed nothing")), qPrintable(status));
        QVERIFY(a->trainButton()->isEnabled()); // ready for another try
        QVERIFY(a->progressBar()->isHidden());
    }

    // While the view is open, the running trial finishes and a new one is written: both appear
    // within the poll's second or so, the new one the best (it sits at lr's peak), the table still
    // sorted by value.
    void newTrialsAppearWhileOpen()
    {
        QVERIFY(view()->isPolling());
        auto db = openDb();
        check(testing::finishFixtureTrial(*db, m_fixture, m_fixture.running.first(), 6));
        {
            const tune::SweepSpec spec = testing::sweepFixtureSpec(QStringLiteral("lr-hidden"), 40);
            tune::SweepStore store(*db);
            tune::Trial t;
            t.number = 40;
            t.state = tune::TrialState::Running;
            t.point = {std::pow(10.0, -2.5), 1, 0.1};
            t.params = spec.space.toJson(t.point);
            check(store.addTrial(m_fixture.sweepId, t));
            tracking::TrackingStore tracking(*db);
            m_newBestRun = check(tracking.createRun(m_fixture.experimentId, QStringLiteral("lr-hidden #40"), 0,
                                     {{QStringLiteral("mlflow.parentRunId"), m_fixture.sweepRunId}}))
                               .runId;
            const double final = testing::sweepFixtureObjective(t.point);
            for (int s = 1; s <= 6; ++s)
                check(store.addStep(m_fixture.sweepId, 40, s, final - 0.02 * (6 - s)));
            t.state = tune::TrialState::Complete;
            t.steps = 6;
            t.value = final;
            t.runId = m_newBestRun;
            check(store.finishTrial(m_fixture.sweepId, t));
            const QString dir = tune::SweepRunner::sweepDir(m_root, m_fixture.sweepId) + QStringLiteral("/trial-40");
            QVERIFY(QDir().mkpath(dir));
            testing::writeFile(dir + QStringLiteral("/config.yaml"), "# trial 40\n");
        }
        QTRY_COMPARE_WITH_TIMEOUT(trials()->rowCount(), 41, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(cell(m_fixture.running.first(), SweepTrialModel::StateColumn), QStringLiteral("complete"), kTimeoutMs);
        QCOMPARE(view()->snapshot()->summary.bestTrial.value_or(-1), 40);
        QVERIFY(view()->summaryLabel()->text().contains(QStringLiteral("best: trial 40")));
        QCOMPARE(trials()->trialAt(0)->number, 40); // still sorted by value
        QCOMPARE(int(view()->historyPlot()->bestSoFar().last().x()), 40);
        QVERIFY(view()->stepsPlot()->drawnTrials().contains(40));
        QVERIFY(!view()->summaryLabel()->text().contains(QStringLiteral(" running,")));
        QVERIFY(!view()->summaryLabel()->text().contains(QStringLiteral("1 running")));
    }

    // Once the best run has logged a model, "Register it" registers it — for real, through
    // orrery-cli models register — and the registry has the version with its run.
    void registerTheBestRun()
    {
        ui::SweepActions *a = view()->actions();
        QVERIFY(!a->registerButton()->isEnabled());
        {
            auto db = openDb();
            const QString model = m_dir.filePath(QStringLiteral("model.pt"));
            testing::writeFile(model, "not a TorchScript archive: registered, recorded as not servable");
            tracking::ArtifactStore artifacts(*db, workspace::Workspace::cacheDirFor(m_root));
            check(artifacts.addFile(
                m_fixture.experimentId + QLatin1Char('/') + m_newBestRun + QStringLiteral("/artifacts/model/model.pt"), model));
            check(tracking::TrackingStore(*db).setTag(
                m_newBestRun, {QStringLiteral("orrery.model_artifact"), QStringLiteral("model/model.pt")}));
        }
        QTRY_VERIFY_WITH_TIMEOUT(a->registerButton()->isEnabled(), kTimeoutMs);
        QCOMPARE(a->registerRunId(), m_newBestRun);
        QSignalSpy finished(a, &ui::SweepActions::finished);
        QTest::mouseClick(a->registerButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(a->statusLabel()->text()));
        QVERIFY2(
            a->statusLabel()->text().startsWith(QStringLiteral("Registered lr-hidden version 1")), qPrintable(a->statusLabel()->text()));
        auto db = openDb();
        auto q = check(db->prepare(QStringLiteral("SELECT name, version, run_id FROM model_versions")));
        QVERIFY(q.next());
        QCOMPARE(q.text(0), QStringLiteral("lr-hidden"));
        QCOMPARE(q.int64(1), 1);
        QCOMPARE(q.text(2), m_newBestRun);
        QVERIFY(!q.next());
        view()->grab().save(screenshotPath(QStringLiteral("sweep-view-registered.png")));
    }

    // A trial's run selected in the table: its sweep stays, its row is selected, the tab the user
    // was on stays.
    void selectingATrialRunSelectsItsRow()
    {
        m_area->tabs()->setCurrentIndex(0); // Charts
        const int n = 12;
        m_area->selectRuns({m_fixture.trialRunIds[n]});
        QTRY_VERIFY_WITH_TIMEOUT(view()->trialView()->selectionModel()->isRowSelected(trials()->rowOfTrial(n), {}), kTimeoutMs);
        QCOMPARE(m_area->tabs()->currentIndex(), 0);
        QCOMPARE(view()->stepsPlot()->selectedTrial(), n);
        // The tab bar's Sweep tab, clicked.
        QTabBar *bar = m_area->tabs()->tabBar();
        QTest::mouseClick(bar, Qt::LeftButton, Qt::NoModifier, bar->tabRect(m_area->tabs()->indexOf(view())).center());
        QCOMPARE(m_area->tabs()->currentWidget(), static_cast<QWidget *>(view()));
    }

    // A run that is no sweep's: the tab says so, and how to start one.
    void aRunOutsideASweepSaysSo()
    {
        m_area->selectRuns({m_notebookRun});
        QTRY_VERIFY_WITH_TIMEOUT(view()->placeholder()->isVisible(), kTimeoutMs);
        QVERIFY(view()->placeholder()->text().contains(QStringLiteral("is not part of a sweep")));
        QVERIFY(view()->placeholder()->text().contains(QStringLiteral("orrery-cli tune")));
        QVERIFY(!view()->hasSweep());
        QVERIFY(!view()->isPolling());
        // Back to the sweep: shown again from a fresh read.
        m_area->selectRuns({m_fixture.sweepRunId});
        QTRY_VERIFY_WITH_TIMEOUT(view()->hasSweep() && trials()->rowCount() == 41, kTimeoutMs);
        waitIdle();
        QTest::qWait(300);
        m_area->grab().save(screenshotPath(QStringLiteral("sweep-view-area.png")));
    }
};

QTEST_MAIN(TstSweepView)
#include "tst_sweep_view.moc"
