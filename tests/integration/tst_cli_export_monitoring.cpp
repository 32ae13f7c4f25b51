// orrery-cli export prometheus-rules | grafana as a user runs them, in a fresh workspace (no
// LibTorch): the rule file of the default rules and of a custom alerts.yaml (every operator,
// `where`, durations off the minute grid, every template form) passes `promtool check rules`, and
// the test file written beside it passes `promtool test rules` — Prometheus' own evaluator firing,
// keeping and resolving each alert as the cases say, with the annotations Orrery renders — and
// fails when a rule is changed behind it. Each exported rule is the rule `monitor alerts check`
// shows. The Grafana dashboard has Grafana's shape (every panel a datasource and targets with expr
// and refId, the 24-column grid, unique ids) and every query parses as PromQL (promtool).
// tst_cli_export_monitoring_live evaluates them all against a real Prometheus scraping Orrery.
#include "tests/integration/grafana_queries.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRect>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::readFile;
using testing::runCli;
using testing::writeFile;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");

// Every operator, `where` on one and on two labels, for / keep_firing_for off the minute grid,
// and every template form — with the labels Prometheus' $labels has (__name__) and has not
// (severity, alertname).
const QByteArray kCustomAlerts = R"(evaluate_every: 2s
rules:
- alert: AmountDrift
  metric: orrery_feature_drift
  where: {endpoint: fraud, feature: amount}
  op: ">="
  threshold: 1
  for: 90s
  keep_firing_for: 45s
  severity: page
  summary: '{{ $labels.feature }} of {{ .Labels.endpoint }}: {{ $value }} ({{ .Value }})'
  description: '[{{ $labels.__name__ }}|{{ $labels.severity }}|{{ $labels.alertname }}|{{ $labels.nothing }}]'
- alert: FewLabels
  metric: orrery_feedback_labels
  op: "<="
  threshold: 10
  for: 1500ms
- alert: HalfSplit
  metric: orrery_endpoint_weight
  where: {version: "2"}
  op: "=="
  threshold: 50
  keep_firing_for: 3s
  summary: 'weight {{ printf "%.2f" $value }} {{ $value | humanizePercentage }}'
- alert: NotQuiet
  metric: orrery_window_error_ratio
  op: "!="
  threshold: -0.25
  summary: '{{ humanizePercentage $value }}'
- alert: TinyP
  metric: orrery_feature_drift_p_value
  op: "<"
  threshold: 0.00001
  for: 2s
  summary: 'p {{ $value }}'
- alert: ManyRows
  metric: orrery_monitor_window_rows
  op: ">"
  threshold: 1500000
  summary: 'rows {{ $value }}'
)";

Run promtool(const QStringList &args) { return testing::run(QStringLiteral("promtool"), args); }

QJsonValue yamlFile(const QString &path)
{
    const Run r = testing::run(kPython, {QStringLiteral("-c"), QStringLiteral("import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"), path});
    if (!r.ok())
        qFatal("%s", qPrintable(r.describe()));
    return QJsonDocument::fromJson(r.out.toUtf8()).object();
}

} // namespace

class TstCliExportMonitoring : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;

    Run cli(const QStringList &args) { return runCli(args, m_ws); }

    // The exported rule file's alert rules are the ones `monitor alerts check` reads from the
    // workspace: name, expression, durations, severity and annotations.
    void rulesAreOrrerysOwn(const QString &rulesPath)
    {
        const Run r = cli({QStringLiteral("monitor"), QStringLiteral("alerts"), QStringLiteral("check"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QJsonObject check = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonArray groups = yamlFile(rulesPath)[QStringLiteral("groups")].toArray();
        QCOMPARE(groups.size(), 2);
        QCOMPARE(groups[0][QStringLiteral("name")].toString(), QStringLiteral("orrery"));
        QCOMPARE(groups[0][QStringLiteral("interval")].toString(), check[QStringLiteral("evaluate_every")].toString());
        const QJsonArray exported = groups[0][QStringLiteral("rules")].toArray();
        const QJsonArray rules = check[QStringLiteral("rules")].toArray();
        QCOMPARE(exported.size(), rules.size());
        for (int i = 0; i < rules.size(); ++i) {
            const QJsonObject e = exported[i].toObject(), o = rules[i].toObject();
            for (const char *key : {"alert", "expr", "for", "keep_firing_for"})
                QCOMPARE(e[QLatin1String(key)].toString(), o[QLatin1String(key)].toString());
            QCOMPARE(e[QStringLiteral("labels")].toObject(), (QJsonObject{{QStringLiteral("severity"), o[QStringLiteral("severity")]}}));
            QCOMPARE(e[QStringLiteral("annotations")][QStringLiteral("summary")].toString(), o[QStringLiteral("summary")].toString());
            QCOMPARE(e[QStringLiteral("annotations")][QStringLiteral("description")].toString(), o[QStringLiteral("description")].toString());
        }
        QCOMPARE(groups[1][QStringLiteral("name")].toString(), QStringLiteral("orrery-recording"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(testing::run(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("command -v promtool")}).ok(),
                 "promtool is missing: run packaging/setup.sh --test (Debian's prometheus)");
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        const Run r = runCli({QStringLiteral("init"), m_ws});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
    }

    void theDefaultRulesPassPromtool()
    {
        const QString out = m_dir.filePath(QStringLiteral("defaults")) + QLatin1Char('/');
        Run r = cli({QStringLiteral("export"), QStringLiteral("prometheus-rules"), QStringLiteral("--out"), out});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QString rules = out + QStringLiteral("orrery-rules.yml"), test = out + QStringLiteral("orrery-rules.test.yml");
        QCOMPARE(r.out, QStringLiteral("wrote %1\nwrote %2\n").arg(rules, test));
        QVERIFY(readFile(rules).contains("# from Orrery's default rules (the workspace has no alerts.yaml)."));

        r = promtool({QStringLiteral("check"), QStringLiteral("rules"), rules});
        QVERIFY2(r.ok() && r.out.contains(QStringLiteral("SUCCESS: 8 rules found")), qPrintable(r.describe())); // 4 alerts, 4 recording rules
        r = promtool({QStringLiteral("test"), QStringLiteral("rules"), test});
        QVERIFY2(r.ok() && r.out.contains(QStringLiteral("SUCCESS")), qPrintable(r.describe()));
        rulesAreOrrerysOwn(rules);

        // Without --out the rule file is printed, the same text.
        r = cli({QStringLiteral("export"), QStringLiteral("prometheus-rules")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(r.out.toUtf8(), readFile(rules));
    }

    void aCustomAlertsYamlPassesPromtool()
    {
        writeFile(m_ws + QStringLiteral("/alerts.yaml"), kCustomAlerts);
        Run r = cli({QStringLiteral("monitor"), QStringLiteral("alerts"), QStringLiteral("check")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QString rules = m_dir.filePath(QStringLiteral("custom/rules/orrery.yml"));
        const QString test = m_dir.filePath(QStringLiteral("custom/tests/orrery.test.yml"));
        r = cli({QStringLiteral("export"), QStringLiteral("prometheus-rules"), QStringLiteral("--out"), rules, QStringLiteral("--test"), test, QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QJsonObject summary = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(summary[QStringLiteral("format")].toString(), QStringLiteral("prometheus-rules"));
        QCOMPARE(summary[QStringLiteral("source")].toString(), m_ws + QStringLiteral("/alerts.yaml"));
        QCOMPARE(summary[QStringLiteral("alerts")].toArray().size(), 6);
        QCOMPARE(summary[QStringLiteral("files")][0][QStringLiteral("path")].toString(), rules);
        QCOMPARE(summary[QStringLiteral("files")][1][QStringLiteral("path")].toString(), test);
        // promtool reads rule_files from the test file's folder.
        QCOMPARE(yamlFile(test)[QStringLiteral("rule_files")].toArray(), QJsonArray{QStringLiteral("../rules/orrery.yml")});

        r = promtool({QStringLiteral("check"), QStringLiteral("rules"), rules});
        QVERIFY2(r.ok() && r.out.contains(QStringLiteral("SUCCESS: 10 rules found")), qPrintable(r.describe()));
        r = promtool({QStringLiteral("test"), QStringLiteral("rules"), test});
        QVERIFY2(r.ok() && r.out.contains(QStringLiteral("SUCCESS")), qPrintable(r.describe()));
        rulesAreOrrerysOwn(rules);

        // The cases test the rules: a threshold moved behind the test file's back fails them.
        QByteArray changed = readFile(rules);
        QVERIFY(changed.contains("orrery_feature_drift{endpoint=\"fraud\",feature=\"amount\"} >= 1"));
        changed.replace("orrery_feature_drift{endpoint=\"fraud\",feature=\"amount\"} >= 1", "orrery_feature_drift{endpoint=\"fraud\",feature=\"amount\"} > 1");
        writeFile(rules, changed);
        r = promtool({QStringLiteral("test"), QStringLiteral("rules"), test});
        QVERIFY2(r.code == 1 && (r.out + r.err).contains(QStringLiteral("alertname: AmountDrift")), qPrintable(r.describe()));
    }

    void aBrokenAlertsYamlIsRefused()
    {
        writeFile(m_ws + QStringLiteral("/alerts.yaml"), "rules:\n- alert: X\n  metrc: orrery_feature_drift\n  op: \">\"\n  threshold: 0\n");
        const QString out = m_dir.filePath(QStringLiteral("broken"));
        const Run r = cli({QStringLiteral("export"), QStringLiteral("prometheus-rules"), QStringLiteral("--out"), out + QLatin1Char('/')});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("alerts.yaml:3:3: unknown key 'metrc'")), qPrintable(r.describe()));
        QVERIFY(!QFile::exists(out));
        QFile::remove(m_ws + QStringLiteral("/alerts.yaml"));
    }

    void theDashboardHasGrafanasShape_data()
    {
        QTest::addColumn<QString>("datasource");
        QTest::newRow("a datasource variable") << QString();
        QTest::newRow("--datasource") << QStringLiteral("prom-main_1");
    }

    void theDashboardHasGrafanasShape()
    {
        QFETCH(QString, datasource);
        const QString out = m_dir.filePath(QStringLiteral("grafana-%1/").arg(datasource.isEmpty() ? QStringLiteral("var") : datasource));
        QStringList args{QStringLiteral("export"), QStringLiteral("grafana"), QStringLiteral("--out"), out};
        if (!datasource.isEmpty())
            args << QStringLiteral("--datasource") << datasource;
        Run r = cli(args);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QString path = out + QStringLiteral("orrery-dashboard.json");
        QCOMPARE(r.out.trimmed(), QStringLiteral("wrote %1").arg(path));
        QJsonParseError error;
        const QJsonObject d = QJsonDocument::fromJson(readFile(path), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));

        // What Grafana's import needs: a null id (a new dashboard), a uid, a title, the schema.
        QVERIFY(d.contains(QStringLiteral("id")) && d[QStringLiteral("id")].isNull());
        QVERIFY(!d[QStringLiteral("uid")].toString().isEmpty() && !d[QStringLiteral("title")].toString().isEmpty());
        QCOMPARE(d[QStringLiteral("schemaVersion")].toInt(), 39);
        const QString uid = datasource.isEmpty() ? QStringLiteral("${datasource}") : datasource;
        const QJsonObject ds{{QStringLiteral("type"), QStringLiteral("prometheus")}, {QStringLiteral("uid"), uid}};
        QSet<int> ids;
        QVector<QRect> cells;
        QStringList titles;
        for (const QJsonValue &v : d[QStringLiteral("panels")].toArray()) {
            const QJsonObject p = v.toObject();
            const QString title = p[QStringLiteral("title")].toString();
            titles << title;
            QVERIFY2(p[QStringLiteral("id")].isDouble() && !ids.contains(p[QStringLiteral("id")].toInt()), qPrintable(title));
            ids.insert(p[QStringLiteral("id")].toInt());
            QVERIFY2(!p[QStringLiteral("type")].toString().isEmpty(), qPrintable(title));
            QCOMPARE(p[QStringLiteral("datasource")].toObject(), ds);
            const QJsonObject g = p[QStringLiteral("gridPos")].toObject();
            const QRect cell(g[QStringLiteral("x")].toInt(), g[QStringLiteral("y")].toInt(), g[QStringLiteral("w")].toInt(), g[QStringLiteral("h")].toInt());
            QVERIFY2(cell.x() >= 0 && cell.y() >= 0 && cell.width() > 0 && cell.height() > 0 && cell.x() + cell.width() <= 24, qPrintable(title));
            for (const QRect &other : std::as_const(cells))
                QVERIFY2(!other.intersects(cell), qPrintable(title + QStringLiteral(" overlaps another panel")));
            cells << cell;
            const QJsonArray targets = p[QStringLiteral("targets")].toArray();
            QVERIFY2(!targets.isEmpty(), qPrintable(title));
            QSet<QString> refIds;
            for (const QJsonValue &t : targets) {
                QVERIFY2(!t[QStringLiteral("expr")].toString().isEmpty(), qPrintable(title));
                const QString refId = t[QStringLiteral("refId")].toString();
                QVERIFY2(!refId.isEmpty() && !refIds.contains(refId), qPrintable(title));
                refIds.insert(refId);
                QCOMPARE(t[QStringLiteral("datasource")].toObject(), ds);
            }
        }
        // The Monitoring area's panels.
        for (const char *t : {"Requests per second", "Error ratio", "Latency p50 / p99", "Alerts", "Drift alarm per feature", "Drift effect per feature",
                              "Data quality", "Accuracy ($metric) per version", "Traffic split", "Rollout"})
            QVERIFY2(titles.contains(QLatin1String(t)), t);
        QStringList variables;
        for (const QJsonValue &v : d[QStringLiteral("templating")][QStringLiteral("list")].toArray())
            variables << v[QStringLiteral("name")].toString();
        QVERIFY(variables.contains(QStringLiteral("endpoint")));
        QCOMPARE(variables.contains(QStringLiteral("datasource")), datasource.isEmpty());

        // Every query, with the variables put in, parses as PromQL: promtool checks it as a
        // recording rule.
        const auto queries = testing::dashboardQueries(d, QStringLiteral("fraud"));
        QVERIFY(queries.size() > titles.size());
        QByteArray rules("groups:\n- name: dashboard\n  rules:\n");
        for (int i = 0; i < queries.size(); ++i) {
            QVERIFY2(!queries[i].expr.contains(QLatin1Char('$')), qPrintable(queries[i].expr));
            rules += QStringLiteral("  - record: dashboard_query_%1\n    expr: %2\n").arg(i).arg(QString::fromUtf8(QJsonDocument(QJsonArray{queries[i].expr}).toJson(QJsonDocument::Compact)).mid(1).chopped(1)).toUtf8();
        }
        r = promtool({QStringLiteral("check"), QStringLiteral("rules"), writeFile(out + QStringLiteral("queries.yml"), rules)});
        QVERIFY2(r.ok() && r.out.contains(QStringLiteral("SUCCESS: %1 rules found").arg(queries.size())), qPrintable(r.describe()));

        // Printed without --out: the same dashboard.
        r = cli(args.mid(0, 2) + args.mid(4));
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).object(), d);
    }

    void whatTheMonitoringFormatsRefuse_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("an endpoint") << QStringList{QStringLiteral("grafana"), QStringLiteral("fraud")} << QStringLiteral("takes no endpoint");
        QTest::newRow("--test without --out") << QStringList{QStringLiteral("prometheus-rules"), QStringLiteral("--test"), QStringLiteral("t.yml")}
                                              << QStringLiteral("--test needs --out FILE too");
        QTest::newRow("--test on the rule file") << QStringList{QStringLiteral("prometheus-rules"), QStringLiteral("--out"), QStringLiteral("r.yml"), QStringLiteral("--test"), QStringLiteral("r.yml")}
                                                 << QStringLiteral("--test names the rule file itself");
        QTest::newRow("--datasource for rules") << QStringList{QStringLiteral("prometheus-rules"), QStringLiteral("--datasource"), QStringLiteral("p")}
                                                << QStringLiteral("--datasource is for `export grafana`");
        QTest::newRow("a bad datasource uid") << QStringList{QStringLiteral("grafana"), QStringLiteral("--datasource"), QStringLiteral("has space")}
                                              << QStringLiteral("is no Grafana datasource uid");
        QTest::newRow("a deployment option") << QStringList{QStringLiteral("grafana"), QStringLiteral("--model"), QStringLiteral("fraud")}
                                             << QStringLiteral("--model is for the deployment formats");
        QTest::newRow("--test for a manifest") << QStringList{QStringLiteral("k8s"), QStringLiteral("fraud"), QStringLiteral("--test"), QStringLiteral("t.yml")}
                                               << QStringLiteral("--test is for `export prometheus-rules`");
    }

    void whatTheMonitoringFormatsRefuse()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = cli(QStringList{QStringLiteral("export")} + args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.describe()));
        QVERIFY(r.out.isEmpty());
        QVERIFY(!QFile::exists(m_ws + QStringLiteral("/r.yml")));
    }
};

QTEST_GUILESS_MAIN(TstCliExportMonitoring)
#include "tst_cli_export_monitoring.moc"
