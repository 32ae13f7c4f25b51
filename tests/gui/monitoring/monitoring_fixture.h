#pragma once
// Rows of the monitoring tables (migration 12) as the serving process writes them, for the
// Monitoring area's test (a few dozen windows with a known shift) and its benchmark (30 days of
// one-minute windows): a model version with its reference profile, windows with their feature
// rows, predictions with delayed labels, alerts. Statements are prepared once per writer, so a
// benchmark's 560,000 feature rows go in within seconds.

#include "core/common/status.h"
#include "core/store/database.h"

#include <QString>
#include <QVector>

namespace orrery::testing {

struct FeatureRowSpec {
    QString feature;
    QString kind = QStringLiteral("numeric");
    QString status = QStringLiteral("no_drift");
    QString test = QStringLiteral("wasserstein");
    double statistic = 0.02;
    double pValue = 0.9;
    double threshold = 0.1;
    double effect = 0.02;
    double effectThreshold = 0.1;
    bool drifted = false;
    bool alarm = false;
    qint64 rows = 1000;
    double missing = 0;
    double outOfRange = 0;
    double unseen = 0;
    QString counts; // the window's sketch JSON
};

struct WindowSpec {
    QString endpoint = QStringLiteral("fraud");
    qint64 start = 0;
    qint64 end = 0;
    qint64 requests = 0;
    qint64 rows = 0;
    double p50Ms = 2;
    double p99Ms = 8;
    QString reference = QStringLiteral("fraud v1");
    QString grid = QStringLiteral("fraud v1"); // whose profile's edges the sketches are binned on
    QString prediction = QStringLiteral("{}");
};

class MonitoringWriter {
public:
    explicit MonitoringWriter(store::Database &db) : m_db(db) {}

    // A registered model with one version whose reference_profile is `profileJson`.
    Status addModelVersion(const QString &model, int version, const QString &profileJson);
    Result<qint64> addWindow(const WindowSpec &window, const QVector<FeatureRowSpec> &features);
    // A logged prediction (outputs JSON as the prediction log writes it); returns its id.
    Result<qint64> addPrediction(const QString &endpoint, const QString &version, qint64 time, const QString &outputs, int rows = 1);
    Status addLabel(const QString &endpoint, qint64 predictionId, int row, double label, qint64 time);
    Result<qint64> addAlert(const QString &rule, const QString &labelsJson, const QString &state, double value, qint64 activeSince,
                            qint64 resolvedAt = 0, const QString &summary = QString());

    // {"counts":[…],"min":…,"max":…} and {"categories":{…}}.
    static QString numericCounts(const QVector<double> &counts, double min, double max);
    static QString categoryCounts(const QVector<std::pair<QString, double>> &categories);

private:
    store::Database &m_db;
    store::Statement m_window;
    store::Statement m_feature;
    bool m_prepared = false;
};

} // namespace orrery::testing
