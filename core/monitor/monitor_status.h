#pragma once
// MonitorStatus: what `orrery-cli monitor status` says about an endpoint — its last closed live
// window (requests, rate, latency, the reference it was compared with) and each feature's test,
// statistic, adjusted p-value, effect against its threshold, alarm, and data quality; and how
// many of the recent windows each feature was in alarm; each version's accuracy from delayed labels. Read from monitor_windows and
// monitor_features (the serving process writes them; live_monitor.h).

#include "core/common/status.h"
#include "core/monitor/feedback_accuracy.h"

#include <QJsonObject>
#include <QString>

#include <optional>
#include <vector>

namespace orrery::store {
class Database;
}

namespace orrery::monitor {

struct FeatureStatus {
    QString name, kind, status, test;
    std::optional<double> statistic, pValue, threshold, effect, effectThreshold, errorBound;
    bool drifted = false, alarm = false;
    qint64 rows = 0;
    double missingShare = 0, outOfRangeShare = 0, unseenShare = 0;
    int recentAlarms = 0; // windows in alarm among the recent ones
};

struct EndpointStatus {
    QString endpoint;
    bool hasWindow = false;
    qint64 startMs = 0, endMs = 0, requests = 0, rows = 0;
    std::optional<double> latencyP50Ms, latencyP99Ms;
    QString reference, grid;
    int recentWindows = 0;
    std::vector<FeatureStatus> features;
    QVector<AccuracyFigures> accuracy; // per version, from delayed labels over the accuracy span

    QStringList alarmed() const;
    QJsonObject toJson() const;
};

// Every endpoint with windows (or only `endpoint`); `recent`: how many windows the alarm counts
// cover; accuracy over the predictions of the last `accuracySpanMs` before the newest window's end.
Result<std::vector<EndpointStatus>> readMonitorStatus(store::Database &db, const QString &endpoint = {}, int recent = 10,
                                                      qint64 accuracySpanMs = 3'600'000);

} // namespace orrery::monitor
