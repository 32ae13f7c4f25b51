#pragma once
// Alert rules: `alerts.yaml` at the workspace root (version-controlled with the project), read
// and checked whole, or the defaults when there is none. The serving process evaluates them
// (alert_evaluator.h, alert_engine.h); `orrery-cli monitor alerts check` runs the same checks.
//
//   alertmanager: http://127.0.0.1:9093      # optional: Alertmanager's base URL (its v2 API)
//   evaluate_every: 5s                         # optional, 1s … 1h, default 5s
//   rules:                                     # optional: without it, the default rules
//   - alert: FeatureDrift                      # [A-Za-z_][A-Za-z0-9_]*, unique
//     metric: orrery_feature_drift             # a gauge of Orrery's /metrics (knownAlertMetrics())
//     where: {endpoint: fraud}                 # optional label equality matchers
//     op: ">"                                  # > >= < <= == != (quoted: YAML reads a bare > as a block)
//     threshold: 0
//     for: 0s                                  # pending this long before firing
//     keep_firing_for: 1m                      # firing this long after the condition clears
//     severity: warning                        # the alert's label severity (default warning)
//     summary: "{{ $labels.feature }} drifted on {{ $labels.endpoint }}"   # alert_template.h
//     description: "…"                         # optional
//
// A rule is the PromQL `metric{where} op threshold` (expression()): it yields one alert per
// series it selects, exactly as Prometheus would, so `orrery-cli export prometheus-rules` can
// write it unchanged. Alert labels: the series' labels + alertname + severity.
//
// Checking reads the whole file and reports every problem, each as FILE:LINE:COLUMN, what is
// wrong and the fix: YAML syntax, unknown keys (with the nearest known one), a missing or bad
// field, an operator, a duration (core/common/duration.h), a name that is no identifier, two
// rules with one name, a metric Orrery does not expose, an annotation template Orrery cannot render.

#include "core/common/status.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

namespace orrery::monitor {

struct MetricSample;

inline const QString kAlertsFileName = QStringLiteral("alerts.yaml");

enum class CompareOp { Greater, GreaterOrEqual, Less, LessOrEqual, Equal, NotEqual };
QString opText(CompareOp op); // ">", ">=", …
// PromQL's comparison on floats (so NaN != x holds and every other comparison with NaN does not).
bool compare(double value, CompareOp op, double threshold);

struct AlertRule {
    QString name;
    QString metric;
    QMap<QString, QString> where;
    CompareOp op = CompareOp::Greater;
    double threshold = 0;
    qint64 forMs = 0;
    qint64 keepFiringForMs = 0;
    QString severity = QStringLiteral("warning");
    QString summary;
    QString description;
    int line = 0; // where the rule starts in its file (1-based; 0: a default rule)

    // The series this rule looks at (the metric and every `where` matcher).
    bool selects(const MetricSample &sample) const;
    bool holds(double value) const { return compare(value, op, threshold); }
    // `orrery_feature_drift{endpoint="fraud"} > 0`
    QString expression() const;
};

struct AlertConfig {
    QString source;                // the file read; empty: the defaults (no alerts.yaml)
    QString alertmanager;          // base URL without a trailing '/'; empty: none
    qint64 evaluateEveryMs = 5000;
    QVector<AlertRule> rules;
    bool defaultRules = true;      // `rules` was not given: the defaults apply
};

// What applies with no alerts.yaml: FeatureDrift (orrery_feature_drift > 0, keep firing 1m),
// ModelAccuracyLow (orrery_model_accuracy{metric="accuracy"} < 0.8 for 5m), HighLatencyP99
// (orrery_window_latency_p99_seconds > 0.5 for 2m), HighErrorRatio (orrery_window_error_ratio > 0.05 for 2m).
QVector<AlertRule> defaultAlertRules();
AlertConfig defaultAlertConfig();

// The gauges a rule may name: the contract's live-monitoring gauges and core/serve's and
// core/deploy's own.
QStringList knownAlertMetrics();

struct AlertConfigCheck {
    AlertConfig config; // meaningful only when errors is empty
    QStringList errors; // "FILE:LINE:COLUMN: what; fix", in file order
};

// Reads `yaml` as alerts.yaml; `fileName` names it in the errors.
AlertConfigCheck checkAlertConfig(const QByteArray &yaml, const QString &fileName);
// The same, with the errors as one InvalidArgument (one error a line).
Result<AlertConfig> parseAlertConfig(const QByteArray &yaml, const QString &fileName);
// Reads the file at `path`; no file: the defaults. Io when it exists and cannot be read.
Result<AlertConfig> loadAlertConfig(const QString &path);

} // namespace orrery::monitor
