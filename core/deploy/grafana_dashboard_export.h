#pragma once
// `orrery-cli export grafana`: a Grafana dashboard (the classic JSON model, schemaVersion 39) with
// the panels of the window's Monitoring area, over a Prometheus that scrapes Orrery's /metrics:
//
//   Requests per second     sum by (endpoint, version) (rate(orrery_requests_total[…]))
//   Error ratio             non-2xx / all, per endpoint and version (0 when none failed)
//   Latency p50 / p99       histogram_quantile over orrery_request_duration_seconds_bucket
//   Drift alarm             a state timeline of orrery_feature_drift per feature (the heatmap's red)
//   Drift effect            orrery_feature_drift_effect per feature; the p-values beside it
//   Data quality            missing, out-of-range and unseen shares per feature
//   Rows per window         orrery_monitor_window_rows
//   Accuracy                orrery_model_accuracy{metric="$metric"} per version, and the labels behind it
//   Alerts                  orrery_alerts (Orrery's own pending and firing alerts) as a table
//   Rollout                 orrery_endpoint_weight per version, the canary's weight and step
//
// Variables: `datasource` (any Prometheus; left out when a datasource uid is given), `endpoint`
// (label_values of orrery_requests_total, several at once or All) and `metric` (the accuracy
// metric). Every panel and target names its datasource; ids are unique; the grid is 24 wide.
//
// Pure: nothing here reads the workspace. grafanaDashboardQueries lists every PromQL expression
// (with Grafana's variables still in them) for tests that evaluate them.

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

namespace orrery::deploy {

inline const QString kGrafanaDashboardFileName = QStringLiteral("orrery-dashboard.json");

struct GrafanaDashboardOptions {
    QString datasourceUid;                                  // empty: a `datasource` variable picks one
    QString uid = QStringLiteral("orrery-monitoring");      // the dashboard's uid (its URL)
    QString title = QStringLiteral("Orrery monitoring");
};

QJsonObject grafanaDashboard(const GrafanaDashboardOptions &options = {});

struct GrafanaQuery {
    QString panel; // the panel's title
    QString refId;
    QString expr;
};
// Every target's expression of `dashboard` (a grafanaDashboard()), in panel order.
QVector<GrafanaQuery> grafanaDashboardQueries(const QJsonObject &dashboard);

} // namespace orrery::deploy
