// The alert engine (core/monitor/alert_engine.h) with a manual clock and evaluations called one
// by one: alerts.yaml re-read when it changes (a bad file reported, the last good rules kept, a
// removed file brings the defaults back), a /metrics text that does not parse skips the
// evaluation without resolving anything, orrery_alerts on /metrics (valid for promtool check
// metrics), webhook deliveries sent at once to a real receiver on 127.0.0.1, Alertmanager's
// resolved alerts sent again until it takes them, and a restarted engine that notifies nothing
// twice. The real Alertmanager is tests/integration/tst_alertmanager.
#include "core/common/clock.h"
#include "core/monitor/alert_engine.h"
#include "core/monitor/alert_store.h"
#include "core/monitor/alertmanager_client.h"
#include "core/registry/webhooks.h"
#include "core/store/database.h"
#include "tests/auto/registry/webhook_receiver.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::monitor;

namespace {

const QDateTime kStart = QDateTime::fromMSecsSinceEpoch(1'800'000'000'000LL, Qt::UTC);

QByteArray drift(int amount, int hour = 0)
{
    return QByteArray("# HELP orrery_feature_drift 1 while in drift.\n# TYPE orrery_feature_drift gauge\n") +
           "orrery_feature_drift{endpoint=\"fraud\",feature=\"amount\"} " + QByteArray::number(amount) + "\n" +
           "orrery_feature_drift{endpoint=\"fraud\",feature=\"hour\"} " + QByteArray::number(hour) + "\n";
}

} // namespace

class TstAlertEngine : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;
    QString m_root;
    QString m_database;

    // A fresh workspace-like folder: the database and where alerts.yaml goes.
    void freshWorkspace()
    {
        m_root = m_dir.filePath(QStringLiteral("ws%1").arg(++m_n));
        QVERIFY(QDir().mkpath(m_root + QStringLiteral("/.orrery")));
        m_database = m_root + QStringLiteral("/.orrery/orrery.db");
        store::OpenOptions o;
        o.create = true;
        QVERIFY(store::Database::open(m_database, o));
    }
    // Writes alerts.yaml with a modification time of its own, so a change is seen whatever the
    // file system's time resolution.
    void writeRules(const QByteArray &yaml, int secondsAfter)
    {
        const QString path = m_root + QStringLiteral("/alerts.yaml");
        testing::writeFile(path, yaml);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.setFileTime(kStart.addSecs(secondsAfter), QFileDevice::FileModificationTime));
    }
    AlertEngineOptions options(common::Clock *clock, QStringList *reports)
    {
        AlertEngineOptions o;
        o.databasePath = m_database;
        o.rulesPath = m_root + QStringLiteral("/alerts.yaml");
        o.clock = clock;
        o.httpTimeoutMs = 10'000;
        o.report = [reports](const QString &m) { reports->append(m); };
        return o;
    }
    QStringList activeNames(const AlertEngine &engine)
    {
        QStringList out;
        for (const Alert &a : engine.active())
            out << QStringLiteral("%1/%2/%3").arg(a.rule, a.labels.value(QStringLiteral("feature")), alertStateName(a.state));
        out.sort();
        return out;
    }

private Q_SLOTS:
    void rulesAreReloadedWhenTheFileChanges()
    {
        freshWorkspace();
        common::ManualClock clock(kStart);
        QStringList reports;
        QByteArray metrics = drift(1);
        AlertEngine engine(options(&clock, &reports), [&] { return metrics; });
        // No file: the default rules (FeatureDrift fires at once).
        QVERIFY(engine.evaluateOnce().isOk());
        QVERIFY(engine.rulesSource().isEmpty());
        QCOMPARE(engine.rules().size(), 4);
        QCOMPARE(activeNames(engine), QStringList{QStringLiteral("FeatureDrift/amount/firing")});

        writeRules("rules:\n- alert: AnyDrift\n  metric: orrery_feature_drift\n  op: \">=\"\n  threshold: 0\n  for: 1m\n", 10);
        clock.advanceMs(5000);
        QVERIFY(engine.evaluateOnce().isOk());
        QCOMPARE(engine.rulesSource(), m_root + QStringLiteral("/alerts.yaml"));
        // FeatureDrift went with the defaults (resolved); AnyDrift holds for both series, pending.
        QCOMPARE(activeNames(engine), (QStringList{QStringLiteral("AnyDrift/amount/pending"), QStringLiteral("AnyDrift/hour/pending")}));
        QVERIFY2(reports.isEmpty(), qPrintable(reports.join(QLatin1Char('\n'))));

        // A broken file: reported once with its place, the rules read before stay.
        writeRules("rules:\n- alert: AnyDrift\n  metric: orrery_feature_drift\n  op: \"=>\"\n  threshold: 0\n", 20);
        clock.advanceMs(5000);
        QVERIFY(engine.evaluateOnce().isOk());
        QCOMPARE(reports.size(), 1);
        QVERIFY2(reports[0].contains(QLatin1String("alerts.yaml:4:7: the op '=>'")) && reports[0].contains(QLatin1String("the rules read before stay in force")),
                 qPrintable(reports[0]));
        clock.advanceMs(60'000);
        QVERIFY(engine.evaluateOnce().isOk());
        QCOMPARE(reports.size(), 1); // not again while the file is unchanged
        QCOMPARE(activeNames(engine), (QStringList{QStringLiteral("AnyDrift/amount/firing"), QStringLiteral("AnyDrift/hour/firing")}));

        // The file removed: the defaults again.
        QVERIFY(QFile::remove(m_root + QStringLiteral("/alerts.yaml")));
        clock.advanceMs(5000);
        QVERIFY(engine.evaluateOnce().isOk());
        QCOMPARE(engine.rules().size(), 4);
        QCOMPARE(activeNames(engine), QStringList{QStringLiteral("FeatureDrift/amount/firing")});
    }

    void aBadFileAtStartEvaluatesNothingUntilFixed()
    {
        freshWorkspace();
        common::ManualClock clock(kStart);
        QStringList reports;
        writeRules("rules:\n- alert: A\n  metric: orrery_feature_drift\n  op: \">\"\n  threshold: zero\n", 1);
        AlertEngine engine(options(&clock, &reports), [] { return drift(1); });
        QVERIFY(engine.evaluateOnce().isOk());
        QVERIFY(engine.active().isEmpty());
        QCOMPARE(reports.size(), 1);
        QVERIFY2(reports[0].contains(QLatin1String("alerts.yaml:5:14")) && reports[0].contains(QLatin1String("no alert is evaluated until it is fixed")), qPrintable(reports[0]));
        writeRules("rules:\n- alert: A\n  metric: orrery_feature_drift\n  op: \">\"\n  threshold: 0\n", 2);
        QVERIFY(engine.evaluateOnce().isOk());
        QCOMPARE(activeNames(engine), QStringList{QStringLiteral("A/amount/firing")});
    }

    void aBrokenScrapeResolvesNothing()
    {
        freshWorkspace();
        common::ManualClock clock(kStart);
        QStringList reports;
        QByteArray metrics = drift(1);
        AlertEngine engine(options(&clock, &reports), [&] { return metrics; });
        QVERIFY(engine.evaluateOnce().isOk());
        QCOMPARE(engine.active().size(), 1);
        metrics = "orrery_feature_drift{endpoint=\"fraud\" 1\n";
        clock.advanceMs(120'000); // past FeatureDrift's keep_firing_for (1m), had the series vanished
        QVERIFY(engine.evaluateOnce().isOk());
        QCOMPARE(engine.active().size(), 1);
        QCOMPARE(reports.size(), 1);
        QVERIFY2(reports[0].contains(QLatin1String("metrics line 1, column")), qPrintable(reports[0]));
        QVERIFY(engine.evaluateOnce().isOk());
        QCOMPARE(reports.size(), 1); // the same problem is not repeated
    }

    void metricsCarryTheActiveAlerts()
    {
        freshWorkspace();
        common::ManualClock clock(kStart);
        QStringList reports;
        writeRules("rules:\n"
                   "- alert: FeatureDrift\n  metric: orrery_feature_drift\n  op: \">\"\n  threshold: 0\n  severity: critical\n"
                   "- alert: SlowDrift\n  metric: orrery_feature_drift\n  op: \">\"\n  threshold: 0\n  for: 5m\n",
                   1);
        AlertEngine engine(options(&clock, &reports), [] { return drift(1, 1); });
        QByteArray before;
        engine.appendMetrics(before);
        QVERIFY(before.contains("# TYPE orrery_alerts gauge"));
        QVERIFY(!before.contains("orrery_alerts{"));
        QVERIFY(engine.evaluateOnce().isOk());
        QByteArray text = drift(1, 1);
        engine.appendMetrics(text);
        QVERIFY2(text.contains("orrery_alerts{alertname=\"FeatureDrift\",alertstate=\"firing\",endpoint=\"fraud\",feature=\"amount\",severity=\"critical\"} 1\n"), text.constData());
        QVERIFY2(text.contains("orrery_alerts{alertname=\"SlowDrift\",alertstate=\"pending\",endpoint=\"fraud\",feature=\"hour\",severity=\"warning\"} 1\n"), text.constData());
        QCOMPARE(text.count("orrery_alerts{"), 4);
        QVERIFY2(QFile::exists(QStringLiteral("/usr/bin/promtool")), "promtool is missing: run packaging/setup.sh --test (Debian's prometheus package)");
        testing::ProcessOptions stdinText;
        stdinText.input = text;
        const testing::ProcessResult check = testing::run(QStringLiteral("/usr/bin/promtool"), {QStringLiteral("check"), QStringLiteral("metrics")}, stdinText);
        QVERIFY2(check.ok(), qPrintable(check.describe()));
    }

    void webhooksAreSentAtOnceAndNotTwiceAfterARestart()
    {
        freshWorkspace();
        orrery::testing::WebhookReceiver receiver;
        {
            auto db = store::Database::open(m_database);
            registry::NewWebhook h;
            h.url = receiver.url();
            h.events = {QStringLiteral("alert.firing"), QStringLiteral("alert.resolved")};
            h.secret = QStringLiteral("secret");
            QVERIFY(registry::Webhooks(**db).add(h));
        }
        // Deliveries are due by the system clock (registry::deliverPendingNow's): an hour ago.
        common::ManualClock clock(QDateTime::currentDateTimeUtc().addSecs(-3600));
        QStringList reports;
        int amount = 1;
        {
            AlertEngine engine(options(&clock, &reports), [&] { return drift(amount); });
            QVERIFY(engine.evaluateOnce().isOk()); // deliverPendingNow's event loop serves the receiver
            QCOMPARE(receiver.received.size(), 1);
            QCOMPARE(receiver.received[0].headers.value("x-orrery-event"), QByteArray("alert.firing"));
            const QJsonObject alert = QJsonDocument::fromJson(receiver.received[0].body).object()[QStringLiteral("data")][QStringLiteral("alert")].toObject();
            QCOMPARE(alert[QStringLiteral("state")].toString(), QStringLiteral("firing"));
            QCOMPARE(alert[QStringLiteral("labels")][QStringLiteral("feature")].toString(), QStringLiteral("amount"));
            QCOMPARE(alert[QStringLiteral("annotations")][QStringLiteral("summary")].toString(), QStringLiteral("amount drifted on fraud"));
            clock.advanceMs(5000);
            QVERIFY(engine.evaluateOnce().isOk());
            QCOMPARE(receiver.received.size(), 1);
        }
        // Restarted: the firing alert continues, nothing is sent again; when it resolves, once.
        AlertEngine engine(options(&clock, &reports), [&] { return drift(amount); });
        clock.advanceMs(5000);
        QVERIFY(engine.evaluateOnce().isOk());
        QCOMPARE(activeNames(engine), QStringList{QStringLiteral("FeatureDrift/amount/firing")});
        QCOMPARE(receiver.received.size(), 1);
        amount = 0;
        clock.advanceMs(5000);
        QVERIFY(engine.evaluateOnce().isOk()); // keep_firing_for 1m starts
        clock.advanceMs(60'000);
        QVERIFY(engine.evaluateOnce().isOk());
        QCOMPARE(receiver.received.size(), 2);
        QCOMPARE(receiver.received[1].headers.value("x-orrery-event"), QByteArray("alert.resolved"));
        QVERIFY2(reports.isEmpty(), qPrintable(reports.join(QLatin1Char('\n'))));
        auto db = store::Database::open(m_database);
        QCOMPARE(AlertStore(**db).list(true)->size(), 1);
    }

    void alertmanagerGetsFiringAlertsEachTimeAndResolvedOnesUntilTaken()
    {
        freshWorkspace();
        orrery::testing::WebhookReceiver alertmanager; // stands in for the HTTP side only
        alertmanager.statuses = {200, 200, 503, 200, 200};
        common::ManualClock clock(kStart);
        QStringList reports;
        writeRules(QStringLiteral("alertmanager: %1\nevaluate_every: 2s\nrules:\n- alert: D\n  metric: orrery_feature_drift\n  op: \">\"\n  threshold: 0\n")
                       .arg(alertmanager.url(QString()))
                       .toUtf8(),
                   1);
        int amount = 1;
        AlertEngineOptions o = options(&clock, &reports);
        o.generatorUrl = QStringLiteral("http://127.0.0.1:8080/metrics");
        AlertEngine engine(o, [&] { return drift(amount); });
        auto body = [&](int i) { return QJsonDocument::fromJson(alertmanager.received[i].body).array(); };
        QVERIFY(engine.evaluateOnce().isOk());
        QCOMPARE(alertmanager.received.size(), 1);
        QCOMPARE(alertmanager.received[0].target, QByteArray("/api/v2/alerts"));
        QJsonObject a = body(0)[0].toObject();
        QCOMPARE(a[QStringLiteral("labels")][QStringLiteral("alertname")].toString(), QStringLiteral("D"));
        QCOMPARE(a[QStringLiteral("startsAt")].toString(), common::toIsoUtc(kStart));
        QCOMPARE(a[QStringLiteral("endsAt")].toString(), common::toIsoUtc(kStart.addMSecs(4 * 2000))); // 4 × evaluate_every
        QCOMPARE(a[QStringLiteral("generatorURL")].toString(), QStringLiteral("http://127.0.0.1:8080/metrics"));
        clock.advanceMs(2000);
        QVERIFY(engine.evaluateOnce().isOk()); // firing again: re-sent with a later endsAt
        QCOMPARE(body(1)[0][QStringLiteral("endsAt")].toString(), common::toIsoUtc(kStart.addMSecs(2000 + 8000)));
        amount = 0;
        clock.advanceMs(2000);
        QVERIFY(engine.evaluateOnce().isOk()); // resolved; Alertmanager answers 503
        QCOMPARE(body(2).size(), 1);
        QCOMPARE(body(2)[0][QStringLiteral("endsAt")].toString(), common::toIsoUtc(kStart.addMSecs(4000)));
        QCOMPARE(reports.size(), 1);
        QVERIFY2(reports[0].contains(QLatin1String("answered POST /api/v2/alerts with 503")), qPrintable(reports[0]));
        clock.advanceMs(2000);
        QVERIFY(engine.evaluateOnce().isOk()); // sent again, taken
        QCOMPARE(body(3).size(), 1);
        QCOMPARE(body(3)[0][QStringLiteral("endsAt")].toString(), common::toIsoUtc(kStart.addMSecs(4000)));
        clock.advanceMs(2000);
        QVERIFY(engine.evaluateOnce().isOk()); // nothing to say
        QCOMPARE(alertmanager.received.size(), 4);
    }
};

QTEST_GUILESS_MAIN(TstAlertEngine)
#include "tst_alert_engine.moc"
