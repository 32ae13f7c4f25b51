// The Experiments area inside the workbench window: a workspace with a small learning-rate sweep
// (eight runs, one still running, noisy training curves of 5,000 steps) opened in MainWindow, the
// Experiments mode chosen by its button, six runs selected and compared. With
// ORRERY_SCREENSHOT_DIR set (under Xvfb: QT_QPA_PLATFORM=xcb), it saves experiments.png there —
// the README's screenshot.

#include "core/store/database.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/tracking_store.h"
#include "core/workspace/workspace.h"
#include "ui/experiments/experiment_area.h"
#include "core/store/database_worker.h"
#include "ui/experiments/metric_chart.h"
#include "ui/experiments/run_compare_view.h"
#include "ui/experiments/run_scatter_view.h"
#include "ui/experiments/run_table_model.h"
#include "ui/shell/main_window.h"
#include "ui/shell/mode_bar.h"

#include <QComboBox>
#include <QDockWidget>
#include <QSettings>
#include <QSlider>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTreeView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <cmath>
#include <random>

using namespace orrery;

namespace {
constexpr int kTimeoutMs = 20000;
}

class TstExperimentsWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void comparesSixRunsInTheWindow()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString root = dir.filePath(QStringLiteral("sweep"));
        QVERIFY(QDir().mkpath(root));
        QVERIFY(workspace::Workspace::init(root).isOk());
        const QString path = workspace::Workspace::databasePathFor(root);
        {
            auto db = store::Database::open(path);
            QVERIFY(db);
            tracking::TrackingStore store(**db);
            auto exp = store.createExperiment(QStringLiteral("resnet-lr-sweep"));
            QVERIFY(exp);
            auto writer = tracking::MetricWriter::open(path);
            QVERIFY(writer);
            std::mt19937 rng(7);
            std::normal_distribution<double> noise(0.0, 1.0);
            const double lrs[] = {0.1, 0.05, 0.03, 0.01, 0.005, 0.003, 0.001, 0.0005};
            const qint64 t0 = QDateTime::currentMSecsSinceEpoch() - 3600 * 1000;
            for (int i = 0; i < 8; ++i) {
                const qint64 start = t0 + i * 240000;
                auto run = store.createRun(*exp, QStringLiteral("lr-%1").arg(lrs[i]), start);
                QVERIFY(run);
                QVERIFY(store.logParam(run->runId, {QStringLiteral("lr"), QString::number(lrs[i])}));
                QVERIFY(store.logParam(run->runId, {QStringLiteral("optimizer"), i % 3 == 0 ? QStringLiteral("sgd") : QStringLiteral("adam")}));
                QVERIFY(store.logParam(run->runId, {QStringLiteral("batch_size"), QString::number(i % 2 ? 128 : 64)}));
                QVERIFY(store.logParam(run->runId, {QStringLiteral("weight_decay"), QStringLiteral("0.0001")}));
                const int steps = i == 7 ? 2600 : 5000;
                // Too large a learning rate plateaus high; too small learns slowly.
                const double rate = 0.0009 * std::sqrt(lrs[i] / 0.01) * (lrs[i] > 0.05 ? 0.5 : 1.0);
                const double floor = 0.12 + 0.6 * std::abs(std::log10(lrs[i] / 0.01)) * 0.25;
                for (int s = 0; s < steps; ++s) {
                    const qint64 t = start + qint64(s) * 40;
                    const double loss = floor + 2.2 * std::exp(-rate * s) + 0.05 * noise(rng) * std::exp(-rate * s * 0.5);
                    (*writer)->log(run->runId, QStringLiteral("train_loss"), {s, t, std::max(0.01, loss)});
                    if (s % 100 == 0) {
                        const double val = floor * 1.1 + 2.0 * std::exp(-rate * s * 0.9) + 0.02 * noise(rng);
                        (*writer)->log(run->runId, QStringLiteral("val_loss"), {s, t, val});
                        (*writer)->log(run->runId, QStringLiteral("val_accuracy"), {s, t, std::min(0.99, 1.0 - val / 2.6)});
                    }
                    if (s % 10 == 0)
                        (*writer)->log(run->runId, QStringLiteral("learning_rate"), {s, t, lrs[i] * 0.5 * (1 + std::cos(M_PI * s / 5000.0))});
                }
                if (i != 7) {
                    const tracking::RunStatus done = i == 0 ? tracking::RunStatus::Failed : tracking::RunStatus::Finished;
                    QVERIFY(store.updateRun(run->runId, &done, start + steps * 40, QString()));
                }
            }
            QVERIFY((*writer)->close());
        }

        ui::MainWindow window;
        window.resize(1600, 1000);
        window.show();
        window.openWorkspace(root);
        QTRY_VERIFY_WITH_TIMEOUT(window.isWorkspaceOpen(), kTimeoutMs);
        QTest::mouseClick(window.modeBar()->buttonAt(2), Qt::LeftButton);
        auto *area = qobject_cast<ui::ExperimentArea *>(window.areaStack()->currentWidget());
        QVERIFY(area);
        QTRY_VERIFY_WITH_TIMEOUT(area->isShowingRuns(), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(area->runModel()->rowCount(), 8, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(area->runModel()->columnCount() > ui::RunTableModel::kFixedColumns, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(area->runModel()->cachedRow(area->runModel()->index(0, 0)) != nullptr, kTimeoutMs);
        area->selectRuns(area->runModel()->tree().ids.mid(0, 6));
        QTRY_COMPARE_WITH_TIMEOUT(area->compareView()->metricKeys().size(), 4, kTimeoutMs);
        area->compareView()->setSmoothing(0.6);
        QTRY_VERIFY_WITH_TIMEOUT(area->tableWorker()->pending() == 0 && area->chartWorker()->pending() == 0, kTimeoutMs);
        ui::MetricChart *chart = area->compareView()->chart(QStringLiteral("train_loss"));
        QVERIFY(chart);
        QCOMPARE(chart->curveIds().size(), 6);
        QVERIFY(chart->maxHandedPointCount() <= 2 * chart->plotColumns());
        QVERIFY(area->compareView()->isLive()); // the last run is still running
        // The scatter opens on the swept param (lr: eight values over 2.3 decades, on a log axis), not
        // on batch_size (two values) — issue 14.
        QTRY_COMPARE_WITH_TIMEOUT(area->scatterView()->paramBox()->currentText(), QStringLiteral("lr"), kTimeoutMs);
        QVERIFY(area->scatterView()->xLogScale());
        QVERIFY(area->scatterView()->metricBox()->currentText().startsWith(QStringLiteral("val_")));

        const QString shots = qEnvironmentVariable("ORRERY_SCREENSHOT_DIR");
        if (!shots.isEmpty()) {
            if (auto *dock = window.findChild<QDockWidget *>())
                dock->hide(); // room for the charts
            QTest::qWait(800); // let the window settle (Xvfb paints asynchronously)
            QVERIFY(window.grab().save(shots + QStringLiteral("/experiments.png")));
            area->tabs()->setCurrentIndex(2); // parallel coordinates
            QTest::qWait(300);
            QVERIFY(window.grab().save(shots + QStringLiteral("/experiments-parallel.png")));
            area->tabs()->setCurrentIndex(1); // scatter
            QTest::qWait(300);
            QVERIFY(window.grab().save(shots + QStringLiteral("/experiments-scatter.png")));
            area->tabs()->setCurrentIndex(3); // diff
            QTest::qWait(300);
            QVERIFY(window.grab().save(shots + QStringLiteral("/experiments-diff.png")));
        }
    }
};

QTEST_MAIN(TstExperimentsWindow)
#include "tst_experiments_window.moc"
