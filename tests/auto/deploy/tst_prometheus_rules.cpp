// The monitoring exports of core/deploy without orrery-cli: the rule file read back by PyYAML (an
// independent reader) as the rules say; the promtool cases' values; and those cases run through
// Orrery's own AlertEvaluator, which must fire exactly what the cases expect — the same
// expectations that tests/integration/tst_cli_export_monitoring has Prometheus' evaluator
// (`promtool test rules`) check, so the two evaluators are held to one standard. The Grafana
// dashboard's shape: ids, grid, datasources, targets, variables.
#include "core/deploy/grafana_dashboard_export.h"
#include "core/deploy/prometheus_rule_tests.h"
#include "core/deploy/prometheus_rules_export.h"
#include "core/monitor/alert_evaluator.h"
#include "core/monitor/metrics_samples.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QtTest>

using namespace orrery;
using namespace orrery::deploy;
using monitor::AlertRule;
using monitor::CompareOp;

namespace {

QJsonValue readByPyYaml(const QByteArray &yaml)
{
    testing::ProcessOptions options;
    options.input = yaml;
    const auto r = testing::run(QStringLiteral("/usr/bin/python3"),
                                {QStringLiteral("-c"), QStringLiteral("import sys, json, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))")}, options);
    if (!r.ok())
        qFatal("PyYAML: %s", qPrintable(r.describe()));
    return QJsonDocument::fromJson(r.out.toUtf8()).object();
}

AlertRule rule(const QString &name, const QString &metric, QMap<QString, QString> where, CompareOp op, double threshold, qint64 forMs,
               qint64 keepMs, const QString &summary, const QString &description = QString())
{
    AlertRule r;
    r.name = name;
    r.metric = metric;
    r.where = std::move(where);
    r.op = op;
    r.threshold = threshold;
    r.forMs = forMs;
    r.keepFiringForMs = keepMs;
    r.severity = QStringLiteral("page");
    r.summary = summary;
    r.description = description;
    return r;
}

// Every operator, `where` on one and two labels, durations off the minute grid, and templates in
// each form alert_template.h knows — including the labels Prometheus' $labels has and has not.
QVector<AlertRule> customRules()
{
    return {
        rule(QStringLiteral("AmountDrift"), QStringLiteral("orrery_feature_drift"), {{QStringLiteral("endpoint"), QStringLiteral("fraud")}, {QStringLiteral("feature"), QStringLiteral("amount")}},
             CompareOp::GreaterOrEqual, 1, 90'000, 45'000, QStringLiteral("{{ $labels.feature }} of {{ .Labels.endpoint }}: {{ $value }} ({{ .Value }})"),
             QStringLiteral("[{{ $labels.__name__ }}|{{ $labels.severity }}|{{ $labels.alertname }}|{{ $labels.nothing }}]")),
        rule(QStringLiteral("FewLabels"), QStringLiteral("orrery_feedback_labels"), {}, CompareOp::LessOrEqual, 10, 1500, 0, QStringLiteral("{{ $value }} labels")),
        rule(QStringLiteral("HalfSplit"), QStringLiteral("orrery_endpoint_weight"), {{QStringLiteral("version"), QStringLiteral("2")}}, CompareOp::Equal, 50, 0, 3000,
             QStringLiteral("weight {{ printf \"%.2f\" $value }} {{ $value | humanizePercentage }}")),
        rule(QStringLiteral("NotQuiet"), QStringLiteral("orrery_window_error_ratio"), {}, CompareOp::NotEqual, -0.25, 0, 0, QStringLiteral("{{ humanizePercentage $value }}")),
        rule(QStringLiteral("TinyP"), QStringLiteral("orrery_feature_drift_p_value"), {}, CompareOp::Less, 1e-5, 2000, 0, QStringLiteral("p {{ $value }}")),
        rule(QStringLiteral("ManyRows"), QStringLiteral("orrery_monitor_window_rows"), {}, CompareOp::Greater, 1.5e6, 0, 0, QStringLiteral("rows {{ $value }}")),
    };
}

monitor::MetricSample sample(const RuleTestSeries &s, int step)
{
    monitor::MetricSample m;
    m.name = s.metric;
    m.labels = s.labels;
    m.value = s.values.value(step, s.values.last());
    return m;
}

} // namespace

class TstPrometheusRules : public QObject {
    Q_OBJECT

    // Steps Orrery's evaluator through each case and compares its firing alerts with the case's
    // expectations at every checked step.
    void evaluatorMeetsTheCases(const QVector<AlertRule> &rules)
    {
        const qint64 base = 1'750'000'000'000; // a real epoch time: the evaluator's times are ms since it
        for (const RuleTestCase &c : alertRuleTestCases(rules)) {
            monitor::AlertEvaluator evaluator({c.rule});
            int last = 0;
            for (const RuleTestCheck &check : c.checks)
                last = std::max(last, check.step);
            QVERIFY2(last < c.series.first().values.size(), qPrintable(c.rule.name));
            int checked = 0;
            for (int step = 0; step <= last; ++step) {
                QVector<monitor::MetricSample> samples;
                for (const RuleTestSeries &s : c.series)
                    samples.append(sample(s, step));
                const monitor::AlertEvaluation e = evaluator.evaluate(samples, base + step * c.stepMs);
                for (const RuleTestCheck &check : c.checks) {
                    if (check.step != step)
                        continue;
                    ++checked;
                    QVector<ExpectedAlert> firing;
                    for (const monitor::Alert &a : e.active)
                        if (a.state == monitor::AlertState::Firing) {
                            QMap<QString, QString> labels = a.labels;
                            QCOMPARE(labels.take(QStringLiteral("alertname")), c.rule.name);
                            firing.append({labels, a.annotations});
                        }
                    const QString where = QStringLiteral("%1 at step %2 (%3 ms)").arg(c.rule.name).arg(step).arg(step * c.stepMs);
                    QVERIFY2(firing.size() == check.firing.size(), qPrintable(QStringLiteral("%1: %2 firing, expected %3").arg(where).arg(firing.size()).arg(check.firing.size())));
                    for (int i = 0; i < firing.size(); ++i) {
                        QVERIFY2(firing[i].labels == check.firing[i].labels, qPrintable(where));
                        QVERIFY2(firing[i].annotations == check.firing[i].annotations,
                                 qPrintable(QStringLiteral("%1: %2 vs %3").arg(where, firing[i].annotations.values().join(QLatin1Char('|')),
                                                                              check.firing[i].annotations.values().join(QLatin1Char('|')))));
                    }
                }
            }
            QCOMPARE(checked, c.checks.size());
        }
    }

private Q_SLOTS:
    void theRuleFileSaysWhatTheRulesSay()
    {
        monitor::AlertConfig config = monitor::defaultAlertConfig();
        config.rules += customRules();
        config.evaluateEveryMs = 2000;
        const QByteArray yaml = prometheusRulesYaml(config);
        QVERIFY2(yaml.startsWith("# Orrery's alert rules for Prometheus"), yaml.constData());
        const QJsonObject read = readByPyYaml(yaml).toObject();
        QCOMPARE(read, prometheusRulesObject(config));

        const QJsonArray groups = read.value(QStringLiteral("groups")).toArray();
        QCOMPARE(groups.size(), 2);
        QCOMPARE(groups[0][QStringLiteral("name")].toString(), QStringLiteral("orrery"));
        QCOMPARE(groups[0][QStringLiteral("interval")].toString(), QStringLiteral("2s")); // Orrery's evaluate_every
        const QJsonArray alerts = groups[0][QStringLiteral("rules")].toArray();
        QCOMPARE(alerts.size(), config.rules.size());
        for (int i = 0; i < alerts.size(); ++i) {
            const AlertRule &r = config.rules[i];
            const QJsonObject a = alerts[i].toObject();
            QCOMPARE(a.value(QStringLiteral("alert")).toString(), r.name);
            QCOMPARE(a.value(QStringLiteral("expr")).toString(), r.expression());
            QCOMPARE(a.value(QStringLiteral("labels")).toObject(), (QJsonObject{{QStringLiteral("severity"), r.severity}}));
            QCOMPARE(a.value(QStringLiteral("annotations"))[QStringLiteral("summary")].toString(), r.summary);
            QCOMPARE(a.value(QStringLiteral("annotations")).toObject().contains(QStringLiteral("description")), !r.description.isEmpty());
        }
        QCOMPARE(alerts[0][QStringLiteral("expr")].toString(), QStringLiteral("orrery_feature_drift > 0"));
        QCOMPARE(alerts[0][QStringLiteral("for")].toString(), QStringLiteral("0s"));
        QCOMPARE(alerts[0][QStringLiteral("keep_firing_for")].toString(), QStringLiteral("1m"));
        QCOMPARE(alerts[4][QStringLiteral("expr")].toString(), QStringLiteral("orrery_feature_drift{endpoint=\"fraud\",feature=\"amount\"} >= 1"));
        QCOMPARE(alerts[4][QStringLiteral("for")].toString(), QStringLiteral("90s"));
        QCOMPARE(alerts[5][QStringLiteral("for")].toString(), QStringLiteral("1500ms"));
        QCOMPARE(groups[1][QStringLiteral("name")].toString(), QStringLiteral("orrery-recording"));
        QCOMPARE(groups[1][QStringLiteral("rules")].toArray().size(), orreryRecordingRules().size());

        // alerts.yaml's `rules: []`: the group stays, empty.
        monitor::AlertConfig none;
        none.defaultRules = false;
        none.source = QStringLiteral("/ws/alerts.yaml");
        const QByteArray empty = prometheusRulesYaml(none);
        QVERIFY2(empty.contains("from /ws/alerts.yaml."), empty.constData());
        QCOMPARE(readByPyYaml(empty)[QStringLiteral("groups")][0][QStringLiteral("rules")].toArray().size(), 0);
    }

    void exampleValuesSatisfyTheRuleOrNot()
    {
        for (CompareOp op : {CompareOp::Greater, CompareOp::GreaterOrEqual, CompareOp::Less, CompareOp::LessOrEqual, CompareOp::Equal, CompareOp::NotEqual})
            for (double t : {0.0, 1.0, -3.0, 0.05, 0.8, 1e-5, 2.5, 1.5e6}) {
                QVERIFY2(monitor::compare(satisfyingValue(op, t), op, t), qPrintable(QStringLiteral("%1 %2").arg(monitor::opText(op)).arg(t)));
                QVERIFY2(!monitor::compare(failingValue(op, t), op, t), qPrintable(QStringLiteral("%1 %2").arg(monitor::opText(op)).arg(t)));
            }
        // As people write them, and still a share or a p-value.
        QCOMPARE(satisfyingValue(CompareOp::Greater, 0.05), 0.06);
        QCOMPARE(satisfyingValue(CompareOp::Less, 0.8), 0.7);
        QCOMPARE(satisfyingValue(CompareOp::Less, 1e-5), 0.0);
        QCOMPARE(satisfyingValue(CompareOp::Greater, 0.0), 1.0);
    }

    void theGridDividesEveryDuration()
    {
        QCOMPARE(ruleTestStepMs(monitor::defaultAlertRules()), 60'000);
        QCOMPARE(ruleTestStepMs(customRules()), 1000); // 1500 ms and 2 s: met at the next second
        QCOMPARE(ruleTestStepMs({rule(QStringLiteral("A"), QStringLiteral("orrery_feature_drift"), {}, CompareOp::Greater, 0, 90'000, 0, QStringLiteral("x"))}), 30'000);
    }

    void theCasesCoverEveryRule()
    {
        const QVector<RuleTestCase> cases = alertRuleTestCases(customRules());
        QCOMPARE(cases.size(), customRules().size());
        const RuleTestCase &drift = cases[0];
        // The rule's series, no sibling (both labels pinned), one per `where` label.
        QCOMPARE(drift.series.size(), 3);
        QCOMPARE(drift.series[0].seriesText(), QStringLiteral("orrery_feature_drift{endpoint=\"fraud\",feature=\"amount\"}"));
        QCOMPARE(drift.series[1].seriesText(), QStringLiteral("orrery_feature_drift{endpoint=\"not_fraud\",feature=\"amount\"}"));
        QCOMPARE(drift.series[2].seriesText(), QStringLiteral("orrery_feature_drift{endpoint=\"fraud\",feature=\"not_amount\"}"));
        // Pending at 89 s, firing at 90 s, kept 45 s after it cleared at 93 s, resolved at 138 s.
        QCOMPARE(drift.stepMs, 1000);
        QVector<int> steps;
        for (const RuleTestCheck &c : drift.checks)
            steps << c.step;
        QCOMPARE(steps, (QVector<int>{89, 90, 137, 138}));
        QCOMPARE(drift.checks[1].firing.first().annotations.value(QStringLiteral("description")), QStringLiteral("[orrery_feature_drift|||]"));
        const RuleTestCase &split = cases[2];
        QCOMPARE(split.series[1].seriesText(), QStringLiteral("orrery_endpoint_weight{endpoint=\"not_example\",version=\"2\"}")); // the sibling
        QCOMPARE(split.series[2].seriesText(), QStringLiteral("orrery_endpoint_weight{endpoint=\"example\",version=\"not_2\"}")); // left out by where
        QCOMPARE(split.checks[0].firing.first().annotations.value(QStringLiteral("summary")), QStringLiteral("weight 50.00 5000%"));
    }

    void orreryFiresWhatTheCasesExpect_data()
    {
        QTest::addColumn<bool>("defaults");
        QTest::newRow("default rules") << true;
        QTest::newRow("every operator, where, odd durations, every template form") << false;
    }

    void orreryFiresWhatTheCasesExpect()
    {
        QFETCH(bool, defaults);
        evaluatorMeetsTheCases(defaults ? monitor::defaultAlertRules() : customRules());
    }

    void theTestFileLoadsTheRuleFile()
    {
        const QJsonObject test = readByPyYaml(promtoolTestYaml(monitor::defaultAlertRules(), QStringLiteral("../rules/orrery-rules.yml"))).toObject();
        QCOMPARE(test[QStringLiteral("rule_files")].toArray(), QJsonArray{QStringLiteral("../rules/orrery-rules.yml")});
        QCOMPARE(test[QStringLiteral("evaluation_interval")].toString(), QStringLiteral("1m"));
        const QJsonArray tests = test[QStringLiteral("tests")].toArray();
        QCOMPARE(tests.size(), 5); // four rules, the recording rules
        QCOMPARE(tests[0][QStringLiteral("input_series")][0][QStringLiteral("values")].toString(), QStringLiteral("1+0x2 0+0x3"));
        QCOMPARE(tests[4][QStringLiteral("promql_expr_test")].toArray().size(), orreryRecordingRules().size());
    }

    void theDashboardHasAGrafanaShape_data()
    {
        QTest::addColumn<QString>("uid");
        QTest::newRow("datasource variable") << QString();
        QTest::newRow("fixed datasource") << QStringLiteral("P1809F7CD0C75ACF3");
    }

    void theDashboardHasAGrafanaShape()
    {
        QFETCH(QString, uid);
        GrafanaDashboardOptions options;
        options.datasourceUid = uid;
        const QJsonObject d = grafanaDashboard(options);
        QVERIFY(d.value(QStringLiteral("id")).isNull());
        QCOMPARE(d.value(QStringLiteral("schemaVersion")).toInt(), 39);
        const QJsonObject ds{{QStringLiteral("type"), QStringLiteral("prometheus")}, {QStringLiteral("uid"), uid.isEmpty() ? QStringLiteral("${datasource}") : uid}};
        QSet<int> ids;
        QSet<QString> titles;
        QVector<QRect> cells;
        int targets = 0;
        for (const QJsonValue &v : d.value(QStringLiteral("panels")).toArray()) {
            const QJsonObject p = v.toObject();
            const int id = p.value(QStringLiteral("id")).toInt();
            QVERIFY2(id > 0 && !ids.contains(id), qPrintable(QString::number(id)));
            ids.insert(id);
            titles.insert(p.value(QStringLiteral("title")).toString());
            QCOMPARE(p.value(QStringLiteral("datasource")).toObject(), ds);
            const QJsonObject g = p.value(QStringLiteral("gridPos")).toObject();
            const QRect cell(g[QStringLiteral("x")].toInt(), g[QStringLiteral("y")].toInt(), g[QStringLiteral("w")].toInt(), g[QStringLiteral("h")].toInt());
            QVERIFY2(cell.x() >= 0 && cell.width() > 0 && cell.x() + cell.width() <= 24 && cell.height() > 0, qPrintable(p.value(QStringLiteral("title")).toString()));
            for (const QRect &other : cells)
                QVERIFY2(!other.intersects(cell), qPrintable(p.value(QStringLiteral("title")).toString()));
            cells.append(cell);
            QSet<QString> refIds;
            for (const QJsonValue &t : p.value(QStringLiteral("targets")).toArray()) {
                ++targets;
                const QString refId = t[QStringLiteral("refId")].toString();
                QVERIFY(!refId.isEmpty() && !refIds.contains(refId));
                refIds.insert(refId);
                QCOMPARE(t[QStringLiteral("datasource")].toObject(), ds);
                QVERIFY2(t[QStringLiteral("expr")].toString().contains(QLatin1String("endpoint=~\"$endpoint\"")), qPrintable(t[QStringLiteral("expr")].toString()));
            }
            QVERIFY2(!refIds.isEmpty(), qPrintable(p.value(QStringLiteral("title")).toString()));
        }
        for (const char *title : {"Requests per second", "Error ratio", "Latency p50 / p99", "Drift alarm per feature", "Drift effect per feature", "Data quality",
                                  "Accuracy ($metric) per version", "Alerts", "Traffic split"})
            QVERIFY2(titles.contains(QLatin1String(title)), title);
        QCOMPARE(grafanaDashboardQueries(d).size(), targets + 1); // and the alerts' annotation query

        QStringList variables;
        for (const QJsonValue &v : d.value(QStringLiteral("templating"))[QStringLiteral("list")].toArray())
            variables << v[QStringLiteral("name")].toString();
        QCOMPARE(variables, uid.isEmpty() ? QStringList({QStringLiteral("datasource"), QStringLiteral("endpoint"), QStringLiteral("metric")})
                                          : QStringList({QStringLiteral("endpoint"), QStringLiteral("metric")}));
    }
};

QTEST_GUILESS_MAIN(TstPrometheusRules)
#include "tst_prometheus_rules.moc"
