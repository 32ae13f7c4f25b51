// alerts.yaml (core/monitor/alert_rules.h): the contract's example read field by field, the
// defaults without a file (or without `rules`), every error with its file:line:column and fix,
// all errors of a file at once, and Prometheus' text exposition read back (metrics_samples.h):
// what /metrics writes, and bad lines refused with their place.
#include "core/common/duration.h"
#include "core/monitor/alert_rules.h"
#include "core/monitor/metrics_samples.h"
#include "core/serve/metrics_text.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace orrery;
using namespace orrery::monitor;

namespace {

const QByteArray kExample =
    "alertmanager: http://127.0.0.1:9093/\n"
    "evaluate_every: 10s\n"
    "rules:\n"
    "- alert: FeatureDrift\n"
    "  metric: orrery_feature_drift\n"
    "  where: {endpoint: fraud}\n"
    "  op: \">\"\n"
    "  threshold: 0\n"
    "  for: 0s\n"
    "  keep_firing_for: 1m\n"
    "  severity: warning\n"
    "  summary: \"{{ $labels.feature }} drifted on {{ $labels.endpoint }}\"\n"
    "  description: \"effect {{ printf \\\"%.2f\\\" $value }}\"\n"
    "- alert: AccuracyLow\n"
    "  metric: orrery_model_accuracy\n"
    "  where:\n"
    "    metric: accuracy\n"
    "    endpoint: fraud\n"
    "  op: \"<=\"\n"
    "  threshold: 0.8\n"
    "  for: 5m\n"
    "  severity: critical\n";

// The errors of `yaml` (as alerts.yaml).
QStringList errorsOf(const QByteArray &yaml) { return checkAlertConfig(yaml, QStringLiteral("alerts.yaml")).errors; }

} // namespace

class TstAlertRules : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsTheContractsExample()
    {
        const AlertConfigCheck c = checkAlertConfig(kExample, QStringLiteral("alerts.yaml"));
        QVERIFY2(c.errors.isEmpty(), qPrintable(c.errors.join(QLatin1Char('\n'))));
        QCOMPARE(c.config.alertmanager, QStringLiteral("http://127.0.0.1:9093"));
        QCOMPARE(c.config.evaluateEveryMs, 10'000);
        QVERIFY(!c.config.defaultRules);
        QCOMPARE(c.config.rules.size(), 2);
        const AlertRule &drift = c.config.rules[0];
        QCOMPARE(drift.name, QStringLiteral("FeatureDrift"));
        QCOMPARE(drift.metric, QStringLiteral("orrery_feature_drift"));
        QCOMPARE(drift.where, (QMap<QString, QString>{{QStringLiteral("endpoint"), QStringLiteral("fraud")}}));
        QCOMPARE(drift.op, CompareOp::Greater);
        QCOMPARE(drift.threshold, 0.0);
        QCOMPARE(drift.forMs, 0);
        QCOMPARE(drift.keepFiringForMs, 60'000);
        QCOMPARE(drift.severity, QStringLiteral("warning"));
        QCOMPARE(drift.summary, QStringLiteral("{{ $labels.feature }} drifted on {{ $labels.endpoint }}"));
        QCOMPARE(drift.description, QStringLiteral("effect {{ printf \"%.2f\" $value }}"));
        QCOMPARE(drift.line, 4);
        QCOMPARE(drift.expression(), QStringLiteral("orrery_feature_drift{endpoint=\"fraud\"} > 0"));
        const AlertRule &accuracy = c.config.rules[1];
        QCOMPARE(accuracy.op, CompareOp::LessOrEqual);
        QCOMPARE(accuracy.forMs, 300'000);
        QCOMPARE(accuracy.keepFiringForMs, 0);
        QCOMPARE(accuracy.severity, QStringLiteral("critical"));
        QCOMPARE(accuracy.expression(), QStringLiteral("orrery_model_accuracy{endpoint=\"fraud\",metric=\"accuracy\"} <= 0.8"));
        // No summary given: the expression and the value.
        QCOMPARE(accuracy.summary, QStringLiteral("orrery_model_accuracy{endpoint=\"fraud\",metric=\"accuracy\"} <= 0.8 (value {{ $value }})"));
        QVERIFY(accuracy.description.isEmpty());
    }

    void selectsAndComparesAsPromQL()
    {
        const AlertRule r = parseAlertConfig(kExample, QStringLiteral("a"))->rules[0];
        MetricSample s{QStringLiteral("orrery_feature_drift"), {{QStringLiteral("endpoint"), QStringLiteral("fraud")}, {QStringLiteral("feature"), QStringLiteral("x")}}, 1};
        QVERIFY(r.selects(s));
        s.labels[QStringLiteral("endpoint")] = QStringLiteral("other");
        QVERIFY(!r.selects(s));
        s.labels.remove(QStringLiteral("endpoint"));
        QVERIFY(!r.selects(s)); // a matcher on a label the series lacks: "" != "fraud"
        s.name = QStringLiteral("orrery_feature_drift_effect");
        QVERIFY(!r.selects(s));
        // Comparisons with NaN: only != holds (Go's and so PromQL's float comparison).
        const double nan = std::nan("");
        QVERIFY(!compare(nan, CompareOp::Greater, 0) && !compare(nan, CompareOp::Equal, nan) && !compare(nan, CompareOp::LessOrEqual, 0));
        QVERIFY(compare(nan, CompareOp::NotEqual, 0));
        QVERIFY(compare(0.8, CompareOp::LessOrEqual, 0.8) && !compare(0.8, CompareOp::Less, 0.8) && compare(1, CompareOp::Equal, 1));
    }

    void defaultsApplyWithoutAFile()
    {
        QTemporaryDir dir;
        auto config = loadAlertConfig(dir.filePath(QStringLiteral("alerts.yaml")));
        QVERIFY(config);
        QVERIFY(config->source.isEmpty());
        QVERIFY(config->defaultRules);
        QVERIFY(config->alertmanager.isEmpty());
        QCOMPARE(config->evaluateEveryMs, 5000);
        QStringList expressions;
        for (const AlertRule &r : config->rules)
            expressions << QStringLiteral("%1: %2 for %3 keep %4 %5").arg(r.name, r.expression(), common::durationText(r.forMs), common::durationText(r.keepFiringForMs), r.severity);
        QCOMPARE(expressions, (QStringList{
                                  QStringLiteral("FeatureDrift: orrery_feature_drift > 0 for 0s keep 1m warning"),
                                  QStringLiteral("ModelAccuracyLow: orrery_model_accuracy{metric=\"accuracy\"} < 0.8 for 5m keep 0s critical"),
                                  QStringLiteral("HighLatencyP99: orrery_window_latency_p99_seconds > 0.5 for 2m keep 0s warning"),
                                  QStringLiteral("HighErrorRatio: orrery_window_error_ratio > 0.05 for 2m keep 0s critical"),
                              }));
        // A file without `rules` keeps the default rules and sets the rest.
        const AlertConfigCheck onlyAlertmanager = checkAlertConfig("alertmanager: https://am.example.com:9093\nevaluate_every: 1m\n", QStringLiteral("alerts.yaml"));
        QVERIFY(onlyAlertmanager.errors.isEmpty());
        QVERIFY(onlyAlertmanager.config.defaultRules);
        QCOMPARE(onlyAlertmanager.config.rules.size(), 4);
        QCOMPARE(onlyAlertmanager.config.alertmanager, QStringLiteral("https://am.example.com:9093"));
        QCOMPARE(onlyAlertmanager.config.evaluateEveryMs, 60'000);
        // `rules: []`: no alerts at all.
        const AlertConfigCheck none = checkAlertConfig("rules: []\n", QStringLiteral("alerts.yaml"));
        QVERIFY(none.errors.isEmpty());
        QVERIFY(none.config.rules.isEmpty() && !none.config.defaultRules);
        // A file that exists is read as it is.
        const QString path = dir.filePath(QStringLiteral("alerts.yaml"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(kExample);
        file.close();
        config = loadAlertConfig(path);
        QVERIFY(config);
        QCOMPARE(config->source, path);
        QCOMPARE(config->rules.size(), 2);
    }

    void everyErrorNamesItsPlaceAndTheFix_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("expected");
        const QByteArray head = "rules:\n- alert: A\n  metric: orrery_feature_drift\n  op: \">\"\n  threshold: 0\n";
        QTest::newRow("unknown top key") << QByteArray("rule:\n- alert: A\n")
                                         << QStringLiteral("alerts.yaml:1:1: unknown key 'rule' in the file; did you mean 'rules'? the keys are: alertmanager, evaluate_every, rules");
        QTest::newRow("unknown rule key") << head + "  thresold: 1\n"
                                          << QStringLiteral("alerts.yaml:6:3: unknown key 'thresold' in rule 'A'; did you mean 'threshold'? the keys are: alert, metric, where, op,");
        QTest::newRow("bad op") << QByteArray("rules:\n- alert: A\n  metric: orrery_feature_drift\n  op: \"=>\"\n  threshold: 0\n")
                                << QStringLiteral("alerts.yaml:4:7: the op '=>' of rule 'A' is not a comparison; use one of > >= < <= == != (in quotes)");
        QTest::newRow("bare > reads as a block") << QByteArray("rules:\n- alert: A\n  metric: orrery_feature_drift\n  op: >\n  threshold: 0\n")
                                                 << QStringLiteral("the op of rule 'A' is empty; write the operator in quotes, e.g. op: \">\" (YAML reads a bare > as the start of a text block)");
        QTest::newRow("bad duration") << head + "  for: 5 minutes\n"
                                      << QStringLiteral("alerts.yaml:6:8: 'for' of rule 'A': '5 minutes' is not a duration such as 60s, 5m, 1h or 250ms");
        QTest::newRow("duration too long") << head + "  keep_firing_for: 48h\n"
                                           << QStringLiteral("alerts.yaml:6:20: 'keep_firing_for' of rule 'A': duration '48h' is longer than 24 h");
        QTest::newRow("evaluation too often") << QByteArray("evaluate_every: 100ms\nrules: []\n")
                                              << QStringLiteral("alerts.yaml:1:17: evaluate_every '100ms' is shorter than 1s; give at least 1s");
        QTest::newRow("name not an identifier") << QByteArray("rules:\n- alert: Feature-Drift\n  metric: orrery_feature_drift\n  op: \">\"\n  threshold: 0\n")
                                                << QStringLiteral("alerts.yaml:2:10: the alert name 'Feature-Drift' is not an identifier; use letters, digits and '_', not starting with a digit (e.g. Feature_Drift)");
        QTest::newRow("name starts with a digit") << QByteArray("rules:\n- alert: 5xx\n  metric: orrery_window_error_ratio\n  op: \">\"\n  threshold: 0\n")
                                                  << QStringLiteral("alerts.yaml:2:10: the alert name '5xx' is not an identifier");
        QTest::newRow("duplicate names") << head + "- alert: A\n  metric: orrery_window_error_ratio\n  op: \">\"\n  threshold: 0.1\n"
                                         << QStringLiteral("alerts.yaml:6:3: the alert 'A' is defined twice (lines 2 and 6); give each rule its own name");
        QTest::newRow("unknown metric") << QByteArray("rules:\n- alert: A\n  metric: orrery_feature_drfit\n  op: \">\"\n  threshold: 0\n")
                                        << QStringLiteral("alerts.yaml:3:11: rule 'A' names the metric 'orrery_feature_drfit', which Orrery's /metrics does not have; did you mean 'orrery_feature_drift'? the gauges are: orrery_feature_drift,");
        QTest::newRow("missing threshold") << QByteArray("rules:\n- alert: A\n  metric: orrery_feature_drift\n  op: \">\"\n")
                                           << QStringLiteral("alerts.yaml:2:3: rule 'A' has no 'threshold'; add e.g. threshold: 0");
        QTest::newRow("missing name") << QByteArray("rules:\n- metric: orrery_feature_drift\n  op: \">\"\n  threshold: 0\n")
                                      << QStringLiteral("alerts.yaml:2:3: rule 1 of 'rules' has no 'alert' (its name); add e.g. alert: FeatureDrift");
        QTest::newRow("threshold not a number") << QByteArray("rules:\n- alert: A\n  metric: orrery_feature_drift\n  op: \">\"\n  threshold: high\n")
                                                << QStringLiteral("alerts.yaml:5:14: the threshold 'high' of rule 'A' is not a finite number; write one such as 0.5 or 1e-3");
        QTest::newRow("where not a mapping") << head + "  where: fraud\n"
                                             << QStringLiteral("alerts.yaml:6:10: 'where' of rule 'A' must map label names to values, e.g. where: {endpoint: fraud}");
        QTest::newRow("where with a bad label") << head + "  where: {end-point: fraud}\n"
                                                << QStringLiteral("alerts.yaml:6:11: 'end-point' in 'where' of rule 'A' is not a label name");
        QTest::newRow("unsupported template") << head + "  summary: \"{{ $labels.feature | toUpper }} drifted\"\n"
                                              << QStringLiteral("alerts.yaml:6:12: the summary of rule 'A': the template '{{ $labels.feature | toUpper }}' (at character 1) is not one Orrery renders; write {{ $labels.NAME }}, {{ $value }}");
        QTest::newRow("unclosed template") << head + "  description: \"value {{ $value\"\n"
                                           << QStringLiteral("alerts.yaml:6:16: the description of rule 'A': a '{{' is not closed with '}}'");
        QTest::newRow("alertmanager not http") << QByteArray("alertmanager: ftp://127.0.0.1:9093\nrules: []\n")
                                               << QStringLiteral("alerts.yaml:1:15: alertmanager 'ftp://127.0.0.1:9093' is not an http(s) URL of Alertmanager; write its base URL, e.g. http://127.0.0.1:9093");
        QTest::newRow("rules not a list") << QByteArray("rules:\n  alert: A\n")
                                          << QStringLiteral("alerts.yaml:2:3: 'rules' must be a list of rules, each starting with '- alert: NAME'");
        QTest::newRow("key twice") << head + "  threshold: 1\n"
                                   << QStringLiteral("alerts.yaml:6:3: 'threshold' appears twice in rule 'A'; keep one");
        QTest::newRow("empty file") << QByteArray("\n")
                                    << QStringLiteral("alerts.yaml: the file is empty; write `rules:` with your rules (or `rules: []` for none), or delete it to use the default rules");
        QTest::newRow("YAML syntax") << QByteArray("rules: [\n- alert: A\n")
                                     << QStringLiteral("alerts.yaml:2:1: YAML syntax: illegal block entry (quote text that holds");
        QTest::newRow("not a mapping") << QByteArray("- alert: A\n")
                                       << QStringLiteral("alerts.yaml:1:1: the file must be a mapping of keys to values");
    }
    void everyErrorNamesItsPlaceAndTheFix()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, expected);
        const QStringList errors = errorsOf(yaml);
        QVERIFY2(!errors.isEmpty(), "no error");
        QVERIFY2(errors.first().startsWith(expected) || errors.first().contains(expected), qPrintable(errors.join(QLatin1Char('\n'))));
        QCOMPARE(errors.size(), 1);
        // The Result form carries the same text.
        auto parsed = parseAlertConfig(yaml, QStringLiteral("alerts.yaml"));
        QVERIFY(!parsed);
        QCOMPARE(parsed.status().code(), ErrorCode::InvalidArgument);
        QCOMPARE(parsed.status().message(), errors.join(QLatin1Char('\n')));
    }

    void everyProblemOfAFileAtOnce()
    {
        const QByteArray yaml = "evaluate_every: soon\n"
                                "rules:\n"
                                "- alert: A\n"
                                "  metric: orrery_feature_drift\n"
                                "  op: \"~\"\n"
                                "  threshold: 0\n"
                                "- alert: B\n"
                                "  metric: orrery_window_error_ratio\n"
                                "  op: \">\"\n"
                                "  threshold: 0.05\n"
                                "  for: 2mins\n"
                                "  colour: red\n";
        const QStringList errors = errorsOf(yaml);
        QCOMPARE(errors.size(), 4);
        QVERIFY2(errors[0].startsWith(QLatin1String("alerts.yaml:1:17: evaluate_every: 'soon' is not a duration")), qPrintable(errors[0]));
        QVERIFY2(errors[1].startsWith(QLatin1String("alerts.yaml:5:7: the op '~'")), qPrintable(errors[1]));
        QVERIFY2(errors[2].startsWith(QLatin1String("alerts.yaml:11:8: 'for' of rule 'B': '2mins' is not a duration")), qPrintable(errors[2]));
        QVERIFY2(errors[3].startsWith(QLatin1String("alerts.yaml:12:3: unknown key 'colour' in rule 'B'")), qPrintable(errors[3]));
    }

    void readsWhatMetricsTextWrites()
    {
        // Written with core/serve's own helpers, as /metrics writes it.
        QByteArray text;
        serve::appendMetricFamily(text, "orrery_feature_drift", "gauge", "1 while the feature drifts.");
        text += "orrery_feature_drift{";
        serve::appendLabel(text, "endpoint", QStringLiteral("fraud"));
        text += ',';
        serve::appendLabel(text, "feature", QStringLiteral("naïve \"quoted\"\\ \nline"));
        text += "} " + serve::metricNumber(1) + '\n';
        text += "orrery_window_latency_p99_seconds{endpoint=\"fraud\"} " + serve::metricNumber(0.123456789012345678) + '\n';
        text += "orrery_request_duration_seconds_bucket{endpoint=\"fraud\",version=\"1\",le=\"+Inf\"} 42\n";
        text += "orrery_feature_drift_p_value{endpoint=\"fraud\",feature=\"a\"} " + serve::metricNumber(std::nan("")) + '\n';
        text += "orrery_feature_drift_effect{endpoint=\"fraud\",feature=\"a\"} " + serve::metricNumber(-INFINITY) + '\n';
        text += "up 1 1700000000000\r\n";
        text += "\n# a comment\n   \n";
        text += "orrery_queue_rows{endpoint=\"e\",} 3e2"; // a trailing comma; no final newline
        auto samples = parseMetricsText(text);
        QVERIFY2(samples, qPrintable(samples.status().message()));
        QCOMPARE(samples->size(), 7);
        QCOMPARE(samples->at(0).name, QStringLiteral("orrery_feature_drift"));
        QCOMPARE(samples->at(0).labels.value(QStringLiteral("feature")), QStringLiteral("naïve \"quoted\"\\ \nline"));
        QCOMPARE(samples->at(0).value, 1.0);
        QCOMPARE(samples->at(1).value, 0.123456789012345678);
        QCOMPARE(samples->at(2).labels.value(QStringLiteral("le")), QStringLiteral("+Inf"));
        QVERIFY(std::isnan(samples->at(3).value));
        QVERIFY(std::isinf(samples->at(4).value) && samples->at(4).value < 0);
        QCOMPARE(samples->at(5).name, QStringLiteral("up"));
        QVERIFY(samples->at(5).labels.isEmpty());
        QCOMPARE(samples->at(6).value, 300.0);
        QCOMPARE(samples->at(0).seriesText(), QStringLiteral("orrery_feature_drift{endpoint=\"fraud\",feature=\"naïve \\\"quoted\\\"\\\\ \\nline\"}"));
    }

    void badMetricsLinesAreRefusedWithTheirPlace_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("no value") << QByteArray("ok 1\norrery_x{a=\"b\"}\n") << QStringLiteral("metrics line 2, column 16: the sample has no value");
        QTest::newRow("bad value") << QByteArray("orrery_x 1.2.3\n") << QStringLiteral("metrics line 1, column 10: '1.2.3' is not a number");
        QTest::newRow("unclosed value") << QByteArray("orrery_x{a=\"b} 1\n") << QStringLiteral("metrics line 1, column 17: the value of label 'a' is not closed");
        QTest::newRow("no equals") << QByteArray("orrery_x{a \"b\"} 1\n") << QStringLiteral("metrics line 1, column 12: expected '=' after the label name 'a'");
        QTest::newRow("bad escape") << QByteArray("orrery_x{a=\"\\t\"} 1\n") << QStringLiteral("metrics line 1, column 14: unknown escape '\\t'");
        QTest::newRow("bad name") << QByteArray("1orrery 1\n") << QStringLiteral("metrics line 1, column 1: expected a metric name");
        QTest::newRow("label twice") << QByteArray("orrery_x{a=\"1\",a=\"2\"} 1\n") << QStringLiteral("label 'a' appears twice");
        QTest::newRow("missing comma") << QByteArray("orrery_x{a=\"1\" b=\"2\"} 1\n") << QStringLiteral("metrics line 1, column 16: expected ',' or '}' after the value of label 'a'");
        QTest::newRow("bad timestamp") << QByteArray("orrery_x 1 soon\n") << QStringLiteral("metrics line 1, column 12: 'soon' is not a timestamp");
        QTest::newRow("trailing text") << QByteArray("orrery_x 1 2 3\n") << QStringLiteral("unexpected text after the timestamp");
        QTest::newRow("binary") << QByteArray("orrery_x{\xff\x00\x01} 1\n", 14) << QStringLiteral("metrics line 1, column 10: expected a label name");
    }
    void badMetricsLinesAreRefusedWithTheirPlace()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, expected);
        auto samples = parseMetricsText(text);
        QVERIFY(!samples);
        QVERIFY2(samples.status().message().contains(expected), qPrintable(samples.status().message()));
    }

    void everyTruncationOfAValidTextIsReadOrRefusedNeverACrash()
    {
        const QByteArray text = "# HELP orrery_feature_drift x\n# TYPE orrery_feature_drift gauge\n"
                                "orrery_feature_drift{endpoint=\"fraud\",feature=\"a\\\"b\"} 1 1700000000000\n"
                                "orrery_window_error_ratio{endpoint=\"fraud\"} 0.25\n";
        for (int n = 0; n <= text.size(); ++n) {
            auto samples = parseMetricsText(text.left(n));
            if (samples)
                QVERIFY(samples->size() <= 2);
            else
                QVERIFY(samples.status().message().startsWith(QLatin1String("metrics line")));
        }
    }
};

QTEST_GUILESS_MAIN(TstAlertRules)
#include "tst_alert_rules.moc"
