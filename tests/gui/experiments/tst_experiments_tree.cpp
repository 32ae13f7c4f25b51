// Runs with children in the Experiments table (issue 14): two pipeline runs, each with its stage
// runs (tagged mlflow.parentRunId, as `orrery-cli run` logs them), and a notebook run. Asserted as
// a user meets them, with real clicks where there is something to click: the table opens with
// one row per pipeline run, collapsed; the arrow expands it to its stages; sorting by a metric only
// the train stages log puts each pipeline run where its best stage stands; a filter that keeps
// only stage runs shows them at the top level; an expanded run stays expanded when new runs
// arrive; opening a stage run from another area expands its pipeline run and selects it.

#include "core/store/database.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/tracking_store.h"
#include "ui/common/area_catalog.h"
#include "ui/experiments/experiment_area.h"
#include "core/store/database_worker.h"
#include "ui/experiments/run_compare_view.h"
#include "ui/experiments/run_table_model.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

using namespace orrery;
using ui::ExperimentArea;

namespace {
constexpr int kTimeoutMs = 20000;
const qint64 kT0 = 1760000000000;
const QStringList kStages = {QStringLiteral("prepare"), QStringLiteral("train"), QStringLiteral("evaluate")};

ui::AreaInfo experimentsInfo()
{
    for (const auto &a : ui::workbenchAreas())
        if (a.area == ui::Area::Experiments)
            return a;
    return {};
}
} // namespace

class TstExperimentsTree : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    QString m_experiment;
    QString m_pipelineA, m_pipelineB, m_notebook; // A: train's val_roc_auc 0.90; B: 0.95; notebook 0.80
    QHash<QString, QString> m_stage;              // "A/train" → run id
    std::unique_ptr<ExperimentArea> m_area;

    ui::RunTableModel *model() const { return m_area->runModel(); }

    void waitIdle()
    {
        QTRY_VERIFY_WITH_TIMEOUT(!model()->isLoading() && m_area->tableWorker()->pending() == 0 && m_area->chartWorker()->pending() == 0,
                                 kTimeoutMs);
    }

    // The run ids of the rows under `parent`, as the view lists them.
    QStringList rowsUnder(const QModelIndex &parent = {}) const
    {
        QStringList ids;
        for (int r = 0; r < model()->rowCount(parent); ++r)
            ids << model()->runId(model()->index(r, 0, parent));
        return ids;
    }

    QString cellText(const QString &runId, int column)
    {
        const QModelIndex cell = model()->indexOfRun(runId, column);
        model()->data(cell);
        if (!QTest::qWaitFor([&] { return model()->cachedRow(cell) != nullptr; }, kTimeoutMs))
            return QStringLiteral("(never loaded)");
        return model()->data(cell).toString();
    }

    int columnOf(const QString &key) const
    {
        for (int c = 0; c < model()->columnCount(); ++c)
            if (model()->column(c).key == key)
                return c;
        return -1;
    }

    // A click on the expand arrow of the row, left of its first column's text.
    void clickArrow(const QString &runId)
    {
        QTreeView *view = m_area->runView();
        const QModelIndex i = model()->indexOfRun(runId);
        view->scrollTo(i);
        const QRect text = view->visualRect(i);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, QPoint(text.left() - view->indentation() / 2, text.center().y()));
    }

    QString createRun(tracking::TrackingStore &store, tracking::MetricWriter &writer, const QString &name, qint64 start,
                      const QString &parent, double rocAuc)
    {
        QVector<tracking::KeyValue> tags;
        if (!parent.isEmpty())
            tags.append({QStringLiteral("mlflow.parentRunId"), parent});
        auto run = store.createRun(m_experiment, name, start, tags);
        if (!run)
            qFatal("createRun: %s", qPrintable(run.status().message()));
        if (rocAuc > 0)
            writer.log(writer.series(run->runId, QStringLiteral("val_roc_auc")), {0, start, rocAuc});
        const tracking::RunStatus finished = tracking::RunStatus::Finished;
        if (!store.updateRun(run->runId, &finished, start + 500, QString()))
            qFatal("updateRun failed");
        return run->runId;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("orrery.db"));
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(m_path, o);
        QVERIFY2(db, qPrintable(db.status().message()));
        tracking::TrackingStore store(**db);
        auto exp = store.createExperiment(QStringLiteral("fraud"));
        QVERIFY(exp);
        m_experiment = *exp;
        auto writer = tracking::MetricWriter::open(m_path);
        QVERIFY(writer);
        m_pipelineA = createRun(store, **writer, QStringLiteral("pipeline"), kT0, {}, 0);
        for (int s = 0; s < kStages.size(); ++s)
            m_stage[QStringLiteral("A/") + kStages[s]] =
                createRun(store, **writer, kStages[s], kT0 + 100 + s, m_pipelineA, kStages[s] == QLatin1String("train") ? 0.90 : 0);
        m_pipelineB = createRun(store, **writer, QStringLiteral("pipeline"), kT0 + 1000, {}, 0);
        for (int s = 0; s < kStages.size(); ++s)
            m_stage[QStringLiteral("B/") + kStages[s]] =
                createRun(store, **writer, kStages[s], kT0 + 1100 + s, m_pipelineB, kStages[s] == QLatin1String("train") ? 0.95 : 0);
        m_notebook = createRun(store, **writer, QStringLiteral("notebook"), kT0 + 2000, {}, 0.80);
        QVERIFY((*writer)->flush());
        QVERIFY((*writer)->close());

        m_area = std::make_unique<ExperimentArea>(experimentsInfo());
        m_area->resize(1400, 900);
        m_area->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_area.get()));
        m_area->setDatabasePath(m_path);
        QTRY_VERIFY_WITH_TIMEOUT(m_area->isShowingRuns(), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(model()->rowCount(), 3, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(columnOf(QStringLiteral("val_roc_auc")) >= 0, kTimeoutMs);
        waitIdle();
    }

    void cleanupTestCase() { m_area.reset(); }

    void opensWithOneCollapsedRowPerPipelineRun()
    {
        // Newest first; a pipeline run stands where its newest stage run does.
        QCOMPARE(rowsUnder(), (QStringList{m_notebook, m_pipelineB, m_pipelineA}));
        QCOMPARE(model()->runCount(), 9);
        QVERIFY(m_area->findChild<QLabel *>(QStringLiteral("runCount"))->text().contains(QLatin1String("9 run")));
        const QModelIndex a = model()->indexOfRun(m_pipelineA);
        QVERIFY(model()->hasChildren(a));
        QVERIFY(!model()->hasChildren(model()->indexOfRun(m_notebook)));
        QVERIFY(!m_area->runView()->isExpanded(a));

        clickArrow(m_pipelineA);
        QTRY_VERIFY_WITH_TIMEOUT(m_area->runView()->isExpanded(a), kTimeoutMs);
        // Its stages, newest first as the table is, each telling its name and short id.
        QCOMPARE(rowsUnder(a), (QStringList{m_stage[QStringLiteral("A/evaluate")], m_stage[QStringLiteral("A/train")], m_stage[QStringLiteral("A/prepare")]}));
        QCOMPARE(cellText(m_stage[QStringLiteral("A/train")], 0), QStringLiteral("train ") + m_stage[QStringLiteral("A/train")].left(8));
        QCOMPARE(cellText(m_stage[QStringLiteral("A/train")], columnOf(QStringLiteral("val_roc_auc"))), QStringLiteral("0.9"));
        // The stage row is drawn under its pipeline run, indented.
        const QRect parentRect = m_area->runView()->visualRect(a);
        const QRect stageRect = m_area->runView()->visualRect(model()->indexOfRun(m_stage[QStringLiteral("A/train")]));
        QVERIFY(stageRect.top() > parentRect.top());
        QVERIFY(stageRect.left() > parentRect.left());

        // Clicking a stage row compares that stage run.
        QTest::mouseClick(m_area->runView()->viewport(), Qt::LeftButton, Qt::NoModifier, stageRect.center());
        QTRY_COMPARE_WITH_TIMEOUT(m_area->compareView()->runs().size(), 1, kTimeoutMs);
        QCOMPARE(m_area->compareView()->runs().first().id, m_stage[QStringLiteral("A/train")]);
    }

    void sortingByAStageMetricPutsEachPipelineWhereItsBestStageIs()
    {
        const int auc = columnOf(QStringLiteral("val_roc_auc"));
        m_area->runView()->sortByColumn(auc, Qt::DescendingOrder);
        waitIdle();
        QCOMPARE(rowsUnder(), (QStringList{m_pipelineB, m_pipelineA, m_notebook}));
        // Under B: the train stage (0.95) first, the stages without the metric after it.
        const QStringList underB = rowsUnder(model()->indexOfRun(m_pipelineB));
        QCOMPARE(underB.size(), 3);
        QCOMPARE(underB.first(), m_stage[QStringLiteral("B/train")]);
        m_area->runView()->sortByColumn(2, Qt::DescendingOrder); // newest first again
        waitIdle();
        QCOMPARE(rowsUnder(), (QStringList{m_notebook, m_pipelineB, m_pipelineA}));
    }

    void aFilterThatKeepsOnlyStageRunsShowsThemAtTheTopLevel()
    {
        m_area->filterEdit()->setFocus();
        QTest::keyClicks(m_area->filterEdit(), QStringLiteral("metrics.val_roc_auc > 0.85"));
        QTest::keyClick(m_area->filterEdit(), Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(model()->runCount(), 2, kTimeoutMs);
        waitIdle();
        QCOMPARE(rowsUnder(), (QStringList{m_stage[QStringLiteral("B/train")], m_stage[QStringLiteral("A/train")]}));
        QVERIFY(!model()->hasChildren(model()->index(0, 0)));
        m_area->applyFilter(QString());
        QTRY_COMPARE_WITH_TIMEOUT(model()->runCount(), 9, kTimeoutMs);
        waitIdle();
    }

    void anExpandedRunStaysExpandedWhenRunsArrive()
    {
        QTreeView *view = m_area->runView();
        view->collapseAll();
        clickArrow(m_pipelineB);
        QTRY_VERIFY_WITH_TIMEOUT(view->isExpanded(model()->indexOfRun(m_pipelineB)), kTimeoutMs);
        QVERIFY(!view->isExpanded(model()->indexOfRun(m_pipelineA)));
        {
            auto db = store::Database::open(m_path);
            QVERIFY(db);
            tracking::TrackingStore store(**db);
            auto writer = tracking::MetricWriter::open(m_path);
            QVERIFY(writer);
            createRun(store, **writer, QStringLiteral("late notebook"), kT0 + 3000, {}, 0.5);
            QVERIFY((*writer)->close());
        }
        m_area->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(model()->runCount(), 10, kTimeoutMs);
        waitIdle();
        QCOMPARE(model()->rowCount(), 4);
        QVERIFY(view->isExpanded(model()->indexOfRun(m_pipelineB)));
        QVERIFY(!view->isExpanded(model()->indexOfRun(m_pipelineA)));
    }

    void openingAStageRunExpandsItsPipelineRun()
    {
        QTreeView *view = m_area->runView();
        view->collapseAll();
        const QString evaluate = m_stage[QStringLiteral("A/evaluate")];
        m_area->showRun(evaluate);
        QTRY_VERIFY_WITH_TIMEOUT(view->isExpanded(model()->indexOfRun(m_pipelineA)), kTimeoutMs);
        const QModelIndexList selected = view->selectionModel()->selectedRows();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(model()->runId(selected.first()), evaluate);
        QVERIFY(view->viewport()->rect().intersects(view->visualRect(selected.first())));
    }
};

QTEST_MAIN(TstExperimentsTree)
#include "tst_experiments_tree.moc"
