#pragma once
// MonitorWindowStore: the live monitor's reads and writes in the workspace database — which model
// version an endpoint serves and its reference profile and signature, the reference an endpoint
// is compared with (monitor_references), closed windows (monitor_windows + monitor_features, one
// transaction each), past windows' sketches for a fixed or rolling reference, the last alarm of
// each feature (hysteresis continues after a restart), and retention.
//
// Threads: one thread at a time (the live monitor's ticker); its own connection.

#include "core/common/status.h"
#include "core/monitor/drift_report.h"
#include "core/monitor/reference_profile.h"
#include "core/monitor/window_sketch.h"

#include <QJsonObject>
#include <QString>

#include <map>
#include <memory>
#include <vector>

namespace orrery::store {
class Database;
}

namespace orrery::monitor {

// What an endpoint serves, as the deployments table says (stable version), and that version's
// reference profile and signature.
struct EndpointReference {
    QString endpoint;
    QString model;
    int version = 0;
    QString grid() const { return QStringLiteral("%1 v%2").arg(model).arg(version); }
    std::shared_ptr<const ReferenceProfile> profile; // null: none stored (why says so)
    QJsonObject signature;
    QString why;
};

// monitor_references: what the windows are compared with.
struct ReferenceChoice {
    enum class Kind { Model, Window, Rolling };
    Kind kind = Kind::Model;
    qint64 fromMs = 0, toMs = 0; // Window
    qint64 spanMs = 0;           // Rolling: the span before each window
    QString describe() const;
};

struct ClosedFeature {
    FeatureDrift drift;
    bool alarm = false;
    double outOfRangeShare = 0;
    QJsonObject counts; // the window's sketch (FeatureSketch::toJson)
};

struct ClosedWindow {
    QString endpoint;
    qint64 startMs = 0, endMs = 0;
    qint64 requests = 0, rows = 0;
    double latencyP50Ms = -1, latencyP99Ms = -1; // < 0: unknown
    QString reference, grid;
    std::map<QString, qint64> versions;
    std::map<QString, qint64> predictedClasses;
    std::vector<ClosedFeature> features;
};

class MonitorWindowStore {
public:
    static Result<std::unique_ptr<MonitorWindowStore>> open(const QString &databasePath);
    ~MonitorWindowStore();

    // Every deployed endpoint with the grid its stable version gives ("fraud v1").
    Result<std::vector<std::pair<QString, QString>>> endpoints();
    Result<EndpointReference> reference(const QString &endpoint);
    Result<ReferenceChoice> referenceChoice(const QString &endpoint);
    Status setReferenceChoice(const QString &endpoint, const ReferenceChoice &choice, qint64 nowMs);

    Status write(const ClosedWindow &window);
    // The sum of the stored sketches of `endpoint`'s windows on `grid` in [fromMs, toMs), per
    // feature of `profile` (features never stored stay empty), and how many windows were merged.
    Result<int> mergedSketches(const QString &endpoint, const QString &grid, qint64 fromMs, qint64 toMs, const ReferenceProfile &profile,
                               std::vector<FeatureSketch> *out);
    // Each feature's alarm in the endpoint's last stored window on `grid`.
    Result<std::map<QString, bool>> lastAlarms(const QString &endpoint, const QString &grid);
    // Deletes windows that ended before `cutoffMs`; returns how many.
    Result<qint64> deleteBefore(qint64 cutoffMs);
    // The connection, for readers of the same thread (FeedbackAccuracy).
    store::Database &database() { return *m_db; }

private:
    MonitorWindowStore() = default;
    std::unique_ptr<store::Database> m_db;
};

} // namespace orrery::monitor
