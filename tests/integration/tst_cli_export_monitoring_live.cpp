// The exported monitoring against a real Prometheus (Debian's 2.42) that scrapes Orrery: the demo's
// model deployed on "fraud" and served by the workspace's serving process (orrery-cli serve →
// orrery-serve, 2-second drift windows), `demo replay` sending 100 requests a second whose amounts
// shift after 10 s, with their labels a second after each answer. Prometheus scrapes /metrics every
// second and loads the rule file of `export prometheus-rules` (the default rules). Then
//   (a) Prometheus fires FeatureDrift for the shifted feature (amount), with the labels and
//       annotations Orrery gives the same alert, and the drift alerts firing in Prometheus are
//       exactly those firing in Orrery (`monitor alerts --json`), apart from the scrape's job and
//       instance labels;
//   (b) every rule evaluates without error, every alert rule's series exist, every recording
//       rule has recorded;
//   (c) every query of `export grafana`'s dashboard, with its variables put in for "fraud",
//       returns data — the accuracy panels' from the delayed labels.
// Every wait is a condition polled against a generous deadline.
#include "tests/integration/grafana_queries.h"
#include "tests/integration/prometheus_server.h"
#include "tests/integration/serve_process.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::readFile;
using testing::runCli;
using testing::waitFor;

namespace {

constexpr int kDeadlineSeconds = 180; // windows, scrapes and rule evaluations on a loaded 2-core machine

using Labels = QMap<QString, QString>;

Labels labelsOf(const QJsonValue &object)
{
    Labels out;
    const QJsonObject o = object.toObject();
    for (auto it = o.begin(); it != o.end(); ++it)
        out.insert(it.key(), it.value().toString());
    return out;
}

QString text(const Labels &labels)
{
    QStringList parts;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        parts << QStringLiteral("%1=%2").arg(it.key(), it.value());
    return QStringLiteral("{%1}").arg(parts.join(QLatin1Char(',')));
}

// The accuracy gauges from delayed labels (the live-monitoring contract): their queries are
// checked in their own test function, which says so when they are missing.
bool aboutAccuracy(const QString &expr)
{
    return expr.contains(QLatin1String("orrery_model_accuracy")) || expr.contains(QLatin1String("orrery_feedback_labels"));
}

} // namespace

class TstCliExportMonitoringLive : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QString m_out;
    QProcess m_server;
    QProcess m_replay;
    quint16 m_port = 0;
    testing::PrometheusServer m_prometheus;

    Run cli(const QStringList &args) { return runCli(args, m_ws); }

    QString logs()
    {
        return QStringLiteral("--- prometheus:\n%1\n--- replay:\n%2").arg(QString::fromUtf8(m_prometheus.log().right(3000)), QString::fromUtf8(readFile(m_dir.filePath(QStringLiteral("replay.log"))).right(3000)));
    }

    // Prometheus' firing alerts of `rule`, each by its labels without the scrape's job and
    // instance, with its annotations.
    QMap<QString, std::pair<Labels, Labels>> prometheusFiring(const QString &rule)
    {
        QMap<QString, std::pair<Labels, Labels>> out;
        for (const QJsonValue &a : m_prometheus.alerts()) {
            Labels labels = labelsOf(a[QStringLiteral("labels")]);
            if (labels.value(QStringLiteral("alertname")) != rule || a[QStringLiteral("state")].toString() != QLatin1String("firing"))
                continue;
            labels.remove(QStringLiteral("job"));
            labels.remove(QStringLiteral("instance"));
            out.insert(text(labels), {labels, labelsOf(a[QStringLiteral("annotations")])});
        }
        return out;
    }

    // Orrery's firing alerts of `rule` (monitor alerts --json), the same way.
    QMap<QString, std::pair<Labels, Labels>> orreryFiring(const QString &rule)
    {
        QMap<QString, std::pair<Labels, Labels>> out;
        const Run r = cli({QStringLiteral("monitor"), QStringLiteral("alerts"), QStringLiteral("--json")});
        if (!r.ok()) {
            qWarning("%s", qPrintable(r.describe()));
            return out;
        }
        for (const QJsonValue &a : QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("alerts")).toArray()) {
            if (a[QStringLiteral("rule")].toString() != rule || a[QStringLiteral("state")].toString() != QLatin1String("firing"))
                continue;
            const Labels labels = labelsOf(a[QStringLiteral("labels")]);
            out.insert(text(labels), {labels, labelsOf(a[QStringLiteral("annotations")])});
        }
        return out;
    }

    // Polls until every query answers with data; names the ones that never did.
    void everyQueryHasData(const QVector<testing::DashboardQuery> &queries)
    {
        QStringList missing;
        waitFor([&] {
            missing.clear();
            for (const testing::DashboardQuery &q : queries) {
                const testing::PromAnswer a = m_prometheus.query(q.expr);
                if (!a.ok)
                    missing << QStringLiteral("%1: %2 failed: %3").arg(q.where, q.expr, a.error);
                else if (a.result.isEmpty())
                    missing << QStringLiteral("%1: %2 is empty").arg(q.where, q.expr);
            }
            return missing.isEmpty();
        }, kDeadlineSeconds);
        QVERIFY2(missing.isEmpty(), qPrintable(missing.join(QLatin1Char('\n'))));
    }

    // The exported rules' queries: each alert rule's series (its expression before the
    // comparison) and each recording rule's result.
    QVector<testing::DashboardQuery> ruleQueries()
    {
        QVector<testing::DashboardQuery> out;
        static const QRegularExpression comparison(QStringLiteral("^(.*) (>|>=|<|<=|==|!=) (\\S+)$"));
        for (const QJsonValue &g : m_prometheus.ruleGroups())
            for (const QJsonValue &r : g[QStringLiteral("rules")].toArray()) {
                if (r[QStringLiteral("type")].toString() == QLatin1String("recording")) {
                    out.append({QStringLiteral("recording rule"), r[QStringLiteral("name")].toString()});
                    continue;
                }
                const auto m = comparison.match(r[QStringLiteral("query")].toString());
                if (m.hasMatch())
                    out.append({QStringLiteral("the series of alert %1").arg(r[QStringLiteral("name")].toString()), m.captured(1)});
                else
                    out.append({QStringLiteral("alert %1: no comparison in").arg(r[QStringLiteral("name")].toString()), r[QStringLiteral("query")].toString()});
            }
        return out;
    }

    QVector<testing::DashboardQuery> dashboard()
    {
        return testing::dashboardQueries(QJsonDocument::fromJson(readFile(m_out + QStringLiteral("orrery-dashboard.json"))).object(), QStringLiteral("fraud"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        QVERIFY2(runCli({QStringLiteral("demo"), m_ws}).ok(), "demo");
        Run r = cli({QStringLiteral("run")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("deploy"), QStringLiteral("start"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("1"),
                 QStringLiteral("--endpoint"), QStringLiteral("fraud")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        m_out = m_dir.filePath(QStringLiteral("export")) + QLatin1Char('/');
        for (const char *format : {"prometheus-rules", "grafana"}) {
            r = cli({QStringLiteral("export"), QLatin1String(format), QStringLiteral("--out"), m_out});
            QVERIFY2(r.ok(), qPrintable(r.describe()));
        }

        m_port = testing::startServe(m_server, m_ws, {QStringLiteral("--monitor-window"), QStringLiteral("2s")});
        QVERIFY(m_port);
        QVERIFY2(m_prometheus.start(m_dir.filePath(QStringLiteral("prometheus")), {QStringLiteral("127.0.0.1:%1").arg(m_port)}, {m_out + QStringLiteral("orrery-rules.yml")}),
                 m_prometheus.log().constData());

        m_replay.setWorkingDirectory(m_ws);
        m_replay.setProcessChannelMode(QProcess::MergedChannels);
        m_replay.setStandardOutputFile(m_dir.filePath(QStringLiteral("replay.log")));
        // Stopped with SIGTERM at the end; --duration bounds it should this test die first.
        m_replay.start(testing::cliPath(), {QStringLiteral("demo"), QStringLiteral("replay"), QStringLiteral("--endpoint"), QStringLiteral("fraud"),
                                            QStringLiteral("--rate"), QStringLiteral("100"), QStringLiteral("--shift-at"), QStringLiteral("10s"),
                                            QStringLiteral("--labels-after"), QStringLiteral("1s"), QStringLiteral("--duration"), QStringLiteral("15m")});
        QVERIFY(m_replay.waitForStarted(10000));
    }

    void cleanupTestCase()
    {
        for (QProcess *p : {&m_replay, &m_server}) {
            if (p->state() != QProcess::Running)
                continue;
            ::kill(pid_t(p->processId()), SIGTERM);
            if (!p->waitForFinished(30000)) {
                p->kill();
                p->waitForFinished(5000);
            }
        }
        m_prometheus.stop();
    }

    void prometheusFiresTheDriftAlertOrreryFires()
    {
        const QString amount = QStringLiteral("{alertname=FeatureDrift,endpoint=fraud,feature=amount,severity=warning}");
        QVERIFY2(waitFor([&] { return prometheusFiring(QStringLiteral("FeatureDrift")).contains(amount); }, kDeadlineSeconds), qPrintable(logs()));
        const auto fromPrometheus = prometheusFiring(QStringLiteral("FeatureDrift"));
        QCOMPARE(fromPrometheus[amount].second.value(QStringLiteral("summary")), QStringLiteral("amount drifted on fraud"));
        QVERIFY(!fromPrometheus[amount].second.value(QStringLiteral("description")).isEmpty());

        // The same alerts in Orrery — labels and rendered annotations — once both have seen the
        // same windows (Prometheus a scrape later, each rule on its own 5-second evaluation).
        QMap<QString, std::pair<Labels, Labels>> inPrometheus, inOrrery;
        const bool same = waitFor([&] {
            inPrometheus = prometheusFiring(QStringLiteral("FeatureDrift"));
            inOrrery = orreryFiring(QStringLiteral("FeatureDrift"));
            return inOrrery.contains(amount) && inPrometheus == inOrrery;
        }, kDeadlineSeconds);
        QVERIFY2(same, qPrintable(QStringLiteral("Prometheus: %1\nOrrery: %2").arg(QStringList(inPrometheus.keys()).join(QLatin1Char(' ')), QStringList(inOrrery.keys()).join(QLatin1Char(' ')))));
        // Prometheus's ALERTS series carries it too, beside Orrery's own orrery_alerts.
        const testing::PromAnswer alertsSeries = m_prometheus.query(QStringLiteral("ALERTS{alertname=\"FeatureDrift\",alertstate=\"firing\",feature=\"amount\"}"));
        QVERIFY2(alertsSeries.ok && alertsSeries.result.size() == 1, qPrintable(alertsSeries.error));
    }

    void everyRuleEvaluates()
    {
        QStringList problems;
        int alerting = 0, recording = 0;
        const bool evaluated = waitFor([&] {
            problems.clear();
            alerting = recording = 0;
            for (const QJsonValue &g : m_prometheus.ruleGroups())
                for (const QJsonValue &r : g[QStringLiteral("rules")].toArray()) {
                    (r[QStringLiteral("type")].toString() == QLatin1String("recording") ? recording : alerting)++;
                    if (r[QStringLiteral("health")].toString() != QLatin1String("ok"))
                        problems << QStringLiteral("%1: %2 %3").arg(r[QStringLiteral("name")].toString(), r[QStringLiteral("health")].toString(), r[QStringLiteral("lastError")].toString());
                }
            return problems.isEmpty() && alerting == 4 && recording == 4;
        }, kDeadlineSeconds);
        QVERIFY2(evaluated, qPrintable(QStringLiteral("%1 alerting, %2 recording rules; %3").arg(alerting).arg(recording).arg(problems.join(QLatin1Char('\n')))));
        QVector<testing::DashboardQuery> queries;
        for (const auto &q : ruleQueries())
            if (!aboutAccuracy(q.expr))
                queries.append(q);
        QCOMPARE(queries.size(), 7); // FeatureDrift, HighLatencyP99, HighErrorRatio; 4 recording rules
        everyQueryHasData(queries);
    }

    void everyDashboardQueryHasData()
    {
        QVector<testing::DashboardQuery> queries;
        for (const auto &q : dashboard())
            if (!aboutAccuracy(q.expr))
                queries.append(q);
        QVERIFY(queries.size() >= 15);
        everyQueryHasData(queries);
    }

    // orrery_model_accuracy and orrery_feedback_labels come from the delayed labels the replay
    // sends (the live-monitoring contract's accuracy gauges).
    void theAccuracyQueriesHaveDataFromTheLabels()
    {
        QVector<testing::DashboardQuery> queries;
        for (const auto &q : dashboard() + ruleQueries())
            if (aboutAccuracy(q.expr))
                queries.append(q);
        QCOMPARE(queries.size(), 3); // the accuracy and labelled-rows panels, ModelAccuracyLow's series
        everyQueryHasData(queries);
    }
};

QTEST_GUILESS_MAIN(TstCliExportMonitoringLive)
#include "tst_cli_export_monitoring_live.moc"
