#pragma once
// MonitoringArea: the Monitoring area of the workbench — one endpoint's live monitoring, from
// what the serving process records (issue 17, part 7; monitoring_snapshot.h says which tables):
//
//   [endpoint ▾] [span ▾]  status: windows, reference, whether a server runs
//   requests/s over time        | p50 and p99 latency over time
//   drift heatmap: features × the newest windows (hover: the window's test; click: show it)
//   tabs  Feature   its effect over the span with its threshold and alarm markers | reference
//                   versus the selected window's distribution
//         Prediction the model's score distribution, reference versus current; predicted classes
//         Accuracy  per model version from delayed labels: a chosen metric over time, the span's figures
//         Data quality missing, out-of-range and unseen shares per feature in the selected window
//         Alerts    active and recent, Acknowledge, Silence 1 h / 4 h / 1 day
//
// With no window recorded yet, an empty state says what will appear and how to get traffic.
//
// Every read runs on a store::DatabaseWorker (its own connection, memory-mapped for the large
// history reads); the area reads when first shown (not while hidden), then polls about once a
// second while it is shown and a server runs (every five seconds otherwise, to notice one
// starting), never with two reads in flight: a poll while
// one runs is folded into one more read after it. A poll whose newest window and newest label did
// not move reads only the alerts and the servers. Acknowledge and Silence write one short
// transaction each on the same worker, with an audit entry.
// The area registers with the Navigator as the handler of kind "monitoring" (id: the endpoint).
//
// Threads: GUI thread only.

#include "ui/monitoring/monitoring_snapshot.h"

#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QTimer;
class QTreeWidget;

namespace orrery::store {
class DatabaseWorker;
}

namespace orrery::ui {

class AlertsPanel;
class DistributionChart;
class DriftHeatmap;
class EmptyState;
class Navigator;
class TimeSeriesChart;
struct AreaInfo;

class MonitoringArea : public QWidget {
    Q_OBJECT
public:
    static constexpr int kLivePollMs = 1000;
    static constexpr int kIdlePollMs = 5000;
    enum Tab { FeatureTab, PredictionTab, AccuracyTab, QualityTab, AlertsTab };
    enum QualityColumn { QualityFeatureColumn, QualityKindColumn, QualityRowsColumn, MissingColumn, OutOfRangeColumn, UnseenColumn, QualityStatusColumn };
    enum AccuracyColumn { VersionColumn, LabelsColumn, AccuracyValueColumn, PrecisionColumn, RecallColumn, F1Column, RocAucColumn, MaeColumn, RmseColumn };

    MonitoringArea(const AreaInfo &area, Navigator *navigator, QWidget *parent = nullptr);
    ~MonitoringArea() override;

    void setWorkspaceRoot(const QString &root);
    // The database alone (benchmarks); the workspace root stays empty.
    void setDatabasePath(const QString &path);
    void clear();
    // Reads now; `force` reads everything even if nothing moved.
    void refresh(bool force = false);
    void selectEndpoint(const QString &endpoint);
    // The feature the detail charts show and the window the distributions show (0: the newest).
    void selectFeature(const QString &feature, qint64 windowId = 0);
    void showNewestWindow();
    // How far back the time charts reach (0: the whole history).
    void setSpanMs(qint64 spanMs);
    void setPollIntervalMs(int live, int idle);

    QString workspaceRoot() const { return m_root; }
    const MonitoringSnapshot &snapshot() const { return m_snapshot; }
    QString selectedEndpoint() const { return m_snapshot.endpoint; }
    QString selectedFeature() const { return m_snapshot.feature; }
    bool isShowingCharts() const;
    bool isReading() const { return m_reading; }
    int reads() const { return m_reads; }
    int dataReads() const { return m_dataReads; } // reads that read the window parts (not only alerts, servers, accuracy)
    EmptyState *emptyState() const { return m_empty; }
    QComboBox *endpointBox() const { return m_endpointBox; }
    QComboBox *spanBox() const { return m_spanBox; }
    QLabel *statusLabel() const { return m_status; }
    QLabel *messageLabel() const { return m_message; }
    QLabel *windowLabel() const { return m_windowLabel; }
    TimeSeriesChart *throughputChart() const { return m_throughput; }
    TimeSeriesChart *latencyChart() const { return m_latency; }
    DriftHeatmap *heatmap() const { return m_heatmap; }
    TimeSeriesChart *effectChart() const { return m_effect; }
    DistributionChart *distributionChart() const { return m_distribution; }
    DistributionChart *predictionChart() const { return m_prediction; }
    QLabel *predictionNote() const { return m_predictionNote; }
    QComboBox *accuracyMetricBox() const { return m_metricBox; }
    TimeSeriesChart *accuracyChart() const { return m_accuracyChart; }
    QTreeWidget *accuracyTable() const { return m_accuracyTable; }
    QTreeWidget *qualityTable() const { return m_quality; }
    AlertsPanel *alertsPanel() const { return m_alerts; }
    QTabWidget *tabs() const { return m_tabs; }
    store::DatabaseWorker *worker() const { return m_worker; }

Q_SIGNALS:
    // After each snapshot was applied (tests and the benchmark wait on it).
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void buildLayout();
    void apply(const MonitoringSnapshot &snap);
    void applyCharts();
    void applyAccuracy();
    void applyAlerts();
    void updateStatus();
    void elideStatus();
    void fitHeatmap();
    void setShowingCharts(bool on);
    void updatePollInterval();
    void acknowledge(qint64 alertId);
    void silence(qint64 alertId, qint64 forMs);
    void runAlertAction(std::function<Result<QString>(store::Database &)> action);
    void showMessage(const QString &text, bool error);
    MonitoringQuery query() const;
    void fittedSizes(int &columns, int &buckets) const;

    store::DatabaseWorker *m_worker;
    QStackedWidget *m_pages;
    EmptyState *m_empty;
    QWidget *m_content;
    QComboBox *m_endpointBox;
    QComboBox *m_spanBox;
    QLabel *m_status;
    QLabel *m_message;
    TimeSeriesChart *m_throughput;
    TimeSeriesChart *m_latency;
    QLabel *m_heatmapTitle;
    DriftHeatmap *m_heatmap;
    QTabWidget *m_tabs;
    QLabel *m_windowLabel;
    QPushButton *m_newest;
    TimeSeriesChart *m_effect;
    DistributionChart *m_distribution;
    QLabel *m_featureNote;
    DistributionChart *m_prediction;
    QLabel *m_predictionNote;
    QComboBox *m_metricBox;
    TimeSeriesChart *m_accuracyChart;
    QTreeWidget *m_accuracyTable;
    QTreeWidget *m_quality;
    AlertsPanel *m_alerts;
    QSplitter *m_split;
    QTimer *m_poll;
    QTimer *m_resizeSettle; // a resize reads again once it settles

    QString m_root;
    QString m_databasePath;
    // What the user chose; the snapshot says what was shown (an endpoint or feature that is gone
    // falls back to the first).
    QString m_endpoint;
    QString m_feature;
    qint64 m_windowId = 0;
    qint64 m_spanMs = 0;
    int m_livePollMs = kLivePollMs;
    int m_idlePollMs = kIdlePollMs;
    MonitoringSnapshot m_snapshot;
    quint64 m_request = 0;
    int m_reads = 0;
    int m_dataReads = 0;
    int m_readColumns = 0;  // the heatmap columns and chart points of the last read
    int m_readBuckets = 0;
    int m_fittedRows = -1;  // the heatmap rows the splitter was last sized for
    QString m_statusText;
    bool m_reading = false;
    bool m_readPending = false;
    bool m_forcePending = false;
    bool m_actionRunning = false;
    bool m_updating = false;
};

} // namespace orrery::ui
