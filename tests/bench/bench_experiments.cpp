// bench experiments: the Experiments area at scale, under the offscreen platform.
//   bench_experiments WORKDIR [RUNS] [POINTS_PER_RUN]
// 1. An experiment of RUNS (100,000) runs × 20 params × 10 metrics, in families of ten (a parent
//    run and its nine children, as pipeline runs and their stage runs): first paint of the runs table
//    (from choosing the database to the table's first page drawn) and sort by a metric (from the
//    click to the first page drawn in the new order).
// 2. Ten runs of POINTS_PER_RUN (1,000,000) points of one metric overlaid in one chart: redraw
//    after a zoom (from the new range to the chart drawn with the finer points), over a series of
//    zooms and pans.
// Prints `bench NAME VALUE UNIT` lines.
#include "core/store/database.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/tracking_store.h"
#include "ui/common/area_catalog.h"
#include "ui/experiments/experiment_area.h"
#include "core/store/database_worker.h"
#include "ui/experiments/metric_chart.h"
#include "ui/experiments/run_compare_view.h"
#include "ui/experiments/run_table_model.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QTreeView>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include <time.h>

using namespace orrery;

namespace {
[[noreturn]] void die(const QString &what)
{
    std::fprintf(stderr, "bench_experiments: %s\n", qPrintable(what));
    std::exit(2);
}

void check(const Status &s)
{
    if (!s)
        die(s.message());
}

std::function<QString()> g_progress; // what a timeout reports

// Runs the event loop until `done` or 60 s.
template <typename F>
void waitFor(F done)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents); // sleeps until the next event: no spinning in the CPU figures
        if (t.elapsed() > 60000)
            die(QStringLiteral("timed out (%1)").arg(g_progress ? g_progress() : QString()));
    }
}

// CPU time of the whole process (GUI and worker threads), ms: on a machine shared with builds the
// wall figures swing with load; CPU time is what the work costs.
double cpuMs()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

ui::AreaInfo experimentsInfo()
{
    for (const auto &a : ui::workbenchAreas())
        if (a.area == ui::Area::Experiments)
            return a;
    return {};
}

// RUNS runs with 20 params and 10 latest metrics each, written in one transaction; every
// kFamily-th run is the parent (mlflow.parentRunId) of the kFamily - 1 after it, so the table shows
// RUNS / kFamily top-level rows that expand.
constexpr int kFamily = 10;

void populateRuns(const QString &path, int runs)
{
    store::OpenOptions o;
    o.create = true;
    auto db = store::Database::open(path, o);
    if (!db)
        die(db.status().message());
    tracking::TrackingStore store(**db);
    auto exp = store.createExperiment(QStringLiteral("big-sweep"));
    if (!exp)
        die(exp.status().message());
    store::Transaction tx(**db);
    check(tx.status());
    auto run = (*db)->prepare(QStringLiteral("INSERT INTO runs(id, experiment_id, name, user_id, status, start_time, end_time, heartbeat_time, "
                                             "artifact_uri) VALUES (?, ?, ?, 'bench', 'FINISHED', ?, ?, ?, '')"));
    auto param = (*db)->prepare(QStringLiteral("INSERT INTO params(run_id, key, value) VALUES (?, ?, ?)"));
    auto metric = (*db)->prepare(QStringLiteral("INSERT INTO latest_metrics(run_id, key, value, timestamp, step) VALUES (?, ?, ?, ?, 100)"));
    auto tag = (*db)->prepare(QStringLiteral("INSERT INTO tags(run_id, key, value) VALUES (?, 'mlflow.parentRunId', ?)"));
    if (!run || !param || !metric || !tag)
        die(QStringLiteral("prepare failed"));
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const qint64 t0 = 1700000000000;
    QString parent;
    for (int i = 0; i < runs; ++i) {
        const QString id = QStringLiteral("%1").arg(quint64(rng()), 16, 16, QLatin1Char('0')) + QStringLiteral("%1").arg(i, 16, 16, QLatin1Char('0'));
        // Runs come in families of kFamily: a parent (a pipeline run, a small sweep) and its children.

        run->reset();
        run->bind(1, id).bind(2, exp->toLongLong()).bind(3, QStringLiteral("run-%1").arg(i)).bind(4, t0 + qint64(i) * 1000).bind(5, t0 + qint64(i) * 1000 + 60000).bind(6, t0 + qint64(i) * 1000 + 60000);
        check(run->run());
        if (i % kFamily == 0) {
            parent = id;
        } else {
            tag->reset();
            tag->bind(1, id).bind(2, parent);
            check(tag->run());
        }
        for (int p = 0; p < 20; ++p) {
            param->reset();
            param->bind(1, id).bind(2, QStringLiteral("param_%1").arg(p, 2, 10, QLatin1Char('0'))).bind(3, QString::number(u(rng), 'g', 6));
            check(param->run());
        }
        for (int m = 0; m < 10; ++m) {
            metric->reset();
            metric->bind(1, id).bind(2, QStringLiteral("metric_%1").arg(m)).bind(3, u(rng)).bind(4, t0 + qint64(i) * 1000);
            check(metric->run());
        }
    }
    check(tx.commit());
}

void benchTable(const QString &dir, int runs)
{
    const QString path = dir + QStringLiteral("/runs.db");
    QElapsedTimer t;
    t.start();
    if (!QFile::exists(path)) // ORRERY_BENCH_REUSE keeps the database of an earlier run
        populateRuns(path, runs);
    std::printf("bench experiments_populate_runs %.1f s\n", t.nsecsElapsed() / 1e9);
    std::fflush(stdout);

    std::vector<double> firstPaint, sortTimes, firstPaintCpu, sortCpu;
    for (int round = 0; round < 3; ++round) {
        ui::ExperimentArea area(experimentsInfo());
        area.resize(1600, 1000);
        area.show();
        QCoreApplication::processEvents();
        auto *model = area.runModel();
        g_progress = [&] {
            return QStringLiteral("rows %1, columns %2, row 0 cached %3, loading %4, pending %5")
                .arg(model->rowCount()).arg(model->columnCount()).arg(model->cachedRow(model->index(0, 0)) != nullptr).arg(model->isLoading()).arg(area.tableWorker()->pending());
        };
        t.restart();
        double c0 = cpuMs();
        area.setDatabasePath(path);
        waitFor([&] { return model->runCount() == runs && model->columnCount() > ui::RunTableModel::kFixedColumns && model->cachedRow(model->index(0, 0)); });
        area.runView()->viewport()->repaint();
        firstPaint.push_back(t.nsecsElapsed() / 1e6);
        firstPaintCpu.push_back(cpuMs() - c0);
        // Sort by a metric, both ways, then by a param.
        int metricColumn = -1, paramColumn = -1;
        for (int c = 0; c < model->columnCount(); ++c) {
            if (model->column(c).kind == tracking::RunColumn::Metric && metricColumn < 0)
                metricColumn = c;
            if (model->column(c).kind == tracking::RunColumn::Param && paramColumn < 0)
                paramColumn = c;
        }
        waitFor([&] { return area.tableWorker()->pending() == 0; });
        for (const Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            const QString before = model->runId(model->index(0, 0));
            t.restart();
            c0 = cpuMs();
            area.runView()->sortByColumn(metricColumn, order);
            waitFor([&] { return !model->isLoading() && model->cachedRow(model->index(0, 0)) && model->runId(model->index(0, 0)) != before; });
            area.runView()->viewport()->repaint();
            sortTimes.push_back(t.nsecsElapsed() / 1e6);
            sortCpu.push_back(cpuMs() - c0);
            waitFor([&] { return area.tableWorker()->pending() == 0; });
        }
        if (round == 0) {
            const QString before = model->runId(model->index(0, 0));
            t.restart();
            area.runView()->sortByColumn(paramColumn, Qt::AscendingOrder);
            waitFor([&] { return !model->isLoading() && model->cachedRow(model->index(0, 0)) && model->runId(model->index(0, 0)) != before; });
            area.runView()->viewport()->repaint();
            std::printf("bench experiments_table_sort_param_%dk %.1f ms\n", runs / 1000, t.nsecsElapsed() / 1e6);
            // Scrolling to the middle: the page there is fetched on demand.
            t.restart();
            const QModelIndex middle = model->index(model->rowCount() / 2, 0);
            area.runView()->scrollTo(middle);
            area.runView()->viewport()->repaint();
            waitFor([&] { return model->cachedRow(middle) != nullptr; });
            area.runView()->viewport()->repaint();
            std::printf("bench experiments_table_scroll_to_middle_%dk %.1f ms\n", runs / 1000, t.nsecsElapsed() / 1e6);
            std::printf("bench experiments_table_cached_pages %d pages\n", model->cachedPageCount());
        }
    }
    std::printf("bench experiments_table_first_paint_%dk %.1f ms\n", runs / 1000, median(firstPaint));
    std::printf("bench experiments_table_first_paint_%dk_max %.1f ms\n", runs / 1000, *std::max_element(firstPaint.begin(), firstPaint.end()));
    std::printf("bench experiments_table_first_paint_%dk_cpu %.1f ms\n", runs / 1000, median(firstPaintCpu));
    std::printf("bench experiments_table_sort_metric_%dk %.1f ms\n", runs / 1000, median(sortTimes));
    std::printf("bench experiments_table_sort_metric_%dk_cpu %.1f ms\n", runs / 1000, median(sortCpu));
    std::printf("bench experiments_table_sort_metric_%dk_max %.1f ms\n", runs / 1000, *std::max_element(sortTimes.begin(), sortTimes.end()));
    std::fflush(stdout);
}

void benchZoom(const QString &dir, qint64 points)
{
    const QString path = dir + QStringLiteral("/curves.db");
    store::OpenOptions o;
    o.create = true;
    QVector<ui::CompareRun> runs;
    if (QFile::exists(path)) { // ORRERY_BENCH_REUSE keeps the database of an earlier run
        auto db = store::Database::open(path, o);
        if (!db)
            die(db.status().message());
        auto s = (*db)->prepare(QStringLiteral("SELECT id, name, start_time FROM runs ORDER BY start_time"));
        if (!s)
            die(s.status().message());
        while (s->next())
            runs.append({s->text(0), s->text(1), QString(), tracking::RunStatus::Finished, s->int64(2)});
    } else {
        auto db = store::Database::open(path, o);
        if (!db)
            die(db.status().message());
        tracking::TrackingStore store(**db);
        auto writer = tracking::MetricWriter::open(path);
        if (!writer)
            die(writer.status().message());
        QElapsedTimer t;
        t.start();
        std::mt19937 rng(1);
        std::normal_distribution<double> noise(0.0, 0.02);
        for (int r = 0; r < 10; ++r) {
            auto run = store.createRun(QStringLiteral("0"), QStringLiteral("long-%1").arg(r), 1700000000000 + r);
            if (!run)
                die(run.status().message());
            runs.append({run->runId, run->runName, QString(), tracking::RunStatus::Finished, run->startTime});
            const int series = (*writer)->series(run->runId, QStringLiteral("loss"));
            for (qint64 s = 0; s < points; ++s)
                (*writer)->log(series, {s, 1700000000000 + s, 1.0 / (1.0 + 1e-5 * double(s) * (r + 1)) + noise(rng) + (s == points / 3 + r ? 5.0 : 0.0)});
        }
        check((*writer)->close());
        std::printf("bench experiments_populate_points %.1f s\n", t.nsecsElapsed() / 1e9);
        std::fflush(stdout);
    }
    store::DatabaseWorker worker(QStringLiteral("bench-charts"));
    worker.setDatabasePath(path);
    ui::RunCompareView view(&worker);
    view.resize(1400, 900);
    view.show();
    QCoreApplication::processEvents();
    QElapsedTimer t;
    t.start();
    view.setRuns(runs);
    waitFor([&] { return view.chart(QStringLiteral("loss")) && view.chart(QStringLiteral("loss"))->curveIds().size() == 10 && worker.pending() == 0; });
    ui::MetricChart *chart = view.chart(QStringLiteral("loss"));
    chart->grab();
    std::printf("bench experiments_compare_first_draw_10x%lldk %.1f ms\n", points / 1000, t.nsecsElapsed() / 1e6);

    // Zoom in step by step towards the spikes, then pan, then zoom out.
    std::vector<double> times, cpu, dataReady;
    int most = 0;
    double lo = 0, hi = double(points);
    const double target = double(points / 3);
    auto measure = [&](double a, double b) {
        t.restart();
        const double c0 = cpuMs();
        chart->setViewRange(a, b);
        waitFor([&] { return worker.pending() == 0; });
        dataReady.push_back(t.nsecsElapsed() / 1e6);
        chart->grab(); // the chart drawn, as a repaint would
        times.push_back(t.nsecsElapsed() / 1e6);
        cpu.push_back(cpuMs() - c0);
        most = std::max(most, chart->maxHandedPointCount());
    };
    for (int i = 0; i < 8; ++i) {
        const double span = (hi - lo) / 3.0;
        lo = std::max(0.0, target - span / 2);
        hi = lo + span;
        measure(lo, hi);
    }
    for (int i = 0; i < 4; ++i) {
        const double shift = (hi - lo) * 0.3;
        lo += shift;
        hi += shift;
        measure(lo, hi);
    }
    for (int i = 0; i < 6; ++i) {
        const double mid = (lo + hi) / 2, span = std::min(double(points), (hi - lo) * 4.0);
        lo = std::max(0.0, mid - span / 2);
        hi = lo + span;
        measure(lo, hi);
    }
    std::printf("bench experiments_zoom_redraw_10x%lldk_median %.1f ms\n", points / 1000, median(times));
    std::printf("bench experiments_zoom_redraw_10x%lldk_max %.1f ms\n", points / 1000, *std::max_element(times.begin(), times.end()));
    std::printf("bench experiments_zoom_redraw_10x%lldk_cpu %.1f ms\n", points / 1000, median(cpu));
    std::printf("bench experiments_zoom_data_ready_10x%lldk %.1f ms\n", points / 1000, median(dataReady));
    std::printf("bench experiments_zoom_points_per_curve_max %d points\n", most);
    std::printf("bench experiments_zoom_plot_columns %d px\n", chart->plotColumns());
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen"));
    QApplication app(argc, argv);
    const QStringList a = app.arguments();
    if (a.size() < 2) {
        std::fprintf(stderr, "usage: bench_experiments WORKDIR [RUNS] [POINTS_PER_RUN]\n");
        return 2;
    }
    const int runs = a.size() > 2 ? a[2].toInt() : 100000;
    const qint64 points = a.size() > 3 ? a[3].toLongLong() : 1000000;
    if (qEnvironmentVariableIsEmpty("ORRERY_BENCH_REUSE"))
        QDir(a[1]).removeRecursively();
    QDir().mkpath(a[1]);
    if (runs > 0) // 0: only the charts
        benchTable(a[1], runs);
    benchZoom(a[1], points);
    return 0;
}
