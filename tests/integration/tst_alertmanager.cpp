// Orrery's alerts in a real Alertmanager (Debian's prometheus-alertmanager 0.25, started here on
// 127.0.0.1 with its own storage and a webhook receiver in this test): an AlertEngine — the
// serving process's, on its own thread, evaluating every second — reads a /metrics text whose
// drift gauge is 1, and
//   (a) Alertmanager's GET /api/v2/alerts returns the alert with its labels (alertname, endpoint,
//       feature, severity) and annotations;
//   (b) Alertmanager's webhook delivers it with status "firing";
// then the gauge goes 0 and the alert resolves in both. Meanwhile `orrery-cli monitor alerts`
// lists and acknowledges it, and `monitor alerts silence` creates a matching silence in
// Alertmanager. Every wait is a condition polled against a generous deadline.
// The prerequisite is explicit: no /usr/bin/prometheus-alertmanager is a failure that says to run
// packaging/setup.sh --test.
#include "core/monitor/alert_engine.h"
#include "tests/auto/registry/webhook_receiver.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <atomic>

using namespace orrery;
using testing::ProcessResult;
using testing::runCli;

namespace {

const QString kAlertmanager = QStringLiteral("/usr/bin/prometheus-alertmanager");
constexpr int kDeadlineSeconds = 60;

struct Http {
    int status = 0;
    QByteArray body;
};

Http get(const QString &url)
{
    QNetworkAccessManager manager; // one per call: nothing of Qt Network outlives the application
    QNetworkReply *reply = manager.get(QNetworkRequest{QUrl(url)});
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10'000, &loop, &QEventLoop::quit);
    loop.exec();
    Http h;
    if (reply->isFinished()) {
        h.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        h.body = reply->readAll();
    } else {
        reply->abort();
    }
    delete reply;
    return h;
}

int freePort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        qFatal("no free port");
    return s.serverPort();
}

// Polls `done` (serving this thread's events: the receiver lives here) until it holds or the deadline passes.
template <typename F>
bool waitFor(F done, int seconds = kDeadlineSeconds)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < seconds * 1000LL) {
        if (done())
            return true;
        QTest::qWait(200);
    }
    return done();
}

} // namespace

class TstAlertmanager : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    int m_port = 0;
    QProcess m_alertmanager;
    orrery::testing::WebhookReceiver m_receiver;

    QString amUrl(const QString &path) const { return QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path); }
    QString log() const { return QString::fromUtf8(testing::readFile(m_dir.filePath(QStringLiteral("alertmanager.log")))).right(3000); }
    ProcessResult cli(const QStringList &args) { return runCli(args, m_ws); }

    // Alertmanager's active alerts named FeatureDrift.
    QJsonArray amAlerts()
    {
        const Http h = get(amUrl(QStringLiteral("/api/v2/alerts?filter=alertname%3D%22FeatureDrift%22")));
        return h.status == 200 ? QJsonDocument::fromJson(h.body).array() : QJsonArray();
    }
    // The webhook notifications Alertmanager sent with `status`.
    QList<QJsonObject> notifications(const QString &status)
    {
        QList<QJsonObject> out;
        for (const auto &r : m_receiver.received) {
            const QJsonObject o = QJsonDocument::fromJson(r.body).object();
            if (o[QStringLiteral("status")].toString() == status)
                out << o;
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(kAlertmanager),
                 "/usr/bin/prometheus-alertmanager is missing: run packaging/setup.sh --test (it installs Debian's prometheus-alertmanager)");
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        const ProcessResult init = runCli({QStringLiteral("init"), m_ws});
        QVERIFY2(init.ok(), qPrintable(init.describe()));

        m_port = freePort();
        const QString config = testing::writeFile(m_dir.filePath(QStringLiteral("alertmanager.yml")), QStringLiteral(
            "route:\n"
            "  receiver: orrery-test\n"
            "  group_by: [alertname, endpoint, feature]\n"
            "  group_wait: 1s\n"
            "  group_interval: 1s\n"
            "  repeat_interval: 1h\n"
            "receivers:\n"
            "  - name: orrery-test\n"
            "    webhook_configs:\n"
            "      - url: %1\n"
            "        send_resolved: true\n").arg(m_receiver.url(QStringLiteral("/alertmanager"))).toUtf8());
        m_alertmanager.setProcessChannelMode(QProcess::MergedChannels);
        m_alertmanager.setStandardOutputFile(m_dir.filePath(QStringLiteral("alertmanager.log")));
        m_alertmanager.start(kAlertmanager, {QStringLiteral("--config.file=") + config, QStringLiteral("--storage.path=") + m_dir.filePath(QStringLiteral("am-data")),
                                             QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(m_port),
                                             QStringLiteral("--cluster.listen-address=")}); // no gossip port: one instance
        QVERIFY2(m_alertmanager.waitForStarted(10'000), qPrintable(m_alertmanager.errorString()));
        QVERIFY2(waitFor([&] { return get(amUrl(QStringLiteral("/-/ready"))).status == 200; }), qPrintable(log()));
    }

    void cleanupTestCase()
    {
        if (m_alertmanager.state() != QProcess::NotRunning) {
            m_alertmanager.terminate();
            if (!m_alertmanager.waitForFinished(10'000))
                m_alertmanager.kill();
            m_alertmanager.waitForFinished(5'000);
        }
    }

    void aDriftAlertFiresAndResolvesInAlertmanager()
    {
        testing::writeFile(m_ws + QStringLiteral("/alerts.yaml"), QStringLiteral(
            "alertmanager: http://127.0.0.1:%1\n"
            "evaluate_every: 1s\n"
            "rules:\n"
            "- alert: FeatureDrift\n"
            "  metric: orrery_feature_drift\n"
            "  where: {endpoint: fraud}\n"
            "  op: \">\"\n"
            "  threshold: 0\n"
            "  severity: warning\n"
            "  summary: \"{{ $labels.feature }} drifted on {{ $labels.endpoint }}\"\n"
            "  description: \"orrery_feature_drift is {{ $value }}\"\n").arg(m_port).toUtf8());
        const ProcessResult checked = cli({QStringLiteral("monitor"), QStringLiteral("alerts"), QStringLiteral("check")});
        QVERIFY2(checked.ok() && checked.out.contains(QLatin1String("Alertmanager at http://127.0.0.1")), qPrintable(checked.describe()));

        std::atomic<int> amount{1};
        monitor::AlertEngineOptions options;
        options.databasePath = m_ws + QStringLiteral("/.orrery/orrery.db");
        options.rulesPath = m_ws + QStringLiteral("/alerts.yaml"); // generatorURL: its file:// URL
        QStringList reports;
        std::mutex reportsMutex;
        options.report = [&](const QString &m) {
            std::lock_guard lock(reportsMutex);
            reports << m;
            qWarning("alert engine: %s", qPrintable(m));
        };
        monitor::AlertEngine engine(options, [&] {
            return QByteArray("# HELP orrery_feature_drift 1 while the feature is in drift.\n# TYPE orrery_feature_drift gauge\n"
                              "orrery_feature_drift{endpoint=\"fraud\",feature=\"amount\"} ") + QByteArray::number(amount.load()) +
                   "\norrery_feature_drift{endpoint=\"fraud\",feature=\"hour\"} 0\n";
        });
        engine.start();

        // (a) Alertmanager has it, with Orrery's labels and annotations.
        QJsonObject alert;
        QVERIFY2(waitFor([&] {
                     const QJsonArray alerts = amAlerts();
                     if (alerts.size() != 1)
                         return false;
                     alert = alerts.first().toObject();
                     return true;
                 }),
                 qPrintable(log()));
        const QJsonObject labels = alert[QStringLiteral("labels")].toObject();
        QCOMPARE(labels, (QJsonObject{{QStringLiteral("alertname"), QStringLiteral("FeatureDrift")},
                                      {QStringLiteral("endpoint"), QStringLiteral("fraud")},
                                      {QStringLiteral("feature"), QStringLiteral("amount")},
                                      {QStringLiteral("severity"), QStringLiteral("warning")}}));
        QCOMPARE(alert[QStringLiteral("annotations")].toObject(), (QJsonObject{{QStringLiteral("summary"), QStringLiteral("amount drifted on fraud")},
                                                                               {QStringLiteral("description"), QStringLiteral("orrery_feature_drift is 1")}}));
        QCOMPARE(alert[QStringLiteral("status")][QStringLiteral("state")].toString(), QStringLiteral("active"));
        QCOMPARE(alert[QStringLiteral("generatorURL")].toString(), QUrl::fromLocalFile(options.rulesPath).toString());
        const QDateTime startsAt = QDateTime::fromString(alert[QStringLiteral("startsAt")].toString(), Qt::ISODateWithMs);
        const QDateTime endsAt = QDateTime::fromString(alert[QStringLiteral("endsAt")].toString(), Qt::ISODateWithMs);
        QVERIFY2(startsAt.isValid() && endsAt > startsAt, qPrintable(QJsonDocument(alert).toJson()));

        // (b) … and notifies its receiver: status firing, the same labels.
        QVERIFY2(waitFor([&] { return !notifications(QStringLiteral("firing")).isEmpty(); }), qPrintable(log()));
        const QJsonObject firing = notifications(QStringLiteral("firing")).first();
        QCOMPARE(firing[QStringLiteral("alerts")].toArray().size(), 1);
        QCOMPARE(firing[QStringLiteral("alerts")][0][QStringLiteral("labels")].toObject(), labels);
        QCOMPARE(firing[QStringLiteral("alerts")][0][QStringLiteral("annotations")][QStringLiteral("summary")].toString(), QStringLiteral("amount drifted on fraud"));

        // The workspace has it too: listed, acknowledged.
        ProcessResult listed = cli({QStringLiteral("monitor"), QStringLiteral("alerts"), QStringLiteral("--json")});
        QVERIFY2(listed.ok(), qPrintable(listed.describe()));
        QJsonArray rows = QJsonDocument::fromJson(listed.out.toUtf8()).object()[QStringLiteral("alerts")].toArray();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0][QStringLiteral("state")].toString(), QStringLiteral("firing"));
        const QString id = QString::number(rows[0][QStringLiteral("id")].toInteger());
        const ProcessResult acked = cli({QStringLiteral("monitor"), QStringLiteral("alerts"), QStringLiteral("ack"), id, QStringLiteral("--by"), QStringLiteral("tester")});
        QVERIFY2(acked.ok() && acked.out.contains(QLatin1String("acknowledged by tester")), qPrintable(acked.describe()));
        const ProcessResult text = cli({QStringLiteral("monitor"), QStringLiteral("alerts")});
        QVERIFY2(text.ok() && text.out.contains(QLatin1String("FeatureDrift{endpoint=\"fraud\",feature=\"amount\",severity=\"warning\"}")) &&
                     text.out.contains(QLatin1String("amount drifted on fraud")) && text.out.contains(QLatin1String("acknowledged by tester")),
                 qPrintable(text.describe()));

        // The gauge goes 0: resolved in Alertmanager (no longer active) and notified as resolved.
        amount = 0;
        QVERIFY2(waitFor([&] { return amAlerts().isEmpty(); }), qPrintable(log()));
        QVERIFY2(waitFor([&] { return !notifications(QStringLiteral("resolved")).isEmpty(); }), qPrintable(log()));
        const QJsonObject resolved = notifications(QStringLiteral("resolved")).first();
        QCOMPARE(resolved[QStringLiteral("alerts")][0][QStringLiteral("labels")].toObject(), labels);
        QCOMPARE(resolved[QStringLiteral("alerts")][0][QStringLiteral("status")].toString(), QStringLiteral("resolved"));
        engine.stop();
        {
            std::lock_guard lock(reportsMutex);
            QVERIFY2(reports.isEmpty(), qPrintable(reports.join(QLatin1Char('\n'))));
        }
        listed = cli({QStringLiteral("monitor"), QStringLiteral("alerts"), QStringLiteral("--all"), QStringLiteral("--json")});
        rows = QJsonDocument::fromJson(listed.out.toUtf8()).object()[QStringLiteral("alerts")].toArray();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows[0][QStringLiteral("state")].toString(), QStringLiteral("resolved"));
        QCOMPARE(rows[0][QStringLiteral("acknowledged_by")].toString(), QStringLiteral("tester"));
        const ProcessResult late = cli({QStringLiteral("monitor"), QStringLiteral("alerts"), QStringLiteral("ack"), id});
        QCOMPARE(late.code, 2);
        QVERIFY2(late.err.contains(QLatin1String("only pending and firing alerts are acknowledged")), qPrintable(late.describe()));

        // A silence for its labels, here and in Alertmanager (should it fire again).
        const ProcessResult silenced = cli({QStringLiteral("monitor"), QStringLiteral("alerts"), QStringLiteral("silence"), id, QStringLiteral("--for"),
                                            QStringLiteral("2h"), QStringLiteral("--by"), QStringLiteral("tester"), QStringLiteral("--json")});
        QVERIFY2(silenced.ok(), qPrintable(silenced.describe()));
        const QString silenceId = QJsonDocument::fromJson(silenced.out.toUtf8()).object()[QStringLiteral("alertmanager_silence")].toString();
        QVERIFY2(!silenceId.isEmpty(), qPrintable(silenced.describe()));
        const Http silence = get(amUrl(QStringLiteral("/api/v2/silence/%1").arg(silenceId)));
        QCOMPARE(silence.status, 200);
        const QJsonObject s = QJsonDocument::fromJson(silence.body).object();
        QCOMPARE(s[QStringLiteral("status")][QStringLiteral("state")].toString(), QStringLiteral("active"));
        QCOMPARE(s[QStringLiteral("createdBy")].toString(), QStringLiteral("tester"));
        QJsonObject matchers;
        for (const QJsonValue &m : s[QStringLiteral("matchers")].toArray()) {
            QVERIFY(m[QStringLiteral("isEqual")].toBool() && !m[QStringLiteral("isRegex")].toBool());
            matchers.insert(m[QStringLiteral("name")].toString(), m[QStringLiteral("value")].toString());
        }
        QCOMPARE(matchers, labels);
        const QDateTime ends = QDateTime::fromString(s[QStringLiteral("endsAt")].toString(), Qt::ISODateWithMs);
        const qint64 left = QDateTime::currentDateTimeUtc().secsTo(ends);
        QVERIFY2(left > 3600 && left <= 7200, qPrintable(QString::number(left)));
    }
};

QTEST_MAIN(TstAlertmanager)
#include "tst_alertmanager.moc"
