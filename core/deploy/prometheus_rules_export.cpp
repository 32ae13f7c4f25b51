#include "core/deploy/prometheus_rules_export.h"

#include "core/common/duration.h"
#include "core/deploy/manifest_export_yaml.h"

#include <QJsonArray>

namespace orrery::deploy {

namespace {

const QString kWindow = QStringLiteral("5m");

QString requestRate(const QString &selector)
{
    return QStringLiteral("sum by (endpoint, version) (rate(orrery_requests_total%1[%2]))").arg(selector, kWindow);
}

QString latencyQuantile(const QString &q)
{
    return QStringLiteral("histogram_quantile(%1, sum by (endpoint, version, le) (rate(orrery_request_duration_seconds_bucket[%2])))").arg(q, kWindow);
}

QJsonObject alertRuleObject(const monitor::AlertRule &r)
{
    QJsonObject annotations{{QStringLiteral("summary"), r.summary}};
    if (!r.description.isEmpty())
        annotations.insert(QStringLiteral("description"), r.description);
    return {{QStringLiteral("alert"), r.name},
            {QStringLiteral("expr"), r.expression()},
            {QStringLiteral("for"), common::durationText(r.forMs)},
            {QStringLiteral("keep_firing_for"), common::durationText(r.keepFiringForMs)},
            {QStringLiteral("labels"), QJsonObject{{QStringLiteral("severity"), r.severity}}},
            {QStringLiteral("annotations"), annotations}};
}

} // namespace

QVector<RecordingRule> orreryRecordingRules()
{
    const QString all = requestRate(QString());
    return {
        {QStringLiteral("endpoint_version:orrery_requests:rate5m"), all},
        // `or … * 0`: a version that answered no error has no non-2xx series at all; its ratio is
        // 0 rather than missing (a missing series reads as "no data" on a dashboard).
        {QStringLiteral("endpoint_version:orrery_request_errors:ratio_rate5m"),
         QStringLiteral("(%1 or %2 * 0) / %2").arg(requestRate(QStringLiteral("{code!~\"2..\"}")), all)},
        {QStringLiteral("endpoint_version:orrery_request_duration_seconds:p50_rate5m"), latencyQuantile(QStringLiteral("0.5"))},
        {QStringLiteral("endpoint_version:orrery_request_duration_seconds:p99_rate5m"), latencyQuantile(QStringLiteral("0.99"))},
    };
}

QJsonObject prometheusRulesObject(const monitor::AlertConfig &config)
{
    QJsonArray alerts;
    for (const monitor::AlertRule &r : config.rules)
        alerts.append(alertRuleObject(r));
    QJsonArray recording;
    for (const RecordingRule &r : orreryRecordingRules())
        recording.append(QJsonObject{{QStringLiteral("record"), r.record}, {QStringLiteral("expr"), r.expr}});
    QJsonArray groups;
    // An empty group is valid; it keeps the group's name (and a dashboard's ALERTS panels) stable
    // when alerts.yaml says `rules: []`.
    groups.append(QJsonObject{{QStringLiteral("name"), kAlertGroupName},
                              {QStringLiteral("interval"), common::durationText(config.evaluateEveryMs)},
                              {QStringLiteral("rules"), alerts}});
    groups.append(QJsonObject{{QStringLiteral("name"), kRecordingGroupName}, {QStringLiteral("rules"), recording}});
    return {{QStringLiteral("groups"), groups}};
}

QByteArray prometheusRulesYaml(const monitor::AlertConfig &config)
{
    QStringList comment{
        QStringLiteral("Orrery's alert rules for Prometheus, written by `orrery-cli export prometheus-rules`"),
        config.defaultRules && config.source.isEmpty() ? QStringLiteral("from Orrery's default rules (the workspace has no alerts.yaml).")
        : config.defaultRules                          ? QStringLiteral("from Orrery's default rules (%1 gives no rules:).").arg(config.source)
                                                       : QStringLiteral("from %1.").arg(config.source),
        QStringLiteral("Load it with `rule_files:` in prometheus.yml beside a scrape job for the server's /metrics;"),
        QStringLiteral("check it with `promtool check rules FILE` and its cases with `promtool test rules %1`.").arg(kPrometheusRulesTestFileName),
        QStringLiteral("The group `%1` fires what Orrery's serving process fires (plus the scrape's job and instance").arg(kAlertGroupName),
        QStringLiteral("labels); `%1` records request rates, error ratios and latency quantiles.").arg(kRecordingGroupName),
    };
    if (!config.alertmanager.isEmpty())
        comment << QStringLiteral("Orrery notifies the Alertmanager at %1; name it under `alerting:` in prometheus.yml for the same.").arg(config.alertmanager);
    QByteArray text;
    for (const QString &line : comment)
        text += "# " + line.toUtf8() + '\n';
    return text + toYaml(prometheusRulesObject(config), prometheusYamlKeyOrder());
}

const QStringList &prometheusYamlKeyOrder()
{
    static const QStringList keys{
        // rule files
        QStringLiteral("name"), QStringLiteral("interval"), QStringLiteral("alert"), QStringLiteral("record"), QStringLiteral("expr"),
        QStringLiteral("for"), QStringLiteral("keep_firing_for"), QStringLiteral("labels"), QStringLiteral("annotations"),
        // promtool's test files
        QStringLiteral("rule_files"), QStringLiteral("evaluation_interval"), QStringLiteral("tests"), QStringLiteral("input_series"),
        QStringLiteral("series"), QStringLiteral("values"), QStringLiteral("alert_rule_test"), QStringLiteral("promql_expr_test"),
        QStringLiteral("eval_time"), QStringLiteral("alertname"), QStringLiteral("exp_alerts"), QStringLiteral("exp_labels"),
        QStringLiteral("exp_annotations"), QStringLiteral("exp_samples"), QStringLiteral("value"),
        // annotations
        QStringLiteral("summary"), QStringLiteral("description"),
    };
    return keys;
}

} // namespace orrery::deploy
