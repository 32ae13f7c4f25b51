// The Experiments area end to end under the offscreen platform, over a real database: twelve runs
// of one experiment (params lr and optimizer, metrics loss and acc, one run with a 200,000-point
// history and a single spike, one run still RUNNING, one with a manifest and code diff) — the
// table pages, sorts and filters (errors shown inline), runs are selected and compared, and the
// series handed to Qt Charts are checked: never more than two points per pixel column, the spike
// kept at every zoom level, smoothing equal to the EMA computed here, zoom fetches finer points,
// a running run's curve grows by itself; scatter, parallel coordinates with a brush, the diff,
// CSV and PNG/SVG export.

#include "core/store/database.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/run_manifest.h"
#include "core/tracking/tracking_store.h"
#include "ui/common/area_catalog.h"
#include "ui/experiments/experiment_area.h"
#include "core/store/database_worker.h"
#include "ui/experiments/metric_chart.h"
#include "ui/experiments/run_compare_view.h"
#include "ui/experiments/run_diff_view.h"
#include "ui/experiments/run_parallel_coordinates.h"
#include "ui/experiments/run_scatter_view.h"
#include "ui/experiments/run_table_model.h"

#include <QApplication>
#include <QCheckBox>
#include <QChart>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSlider>
#include <QTreeView>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <cmath>

using namespace orrery;
using ui::ExperimentArea;

namespace {
constexpr int kTimeoutMs = 20000;
constexpr int kRuns = 12;
constexpr int kLongPoints = 200000;
constexpr qint64 kSpikeStep = 123457;
constexpr double kSpike = 1000.0;
const qint64 kT0 = 1760000000000;

double lossOf(int run, qint64 step)
{
    return 2.0 / (1.0 + 0.05 * double(step)) + 0.01 * run;
}

ui::AreaInfo experimentsInfo()
{
    for (const auto &a : ui::workbenchAreas())
        if (a.area == ui::Area::Experiments)
            return a;
    return {};
}
} // namespace

class TstExperiments : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    QStringList m_runIds;   // in creation order; run i has lr = 0.001 * (i + 1)
    QString m_longRun;      // 200,000 points of loss with a spike
    QString m_runningRun;
    std::unique_ptr<tracking::MetricWriter> m_writer;
    std::unique_ptr<ExperimentArea> m_area;

    void waitIdle()
    {
        QTRY_VERIFY_WITH_TIMEOUT(m_area->tableWorker()->pending() == 0 && m_area->chartWorker()->pending() == 0, kTimeoutMs);
    }

    QString cell(int row, int column)
    {
        const QModelIndex i = m_area->runModel()->index(row, column);
        m_area->runModel()->data(i); // asks for the page
        if (!QTest::qWaitFor([&] { return m_area->runModel()->cachedRow(i) != nullptr; }, kTimeoutMs))
            return QStringLiteral("(row %1 never loaded)").arg(row);
        return m_area->runModel()->data(i).toString();
    }

    int columnOf(const QString &key)
    {
        for (int c = 0; c < m_area->runModel()->columnCount(); ++c)
            if (m_area->runModel()->column(c).key == key)
                return c;
        return -1;
    }

    void selectRuns(const QStringList &ids)
    {
        m_area->selectRuns(ids);
        QTRY_VERIFY_WITH_TIMEOUT(m_area->compareView()->runs().size() == ids.size(), kTimeoutMs);
        waitIdle();
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
        auto exp = store.createExperiment(QStringLiteral("sweep"));
        QVERIFY(exp);
        auto writer = tracking::MetricWriter::open(m_path);
        QVERIFY(writer);
        m_writer = std::move(*writer);
        for (int i = 0; i < kRuns; ++i) {
            auto run = store.createRun(*exp, QStringLiteral("run-%1").arg(i, 2, 10, QLatin1Char('0')), kT0 + i * 1000);
            QVERIFY(run);
            m_runIds << run->runId;
            QVERIFY(store.logParam(run->runId, {QStringLiteral("lr"), QString::number(0.001 * (i + 1))}));
            QVERIFY(store.logParam(run->runId, {QStringLiteral("optimizer"), i % 2 ? QStringLiteral("sgd") : QStringLiteral("adam")}));
            const int points = i == 0 ? kLongPoints : 100;
            const int loss = m_writer->series(run->runId, QStringLiteral("loss"));
            const int acc = m_writer->series(run->runId, QStringLiteral("acc"));
            for (qint64 s = 0; s < points; ++s) {
                m_writer->log(loss, {s, kT0 + i * 1000 + s * 10, s == kSpikeStep ? kSpike : lossOf(i, s)});
                m_writer->log(acc, {s, kT0 + i * 1000 + s * 10, 1.0 - lossOf(i, s) / 3.0});
            }
            if (i != kRuns - 1) {
                const tracking::RunStatus finished = i == 3 ? tracking::RunStatus::Failed : tracking::RunStatus::Finished;
                QVERIFY(store.updateRun(run->runId, &finished, kT0 + i * 1000 + points * 10, QString()));
            }
        }
        m_longRun = m_runIds.first();
        m_runningRun = m_runIds.last();
        QVERIFY(m_writer->flush());
        // Runs 1 and 2 carry manifests whose code diffs differ by one line.
        tracking::RunManifest a, b;
        a.json = QJsonObject{{QStringLiteral("code"), QJsonObject{{QStringLiteral("commit"), QStringLiteral("abc123")},
                                                                 {QStringLiteral("diff"), QStringLiteral("--- a/train.py\n+++ b/train.py\n-lr = 0.1\n+lr = 0.01\n")}}},
                             {QStringLiteral("data"), QJsonArray{QJsonObject{{QStringLiteral("path"), QStringLiteral("data/train.csv")}, {QStringLiteral("md5"), QStringLiteral("aaaa")}}}}};
        b.json = QJsonObject{{QStringLiteral("code"), QJsonObject{{QStringLiteral("commit"), QStringLiteral("abc123")},
                                                                 {QStringLiteral("diff"), QStringLiteral("--- a/train.py\n+++ b/train.py\n-lr = 0.1\n+lr = 0.02\n")}}},
                             {QStringLiteral("data"), QJsonArray{QJsonObject{{QStringLiteral("path"), QStringLiteral("data/train.csv")}, {QStringLiteral("md5"), QStringLiteral("bbbb")}}}}};
        QVERIFY(tracking::saveManifest(**db, m_runIds[1], a));
        QVERIFY(tracking::saveManifest(**db, m_runIds[2], b));

        m_area = std::make_unique<ExperimentArea>(experimentsInfo());
        m_area->resize(1500, 1000);
        m_area->show();
        m_area->setDatabasePath(m_path);
        QTRY_VERIFY_WITH_TIMEOUT(m_area->isShowingRuns(), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_area->runModel()->rowCount(), kRuns, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(columnOf(QStringLiteral("loss")) >= 0, kTimeoutMs);
        waitIdle();
    }

    void cleanupTestCase()
    {
        m_area.reset();
        if (m_writer)
            QVERIFY(m_writer->close());
    }

    void tablePagesWithChosenColumnsAndStatusColours()
    {
        auto *model = m_area->runModel();
        QCOMPARE(model->rowCount(), kRuns);
        // Newest first by default.
        QCOMPARE(model->runId(model->index(0, 0)), m_runningRun);
        // The Run column shows the name and the short id (issue 14: reruns share a name).
        QCOMPARE(cell(0, 0), QStringLiteral("run-11 ") + m_runningRun.left(8));
        QCOMPARE(cell(0, 1), QStringLiteral("RUNNING"));
        QCOMPARE(model->data(model->index(0, 1), Qt::ForegroundRole).value<QBrush>().color(), QColor(0x1f, 0x77, 0xd4));
        const int failedRow = model->indexOfRun(m_runIds[3]).row();
        QCOMPARE(cell(failedRow, 1), QStringLiteral("FAILED"));
        QCOMPARE(model->data(model->index(failedRow, 1), Qt::ForegroundRole).value<QBrush>().color(), QColor(0xd6, 0x27, 0x28));
        QVERIFY(columnOf(QStringLiteral("lr")) >= 0);
        QVERIFY(columnOf(QStringLiteral("acc")) >= 0);
        // Only cached pages are held: one page for twelve runs.
        QCOMPARE(model->cachedPageCount(), 1);
    }

    void sortsOnAnyColumnInSql()
    {
        auto *model = m_area->runModel();
        const int loss = columnOf(QStringLiteral("loss"));
        m_area->runView()->sortByColumn(loss, Qt::AscendingOrder);
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading(), kTimeoutMs);
        waitIdle();
        // The latest loss grows with the run index (lossOf), except the long run which went on longest.
        QCOMPARE(model->runId(model->index(0, 0)), m_longRun);
        double previous = -1;
        for (int r = 0; r < kRuns; ++r) {
            const double v = cell(r, loss).toDouble();
            QVERIFY2(v >= previous, qPrintable(QStringLiteral("row %1: %2 after %3").arg(r).arg(v).arg(previous)));
            previous = v;
        }
        const int lr = columnOf(QStringLiteral("lr"));
        m_area->runView()->sortByColumn(lr, Qt::DescendingOrder);
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading(), kTimeoutMs);
        waitIdle();
        QCOMPARE(cell(0, lr), QStringLiteral("0.012")); // numeric order: 0.012 > 0.009 as numbers
        QCOMPARE(cell(kRuns - 1, lr), QStringLiteral("0.001"));
        m_area->runView()->sortByColumn(2, Qt::DescendingOrder); // started, newest first again
        QTRY_VERIFY_WITH_TIMEOUT(!model->isLoading(), kTimeoutMs);
        waitIdle();
        QCOMPARE(model->runId(model->index(0, 0)), m_runningRun);
    }

    void filtersWithSearchSyntaxAndShowsErrorsInline()
    {
        auto *model = m_area->runModel();
        m_area->applyFilter(QStringLiteral("params.optimizer = 'sgd'"));
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), kRuns / 2, kTimeoutMs);
        QVERIFY(m_area->filterError()->isHidden());
        m_area->applyFilter(QStringLiteral("metrics.loss <"));
        QTRY_VERIFY_WITH_TIMEOUT(!m_area->filterError()->isHidden(), kTimeoutMs);
        QVERIFY2(m_area->filterError()->text().contains(QStringLiteral("column")), qPrintable(m_area->filterError()->text()));
        QCOMPARE(model->rowCount(), kRuns / 2); // the last good result stays
        // Typing: the filter applies after a pause.
        m_area->filterEdit()->clear();
        QTest::keyClicks(m_area->filterEdit(), QStringLiteral("attributes.status = 'RUNNING'"));
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, kTimeoutMs);
        QVERIFY(m_area->filterError()->isHidden());
        m_area->applyFilter(QString());
        QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), kRuns, kTimeoutMs);
        waitIdle();
    }

    void comparesSelectedRunsWithChartsBoundedByPixels()
    {
        selectRuns(m_runIds.mid(0, 5));
        auto *compare = m_area->compareView();
        QTRY_COMPARE_WITH_TIMEOUT(compare->metricKeys(), (QStringList{QStringLiteral("acc"), QStringLiteral("loss")}), kTimeoutMs);
        ui::MetricChart *chart = compare->chart(QStringLiteral("loss"));
        QVERIFY(chart);
        QTRY_COMPARE_WITH_TIMEOUT(chart->curveIds().size(), 5, kTimeoutMs);
        const int columns = chart->plotColumns();
        QVERIFY2(columns > 100, qPrintable(QString::number(columns)));
        QVERIFY2(chart->maxHandedPointCount() <= 2 * columns,
                 qPrintable(QStringLiteral("%1 points for %2 columns").arg(chart->maxHandedPointCount()).arg(columns)));
        // The long run: far more points than pixels, reduced, and the spike survives.
        const QVector<QPointF> handed = chart->handedPoints(m_longRun);
        QVERIFY(handed.size() > columns / 2);
        double top = 0;
        for (const QPointF &p : handed)
            top = std::max(top, p.y());
        QCOMPARE(top, kSpike);
        // A short run (100 points) is handed whole.
        QCOMPARE(chart->handedPoints(m_runIds[1]).size(), 100);
    }

    void smoothingIsTheDebiasedEma()
    {
        auto *compare = m_area->compareView();
        ui::MetricChart *chart = compare->chart(QStringLiteral("loss"));
        compare->smoothingSlider()->setValue(60);
        QCOMPARE(chart->smoothing(), 0.6);
        const QVector<QPointF> handed = chart->handedPoints(m_runIds[1]);
        QCOMPARE(handed.size(), 100);
        double last = 0;
        for (int s = 0; s < 100; ++s) {
            last = last * 0.6 + 0.4 * lossOf(1, s);
            const double expected = last / (1.0 - std::pow(0.6, s + 1));
            QVERIFY2(std::abs(handed[s].y() - expected) < 1e-9, qPrintable(QStringLiteral("step %1: %2 vs %3").arg(s).arg(handed[s].y()).arg(expected)));
        }
        compare->smoothingSlider()->setValue(0);
        QCOMPARE(chart->handedPoints(m_runIds[1])[10].y(), lossOf(1, 10));
    }

    void zoomRedecimatesAtEveryLevel()
    {
        auto *compare = m_area->compareView();
        ui::MetricChart *chart = compare->chart(QStringLiteral("loss"));
        const int columns = chart->plotColumns();
        const QVector<QPointF> overview = chart->curvePoints(m_longRun);
        // Zoom around the spike: a range 1/100 of the history.
        double from = kSpikeStep - 1000, to = kSpikeStep + 1000;
        for (int level = 0; level < 3; ++level) {
            chart->setViewRange(from, to);
            QVERIFY(chart->isZoomed());
            waitIdle();
            // The axis labels of the new range can move the plot's edge; the chart re-decimates
            // when its layout settles (plotAreaChanged, on the event loop), after the worker.
            QTRY_VERIFY2_WITH_TIMEOUT(chart->handedPoints(m_longRun).size() <= 2 * chart->plotColumns(),
                                      qPrintable(QStringLiteral("%1 points, %2 columns now, %3 before").arg(chart->handedPoints(m_longRun).size())
                                                     .arg(chart->plotColumns()).arg(columns)), kTimeoutMs);
            const QVector<QPointF> handed = chart->handedPoints(m_longRun);
            int inside = 0;
            double top = 0;
            for (const QPointF &p : handed) {
                if (p.x() >= from && p.x() <= to)
                    ++inside;
                top = std::max(top, p.y());
            }
            QCOMPARE(top, kSpike);
            // Finer than the overview: the overview had ~2000 points over 200,000 steps, ~20 in this range.
            const double span = to - from;
            QVERIFY2(inside >= std::min<double>(span, columns), qPrintable(QStringLiteral("level %1: %2 points inside").arg(level).arg(inside)));
            from += span / 4;
            to -= span / 4;
        }
        QVERIFY(overview.size() <= ui::RunCompareView::kOverviewPoints);
        // Pan and wheel zoom re-decimate too.
        chart->panBy(0.5);
        waitIdle();
        QTRY_VERIFY_WITH_TIMEOUT(chart->maxHandedPointCount() <= 2 * chart->plotColumns(), kTimeoutMs);
        chart->zoomBy(4.0);
        waitIdle();
        QTRY_VERIFY_WITH_TIMEOUT(chart->maxHandedPointCount() <= 2 * chart->plotColumns(), kTimeoutMs);
        chart->resetView();
        waitIdle();
        QVERIFY(!chart->isZoomed());
        QCOMPARE(chart->curvePoints(m_longRun).size(), overview.size());
    }

    void xAxisModesLogScaleAndLegend()
    {
        auto *compare = m_area->compareView();
        ui::MetricChart *chart = compare->chart(QStringLiteral("loss"));
        compare->xAxisBox()->setCurrentIndex(2); // relative time
        QCOMPARE(chart->xAxisKind(), ui::ChartXAxis::RelativeTime);
        QCOMPARE(chart->handedPoints(m_runIds[1]).first().x(), 0.0);
        QCOMPARE(chart->handedPoints(m_runIds[1])[5].x(), 0.05); // 10 ms a step
        compare->xAxisBox()->setCurrentIndex(1); // wall time
        QCOMPARE(chart->handedPoints(m_runIds[1]).first().x(), double(kT0 + 1000));
        compare->xAxisBox()->setCurrentIndex(0);
        compare->logBox()->setChecked(true);
        QVERIFY(chart->logScale());
        for (const QPointF &p : chart->handedPoints(m_longRun))
            QVERIFY(p.y() > 0);
        compare->logBox()->setChecked(false);
        chart->setCurveVisible(m_runIds[2], false);
        QVERIFY(!chart->isCurveVisible(m_runIds[2]));
        chart->setCurveVisible(m_runIds[2], true);
        QVERIFY(chart->isCurveVisible(m_runIds[2]));
    }

    void runningRunUpdatesLive()
    {
        selectRuns({m_runningRun, m_runIds[1]});
        auto *compare = m_area->compareView();
        QTRY_VERIFY_WITH_TIMEOUT(compare->isLive(), kTimeoutMs);
        ui::MetricChart *chart = compare->chart(QStringLiteral("loss"));
        QTRY_COMPARE_WITH_TIMEOUT(chart->curvePoints(m_runningRun).size(), 100, kTimeoutMs);
        const int loss = m_writer->series(m_runningRun, QStringLiteral("loss"));
        for (qint64 s = 100; s < 150; ++s)
            m_writer->log(loss, {s, kT0 + 11000 + s * 10, lossOf(11, s)});
        QVERIFY(m_writer->flush());
        QElapsedTimer t;
        t.start();
        QTRY_COMPARE_WITH_TIMEOUT(chart->curvePoints(m_runningRun).size(), 150, kTimeoutMs);
        qInfo("new points reached the chart %lld ms after they were committed", t.elapsed());
        // The run ends: live updates stop.
        {
            auto db = store::Database::open(m_path);
            QVERIFY(db);
            tracking::TrackingStore store(**db);
            const tracking::RunStatus finished = tracking::RunStatus::Finished;
            QVERIFY(store.updateRun(m_runningRun, &finished, kT0 + 20000, QString()));
        }
        QTRY_VERIFY_WITH_TIMEOUT(!compare->isLive(), kTimeoutMs);
    }

    void diffShowsParamsDataAndColouredCode()
    {
        selectRuns({m_runIds[1], m_runIds[2]});
        auto *diff = m_area->diffView();
        QTRY_VERIFY_WITH_TIMEOUT(diff->hasComparison(), kTimeoutMs);
        // A and B in table order (newest first); ask for 1 → 2 explicitly.
        QSignalSpy compared(diff, &ui::RunDiffView::compared);
        diff->compare(m_runIds[1], m_runIds[2]);
        QTRY_COMPARE_WITH_TIMEOUT(compared.size(), 1, kTimeoutMs);
        QCOMPARE(diff->comparison().a.info.runId, m_runIds[1]);
        QStringList keys;
        for (const auto &e : diff->comparison().differences())
            keys << e.key;
        QVERIFY2(keys.contains(QStringLiteral("params.lr")), qPrintable(keys.join(QLatin1Char(','))));
        QVERIFY(keys.contains(QStringLiteral("params.optimizer")));
        QVERIFY(keys.contains(QStringLiteral("data.data/train.csv")));
        QVERIFY(keys.contains(QStringLiteral("code.diff_md5")));
        QVERIFY(!keys.contains(QStringLiteral("code.commit")));
        const QString code = diff->codeView()->toPlainText();
        QVERIFY2(code.contains(QStringLiteral("- +lr = 0.01")) && code.contains(QStringLiteral("+ +lr = 0.02")), qPrintable(code));
        QVERIFY(diff->table()->topLevelItemCount() >= 3); // params, data, code (metrics too)
    }

    void scatterAndParallelCoordinatesWithBrushing()
    {
        auto *scatter = m_area->scatterView();
        QTRY_COMPARE_WITH_TIMEOUT(m_area->population().rows.size(), kRuns, kTimeoutMs);
        scatter->setAxes(QStringLiteral("lr"), QStringLiteral("loss"));
        QCOMPARE(scatter->pointCount(), kRuns);
        auto *parallel = m_area->parallelView();
        // The colouring metric is the only metric axis (issue 14): colour by loss to get its axis.
        parallel->setColorMetric(QStringLiteral("loss"));
        const QStringList axes = parallel->axisNames();
        QVERIFY2(axes.contains(QStringLiteral("params.lr")) && axes.contains(QStringLiteral("params.optimizer")) && axes.contains(QStringLiteral("metrics.loss")),
                 qPrintable(axes.join(QLatin1Char(','))));
        QSignalSpy brushed(parallel, &ui::RunParallelCoordinates::brushedRunsChanged);
        parallel->setBrush(int(axes.indexOf(QStringLiteral("params.lr"))), 0.0005, 0.0045); // runs 0..3
        QCOMPARE(brushed.size(), 1);
        QStringList ids = parallel->brushedRunIds();
        ids.sort();
        QStringList expected = m_runIds.mid(0, 4);
        expected.sort();
        QCOMPARE(ids, expected);
        // Brushes combine: optimizer = adam (category 0) leaves runs 0 and 2.
        parallel->setBrush(int(axes.indexOf(QStringLiteral("params.optimizer"))), 0, 0);
        QCOMPARE(parallel->brushedRunIds().size(), 2);
        parallel->clearBrushes();
        QCOMPARE(parallel->brushedRunIds().size(), kRuns);
        parallel->grab(); // paints without a display
    }

    void copiesCsvAndExportsCharts()
    {
        selectRuns(m_runIds.mid(1, 3));
        QSignalSpy copied(m_area.get(), &ExperimentArea::csvCopied);
        m_area->copyCsv();
        QTRY_COMPARE_WITH_TIMEOUT(copied.size(), 1, kTimeoutMs);
        const QString csv = copied.first().first().toString();
        const QStringList lines = csv.trimmed().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 4);
        QVERIFY2(lines[0].startsWith(QStringLiteral("run_id,attributes.run_name,attributes.status")), qPrintable(lines[0]));
        QVERIFY(lines[0].contains(QStringLiteral("metrics.loss")) && lines[0].contains(QStringLiteral("params.lr")));
        ui::MetricChart *chart = m_area->compareView()->chart(QStringLiteral("loss"));
        const QString png = m_dir.filePath(QStringLiteral("loss.png")), svg = m_dir.filePath(QStringLiteral("loss.svg"));
        QVERIFY(chart->exportPng(png));
        QVERIFY(chart->exportSvg(svg));
        QImage image(png);
        QVERIFY(!image.isNull() && image.width() > 100);
        QFile f(svg);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QVERIFY(text.contains("<svg") && text.contains("polyline") | text.contains("path"));
    }
};

QTEST_MAIN(TstExperiments)
#include "tst_experiments.moc"
