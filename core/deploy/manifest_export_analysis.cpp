#include "core/deploy/manifest_export_analysis.h"

#include "core/deploy/manifest_export.h"
#include "core/deploy/manifest_export_objects.h"
#include "core/registry/validation_gate.h"

#include <QRegularExpression>
#include <QStringList>

#include <algorithm>
#include <cmath>

namespace orrery::deploy {

namespace {

QString num(double value)
{
    return QString::number(value, 'g', 15);
}

QString selector(const QString &endpoint, const QString &version, const QString &more = QString())
{
    return QStringLiteral("{endpoint=\"%1\",version=\"%2\"%3}").arg(endpoint, version, more);
}

QString requestsQuery(const QString &endpoint, const QString &version, int window)
{
    return QStringLiteral("sum(increase(orrery_requests_total%1[%2s]))").arg(selector(endpoint, version)).arg(window);
}

QString opText(AnalysisRule::Op op)
{
    switch (op) {
    case AnalysisRule::Op::Le: return QStringLiteral("<=");
    case AnalysisRule::Op::Lt: return QStringLiteral("<");
    case AnalysisRule::Op::Ge: return QStringLiteral(">=");
    case AnalysisRule::Op::Gt: return QStringLiteral(">");
    }
    return QString();
}

QString negatedOpText(AnalysisRule::Op op)
{
    switch (op) {
    case AnalysisRule::Op::Le: return QStringLiteral(">");
    case AnalysisRule::Op::Lt: return QStringLiteral(">=");
    case AnalysisRule::Op::Ge: return QStringLiteral("<");
    case AnalysisRule::Op::Gt: return QStringLiteral("<=");
    }
    return QString();
}

// Argo metric names: "error-rate", "p99-ms", with "-2", "-3" for a second rule on one metric.
QString metricEntryName(const QVector<AnalysisRule> &rules, int index)
{
    const QString base = analysisMetricName(rules[index].metric).replace(QLatin1Char('_'), QLatin1Char('-'));
    int same = 0;
    for (int i = 0; i <= index; ++i)
        if (rules[i].metric == rules[index].metric)
            ++same;
    return same == 1 ? base : QStringLiteral("%1-%2").arg(base).arg(same);
}

} // namespace

Result<QVector<AnalysisRule>> parseAnalysisRules(const QString &text)
{
    // The gate grammar of core/registry, with "stable" as the reference: one grammar for the
    // registry's gates, the rollout's analysis and this export.
    ORRERY_ASSIGN_OR_RETURN(const QVector<registry::GateRule> gates, registry::parseGateRules(text, QStringLiteral("stable")));
    QVector<AnalysisRule> rules;
    for (int i = 0; i < gates.size(); ++i) {
        const registry::GateRule &g = gates[i];
        const QString where = QStringLiteral("analysis rule %1 '%2'").arg(QString::number(i + 1), g.text());
        AnalysisRule r;
        r.text = g.text();
        if (g.metric == QLatin1String("error_rate"))
            r.metric = AnalysisRule::Metric::ErrorRate;
        else if (g.metric == QLatin1String("p99_ms"))
            r.metric = AnalysisRule::Metric::P99Ms;
        else
            return invalidArgument(QStringLiteral("%1: unknown metric '%2'; the exported analysis knows error_rate (non-2xx share of requests) "
                                                  "and p99_ms (99th percentile latency, ms), the metrics Orrery's /metrics serves")
                                       .arg(where, g.metric));
        switch (g.op) {
        case registry::GateRule::Op::Le: r.op = AnalysisRule::Op::Le; break;
        case registry::GateRule::Op::Lt: r.op = AnalysisRule::Op::Lt; break;
        case registry::GateRule::Op::Ge: r.op = AnalysisRule::Op::Ge; break;
        case registry::GateRule::Op::Gt: r.op = AnalysisRule::Op::Gt; break;
        case registry::GateRule::Op::Eq:
            return invalidArgument(QStringLiteral("%1: '==' cannot be expected of a measured rate or latency; use <=, <, >= or >").arg(where));
        }
        r.relative = !g.reference.isEmpty();
        r.factor = g.scale;
        r.offset = g.threshold;
        rules.append(r);
    }
    return rules;
}

QString analysisMetricName(AnalysisRule::Metric metric)
{
    return metric == AnalysisRule::Metric::ErrorRate ? QStringLiteral("error_rate") : QStringLiteral("p99_ms");
}

QString versionValueQuery(AnalysisRule::Metric metric, const QString &endpoint, const QString &version, int windowSeconds)
{
    const QString window = QStringLiteral("[%1s]").arg(windowSeconds);
    if (metric == AnalysisRule::Metric::ErrorRate)
        // A version with no failed request has no non-2xx series at all: `or vector(0)` makes its
        // error count 0 instead of leaving the ratio empty.
        return QStringLiteral("(sum(rate(orrery_requests_total%1%3)) or vector(0)) / sum(rate(orrery_requests_total%2%3))")
            .arg(selector(endpoint, version, QStringLiteral(",code!~\"2..\"")), selector(endpoint, version), window);
    return QStringLiteral("histogram_quantile(0.99, sum by (le) (rate(orrery_request_duration_seconds_bucket%1%2))) * 1000")
        .arg(selector(endpoint, version), window);
}

QString ruleQuery(const AnalysisRule &rule, int windowSeconds, int minRequests)
{
    const QString endpoint = QStringLiteral("{{args.endpoint}}");
    const QString canary = QStringLiteral("{{args.canary-version}}");
    const QString stable = QStringLiteral("{{args.stable-version}}");
    QString bound;
    if (rule.relative) {
        bound = QStringLiteral("(%1)").arg(versionValueQuery(rule.metric, endpoint, stable, windowSeconds));
        if (rule.factor != 1.0)
            bound = QStringLiteral("%1 * %2").arg(num(rule.factor), bound);
        if (rule.offset != 0.0)
            bound += QStringLiteral(" %1 %2").arg(rule.offset < 0 ? QStringLiteral("-") : QStringLiteral("+"), num(std::fabs(rule.offset)));
    } else {
        bound = num(rule.offset);
    }
    QString query = QStringLiteral("(\n  (%1)\n  -\n  (%2)\n)").arg(versionValueQuery(rule.metric, endpoint, canary, windowSeconds), bound);
    query += QStringLiteral("\nand on() (%1 >= %2)").arg(requestsQuery(endpoint, canary, windowSeconds)).arg(minRequests);
    if (rule.relative)
        query += QStringLiteral("\nand on() (%1 >= %2)").arg(requestsQuery(endpoint, stable, windowSeconds)).arg(minRequests);
    return query + QLatin1Char('\n'); // ends its last line, so YAML writes it as a literal block
}

QString successCondition(const AnalysisRule &rule)
{
    return QStringLiteral("len(result) > 0 && result[0] %1 0").arg(opText(rule.op));
}

QString failureCondition(const AnalysisRule &rule)
{
    return QStringLiteral("len(result) > 0 && result[0] %1 0").arg(negatedOpText(rule.op));
}

int analysisWindowSeconds(const ExportSpec &spec)
{
    return std::max(spec.pauseSeconds, 60);
}

QJsonObject analysisTemplate(const ExportSpec &spec, const QVector<AnalysisRule> &rules)
{
    const int window = analysisWindowSeconds(spec);
    QJsonArray metrics;
    for (int i = 0; i < rules.size(); ++i)
        metrics.append(QJsonObject{
            {QStringLiteral("name"), metricEntryName(rules, i)},
            {QStringLiteral("successCondition"), successCondition(rules[i])},
            {QStringLiteral("failureCondition"), failureCondition(rules[i])},
            {QStringLiteral("provider"), QJsonObject{{QStringLiteral("prometheus"),
                                                      QJsonObject{{QStringLiteral("address"), spec.prometheusAddress},
                                                                  {QStringLiteral("query"), ruleQuery(rules[i], window, spec.minRequests)}}}}}});
    QJsonArray args;
    for (const char *name : {"endpoint", "canary-version", "stable-version"})
        args.append(QJsonObject{{QStringLiteral("name"), QLatin1String(name)}});
    QJsonObject annotations;
    for (int i = 0; i < rules.size(); ++i)
        annotations.insert(QStringLiteral("orrery.dev/rule-%1").arg(metricEntryName(rules, i)), rules[i].text);
    return {{QStringLiteral("apiVersion"), QStringLiteral("argoproj.io/v1alpha1")},
            {QStringLiteral("kind"), QStringLiteral("AnalysisTemplate")},
            {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), objects::analysisTemplateName(spec)},
                                                     {QStringLiteral("labels"), objects::objectLabels(spec)},
                                                     {QStringLiteral("annotations"), annotations}}},
            {QStringLiteral("spec"), QJsonObject{{QStringLiteral("args"), args}, {QStringLiteral("metrics"), metrics}}}};
}

QJsonArray analysisArgs(const ExportSpec &spec)
{
    return {QJsonObject{{QStringLiteral("name"), QStringLiteral("endpoint")}, {QStringLiteral("value"), spec.endpoint}},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("canary-version")}, {QStringLiteral("value"), QString::number(spec.version)}},
            QJsonObject{{QStringLiteral("name"), QStringLiteral("stable-version")}, {QStringLiteral("value"), QString::number(spec.stableVersion)}}};
}

QJsonObject analysisReference(const ExportSpec &spec)
{
    return {{QStringLiteral("templates"), QJsonArray{QJsonObject{{QStringLiteral("templateName"), objects::analysisTemplateName(spec)}}}},
            {QStringLiteral("args"), analysisArgs(spec)}};
}

} // namespace orrery::deploy
