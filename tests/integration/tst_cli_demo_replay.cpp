// orrery-cli demo replay end to end, against the workspace's real serving process (orrery-cli
// serve → orrery-serve, with the demo's TorchScript MLP deployed on "fraud" and every request's
// inputs logged): the requests answered and logged under the ids the labels name, the labels all
// matched after their delay, the shift visible in the logged inputs from its request on, SIGINT
// sending the labels still due at once, failed requests (exit 1) and what is refused before any
// traffic (exit 2: usage, an unknown endpoint, no server, a server that is not there).
#include "core/store/database.h"
#include "tests/integration/serve_process.h"
#include "tests/support/test_support.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::runCli;

class TstCliDemoReplay : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QProcess m_server;
    quint16 m_port = 0;
    int m_amountColumn = -1; // in the signature's "numeric" input
    int m_channelColumn = -1; // in its "categorical" input

    Run cli(QStringList args) { return runCli(args, m_ws); }
    Run replay(QStringList args) { return cli(QStringList{QStringLiteral("demo"), QStringLiteral("replay")} + args); }
    static QJsonObject json(const Run &r) { return QJsonDocument::fromJson(r.out.toUtf8()).object(); }

    std::unique_ptr<store::Database> database() { return std::move(*store::Database::open(m_ws + QStringLiteral("/.orrery/orrery.db"))); }
    qint64 scalar(const QString &sql, const QString &bind)
    {
        auto db = database();
        auto s = db->prepare(sql);
        s->bind(1, bind);
        return s->next() ? s->int64(0) : -1;
    }

    void refused(const QStringList &args, const QString &needle)
    {
        const Run r = replay(args);
        QVERIFY2(r.code == 2, qPrintable(r.describe()));
        QVERIFY2(r.err.contains(needle), qPrintable(r.describe()));
        QVERIFY2(r.out.isEmpty(), qPrintable(r.describe())); // nothing was replayed
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        QVERIFY2(runCli({QStringLiteral("demo"), m_ws}).ok(), "demo");
        Run r = cli({QStringLiteral("run")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("deploy"), QStringLiteral("start"), QStringLiteral("fraud"), QStringLiteral("--alias"), QStringLiteral("champion"),
                 QStringLiteral("--endpoint"), QStringLiteral("fraud")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = cli({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("fraud"), QStringLiteral("--version"), QStringLiteral("1"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        for (const auto &input : json(r).value(QStringLiteral("signature")).toObject().value(QStringLiteral("inputs")).toArray()) {
            const QJsonArray columns = input.toObject().value(QStringLiteral("columns")).toArray();
            for (int i = 0; i < columns.size(); ++i) {
                if (columns[i].toString() == QLatin1String("amount"))
                    m_amountColumn = i;
                if (columns[i].toString() == QLatin1String("channel"))
                    m_channelColumn = i;
            }
        }
        QVERIFY2(m_amountColumn >= 0 && m_channelColumn >= 0, qPrintable(r.out));
    }

    void cleanupTestCase()
    {
        if (m_server.state() == QProcess::Running) {
            ::kill(pid_t(m_server.processId()), SIGTERM);
            m_server.waitForFinished(20000);
        }
    }

    void badArgumentsAndNoServerAreRefusedBeforeAnyTraffic()
    {
        refused({}, QStringLiteral("--endpoint E"));
        refused({QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--requests"), QStringLiteral("5"), QStringLiteral("--duration"), QStringLiteral("5s")},
                QStringLiteral("not both"));
        refused({QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--rate"), QStringLiteral("fast")}, QStringLiteral("--rate"));
        refused({QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--requests"), QStringLiteral("0")}, QStringLiteral("--requests"));
        refused({QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--labels-after"), QStringLiteral("soon")}, QStringLiteral("--labels-after"));
        refused({QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--label-share"), QStringLiteral("0.5")}, QStringLiteral("needs --labels-after"));
        refused({QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--shift"), QStringLiteral("amount=2")}, QStringLiteral("needs --shift-at"));
        refused({QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--shift-at"), QStringLiteral("1s"), QStringLiteral("--shift"), QStringLiteral("speed=2")},
                QStringLiteral("unknown key 'speed'"));
        refused({QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--token-file"), m_dir.filePath(QStringLiteral("no-such-token"))},
                QStringLiteral("cannot read the token file"));
        refused({QStringLiteral("--endpoint"), QStringLiteral("nope")}, QStringLiteral("no endpoint named 'nope' in this workspace (it has fraud)"));
        // No server yet: say what starts one.
        refused({QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--requests"), QStringLiteral("5")}, QStringLiteral("`orrery-cli serve`"));
    }

    void replaysWithDelayedLabelsAndTheShift()
    {
        m_port = testing::startServe(m_server, m_ws, {QStringLiteral("--sample-inputs"), QStringLiteral("1")});
        QVERIFY(m_port);
        const Run r = replay({QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--rate"), QStringLiteral("100"), QStringLiteral("--requests"),
                              QStringLiteral("300"), QStringLiteral("--rows-per-request"), QStringLiteral("4"), QStringLiteral("--labels-after"), QStringLiteral("1s"),
                              QStringLiteral("--shift-at"), QStringLiteral("1500ms"), QStringLiteral("--seed"), QStringLiteral("11"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QJsonObject s = json(r);
        QCOMPARE(s.value(QStringLiteral("url")).toString(), QStringLiteral("http://127.0.0.1:%1").arg(m_port)); // from the servers table
        QCOMPARE(s.value(QStringLiteral("version")).toInt(), 1);
        QCOMPARE(s.value(QStringLiteral("sent")).toInt(), 300);
        QCOMPARE(s.value(QStringLiteral("answered")).toInt(), 300);
        QCOMPARE(s.value(QStringLiteral("failed")).toInt(), 0);
        QCOMPARE(s.value(QStringLiteral("rows")).toInt(), 1200);
        const QJsonObject labels = s.value(QStringLiteral("labels")).toObject();
        QCOMPARE(labels.value(QStringLiteral("sent")).toInt(), 1200);
        QCOMPARE(labels.value(QStringLiteral("matched")).toInt(), 1200);
        QCOMPARE(labels.value(QStringLiteral("unknown")).toInt(), 0);
        QCOMPARE(labels.value(QStringLiteral("failed")).toInt(), 0);
        const QJsonObject shift = s.value(QStringLiteral("shift")).toObject();
        QCOMPARE(shift.value(QStringLiteral("request")).toInt(), 150); // due at 1.5 s at 100 requests/s
        QVERIFY(shift.value(QStringLiteral("started_ms")).toInteger() >= 1500);
        QVERIFY2(r.err.contains(QStringLiteral("shift started: request 150")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("sent ")) && r.err.contains(QStringLiteral("answered ")), qPrintable(r.err)); // progress

        // The prediction log has every request under the replay's ids, and every label matched one.
        const QString prefix = s.value(QStringLiteral("request_id_prefix")).toString();
        QTRY_COMPARE_WITH_TIMEOUT(scalar(QStringLiteral("SELECT count(*) FROM predictions WHERE endpoint = 'fraud' AND request_id LIKE ?"), prefix + QStringLiteral("-%")),
                                  qint64(300), 10000);
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM feedback WHERE request_id LIKE ? AND prediction_id IS NOT NULL"), prefix + QStringLiteral("-%")), qint64(1200));
        // The shift in the logged inputs: mean amount ~2.5x, most rows online from request 150 on.
        auto db = database();
        auto q = db->prepare(QStringLiteral("SELECT request_id, inputs FROM predictions WHERE request_id LIKE ?"));
        q->bind(1, prefix + QStringLiteral("-%"));
        double sum[2] = {0, 0};
        int n[2] = {0, 0}, online[2] = {0, 0};
        while (q->next()) {
            const int after = q->text(0).section(QLatin1Char('-'), -1).toInt() >= 150 ? 1 : 0;
            const QJsonObject inputs = QJsonDocument::fromJson(q->text(1).toUtf8()).object();
            const QJsonArray numeric = inputs.value(QStringLiteral("numeric")).toArray();
            const QJsonArray categorical = inputs.value(QStringLiteral("categorical")).toArray();
            QCOMPARE(numeric.size(), 4);
            for (int row = 0; row < 4; ++row) {
                sum[after] += numeric[row].toArray()[m_amountColumn].toDouble();
                online[after] += categorical[row].toArray()[m_channelColumn].toString() == QLatin1String("online");
                ++n[after];
            }
        }
        QCOMPARE(n[0], 600);
        QCOMPARE(n[1], 600);
        const double ratio = (sum[1] / n[1]) / (sum[0] / n[0]);
        QVERIFY2(ratio > 1.8 && ratio < 4.0, qPrintable(QStringLiteral("mean amount after / before the shift: %1").arg(ratio)));
        QVERIFY2(online[0] < 300 && online[1] > 400, qPrintable(QStringLiteral("online rows: %1 before, %2 after").arg(online[0]).arg(online[1])));
    }

    void sigintSendsTheLabelsStillDueAtOnce()
    {
        QVERIFY(m_port);
        QProcess p;
        p.setWorkingDirectory(m_ws);
        p.setProgram(testing::cliPath());
        p.setArguments({QStringLiteral("demo"), QStringLiteral("replay"), QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--rate"),
                        QStringLiteral("50"), QStringLiteral("--labels-after"), QStringLiteral("1h"), QStringLiteral("--json")});
        p.start();
        QVERIFY(p.waitForStarted(10000));
        // Wait for the progress line that says 20 requests were answered.
        QByteArray err;
        const QRegularExpression answered(QStringLiteral("answered (\\d+)"));
        int seen = 0;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 120'000 && p.state() == QProcess::Running && seen < 20) {
            p.waitForReadyRead(200);
            err += p.readAllStandardError();
            for (auto it = answered.globalMatch(QString::fromUtf8(err)); it.hasNext();)
                seen = qMax(seen, it.next().captured(1).toInt());
        }
        QVERIFY2(seen >= 20, err.constData());
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY2(p.waitForFinished(60000), "SIGINT ends the replay without waiting an hour for the labels");
        err += p.readAllStandardError();
        const QByteArray out = p.readAllStandardOutput();
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, (err + out).constData());
        QVERIFY2(err.contains("SIGINT: stopping"), err.constData());
        const QJsonObject s = QJsonDocument::fromJson(out).object();
        QVERIFY(s.value(QStringLiteral("stopped")).toBool());
        const int answeredRequests = s.value(QStringLiteral("answered")).toInt();
        QVERIFY(answeredRequests >= 20);
        QCOMPARE(s.value(QStringLiteral("failed")).toInt(), 0);
        const QJsonObject labels = s.value(QStringLiteral("labels")).toObject();
        QCOMPARE(labels.value(QStringLiteral("sent")).toInt(), answeredRequests); // one row each
        QCOMPARE(labels.value(QStringLiteral("matched")).toInt(), answeredRequests);
        QCOMPARE(labels.value(QStringLiteral("unknown")).toInt(), 0);
        const QString prefix = s.value(QStringLiteral("request_id_prefix")).toString();
        QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM feedback WHERE request_id LIKE ? AND prediction_id IS NOT NULL"), prefix + QStringLiteral("-%")),
                 qint64(answeredRequests));
    }

    void failedRequestsExitOneAndAMissingServerTwo()
    {
        QVERIFY(m_port);
        // 100 rows per request is over the server's --max-batch (64): every request is refused.
        const Run r = replay({QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--requests"), QStringLiteral("3"), QStringLiteral("--rows-per-request"),
                              QStringLiteral("100")});
        QVERIFY2(r.code == 1, qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("0 answered, 3 failed")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("3 × HTTP 400")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("first error: request")) && r.out.contains(QStringLiteral("64")), qPrintable(r.out));
        // --url to where nothing listens: refused before any traffic.
        refused({QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:1")}, QStringLiteral("cannot reach the server"));
    }
};

QTEST_GUILESS_MAIN(TstCliDemoReplay)
#include "tst_cli_demo_replay.moc"
