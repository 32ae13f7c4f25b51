// The Experiments area as a newcomer meets it (issue 14): five reruns of one training, all named
// "fraud-mlp", that differ only in optimizer.lr (one logged as "5e-04"), with constant params
// (data.label, model.activation, model.hidden) and the metrics a trainer logs (epoch, loss,
// val_roc_auc, val_average_precision) plus one metric a single run has. Asserted as a user sees
// it, through real mouse and key events where there is something to click: the Run column and the
// legends tell the runs apart; the table opens on the varying param and the common metrics; the
// Columns menu stays open for several ticks; every header shows its whole text; params and
// metrics print numbers the same way.

#include "core/store/database.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/tracking_store.h"
#include "ui/common/area_catalog.h"
#include "ui/experiments/experiment_area.h"
#include "core/store/database_worker.h"
#include "ui/experiments/metric_chart.h"
#include "ui/experiments/run_compare_view.h"
#include "ui/experiments/run_parallel_coordinates.h"
#include "ui/experiments/run_scatter_view.h"
#include "ui/experiments/run_table_model.h"

#include <QApplication>
#include <QChart>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QTextDocument>
#include <QLegend>
#include <QLegendMarker>
#include <QMenu>
#include <QTreeView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

using namespace orrery;
using ui::ExperimentArea;

namespace {
constexpr int kTimeoutMs = 20000;
const qint64 kT0 = 1760000000000;
const QStringList kLrs = {QStringLiteral("0.1"), QStringLiteral("0.01"), QStringLiteral("0.001"), QStringLiteral("5e-04"),
                          QStringLiteral("0.0001")};

ui::AreaInfo experimentsInfo()
{
    for (const auto &a : ui::workbenchAreas())
        if (a.area == ui::Area::Experiments)
            return a;
    return {};
}
} // namespace

class TstExperimentsNewcomer : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    QStringList m_runIds; // run i has lr kLrs[i]
    std::unique_ptr<ExperimentArea> m_area;

    void waitIdle()
    {
        QTRY_VERIFY_WITH_TIMEOUT(m_area->tableWorker()->pending() == 0 && m_area->chartWorker()->pending() == 0, kTimeoutMs);
    }

    QStringList visibleHeaders() const
    {
        QStringList out;
        const QHeaderView *h = m_area->runView()->header();
        for (int v = 0; v < h->count(); ++v) {
            const int c = h->logicalIndex(v);
            if (!h->isSectionHidden(c))
                out << m_area->runModel()->headerData(c, Qt::Horizontal).toString();
        }
        return out;
    }

    int columnOf(const QString &header) const { return int(visibleHeaders().indexOf(header)); }

    QString cellText(const QString &runId, int column)
    {
        auto *model = m_area->runModel();
        const QModelIndex cell = model->indexOfRun(runId, column);
        model->data(cell);
        if (!QTest::qWaitFor([&] { return model->cachedRow(cell) != nullptr; }, kTimeoutMs))
            return QStringLiteral("(never loaded)");
        return model->data(cell).toString();
    }

    void clickRun(const QString &runId, Qt::KeyboardModifiers modifiers)
    {
        QTreeView *view = m_area->runView();
        view->scrollTo(m_area->runModel()->indexOfRun(runId));
        const QRect r = view->visualRect(m_area->runModel()->indexOfRun(runId, 1));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers, r.center());
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
        auto writer = tracking::MetricWriter::open(m_path);
        QVERIFY(writer);
        for (int i = 0; i < kLrs.size(); ++i) {
            auto run = store.createRun(*exp, QStringLiteral("fraud-mlp"), kT0 + i * 1000);
            QVERIFY(run);
            m_runIds << run->runId;
            QVERIFY(store.logBatchParamsAndTags(run->runId,
                                                {{QStringLiteral("data.label"), QStringLiteral("is_fraud")},
                                                 {QStringLiteral("model.activation"), QStringLiteral("relu")},
                                                 {QStringLiteral("model.hidden"), QStringLiteral("64")},
                                                 {QStringLiteral("optimizer.lr"), kLrs[i]}},
                                                {}));
            const QStringList metrics = {QStringLiteral("epoch"), QStringLiteral("loss"), QStringLiteral("val_roc_auc"),
                                         QStringLiteral("val_average_precision")};
            for (int m = 0; m < metrics.size(); ++m) {
                const int series = (*writer)->series(run->runId, metrics[m]);
                for (qint64 s = 0; s < 20; ++s)
                    (*writer)->log(series, {s, kT0 + i * 1000 + s, m == 0 ? double(s) : 0.5 + 0.01 * i + 0.001 * s});
            }
            if (i == 0) // a metric one run has: not a default column
                (*writer)->log((*writer)->series(run->runId, QStringLiteral("gate_margin")), {0, kT0, 0.0005});
            const tracking::RunStatus finished = tracking::RunStatus::Finished;
            QVERIFY(store.updateRun(run->runId, &finished, kT0 + i * 1000 + 500, QString()));
        }
        QVERIFY((*writer)->flush());
        QVERIFY((*writer)->close());

        m_area = std::make_unique<ExperimentArea>(experimentsInfo());
        m_area->resize(1600, 1000);
        m_area->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_area.get()));
        m_area->setDatabasePath(m_path);
        QTRY_VERIFY_WITH_TIMEOUT(m_area->isShowingRuns(), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_area->runModel()->rowCount(), int(kLrs.size()), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(m_area->runModel()->columnCount() > ui::RunTableModel::kFixedColumns, kTimeoutMs);
        waitIdle();
    }

    void cleanupTestCase() { m_area.reset(); }

    // Item 1: name plus short id in the table; in legends also the params that differ.
    void runsTellThemselvesApart()
    {
        for (const QString &id : std::as_const(m_runIds))
            QCOMPARE(cellText(id, 0), QStringLiteral("fraud-mlp ") + id.left(8));
        clickRun(m_runIds[2], Qt::NoModifier);      // lr 0.001
        clickRun(m_runIds[3], Qt::ControlModifier); // lr 5e-04
        QTRY_COMPARE_WITH_TIMEOUT(m_area->compareView()->runs().size(), 2, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(m_area->compareView()->chart(QStringLiteral("val_roc_auc")) != nullptr, kTimeoutMs);
        waitIdle();
        QChart *chart = m_area->compareView()->chart(QStringLiteral("val_roc_auc"))->chart();
        QStringList expected = {QStringLiteral("fraud-mlp %1 · optimizer.lr=0.001").arg(m_runIds[2].left(8)),
                                      QStringLiteral("fraud-mlp %1 · optimizer.lr=0.0005").arg(m_runIds[3].left(8))};
        expected.sort(); // as the legend's texts are compared: the ids are random
        QStringList legend;
        QTRY_VERIFY2_WITH_TIMEOUT(([&] {
                                     legend.clear();
                                     for (QLegendMarker *m : chart->legend()->markers())
                                         legend << m->label();
                                     legend.sort();
                                     return legend == expected;
                                 }()),
                                 qPrintable(legend.join(QStringLiteral(" | "))), kTimeoutMs);
        // The shared legend above the charts shows the full labels (a chart's own may elide them).
        QLabel *shared = m_area->compareView()->sharedLegend();
        QVERIFY(shared->isVisible());
        QTextDocument doc;
        doc.setHtml(shared->text());
        const QString plain = doc.toPlainText().replace(QChar::Nbsp, QLatin1Char(' '));
        for (const QString &e : std::as_const(expected))
            QVERIFY2(plain.contains(e), qPrintable(plain));
    }

    // Item 2: the varying param and the common metrics (val_* first) by default; constant params
    // and a metric one run has are not; the Columns menu stays open while ticking several.
    void defaultColumnsShowWhatVaries()
    {
        const QStringList headers = visibleHeaders();
        QVERIFY2(headers.contains(QStringLiteral("optimizer.lr")), qPrintable(headers.join(QLatin1Char(','))));
        QVERIFY(headers.contains(QStringLiteral("val_roc_auc")));
        QVERIFY(headers.contains(QStringLiteral("val_average_precision")));
        QVERIFY(headers.contains(QStringLiteral("loss")));
        QVERIFY(!headers.contains(QStringLiteral("data.label")));
        QVERIFY(!headers.contains(QStringLiteral("model.activation")));
        QVERIFY(!headers.contains(QStringLiteral("model.hidden")));
        QVERIFY(!headers.contains(QStringLiteral("gate_margin")));
        QVERIFY(columnOf(QStringLiteral("val_roc_auc")) < columnOf(QStringLiteral("loss")));
        QVERIFY(columnOf(QStringLiteral("val_average_precision")) < columnOf(QStringLiteral("epoch")));
    }

    void columnsMenuStaysOpenForSeveralTicks()
    {
        QMenu *menu = m_area->columnsButton()->menu();
        QVERIFY(menu);
        // The button pops the menu up in a nested event loop: tick from inside it.
        bool done = false;
        QStringList afterTicks;
        bool openAfterFirst = false, openAfterSecond = false;
        QTimer::singleShot(0, this, [&] {
            QVERIFY(QTest::qWaitFor([&] { return menu->isVisible(); }, kTimeoutMs));
            auto tick = [&](const QString &name) {
                QAction *a = menu->findChild<QAction *>(name);
                if (!a) {
                    for (QAction *each : menu->actions())
                        if (each->objectName() == name)
                            a = each;
                }
                QVERIFY2(a, qPrintable(name));
                QTest::mouseClick(menu, Qt::LeftButton, {}, menu->actionGeometry(a).center());
            };
            tick(QStringLiteral("column.params.data.label"));
            openAfterFirst = menu->isVisible();
            tick(QStringLiteral("column.params.model.activation"));
            openAfterSecond = menu->isVisible();
            QTest::keyClick(menu, Qt::Key_Escape);
            done = true;
        });
        QTest::mouseClick(m_area->columnsButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(done, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!menu->isVisible(), kTimeoutMs);
        QVERIFY(openAfterFirst);
        QVERIFY(openAfterSecond);
        QTRY_VERIFY_WITH_TIMEOUT(visibleHeaders().contains(QStringLiteral("data.label")), kTimeoutMs);
        QVERIFY(visibleHeaders().contains(QStringLiteral("model.activation")));
        waitIdle();
    }

    // Item 3: every header shows its whole text on first show and after columns are added; params
    // and metrics print numbers the same way.
    // Item 4: the scatter opens on the varying param (log axis: lr spans three decades) against the
    // first val_ metric; a click on a metric's header moves y and the parallel coordinates'
    // colour (their last axis) to it; lines are readable on the background.
    void scatterAndParallelOpenOnMeaningfulAxes()
    {
        QTRY_COMPARE_WITH_TIMEOUT(m_area->population().rows.size(), kLrs.size(), kTimeoutMs);
        auto *scatter = m_area->scatterView();
        auto *parallel = m_area->parallelView();
        QCOMPARE(scatter->paramBox()->currentText(), QStringLiteral("optimizer.lr"));
        QVERIFY(scatter->xLogScale());
        QVERIFY2(scatter->xTitle().startsWith(QStringLiteral("optimizer.lr")), qPrintable(scatter->xTitle()));
        QVERIFY2(scatter->metricBox()->currentText().startsWith(QStringLiteral("val_")), qPrintable(scatter->metricBox()->currentText()));
        QCOMPARE(scatter->yTitle(), scatter->metricBox()->currentText());
        QCOMPARE(scatter->pointCount(), int(kLrs.size()));
        QCOMPARE(parallel->axisNames(), (QStringList{QStringLiteral("params.optimizer.lr"), QStringLiteral("metrics.") + parallel->colorMetric()}));
        QVERIFY(parallel->colorMetric().startsWith(QStringLiteral("val_")));
        QVERIFY(parallel->isLogAxis(0)); // lr: 0.0001 … 0.1

        // Sort the table by loss with a click on its header.
        QHeaderView *header = m_area->runView()->header();
        const int loss = columnOf(QStringLiteral("loss"));
        QVERIFY(loss >= 0);
        const int logical = header->logicalIndex(loss);
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                          QPoint(header->sectionViewportPosition(logical) + header->sectionSize(logical) / 2, header->height() / 2));
        QTRY_COMPARE_WITH_TIMEOUT(scatter->metricBox()->currentText(), QStringLiteral("loss"), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(parallel->colorMetric(), QStringLiteral("loss"), kTimeoutMs);
        QCOMPARE(parallel->axisNames().last(), QStringLiteral("metrics.loss"));
        QCOMPARE(scatter->yTitle(), QStringLiteral("loss"));

        // Every colour of the ramp keeps 3:1 contrast (WCAG) with the background it is drawn on.
        auto luminance = [](const QColor &c) {
            auto lin = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF());
        };
        auto contrast = [&](const QColor &a, const QColor &b) {
            const double la = luminance(a), lb = luminance(b);
            return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
        };
        const QColor base = parallel->palette().color(QPalette::Base);
        for (const QColor &background : {base, QColor(Qt::white), QColor(0x1e, 0x1e, 0x1e)})
            for (int i = 0; i <= 20; ++i) {
                const QColor line = ui::RunParallelCoordinates::lineColor(i / 20.0, background);
                QVERIFY2(contrast(line, background) >= 3.0,
                         qPrintable(QStringLiteral("%1 on %2: %3").arg(line.name(), background.name()).arg(contrast(line, background))));
            }
        parallel->grab(); // paints
        waitIdle();
    }

    void headersFitTheirTextAndNumbersReadAlike()
    {
        QHeaderView *header = m_area->runView()->header();
        const QFontMetrics fm(header->font());
        for (int c = 0; c < m_area->runModel()->columnCount(); ++c) {
            const QString text = m_area->runModel()->headerData(c, Qt::Horizontal).toString();
            QVERIFY2(header->sectionSize(c) >= fm.horizontalAdvance(text) + 8,
                     qPrintable(QStringLiteral("%1: %2 px for %3 px of text").arg(text).arg(header->sectionSize(c)).arg(fm.horizontalAdvance(text))));
        }
        const int lr = columnOf(QStringLiteral("optimizer.lr"));
        QVERIFY(lr >= 0);
        QCOMPARE(cellText(m_runIds[3], lr), QStringLiteral("0.0005")); // logged as "5e-04"
        QCOMPARE(cellText(m_runIds[0], lr), QStringLiteral("0.1"));
        // A metric of the same value reads the same: gate_margin = 0.0005 (shown once ticked).
        QAction *gate = nullptr;
        for (QAction *a : m_area->columnsButton()->menu()->actions())
            if (a->objectName() == QLatin1String("column.metrics.gate_margin"))
                gate = a;
        QVERIFY(gate);
        gate->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(columnOf(QStringLiteral("gate_margin")) >= 0, kTimeoutMs);
        waitIdle();
        QCOMPARE(cellText(m_runIds[0], columnOf(QStringLiteral("gate_margin"))), QStringLiteral("0.0005"));
    }
};

QTEST_MAIN(TstExperimentsNewcomer)
#include "tst_experiments_newcomer.moc"
