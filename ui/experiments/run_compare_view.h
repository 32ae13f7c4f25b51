#pragma once
// RunCompareView: the metric curves of the selected runs overlaid, one small MetricChart per
// metric key, with the controls they share — x as step, wall time or time since start; EMA
// smoothing; log scale — and, per chart, zoom and pan that fetch finer points for the new range,
// legend toggles and export as PNG or SVG (the chart's context menu).
//
// Data: for each key and run an overview of kOverviewPoints points (decimatedHistory, min/max, so
// spikes survive), read on the store::DatabaseWorker. A zoom asks for the zoomed step range at two
// points per pixel column and splices the answer into the overview, so panning past it still
// shows the coarse curve until the next answer. At most one range request per chart is in flight;
// the newest range is asked for when it returns.
//
// Live: while a compared run is RUNNING a ~10 Hz timer re-reads those runs' curves (one request at
// a time; the GUI thread never waits on it), and stops when they end.
//
// Threads: GUI thread; SQL on the worker.

#include "core/tracking/tracking_types.h"
#include "ui/experiments/chart_curve.h"

#include <QColor>
#include <QHash>
#include <QMap>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QGridLayout;
class QLabel;
class QSlider;
class QTimer;

namespace orrery::store {
class DatabaseWorker;
}

namespace orrery::ui {

class MetricChart;

struct CompareRun {
    QString id;
    QString name;
    QString label; // for legends (runlabel::legendLabel); the name and short id when empty
    tracking::RunStatus status = tracking::RunStatus::Finished;
    qint64 startTime = 0;
};

class RunCompareView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kOverviewPoints = 2000;
    static constexpr int kLiveIntervalMs = 100;

    explicit RunCompareView(store::DatabaseWorker *worker, QWidget *parent = nullptr);
    ~RunCompareView() override;

    void setRuns(const QVector<CompareRun> &runs);
    QVector<CompareRun> runs() const { return m_runs; }
    void clear();

    void setXAxis(ChartXAxis axis);
    ChartXAxis xAxis() const { return m_xAxis; }
    // 0 … 0.99 (the slider's value / 100).
    void setSmoothing(double weight);
    double smoothing() const { return m_smoothing; }
    void setLogScale(bool on);

    QStringList metricKeys() const { return m_charts.keys(); }
    MetricChart *chart(const QString &key) const { return m_charts.value(key); }
    QSlider *smoothingSlider() const { return m_smoothingSlider; }
    QComboBox *xAxisBox() const { return m_xAxisBox; }
    QCheckBox *logBox() const { return m_logBox; }
    // The compared runs' full labels with their colours, above the charts: a chart's own legend
    // elides long labels (six runs in one row), this one wraps.
    QLabel *sharedLegend() const { return m_legend; }
    bool isLive() const;

    static QColor runColor(int index);

Q_SIGNALS:
    // After an answer from the worker was drawn (overview, zoom or live).
    void curvesUpdated();

private:
    using History = QVector<tracking::MetricPoint>;
    using KeyHistories = QHash<QString, History>; // by run id

    void loadOverview(bool live);
    void applyOverview(const QMap<QString, KeyHistories> &data, const QVector<CompareRun> &statuses, bool live);
    void rebuildCharts(const QStringList &keys);
    void pushCurves(const QString &key);
    void requestRange(const QString &key);
    void showChartMenu(MetricChart *chart, const QPoint &pos);
    QVector<QPointF> mapped(const QString &runId, const History &points) const;
    qint64 startTimeOf(const QString &runId) const;

    store::DatabaseWorker *m_worker;
    QComboBox *m_xAxisBox;
    QSlider *m_smoothingSlider;
    QLabel *m_smoothingLabel;
    QCheckBox *m_logBox;
    QLabel *m_note;
    QLabel *m_legend;
    QWidget *m_grid;
    QGridLayout *m_gridLayout;
    QTimer *m_liveTimer;

    QVector<CompareRun> m_runs;
    QMap<QString, MetricChart *> m_charts;         // by metric key
    QMap<QString, KeyHistories> m_overview;       // key → run → points
    struct ZoomedPart {
        qint64 from = 0, to = 0; // steps
        History points;
    };
    QHash<QString, QHash<QString, ZoomedPart>> m_zoomed; // key → run → points of the zoomed range
    QHash<QString, bool> m_rangeInFlight;
    QHash<QString, bool> m_rangeAgain;
    quint64 m_generation = 0;
    bool m_overviewInFlight = false;
    ChartXAxis m_xAxis = ChartXAxis::Step;
    double m_smoothing = 0.0;
    bool m_log = false;
};

} // namespace orrery::ui
