#pragma once
// MonitoringSnapshot: what the Monitoring area shows for one endpoint, read in one task on its
// worker thread from the tables the serving process writes (migration 12: monitor_windows,
// monitor_features, alerts; model_versions.reference_profile) and the prediction log with its
// delayed labels (migration 11, through core/monitor's FeedbackAccuracy). Plain data: no widgets,
// no QtGui; the charts get copies on the GUI thread.
//
// Read only what the charts show — a 30-day history of one-minute windows is 43,200 windows and,
// at 13 features, 560,000 feature rows of ~500 bytes (their sketches), so reading them all takes
// seconds (measured: ~1 s for one aggregate over all of them, the pages are the cost):
//   - traffic (requests/s, p50, p99) over the span: monitor_windows aggregated in SQL into at
//     most `chartBuckets` buckets (about one per two pixels of the chart);
//   - the heatmap: the latest `heatmapColumns` windows, one column each (a cell is one window's
//     test, so hover can say which test, statistic and p-value; ~20 px per column at most), read
//     through monitor_features' window index;
//   - the selected feature's effect over the span: one feature's rows aggregated in SQL into
//     buckets (the largest effect, any alarm) through the (endpoint, feature, start_time) index;
//   - the selected window's features (distributions, data quality): one window's rows;
//   - accuracy per version: FeedbackAccuracy over the span, rolling and in buckets.
// A poll that finds the same newest window (`stamp`) reads only the alerts and the servers — and
// the accuracy when a label came (`labelStamp`): an idle server costs a few indexed lookups a
// second, labels streaming in cost the accuracy's read, a closed window the whole snapshot.
//
// acknowledgeAlert()/silenceAlert() write an alert's acknowledged_by/at or silenced_until and
// the audit entry of the change in one short transaction (core/monitor's AlertStore).
//
// Threads: loadMonitoringSnapshot, acknowledgeAlert and silenceAlert run on the worker's thread
// with its Database.

#include "core/common/status.h"
#include "core/deploy/server_record.h"
#include "core/monitor/feedback_accuracy.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace orrery::store {
class Database;
}

namespace orrery::ui {

struct MonitoringQuery {
    QString endpoint;          // empty: the first endpoint
    QString feature;           // empty, or gone: the first feature in alarm, else the first
    qint64 windowId = 0;       // the window the distributions and data quality show; 0 (or gone): the newest
    qint64 spanMs = 0;         // how far the time charts reach back from the newest window; 0: the whole history
    int chartBuckets = 400;    // points per time chart at most
    int heatmapColumns = 120;  // windows in the heatmap at most
    QString knownStamp;        // the stamps of the snapshot shown: the same → that part is not read again
    QString knownLabelStamp;
    qint64 nowMs = 0;          // 0: the clock's (tests pin it for "recent" alerts)
};

struct TrafficPoint {
    qint64 time = 0;           // the bucket's first window start, ms
    qint64 requests = 0;
    double requestsPerSecond = 0; // requests / the windows' total length
    double p50Ms = qQNaN();    // the windows' p50, weighted by their requests (an approximation: quantiles do not average)
    double p99Ms = qQNaN();    // the largest p99 of the bucket's windows (a tail is not averaged away)
};

// One cell: one feature in one window (monitor_features' columns).
struct DriftCell {
    bool present = false;      // false: the window has no row for the feature
    QString status;            // drift | no_drift | no_data | insufficient
    QString test;
    double statistic = qQNaN();
    double pValue = qQNaN();
    double threshold = qQNaN();
    double effect = qQNaN();
    double effectThreshold = qQNaN();
    bool drifted = false;
    bool alarm = false;
};

struct DriftHeatmapData {
    QStringList features;             // rows, in the reference profile's order, "prediction" last
    QVector<qint64> windowIds;        // columns, oldest first
    QVector<qint64> starts;
    QVector<qint64> ends;
    QVector<QVector<DriftCell>> cells; // [feature][column]
};

// The selected feature's effect over the span, one point per bucket.
struct EffectPoint {
    qint64 time = 0;
    double effect = qQNaN();           // the largest effect in the bucket
    double threshold = qQNaN();        // the largest effect threshold in the bucket
    bool alarm = false;                // any window of the bucket in alarm
};

// Reference versus current, as shares of each side's rows (so they compare whatever the sizes).
struct DistributionBin {
    QString label;                     // "−0.52 … 0.11", or a category
    QString lower, upper;              // numeric: the edges' text ("−0.52", "0.11"), so a narrow chart can merge bins
    double reference = qQNaN();        // NaN: no reference
    double current = 0;
};

struct FeatureDistribution {
    QString feature;
    QString kind;                      // numeric | categorical
    QVector<DistributionBin> bins;
    qint64 referenceRows = 0;
    qint64 currentRows = 0;
    QString note;                      // why a side is missing, e.g. "no reference profile for fraud v1"
    DriftCell cell;                    // the window's test of this feature
};

struct QualityRow {
    QString feature;
    QString kind;
    QString status;
    qint64 rows = 0;
    double missing = 0;
    double outOfRange = 0;
    double unseen = 0;
};

struct AlertRow {
    qint64 id = 0;
    QString rule;
    QString state;                      // pending | firing | resolved
    QString labels;                     // "feature=amount, severity=warning" (endpoint and alertname left out)
    QString summary;                    // annotations.summary
    double value = qQNaN();
    qint64 activeSince = 0;
    qint64 firedAt = 0;                 // 0: never fired
    qint64 resolvedAt = 0;
    QString acknowledgedBy;
    qint64 acknowledgedAt = 0;
    qint64 silencedUntil = 0;
};

struct MonitoringSnapshot {
    QString stamp;                      // the newest window and the query's shape: what the window parts show
    QString labelStamp;                 // the newest window and label, the span: what the accuracy shows
    bool dataRead = false;              // false: `stamp` did not move, the window parts were not read
    bool accuracyRead = false;          // false: `labelStamp` did not move, the accuracy was not read
    QStringList endpoints;              // deployments ∪ endpoints with windows
    QString endpoint;
    qint64 windowCount = 0;             // the endpoint's windows, all history
    qint64 newestWindowId = 0;
    qint64 windowMs = 0;                // the newest window's length
    qint64 from = 0, to = 0;            // the time charts' span
    qint64 bucketMs = 0;                // their bucket
    QString reference;                  // the newest window's reference ("fraud v1", "window …", "rolling 1d")
    QString model;                      // the version whose profile the selected window's sketches are binned on
    int version = 0;                    //   (its grid): the reference bars

    QVector<TrafficPoint> traffic;
    DriftHeatmapData heatmap;
    QString feature;
    QVector<EffectPoint> effect;

    qint64 windowId = 0;                // the window the distributions and quality show
    qint64 windowStart = 0, windowEnd = 0;
    qint64 windowRequests = 0;
    QString windowReference;            // what its tests compared with
    FeatureDistribution distribution;   // the selected feature's
    FeatureDistribution prediction;     // the "prediction" feature's
    QString predictedClasses;           // "0: 97.1 %, 1: 2.9 %" from monitor_windows.prediction
    QVector<QualityRow> quality;

    qint64 accuracyBucketMs = 0;
    QVector<monitor::AccuracyFigures> accuracy;        // per version over the span
    QVector<monitor::AccuracyFigures> accuracySeries;  // per version and bucket

    QVector<AlertRow> alerts;           // active first (newest first), then resolved in the last week
    QVector<deploy::ServerRecord> servers;
};

Result<MonitoringSnapshot> loadMonitoringSnapshot(store::Database &db, const MonitoringQuery &query);

// The share bins of a numeric feature: the reference's 100 percentile bins (99 inner edges)
// merged `group` at a time, reference and current counts as shares. Either side may be empty.
QVector<DistributionBin> mergedNumericBins(const QVector<double> &innerEdges, double min, double max, const QVector<double> &referenceCounts,
                                           const QVector<double> &currentCounts, int group);

// Through core/monitor's AlertStore, as `orrery-cli monitor alerts ack|silence` do: one transaction
// with its audit entry each. What was done, for the status line
// ("Acknowledged FeatureDrift{endpoint="fraud",feature="amount"}"); a resolved alert is not acknowledged.
Result<QString> acknowledgeAlert(store::Database &db, qint64 alertId, const QString &actor);
// Notifications of the alert suppressed until nowMs + forMs; when the workspace's alerts.yaml names
// an Alertmanager, a matching silence there too (its HTTP call bounded by the client's timeout,
// on the worker's thread). An empty workspaceRoot: no alerts.yaml, no Alertmanager.
Result<QString> silenceAlert(store::Database &db, const QString &workspaceRoot, qint64 alertId, qint64 forMs, const QString &actor,
                             qint64 nowMs);

} // namespace orrery::ui
