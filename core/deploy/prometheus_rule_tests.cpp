#include "core/deploy/prometheus_rule_tests.h"

#include "core/common/duration.h"
#include "core/deploy/manifest_export_yaml.h"
#include "core/deploy/prometheus_rules_export.h"
#include "core/monitor/alert_template.h"
#include "core/monitor/metrics_samples.h"

#include <QJsonArray>
#include <QJsonObject>

#include <cmath>
#include <numeric>

namespace orrery::deploy {

namespace {

using monitor::AlertRule;
using monitor::CompareOp;

// Steps of a duration on the grid, rounded up: Prometheus fires at the first evaluation at least
// `for` after the alert became pending, and stops keeping it at the first one `keep_firing_for`
// after its condition cleared.
int stepsOf(qint64 ms, qint64 stepMs) { return int((ms + stepMs - 1) / stepMs); }

double rounded(double v) { return QString::number(v, 'g', 12).toDouble(); }

// How far from the threshold the example values lie: 1 for a whole threshold (a 0/1 gauge, a
// count), a tenth of a larger one, one unit of the leading digit of a fraction (0.05 → 0.01,
// 0.8 → 0.1), so a share stays a share and a p-value stays positive.
double margin(double threshold)
{
    const double size = std::fabs(threshold);
    if (std::floor(threshold) == threshold)
        return 1.0;
    if (size >= 1)
        return 0.1 * size;
    return std::pow(10.0, std::floor(std::log10(size)));
}

// The example value of a label, and the one of a series that differs in it.
QString exampleValue(const QString &label)
{
    if (label == QLatin1String("endpoint"))
        return QStringLiteral("example");
    if (label == QLatin1String("feature"))
        return QStringLiteral("feature_a");
    if (label == QLatin1String("version"))
        return QStringLiteral("1");
    if (label == QLatin1String("metric"))
        return QStringLiteral("accuracy");
    return QStringLiteral("example");
}

QString otherValue(const QString &label, const QString &value)
{
    if (label == QLatin1String("feature") && value == QLatin1String("feature_a"))
        return QStringLiteral("feature_b");
    if (label == QLatin1String("version") && value == QLatin1String("1"))
        return QStringLiteral("2");
    return QStringLiteral("not_") + value;
}

// promtool's expanding notation: `a+0xN` is N+1 samples of a.
QString valuesText(const QVector<double> &values)
{
    QStringList runs;
    for (int i = 0; i < values.size();) {
        int j = i;
        while (j + 1 < values.size() && values[j + 1] == values[i])
            ++j;
        runs << QStringLiteral("%1+0x%2").arg(monitor::goFloatText(values[i])).arg(j - i);
        i = j + 1;
    }
    return runs.join(QLatin1Char(' '));
}

QJsonObject jsonMap(const QMap<QString, QString> &m)
{
    QJsonObject o;
    for (auto it = m.cbegin(); it != m.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QJsonObject alertTestGroup(const RuleTestCase &c)
{
    QJsonArray series;
    for (const RuleTestSeries &s : c.series)
        series.append(QJsonObject{{QStringLiteral("series"), s.seriesText()}, {QStringLiteral("values"), valuesText(s.values)}});
    QJsonArray checks;
    for (const RuleTestCheck &check : c.checks) {
        QJsonArray expected;
        for (const ExpectedAlert &a : check.firing)
            expected.append(QJsonObject{{QStringLiteral("exp_labels"), jsonMap(a.labels)}, {QStringLiteral("exp_annotations"), jsonMap(a.annotations)}});
        checks.append(QJsonObject{{QStringLiteral("eval_time"), common::durationText(check.step * c.stepMs)},
                                  {QStringLiteral("alertname"), c.rule.name},
                                  {QStringLiteral("exp_alerts"), expected}});
    }
    return {{QStringLiteral("name"), QStringLiteral("%1: %2").arg(c.rule.name, c.rule.expression())},
            {QStringLiteral("interval"), common::durationText(c.stepMs)},
            {QStringLiteral("input_series"), series},
            {QStringLiteral("alert_rule_test"), checks}};
}

// histogram_quantile as Prometheus computes it over cumulative buckets (promql/quantile.go), so
// the expected value is the same double, not one near it (promtool compares exactly).
double bucketQuantile(double q, const QVector<std::pair<double, double>> &buckets)
{
    const double rank = q * buckets.last().second;
    int b = 0;
    while (b < buckets.size() - 1 && buckets[b].second < rank)
        ++b;
    double start = 0, count = buckets[b].second, r = rank;
    if (b > 0) {
        start = buckets[b - 1].first;
        count -= buckets[b - 1].second;
        r -= buckets[b - 1].second;
    }
    return start + (buckets[b].first - start) * (r / count);
}

// The recording rules' case: version 1 answers 54 requests a minute with 200 and 6 with 500,
// version 2 60 with 200; version 1's latency buckets (0.25 s: 60 a minute, 1 s and +Inf: 120).
// At 10m, over 5m: 1 request/s each, error ratios 0.1 and 0 (the `or`), p50 0.25 s, p99 in the
// second bucket.
QJsonObject recordingTestGroup()
{
    auto series = [](const QString &text, int perMinute) {
        return QJsonObject{{QStringLiteral("series"), text}, {QStringLiteral("values"), QStringLiteral("0+%1x10").arg(perMinute)}};
    };
    const QString v1 = QStringLiteral("endpoint=\"example\",version=\"1\"");
    const QString v2 = QStringLiteral("endpoint=\"example\",version=\"2\"");
    QJsonArray input{
        series(QStringLiteral("orrery_requests_total{%1,code=\"200\"}").arg(v1), 54),
        series(QStringLiteral("orrery_requests_total{%1,code=\"500\"}").arg(v1), 6),
        series(QStringLiteral("orrery_requests_total{%1,code=\"200\"}").arg(v2), 60),
        series(QStringLiteral("orrery_request_duration_seconds_bucket{%1,le=\"0.25\"}").arg(v1), 60),
        series(QStringLiteral("orrery_request_duration_seconds_bucket{%1,le=\"1\"}").arg(v1), 120),
        series(QStringLiteral("orrery_request_duration_seconds_bucket{%1,le=\"+Inf\"}").arg(v1), 120),
    };
    const QVector<std::pair<double, double>> buckets{{0.25, 1.0}, {1.0, 2.0}, {INFINITY, 2.0}}; // per-second rates
    QMap<QString, QVector<std::pair<QString, double>>> expected; // record -> (labels, value)
    const QVector<RecordingRule> rules = orreryRecordingRules();
    expected[rules[0].record] = {{v1, 1.0}, {v2, 1.0}};
    expected[rules[1].record] = {{v1, 0.1}, {v2, 0.0}};
    expected[rules[2].record] = {{v1, bucketQuantile(0.5, buckets)}};
    expected[rules[3].record] = {{v1, bucketQuantile(0.99, buckets)}};
    QJsonArray tests;
    for (const RecordingRule &r : rules) {
        QJsonArray samples;
        for (const auto &[labels, value] : expected.value(r.record))
            samples.append(QJsonObject{{QStringLiteral("labels"), QStringLiteral("%1{%2}").arg(r.record, labels)}, {QStringLiteral("value"), value}});
        tests.append(QJsonObject{{QStringLiteral("expr"), r.record}, {QStringLiteral("eval_time"), QStringLiteral("10m")}, {QStringLiteral("exp_samples"), samples}});
    }
    return {{QStringLiteral("name"), QStringLiteral("recording rules")},
            {QStringLiteral("interval"), QStringLiteral("1m")},
            {QStringLiteral("input_series"), input},
            {QStringLiteral("promql_expr_test"), tests}};
}

} // namespace

QString RuleTestSeries::seriesText() const
{
    monitor::MetricSample s;
    s.name = metric;
    s.labels = labels;
    return s.seriesText();
}

qint64 ruleTestStepMs(const QVector<AlertRule> &rules)
{
    qint64 step = 60'000;
    for (const AlertRule &r : rules)
        step = std::gcd(std::gcd(step, r.forMs), r.keepFiringForMs);
    // Neither Orrery nor Prometheus evaluates more often than once a second (evaluate_every's
    // least); a duration between seconds is met at the next step (stepsOf rounds up).
    return std::max<qint64>(step, 1000);
}

double satisfyingValue(CompareOp op, double threshold)
{
    switch (op) {
    case CompareOp::Greater:
    case CompareOp::NotEqual:
        return rounded(threshold + margin(threshold));
    case CompareOp::Less:
        return rounded(threshold - margin(threshold));
    case CompareOp::GreaterOrEqual:
    case CompareOp::LessOrEqual:
    case CompareOp::Equal:
        return threshold;
    }
    return threshold;
}

double failingValue(CompareOp op, double threshold)
{
    switch (op) {
    case CompareOp::Greater:
    case CompareOp::Less:
    case CompareOp::NotEqual:
        return threshold;
    case CompareOp::GreaterOrEqual:
        return rounded(threshold - margin(threshold));
    case CompareOp::LessOrEqual:
    case CompareOp::Equal:
        return rounded(threshold + margin(threshold));
    }
    return threshold;
}

QStringList alertMetricLabels(const QString &metric)
{
    if (metric.startsWith(QLatin1String("orrery_feature_")))
        return {QStringLiteral("endpoint"), QStringLiteral("feature")};
    if (metric == QLatin1String("orrery_model_accuracy"))
        return {QStringLiteral("endpoint"), QStringLiteral("version"), QStringLiteral("metric")};
    if (metric == QLatin1String("orrery_feedback_labels") || metric == QLatin1String("orrery_queue_rows") || metric == QLatin1String("orrery_endpoint_weight"))
        return {QStringLiteral("endpoint"), QStringLiteral("version")};
    return {QStringLiteral("endpoint")};
}

QVector<RuleTestCase> alertRuleTestCases(const QVector<AlertRule> &rules)
{
    const qint64 stepMs = ruleTestStepMs(rules);
    QVector<RuleTestCase> cases;
    for (const AlertRule &rule : rules) {
        RuleTestCase c;
        c.rule = rule;
        c.stepMs = stepMs;
        const int f = stepsOf(rule.forMs, stepMs);
        const int k = stepsOf(rule.keepFiringForMs, stepMs);
        const int clears = f + 3; // the first step that does not satisfy the rule
        const int length = clears + k + 3;
        const double yes = satisfyingValue(rule.op, rule.threshold);
        const double no = failingValue(rule.op, rule.threshold);

        RuleTestSeries main{rule.metric, {}, {}};
        for (const QString &label : alertMetricLabels(rule.metric))
            main.labels.insert(label, exampleValue(label));
        for (auto it = rule.where.cbegin(); it != rule.where.cend(); ++it)
            main.labels.insert(it.key(), it.value());
        for (int i = 0; i < length; ++i)
            main.values.append(i < clears ? yes : no);
        c.series.append(main);

        for (const char *label : {"feature", "version", "metric", "endpoint"}) {
            const QString name = QLatin1String(label);
            if (!main.labels.contains(name) || rule.where.contains(name))
                continue;
            RuleTestSeries sibling = main;
            sibling.labels[name] = otherValue(name, main.labels[name]);
            sibling.values.fill(no);
            c.series.append(sibling);
            break;
        }
        for (auto it = rule.where.cbegin(); it != rule.where.cend(); ++it) {
            RuleTestSeries excluded = main;
            excluded.labels[it.key()] = otherValue(it.key(), it.value());
            excluded.values.fill(yes);
            c.series.append(excluded);
        }

        ExpectedAlert alert;
        alert.labels = main.labels;
        alert.labels.insert(QStringLiteral("severity"), rule.severity);
        // Prometheus' $labels are the sample's, whose name a comparison keeps.
        QMap<QString, QString> templateLabels = main.labels;
        templateLabels.insert(QStringLiteral("__name__"), rule.metric);
        alert.annotations.insert(QStringLiteral("summary"), monitor::renderAnnotation(rule.summary, templateLabels, yes));
        if (!rule.description.isEmpty())
            alert.annotations.insert(QStringLiteral("description"), monitor::renderAnnotation(rule.description, templateLabels, yes));
        if (f > 0)
            c.checks.append(RuleTestCheck{f - 1, {}});
        c.checks.append(RuleTestCheck{f, {alert}});
        if (k > 0)
            c.checks.append(RuleTestCheck{clears + k - 1, {alert}});
        c.checks.append(RuleTestCheck{clears + k, {}});
        cases.append(c);
    }
    return cases;
}

QByteArray promtoolTestYaml(const QVector<AlertRule> &rules, const QString &ruleFile)
{
    QJsonArray tests;
    for (const RuleTestCase &c : alertRuleTestCases(rules))
        tests.append(alertTestGroup(c));
    tests.append(recordingTestGroup());
    const QJsonObject file{{QStringLiteral("rule_files"), QJsonArray{ruleFile}},
                           {QStringLiteral("evaluation_interval"), common::durationText(ruleTestStepMs(rules))},
                           {QStringLiteral("tests"), tests}};
    const QByteArray comment =
        "# Cases for the rules of " + ruleFile.toUtf8() + ", written by `orrery-cli export prometheus-rules`:\n"
        "# run them with `promtool test rules FILE`. Each alert rule gets an example series that satisfies it\n"
        "# (pending, firing, kept firing for keep_firing_for, resolved), one that does not, and one per `where`\n"
        "# label that the rule leaves out; the recording rules get one case with known rates.\n";
    return comment + toYaml(file, prometheusYamlKeyOrder());
}

} // namespace orrery::deploy
