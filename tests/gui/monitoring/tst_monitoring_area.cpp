// The Monitoring area over a real workspace database filled as the serving process fills it
// (monitoring_fixture.h): endpoint "fraud", 40 one-minute windows, six features in the reference
// profile of fraud v1 — amount and channel shift from window 25 on (in alarm), distance comes near
// its threshold once, age has one window with too few rows, country and the prediction's drift stay low.
//
// What a user sees, checked:
// - the empty state of a workspace with no windows, saying how to get some;
// - the heatmap: amount and channel red from window 25 on and green before, the other features
//   green (but the one near and the one without data), a cell's tooltip naming its window, test,
//   statistic, p-value, effect and threshold;
// - a click on a cell selects its feature and window: the effect chart shows that feature's series
//   with its threshold line (and its alarm markers), the distribution chart the reference's and the
//   window's bins (20 merged percentile bins; categories for a categorical feature); Newest returns;
// - the prediction's distribution and predicted classes; accuracy per version equal to figures
//   worked out by hand; data quality shares;
// - alerts of the endpoint only; Acknowledge and Silence write the row and an audit entry, and the
//   table shows them; Silence also makes the silence in a real Alertmanager (Debian's, on loopback)
//   that the workspace's alerts.yaml names;
// - a window written behind the area's back appears within a poll;
// - it fits the window's narrowest layout. Screenshots at 1600×1000 and 1280×800 go to the build's
//   screenshots/ folder.
#include "core/common/system_info.h"
#include "core/store/database.h"
#include "core/workspace/workspace.h"
#include "tests/gui/monitoring/monitoring_fixture.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/common/stat_format.h"
#include "ui/monitoring/alerts_panel.h"
#include "ui/monitoring/distribution_chart.h"
#include "ui/monitoring/drift_heatmap.h"
#include "ui/monitoring/monitoring_area.h"
#include "ui/monitoring/time_series_chart.h"

#include <QAction>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QProcess>
#include <QScopeGuard>
#include <QTcpServer>
#include <QTimer>
#include <QComboBox>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

#include <cmath>

using namespace orrery;
using testing::FeatureRowSpec;
using testing::MonitoringWriter;
using State = ui::DriftHeatmap::CellState;

namespace {

constexpr int kTimeoutMs = 20000;
constexpr int kWindows = 40;
constexpr int kShiftAt = 25;
constexpr qint64 kMinute = 60'000;
const QStringList kFeatures{QStringLiteral("amount"), QStringLiteral("distance"), QStringLiteral("age"), QStringLiteral("channel"),
                            QStringLiteral("country"), QStringLiteral("prediction")};
enum Row { Amount, Distance, Age, Channel, Country, Prediction };

// The ten labelled predictions of v1 (score of class 1, label), as tst_feedback_accuracy works
// them out: TP 3, FP 3, FN 1, TN 3 at 0.5 → accuracy 0.6, precision 0.5, recall 0.75, F1 0.6;
// ROC-AUC 19.5 / 24 = 0.8125 (.6 tied across the classes).
const QVector<std::pair<double, int>> kLabelled{{0.9, 1}, {0.8, 1}, {0.7, 0}, {0.6, 1}, {0.6, 0}, {0.4, 1}, {0.3, 0}, {0.3, 0}, {0.2, 0}, {0.5, 0}};

const ui::AreaInfo &monitoringInfo()
{
    for (const ui::AreaInfo &a : ui::workbenchAreas())
        if (a.area == ui::Area::Monitoring)
            return a;
    qFatal("no Monitoring area in the catalogue");
}

QString screenshotPath(const QString &name)
{
    const QString dir = QStringLiteral(ORRERY_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir + QLatin1Char('/') + name;
}

QVector<double> filled(int n, double v) { return QVector<double>(n, v); }

QString numericProfile(const QString &name, const QString &role, double min, double max)
{
    // 99 inner edges evenly between min and max, 10 reference rows in each of the 100 bins.
    QStringList edges, counts;
    for (int i = 1; i < 100; ++i)
        edges << QString::number(min + (max - min) * i / 100.0, 'g', 12);
    for (int i = 0; i < 100; ++i)
        counts << QStringLiteral("10");
    return QStringLiteral("{\"name\":\"%1\",\"role\":\"%2\",\"kind\":\"numeric\",\"count\":1000,\"missing\":0,\"min\":%3,\"max\":%4,"
                          "\"mean\":0,\"std\":1,\"edges\":[%5],\"counts\":[%6]}")
        .arg(name, role)
        .arg(min)
        .arg(max)
        .arg(edges.join(QLatin1Char(',')), counts.join(QLatin1Char(',')));
}

struct Fixture {
    QTemporaryDir dir;
    QString root = dir.filePath(QStringLiteral("shop"));
    qint64 t0 = 0;
    QVector<qint64> windows;
    qint64 driftAlert = 0;
    QString db() const { return workspace::Workspace::databasePathFor(root); }

    static QVector<FeatureRowSpec> featuresOf(int i)
    {
        const bool shifted = i >= kShiftAt;
        QVector<FeatureRowSpec> rows;
        FeatureRowSpec amount;
        amount.feature = QStringLiteral("amount");
        if (shifted) {
            amount.status = QStringLiteral("drift");
            amount.statistic = amount.effect = 0.35;
            amount.pValue = 1e-6;
            amount.drifted = amount.alarm = true;
            QVector<double> counts = filled(50, 5.0) + filled(50, 15.0); // half the rows moved to the upper half
            amount.counts = MonitoringWriter::numericCounts(counts, 0, 100);
        } else {
            amount.counts = MonitoringWriter::numericCounts(filled(100, 10.0), 0, 100);
        }
        amount.missing = i == kWindows - 1 ? 0.02 : 0;
        amount.outOfRange = shifted ? 0.004 : 0;
        rows << amount;
        FeatureRowSpec distance;
        distance.feature = QStringLiteral("distance");
        distance.effect = distance.statistic = i == 10 ? 0.09 : 0.02; // near its threshold, once
        distance.counts = MonitoringWriter::numericCounts(filled(100, 10.0), 0, 50);
        rows << distance;
        FeatureRowSpec age;
        age.feature = QStringLiteral("age");
        if (i == 3) {
            age.status = QStringLiteral("insufficient");
            age.effect = age.statistic = age.pValue = qQNaN();
            age.rows = 12;
        }
        age.counts = MonitoringWriter::numericCounts(filled(100, 10.0), 18, 90);
        rows << age;
        FeatureRowSpec channel;
        channel.feature = QStringLiteral("channel");
        channel.kind = QStringLiteral("categorical");
        channel.test = QStringLiteral("jensenshannon");
        if (shifted) {
            channel.status = QStringLiteral("drift");
            channel.statistic = channel.effect = 0.3;
            channel.pValue = 1e-9;
            channel.drifted = channel.alarm = true;
            channel.unseen = 0.3;
            channel.counts = MonitoringWriter::categoryCounts({{QStringLiteral("online"), 300}, {QStringLiteral("pos"), 300}, {QStringLiteral("atm"), 100},
                                                              {QStringLiteral("crypto"), 300}});
        } else {
            channel.counts = MonitoringWriter::categoryCounts({{QStringLiteral("online"), 600}, {QStringLiteral("pos"), 300}, {QStringLiteral("atm"), 100}});
        }
        rows << channel;
        FeatureRowSpec country;
        country.feature = QStringLiteral("country");
        country.kind = QStringLiteral("categorical");
        country.test = QStringLiteral("jensenshannon");
        country.counts = MonitoringWriter::categoryCounts({{QStringLiteral("de"), 500}, {QStringLiteral("fr"), 300}, {QStringLiteral("it"), 200}});
        rows << country;
        FeatureRowSpec prediction;
        prediction.feature = QStringLiteral("prediction");
        prediction.effect = prediction.statistic = 0.05;
        // After the shift more high scores: 600 rows in the lower 80 bins, 400 in the upper 20.
        prediction.counts = MonitoringWriter::numericCounts(shifted ? filled(80, 7.5) + filled(20, 20.0) : filled(100, 10.0), 0, 1);
        rows << prediction;
        return rows;
    }

    bool build(bool withWindows = true)
    {
        if (!QDir().mkpath(root) || !workspace::Workspace::init(root))
            return false;
        auto opened = store::Database::open(db());
        if (!opened)
            return false;
        store::Database &d = **opened;
        MonitoringWriter w(d);
        const QString profile = QStringLiteral("{\"format\":\"orrery-reference-profile-1\",\"source\":{\"data\":\"work/test.csv\",\"rows\":1000},\"features\":[%1]}")
                                    .arg(QStringList{numericProfile(QStringLiteral("amount"), QStringLiteral("feature"), 0, 100),
                                                     numericProfile(QStringLiteral("distance"), QStringLiteral("feature"), 0, 50),
                                                     numericProfile(QStringLiteral("age"), QStringLiteral("feature"), 18, 90),
                                                     QStringLiteral("{\"name\":\"channel\",\"role\":\"feature\",\"kind\":\"categorical\",\"count\":1000,\"missing\":0,"
                                                                    "\"categories\":{\"online\":600,\"pos\":300,\"atm\":100}}"),
                                                     QStringLiteral("{\"name\":\"country\",\"role\":\"feature\",\"kind\":\"categorical\",\"count\":1000,\"missing\":0,"
                                                                    "\"categories\":{\"de\":500,\"fr\":300,\"it\":200}}"),
                                                     numericProfile(QStringLiteral("prediction"), QStringLiteral("prediction"), 0, 1)}
                                             .join(QLatin1Char(',')));
        if (!w.addModelVersion(QStringLiteral("fraud"), 1, profile))
            return false;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        t0 = now / kMinute * kMinute - kWindows * kMinute;
        if (!withWindows)
            return true;
        for (int i = 0; i < kWindows; ++i) {
            testing::WindowSpec spec;
            spec.start = t0 + i * kMinute;
            spec.end = spec.start + kMinute;
            spec.requests = 600;
            spec.rows = 1000;
            spec.p99Ms = i >= kShiftAt ? 12 : 8;
            spec.prediction = QStringLiteral("{\"classes\":{\"0\":950,\"1\":50}}");
            auto id = w.addWindow(spec, featuresOf(i));
            if (!id)
                return false;
            windows << *id;
        }
        for (int i = 0; i < kLabelled.size(); ++i) {
            const double p = kLabelled[i].first;
            auto id = w.addPrediction(QStringLiteral("fraud"), QStringLiteral("1"), t0 + (2 * i + 1) * kMinute,
                                      QStringLiteral("{\"probabilities\":[[%1,%2]]}").arg(1 - p).arg(p));
            if (!id || !w.addLabel(QStringLiteral("fraud"), *id, 0, kLabelled[i].second, t0 + (2 * i + 2) * kMinute))
                return false;
        }
        auto drift = w.addAlert(QStringLiteral("FeatureDrift"),
                                QStringLiteral("{\"alertname\":\"FeatureDrift\",\"endpoint\":\"fraud\",\"feature\":\"amount\",\"severity\":\"warning\"}"),
                                QStringLiteral("firing"), 1, t0 + kShiftAt * kMinute + kMinute, 0, QStringLiteral("amount drifted on fraud"));
        if (!drift)
            return false;
        driftAlert = *drift;
        return w.addAlert(QStringLiteral("HighLatencyP99"), QStringLiteral("{\"alertname\":\"HighLatencyP99\",\"endpoint\":\"fraud\",\"severity\":\"warning\"}"),
                          QStringLiteral("resolved"), 0.7, now - 2 * 3600 * 1000, now - 3600 * 1000, QStringLiteral("p99 above 0.5 s on fraud"))
            && w.addAlert(QStringLiteral("FeatureDrift"), QStringLiteral("{\"alertname\":\"FeatureDrift\",\"endpoint\":\"other\",\"feature\":\"x\"}"),
                          QStringLiteral("firing"), 1, now - 60000);
    }

    QVariant scalar(const QString &sql, qint64 bind = 0) const
    {
        auto opened = store::Database::open(db());
        if (!opened)
            return {};
        auto s = (*opened)->prepare(sql);
        if (!s)
            return {};
        if (bind)
            s->bind(1, bind);
        if (!s->next() || s->isNull(0))
            return {};
        return s->text(0);
    }
};

} // namespace

class TstMonitoringArea : public QObject {
    Q_OBJECT

    std::unique_ptr<ui::MonitoringArea> makeArea(Fixture &f, QSize size = QSize(1300, 900))
    {
        auto area = std::make_unique<ui::MonitoringArea>(monitoringInfo(), nullptr);
        area->resize(size);
        area->show();
        area->setWorkspaceRoot(f.root);
        return area;
    }

    // Waits until a read that started after now has been applied.
    static bool settle(ui::MonitoringArea &area)
    {
        QTest::qWait(1);
        const int before = area.reads();
        area.refresh(true);
        return QTest::qWaitFor([&] { return area.reads() > before && !area.isReading(); }, kTimeoutMs);
    }

    static void clickCell(ui::MonitoringArea &area, int row, int column)
    {
        const QRect cell = area.heatmap()->cellRect(row, column);
        QVERIFY(!cell.isEmpty());
        QTest::mouseClick(area.heatmap(), Qt::LeftButton, {}, cell.center());
    }

private Q_SLOTS:
    void initTestCase() { QCoreApplication::setApplicationName(QStringLiteral("tst_monitoring_area")); }

    void emptyStateSaysHowToGetWindows()
    {
        Fixture f;
        QVERIFY(f.build(false));
        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(area->reads() >= 1, kTimeoutMs);
        QVERIFY(!area->isShowingCharts());
        QVERIFY(area->emptyState()->isVisible());
        QVERIFY(area->emptyState()->howToStart().contains(QLatin1String("`orrery-cli serve`")));
        QVERIFY(area->emptyState()->howToStart().contains(QLatin1String("`orrery-cli demo replay --endpoint fraud --shift-at 60s`")));
        QVERIFY(area->emptyState()->description().contains(QLatin1String("heatmap of drift")));
        area->grab().save(screenshotPath(QStringLiteral("monitoring-empty.png")));
    }

    void heatmapIsRedWhereTheShiftIsAndGreenElsewhere()
    {
        Fixture f;
        QVERIFY(f.build());
        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(area->isShowingCharts() && !area->heatmap()->data().windowIds.isEmpty(), kTimeoutMs);
        QCOMPARE(area->selectedEndpoint(), QStringLiteral("fraud"));
        QCOMPARE(area->endpointBox()->currentText(), QStringLiteral("fraud"));
        const ui::DriftHeatmapData &h = area->heatmap()->data();
        QCOMPARE(h.features, kFeatures); // the reference profile's order, the prediction last
        QCOMPARE(h.windowIds, f.windows);
        for (int c = 0; c < kWindows; ++c) {
            const State shifted = c >= kShiftAt ? State::Alarm : State::Below;
            QCOMPARE(area->heatmap()->cellState(Amount, c), shifted);
            QCOMPARE(area->heatmap()->cellState(Channel, c), shifted);
            QCOMPARE(area->heatmap()->cellState(Distance, c), c == 10 ? State::Near : State::Below);
            QCOMPARE(area->heatmap()->cellState(Age, c), c == 3 ? State::NoData : State::Below);
            QCOMPARE(area->heatmap()->cellState(Country, c), State::Below);
            QCOMPARE(area->heatmap()->cellState(Prediction, c), State::Below);
        }
        QCOMPARE(ui::DriftHeatmap::colorOf(State::Alarm), QColor(0xd9, 0x35, 0x30));
        // Pixels, not only states: the painted cell is red.
        const QImage image = area->heatmap()->grab().toImage();
        QCOMPARE(image.pixelColor(area->heatmap()->cellRect(Amount, kShiftAt).topLeft() + QPoint(1, 1)), ui::DriftHeatmap::colorOf(State::Alarm));
        QCOMPARE(image.pixelColor(area->heatmap()->cellRect(Country, kShiftAt).topLeft() + QPoint(1, 1)), ui::DriftHeatmap::colorOf(State::Below));

        // Hover: the window, the test, its statistic, p-value, effect and threshold.
        const QString tip = area->heatmap()->toolTipAt(area->heatmap()->cellRect(Amount, kShiftAt).center());
        QVERIFY2(tip.contains(QDateTime::fromMSecsSinceEpoch(f.t0 + kShiftAt * kMinute).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))), qPrintable(tip));
        QVERIFY2(tip.contains(QLatin1String("wasserstein")) && tip.contains(QLatin1String("statistic 0.35")) && tip.contains(QLatin1String("p-value 1.00e-06"))
                     && tip.contains(QLatin1String("Effect: 0.35 (threshold 0.1)")) && tip.contains(QLatin1String("in alarm")),
                 qPrintable(tip));
        const QString ageTip = area->heatmap()->toolTipAt(area->heatmap()->cellRect(Age, 3).center());
        QVERIFY2(ageTip.contains(QLatin1String("no verdict: insufficient")), qPrintable(ageTip));
        QVERIFY(area->heatmap()->toolTipAt(QPoint(1, 1)).isEmpty());

        // The traffic charts: 600 requests a minute = 10/s; p99 8 ms, then 12.
        const QVector<QPointF> rate = area->throughputChart()->points(QStringLiteral("requests/s"));
        QCOMPARE(rate.size(), kWindows);
        QCOMPARE(rate.first().y(), 10.0);
        QCOMPARE(area->latencyChart()->points(QStringLiteral("p99")).at(kShiftAt).y(), 12.0);
        QCOMPARE(area->latencyChart()->points(QStringLiteral("p50")).at(0).y(), 2.0);
        // The feature shown first: the first in alarm in the newest window.
        QCOMPARE(area->selectedFeature(), QStringLiteral("amount"));
    }

    void clickingACellShowsThatFeatureAndWindow()
    {
        Fixture f;
        QVERIFY(f.build());
        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(!area->heatmap()->data().windowIds.isEmpty(), kTimeoutMs);

        clickCell(*area, Distance, 10);
        QTRY_VERIFY_WITH_TIMEOUT(area->snapshot().feature == QLatin1String("distance") && area->snapshot().windowId == f.windows[10] && !area->isReading(),
                                 kTimeoutMs);
        QCOMPARE(area->tabs()->currentIndex(), int(ui::MonitoringArea::FeatureTab));
        QCOMPARE(area->tabs()->tabText(ui::MonitoringArea::FeatureTab), QStringLiteral("Feature: distance"));
        QCOMPARE(area->effectChart()->seriesNames(), (QStringList{QStringLiteral("effect"), QStringLiteral("threshold")}));
        const QVector<QPointF> effect = area->effectChart()->points(QStringLiteral("effect"));
        QCOMPARE(effect.size(), kWindows);
        QCOMPARE(effect[10].y(), 0.09);
        QCOMPARE(effect[11].y(), 0.02);
        QCOMPARE(qint64(effect[10].x()), f.t0 + 10 * kMinute);
        for (const QPointF &p : area->effectChart()->points(QStringLiteral("threshold")))
            QCOMPARE(p.y(), 0.1);
        QVERIFY(area->windowLabel()->text().contains(QLatin1String("(chosen)")));
        QVERIFY(area->findChild<QPushButton *>(QStringLiteral("monitoringNewest"))->isEnabled());

        // amount in the newest window: the alarm markers from the shift on; its distribution,
        // 20 bins of five percentiles: 5 % each in the reference, 2.5 % below the median and 7.5 % above now.
        clickCell(*area, Amount, kWindows - 1);
        QTRY_VERIFY_WITH_TIMEOUT(area->snapshot().feature == QLatin1String("amount") && area->snapshot().windowId == f.windows.last() && !area->isReading(),
                                 kTimeoutMs);
        QCOMPARE(area->effectChart()->seriesNames(), (QStringList{QStringLiteral("effect"), QStringLiteral("threshold"), QStringLiteral("in alarm")}));
        const QVector<QPointF> alarms = area->effectChart()->points(QStringLiteral("in alarm"));
        QCOMPARE(alarms.size(), kWindows - kShiftAt);
        QCOMPARE(qint64(alarms.first().x()), f.t0 + kShiftAt * kMinute);
        QCOMPARE(alarms.first().y(), 0.35);
        ui::DistributionChart *d = area->distributionChart();
        QVERIFY2(d->title().startsWith(QLatin1String("amount: reference (fraud v1)")), qPrintable(d->title()));
        QCOMPARE(d->categories().size(), 20);
        QCOMPARE(d->categories().first(), QStringLiteral("0 … 5"));
        QCOMPARE(d->categories().last(), QStringLiteral("95 … 100"));
        QCOMPARE(d->referenceShares(), QVector<double>(20, 0.05));
        QCOMPARE(d->currentShares(), QVector<double>(10, 0.025) + QVector<double>(10, 0.075));
        QVERIFY(area->windowLabel()->text().contains(QLatin1String("newest")));
        QVERIFY(!area->findChild<QPushButton *>(QStringLiteral("monitoringNewest"))->isEnabled());

        // A window before the shift: the same distribution as the reference.
        clickCell(*area, Amount, 5);
        QTRY_VERIFY_WITH_TIMEOUT(area->snapshot().windowId == f.windows[5] && !area->isReading(), kTimeoutMs);
        QCOMPARE(area->distributionChart()->currentShares(), QVector<double>(20, 0.05));
        QTest::mouseClick(area->findChild<QPushButton *>(QStringLiteral("monitoringNewest")), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(area->snapshot().windowId == f.windows.last() && !area->isReading(), kTimeoutMs);
        QCOMPARE(area->selectedFeature(), QStringLiteral("amount"));

        // A categorical feature: its categories, the unseen one named so.
        clickCell(*area, Channel, kWindows - 1);
        QTRY_VERIFY_WITH_TIMEOUT(area->snapshot().feature == QLatin1String("channel") && !area->isReading(), kTimeoutMs);
        QCOMPARE(area->distributionChart()->categories(),
                 (QStringList{QStringLiteral("online"), QStringLiteral("pos"), QStringLiteral("crypto (unseen)"), QStringLiteral("atm")}));
        QCOMPARE(area->distributionChart()->referenceShares(), (QVector<double>{0.6, 0.3, 0.0, 0.1}));
        QCOMPARE(area->distributionChart()->currentShares(), (QVector<double>{0.3, 0.3, 0.3, 0.1}));
    }

    void predictionAccuracyAndDataQuality()
    {
        Fixture f;
        QVERIFY(f.build());
        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(!area->heatmap()->data().windowIds.isEmpty(), kTimeoutMs);

        // The prediction: 80 lower bins hold 60 % now (3.75 % per merged bin), the top 20 bins 40 %.
        ui::DistributionChart *p = area->predictionChart();
        QCOMPARE(p->categories().size(), 20);
        QCOMPARE(p->referenceShares(), QVector<double>(20, 0.05));
        QCOMPARE(p->currentShares(), QVector<double>(16, 0.0375) + QVector<double>(4, 0.1));
        QVERIFY2(area->predictionNote()->text().contains(QLatin1String("Predicted classes in this window: 0: 95.0 %, 1: 5.0 %")),
                 qPrintable(area->predictionNote()->text()));

        // Accuracy of v1 from its ten labels.
        QCOMPARE(area->snapshot().accuracy.size(), 1);
        const monitor::AccuracyFigures &a = area->snapshot().accuracy.first();
        QCOMPARE(a.labels, qint64(10));
        QCOMPARE(a.accuracy, 0.6);
        QCOMPARE(a.precision, 0.5);
        QCOMPARE(a.recall, 0.75);
        QCOMPARE(a.f1, 0.6);
        QCOMPARE(a.rocAuc, 0.8125);
        QTreeWidget *t = area->accuracyTable();
        QCOMPARE(t->topLevelItemCount(), 1);
        const QTreeWidgetItem *row = t->topLevelItem(0);
        QCOMPARE(row->text(ui::MonitoringArea::VersionColumn), QStringLiteral("v1"));
        QCOMPARE(row->text(ui::MonitoringArea::LabelsColumn), QStringLiteral("10"));
        QCOMPARE(row->text(ui::MonitoringArea::AccuracyValueColumn), QStringLiteral("0.600"));
        QCOMPARE(row->text(ui::MonitoringArea::PrecisionColumn), QStringLiteral("0.500"));
        QCOMPARE(row->text(ui::MonitoringArea::RecallColumn), QStringLiteral("0.750"));
        QCOMPARE(row->text(ui::MonitoringArea::F1Column), QStringLiteral("0.600"));
        QCOMPARE(row->text(ui::MonitoringArea::RocAucColumn), QString::number(0.8125, 'f', 3));
        QVERIFY(t->isColumnHidden(ui::MonitoringArea::MaeColumn));
        QCOMPARE(area->accuracyChart()->seriesNames(), QStringList{QStringLiteral("v1")});
        double labelled = 0;
        for (const monitor::AccuracyFigures &b : area->snapshot().accuracySeries)
            labelled += double(b.labels);
        QCOMPARE(labelled, 10.0);

        // Data quality in the newest window.
        QTreeWidget *q = area->qualityTable();
        QCOMPARE(q->topLevelItemCount(), kFeatures.size());
        QCOMPARE(q->topLevelItem(Amount)->text(ui::MonitoringArea::QualityFeatureColumn), QStringLiteral("amount"));
        QCOMPARE(q->topLevelItem(Amount)->text(ui::MonitoringArea::MissingColumn), ui::statformat::percent(0.02));
        QCOMPARE(q->topLevelItem(Amount)->text(ui::MonitoringArea::OutOfRangeColumn), ui::statformat::percent(0.004));
        QCOMPARE(q->topLevelItem(Amount)->text(ui::MonitoringArea::UnseenColumn), QStringLiteral("—"));
        QCOMPARE(q->topLevelItem(Channel)->text(ui::MonitoringArea::UnseenColumn), QStringLiteral("30 %"));
        QCOMPARE(q->topLevelItem(Channel)->text(ui::MonitoringArea::QualityStatusColumn), QStringLiteral("drift"));
        QCOMPARE(q->topLevelItem(Country)->text(ui::MonitoringArea::MissingColumn), QStringLiteral("0 %"));
    }

    void acknowledgeAndSilenceWriteTheAlert()
    {
        Fixture f;
        QVERIFY(f.build());
        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(!area->heatmap()->data().windowIds.isEmpty(), kTimeoutMs);
        area->tabs()->setCurrentIndex(ui::MonitoringArea::AlertsTab);
        QCOMPARE(area->tabs()->tabText(ui::MonitoringArea::AlertsTab), QStringLiteral("Alerts (1 firing)"));
        QTreeWidget *table = area->alertsPanel()->table();
        QCOMPARE(table->topLevelItemCount(), 2); // the other endpoint's alert is not this one's
        QCOMPARE(table->topLevelItem(0)->text(ui::AlertsPanel::RuleColumn), QStringLiteral("FeatureDrift"));
        QCOMPARE(table->topLevelItem(0)->text(ui::AlertsPanel::StateColumn), QStringLiteral("firing"));
        QCOMPARE(table->topLevelItem(0)->text(ui::AlertsPanel::LabelsColumn), QStringLiteral("feature=amount, severity=warning"));
        QCOMPARE(table->topLevelItem(0)->text(ui::AlertsPanel::SummaryColumn), QStringLiteral("amount drifted on fraud"));
        QCOMPARE(table->topLevelItem(1)->text(ui::AlertsPanel::StateColumn), QStringLiteral("resolved"));
        QVERIFY(table->topLevelItem(0)->text(ui::AlertsPanel::AcknowledgedColumn).isEmpty());

        // Select the firing alert with a click, then Acknowledge.
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualItemRect(table->topLevelItem(0)).center());
        QCOMPARE(area->alertsPanel()->selectedAlert(), f.driftAlert);
        QVERIFY(area->alertsPanel()->acknowledgeButton()->isEnabled());
        QTest::mouseClick(area->alertsPanel()->acknowledgeButton(), Qt::LeftButton);
        const QString user = common::osUserName();
        QTRY_COMPARE_WITH_TIMEOUT(f.scalar(QStringLiteral("SELECT acknowledged_by FROM alerts WHERE id = ?"), f.driftAlert).toString(), user, kTimeoutMs);
        const qint64 at = f.scalar(QStringLiteral("SELECT acknowledged_at FROM alerts WHERE id = ?"), f.driftAlert).toLongLong();
        QVERIFY(qAbs(at - QDateTime::currentMSecsSinceEpoch()) < 60000);
        QCOMPARE(f.scalar(QStringLiteral("SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1")).toString(), QStringLiteral("alert.acknowledged"));
        QCOMPARE(f.scalar(QStringLiteral("SELECT target FROM audit_log ORDER BY seq DESC LIMIT 1")).toString(),
                 QStringLiteral("alert %1 FeatureDrift{endpoint=\"fraud\",feature=\"amount\",severity=\"warning\"}").arg(f.driftAlert));
        QCOMPARE(f.scalar(QStringLiteral("SELECT actor FROM audit_log ORDER BY seq DESC LIMIT 1")).toString(), user);
        QTRY_VERIFY_WITH_TIMEOUT(table->topLevelItem(0)->text(ui::AlertsPanel::AcknowledgedColumn).startsWith(user + QStringLiteral(" at ")), kTimeoutMs);
        QVERIFY2(area->messageLabel()->text().startsWith(QLatin1String("Acknowledged FeatureDrift")), qPrintable(area->messageLabel()->text()));

        // Silence for an hour, from the button's menu.
        QCOMPARE(area->alertsPanel()->selectedAlert(), f.driftAlert); // kept across the refresh
        QAction *hour = area->alertsPanel()->silenceButton()->menu()->findChild<QAction *>(QStringLiteral("silence1h"));
        QVERIFY(hour);
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        hour->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(f.scalar(QStringLiteral("SELECT silenced_until FROM alerts WHERE id = ?"), f.driftAlert).isValid(), kTimeoutMs);
        const qint64 until = f.scalar(QStringLiteral("SELECT silenced_until FROM alerts WHERE id = ?"), f.driftAlert).toLongLong();
        QVERIFY(until >= before + 3600 * 1000 && until <= QDateTime::currentMSecsSinceEpoch() + 3600 * 1000);
        QCOMPARE(f.scalar(QStringLiteral("SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1")).toString(), QStringLiteral("alert.silenced"));
        QTRY_VERIFY_WITH_TIMEOUT(!table->topLevelItem(0)->text(ui::AlertsPanel::SilencedColumn).isEmpty(), kTimeoutMs);
        // A resolved alert can be silenced (its label set firing again stays quiet) but not acknowledged.
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualItemRect(table->topLevelItem(1)).center());
        QCOMPARE(table->topLevelItem(1)->text(ui::AlertsPanel::StateColumn), QStringLiteral("resolved"));
        QVERIFY(!area->alertsPanel()->acknowledgeButton()->isEnabled());
        QVERIFY(area->alertsPanel()->silenceButton()->isEnabled());
        area->resize(1300, 900);
        area->grab().save(screenshotPath(QStringLiteral("monitoring-alerts.png")));
    }

    void silenceAlsoSilencesInARealAlertmanager()
    {
        // Debian's Alertmanager on a free loopback port, named by the workspace's alerts.yaml.
        const QString alertmanager = QStringLiteral("/usr/bin/prometheus-alertmanager");
        QVERIFY2(QFile::exists(alertmanager), "/usr/bin/prometheus-alertmanager is missing: run packaging/setup.sh --test");
        Fixture f;
        QVERIFY(f.build());
        int port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        const QString config = f.dir.filePath(QStringLiteral("alertmanager.yml"));
        {
            QFile c(config);
            QVERIFY(c.open(QIODevice::WriteOnly));
            c.write("route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n");
        }
        QProcess am;
        am.setProcessChannelMode(QProcess::MergedChannels);
        am.setStandardOutputFile(f.dir.filePath(QStringLiteral("alertmanager.log")));
        am.start(alertmanager, {QStringLiteral("--config.file=") + config, QStringLiteral("--storage.path=") + f.dir.filePath(QStringLiteral("am-data")),
                                QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port), QStringLiteral("--cluster.listen-address=")});
        QVERIFY2(am.waitForStarted(10'000), qPrintable(am.errorString()));
        auto stop = qScopeGuard([&] {
            am.terminate();
            if (!am.waitForFinished(10'000))
                am.kill();
        });
        QNetworkAccessManager network;
        network.setProxy(QNetworkProxy::NoProxy);
        auto get = [&](const QString &path) {
            QNetworkReply *reply = network.get(QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path))));
            QEventLoop loop;
            connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
            QTimer::singleShot(5000, &loop, &QEventLoop::quit);
            loop.exec();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QByteArray body = reply->isFinished() ? reply->readAll() : QByteArray();
            reply->deleteLater();
            return std::make_pair(status, body);
        };
        QTRY_COMPARE_WITH_TIMEOUT(get(QStringLiteral("/-/ready")).first, 200, kTimeoutMs);
        {
            QFile rules(f.root + QStringLiteral("/alerts.yaml"));
            QVERIFY(rules.open(QIODevice::WriteOnly));
            rules.write(QStringLiteral("alertmanager: http://127.0.0.1:%1\n").arg(port).toUtf8());
        }

        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(area->alertsPanel()->table()->topLevelItemCount() == 2, kTimeoutMs);
        QVERIFY(area->alertsPanel()->selectAlert(f.driftAlert));
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        area->alertsPanel()->silenceButton()->menu()->findChild<QAction *>(QStringLiteral("silence4h"))->trigger();
        QTRY_VERIFY2_WITH_TIMEOUT(area->messageLabel()->text().contains(QLatin1String("Alertmanager silence")), qPrintable(area->messageLabel()->text()), kTimeoutMs);
        const qint64 until = f.scalar(QStringLiteral("SELECT silenced_until FROM alerts WHERE id = ?"), f.driftAlert).toLongLong();
        QVERIFY(until >= before + 4 * 3600 * 1000 && until <= QDateTime::currentMSecsSinceEpoch() + 4 * 3600 * 1000);
        // Alertmanager has it: active, matching the alert's labels exactly, until the same time.
        const auto [status, body] = get(QStringLiteral("/api/v2/silences"));
        QCOMPARE(status, 200);
        const QJsonArray silences = QJsonDocument::fromJson(body).array();
        QCOMPARE(silences.size(), 1);
        const QJsonObject silence = silences.first().toObject();
        QCOMPARE(silence.value(QStringLiteral("status")).toObject().value(QStringLiteral("state")).toString(), QStringLiteral("active"));
        QCOMPARE(silence.value(QStringLiteral("createdBy")).toString(), common::osUserName());
        QMap<QString, QString> matchers;
        for (const QJsonValue &m : silence.value(QStringLiteral("matchers")).toArray())
            matchers.insert(m.toObject().value(QStringLiteral("name")).toString(), m.toObject().value(QStringLiteral("value")).toString());
        QCOMPARE(matchers, (QMap<QString, QString>{{QStringLiteral("alertname"), QStringLiteral("FeatureDrift")}, {QStringLiteral("endpoint"), QStringLiteral("fraud")},
                                                   {QStringLiteral("feature"), QStringLiteral("amount")}, {QStringLiteral("severity"), QStringLiteral("warning")}}));
        const QDateTime endsAt = QDateTime::fromString(silence.value(QStringLiteral("endsAt")).toString(), Qt::ISODateWithMs);
        QVERIFY2(qAbs(endsAt.toMSecsSinceEpoch() - until) < 1000, qPrintable(silence.value(QStringLiteral("endsAt")).toString()));
    }

    void labelsAndWindowsWrittenBehindTheAreasBackAppear()
    {
        Fixture f;
        QVERIFY(f.build());
        auto area = makeArea(f);
        area->setPollIntervalMs(100, 100);
        QTRY_VERIFY_WITH_TIMEOUT(!area->heatmap()->data().windowIds.isEmpty(), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(!area->isReading(), kTimeoutMs);
        QTest::qWait(400); // past the first read's size check
        QTRY_VERIFY_WITH_TIMEOUT(!area->isReading(), kTimeoutMs);

        // A label (a right one: score .9, label 1): the accuracy alone is read again.
        const int dataReads = area->dataReads();
        {
            auto opened = store::Database::open(f.db());
            QVERIFY(opened);
            MonitoringWriter w(**opened);
            auto id = w.addPrediction(QStringLiteral("fraud"), QStringLiteral("1"), f.t0 + 30 * kMinute, QStringLiteral("{\"probabilities\":[[0.1,0.9]]}"));
            QVERIFY(id);
            QVERIFY(w.addLabel(QStringLiteral("fraud"), *id, 0, 1, f.t0 + 31 * kMinute));
        }
        QTRY_COMPARE_WITH_TIMEOUT(area->snapshot().accuracy.value(0).labels, qint64(11), kTimeoutMs);
        QCOMPARE(area->snapshot().accuracy.first().accuracy, 7.0 / 11.0);
        QTRY_COMPARE_WITH_TIMEOUT(area->accuracyTable()->topLevelItem(0)->text(ui::MonitoringArea::LabelsColumn), QStringLiteral("11"), kTimeoutMs);
        QCOMPARE(area->dataReads(), dataReads);

        qint64 added = 0;
        {
            auto opened = store::Database::open(f.db());
            QVERIFY(opened);
            MonitoringWriter w(**opened);
            testing::WindowSpec spec;
            spec.start = f.t0 + kWindows * kMinute;
            spec.end = spec.start + kMinute;
            spec.requests = 1200;
            spec.rows = 1200;
            spec.reference = QStringLiteral("rolling 1d"); // compared with the last day; binned on fraud v1's grid still
            auto id = w.addWindow(spec, Fixture::featuresOf(kWindows));
            QVERIFY(id);
            added = *id;
        }
        QTRY_COMPARE_WITH_TIMEOUT(area->heatmap()->data().windowIds.last(), added, kTimeoutMs);
        QCOMPARE(area->heatmap()->data().windowIds.size(), kWindows + 1);
        QCOMPARE(area->throughputChart()->points(QStringLiteral("requests/s")).last().y(), 20.0);
        QCOMPARE(area->snapshot().windowId, added); // following the newest
        // Its reference bars are still fraud v1's profile (the grid its sketches are on), and the
        // note says what the tests compared with.
        QCOMPARE(area->distributionChart()->referenceShares(), QVector<double>(20, 0.05));
        const QString note = area->findChild<QLabel *>(QStringLiteral("featureNote"))->text();
        QVERIFY2(note.contains(QLatin1String("tested against rolling 1d; the reference bars are fraud v1's profile")), qPrintable(note));

        // An idle server closes empty windows: the details stay on the newest window with traffic.
        qint64 idle = 0;
        {
            auto opened = store::Database::open(f.db());
            QVERIFY(opened);
            MonitoringWriter w(**opened);
            testing::WindowSpec spec;
            spec.start = f.t0 + (kWindows + 1) * kMinute;
            spec.end = spec.start + kMinute;
            auto id = w.addWindow(spec, {});
            QVERIFY(id);
            idle = *id;
        }
        QTRY_COMPARE_WITH_TIMEOUT(area->heatmap()->data().windowIds.last(), idle, kTimeoutMs);
        QCOMPARE(area->snapshot().windowId, added);
    }

    void fitsAndScreenshots()
    {
        Fixture f;
        QVERIFY(f.build());
        auto area = makeArea(f, QSize(1600, 1000));
        QTRY_VERIFY_WITH_TIMEOUT(!area->heatmap()->data().windowIds.isEmpty(), kTimeoutMs);
        // It fits the window's narrowest layout: 1111 px less the mode bar and the Activity dock
        // (tst_main_window) leaves about 700 px.
        QVERIFY2(area->minimumSizeHint().width() <= 700, qPrintable(QString::number(area->minimumSizeHint().width())));
        for (const QSize size : {QSize(1600, 1000), QSize(1280, 800), QSize(1200, 900), QSize(880, 700)}) {
            area->resize(size);
            QVERIFY(settle(*area));
            QTest::qWait(50);
            area->grab().save(screenshotPath(QStringLiteral("monitoring-%1x%2.png").arg(size.width()).arg(size.height())));
            if (size == QSize(1280, 800)) {
                for (const auto &[tab, name] : {std::pair{ui::MonitoringArea::PredictionTab, "prediction"}, std::pair{ui::MonitoringArea::AccuracyTab, "accuracy"},
                                                std::pair{ui::MonitoringArea::QualityTab, "quality"}, std::pair{ui::MonitoringArea::AlertsTab, "alerts"}}) {
                    area->tabs()->setCurrentIndex(tab);
                    QTest::qWait(50);
                    area->grab().save(screenshotPath(QStringLiteral("monitoring-1280x800-%1.png").arg(QLatin1String(name))));
                }
                area->tabs()->setCurrentIndex(ui::MonitoringArea::FeatureTab);
            }
            // Every window fits at least 6 px wide, up to the columns the heatmap asks for.
            const ui::DriftHeatmapData &h = area->heatmap()->data();
            QCOMPARE(h.windowIds.size(), kWindows);
            QVERIFY(area->heatmap()->cellRect(0, kWindows - 1).right() < area->heatmap()->width());
        }
    }
};

QTEST_MAIN(TstMonitoringArea)
#include "tst_monitoring_area.moc"
