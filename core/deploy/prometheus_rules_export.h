#pragma once
// `orrery-cli export prometheus-rules`: the workspace's alert rules (alerts.yaml, or the defaults;
// core/monitor/alert_rules.h) as a Prometheus rule file, so that a Prometheus scraping Orrery's
// /metrics fires the alerts the serving process fires (issue 17, part 5):
//
//   groups:
//   - name: orrery                     # the alert rules, evaluated every evaluate_every (as Orrery does)
//     interval: 5s
//     rules:
//     - alert: FeatureDrift
//       expr: orrery_feature_drift > 0                 # AlertRule::expression(), unchanged
//       for: 0s
//       keep_firing_for: 1m                            # Prometheus >= 2.42
//       labels: {severity: warning}
//       annotations: {summary: "...", description: "..."}  # the same templates
//   - name: orrery-recording           # request rate, error ratio, p50/p99 latency per endpoint and version
//     rules:
//     - record: endpoint_version:orrery_request_duration_seconds:p99_rate5m
//       expr: histogram_quantile(0.99, sum by (endpoint, version, le) (rate(...[5m])))
//
// Why the alerts agree: a rule is the PromQL `metric{where} op threshold`, which selects the same
// series in Prometheus as in Orrery's evaluator, and both keep Prometheus' pending / firing /
// keep_firing_for states; alert_template.h's forms are a subset of Prometheus' Go templates and
// render alike (prometheus_rule_tests.h writes promtool cases that check exactly this). What
// differs: Prometheus adds its scrape labels (job, instance) to every alert, and it sees a gauge
// only as often as it scrapes it.
//
// Pure functions of the config: nothing here reads the workspace.

#include "core/monitor/alert_rules.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QVector>

namespace orrery::deploy {

inline const QString kPrometheusRulesFileName = QStringLiteral("orrery-rules.yml");
inline const QString kPrometheusRulesTestFileName = QStringLiteral("orrery-rules.test.yml");
inline const QString kAlertGroupName = QStringLiteral("orrery");
inline const QString kRecordingGroupName = QStringLiteral("orrery-recording");

// One Prometheus recording rule: `record` is the new series' name (level:metric:operations).
struct RecordingRule {
    QString record;
    QString expr;
};

// Request rate, error ratio (non-2xx answers / all; 0, not empty, for a version with no error),
// and p50 / p99 latency from the histogram, each by endpoint and version over 5 minutes.
QVector<RecordingRule> orreryRecordingRules();

// The rule file's object (groups), for the YAML below and for tests.
QJsonObject prometheusRulesObject(const monitor::AlertConfig &config);
// The rule file: a comment naming its source and how to load, check and test it, then the
// groups. Valid for `promtool check rules`.
QByteArray prometheusRulesYaml(const monitor::AlertConfig &config);

// The reading order of Prometheus' rule files and promtool's test files (toYaml's leading keys).
const QStringList &prometheusYamlKeyOrder();

} // namespace orrery::deploy
