#pragma once
// The exported rollout analysis: the spec's rules (the gate grammar of issue 16, e.g.
// "error_rate <= stable + 0.01, p99_ms <= 1.2 * stable") parsed, and written as an Argo Rollouts
// AnalysisTemplate whose Prometheus queries read the metric names Orrery's /metrics serves
// (core/serve): orrery_requests_total{endpoint,version,code} and
// orrery_request_duration_seconds_bucket{endpoint,version,le}.
//
// Argo's successCondition sees only its own query's result, never a second query's, so a rule
// that compares with the stable version is one PromQL expression:
//
//     (canary's value) - (factor * (stable's value) + offset)      successCondition: result[0] <= 0
//
// both sides aggregated to one label-less sample so they subtract, and the whole filtered by
// `and on() (requests of each version >= minRequests)`. Too few requests leave the result empty:
// neither the success nor the failure condition holds, so Argo calls the measurement
// Inconclusive (and pauses the rollout for a person), as Orrery's own analysis calls it
// inconclusive; it never passes by omission.

#include "core/common/status.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QVector>

namespace orrery::deploy {

struct ExportSpec;

struct AnalysisRule {
    enum class Metric { ErrorRate, P99Ms };
    enum class Op { Le, Lt, Ge, Gt };
    Metric metric = Metric::ErrorRate;
    Op op = Op::Le;
    bool relative = false; // the bound uses the stable version's value
    double factor = 1.0;   // bound = factor * stable + offset, or offset alone
    double offset = 0.0;
    QString text;          // as written, trimmed
};

// The gate grammar (core/registry/validation_gate.h) with "stable" as its reference: rules
// separated by ',' or ';', bounds NUMBER, stable, stable + N, stable - N, N * stable, stable * N.
// Metrics: error_rate (non-2xx share of requests, 0..1) and p99_ms (99th percentile latency in
// milliseconds); anything else, and '==', is refused naming the rule.
Result<QVector<AnalysisRule>> parseAnalysisRules(const QString &text);

QString analysisMetricName(AnalysisRule::Metric metric); // "error_rate", "p99_ms"

// The PromQL of one version's value over `windowSeconds`; `version` is inserted as written (an
// Argo argument such as "{{args.canary-version}}" or a number).
QString versionValueQuery(AnalysisRule::Metric metric, const QString &endpoint, const QString &version, int windowSeconds);
// The rule's query (see above) with Argo's arguments endpoint, canary-version, stable-version.
QString ruleQuery(const AnalysisRule &rule, int windowSeconds, int minRequests);
QString successCondition(const AnalysisRule &rule);
QString failureCondition(const AnalysisRule &rule);

// The query window: the pause of a step, at least a minute (rate() needs several scrapes).
int analysisWindowSeconds(const ExportSpec &spec);

// The AnalysisTemplate `{E}-analysis` (one metric per rule) and the arguments a Rollout passes.
QJsonObject analysisTemplate(const ExportSpec &spec, const QVector<AnalysisRule> &rules);
QJsonArray analysisArgs(const ExportSpec &spec);
// A Rollout's reference to the template with its arguments: {templates: [...], args: [...]}.
QJsonObject analysisReference(const ExportSpec &spec);

} // namespace orrery::deploy
