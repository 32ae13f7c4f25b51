// The compressed clock (core/common/clock.h) across real processes: the workspace's serving
// process (orrery-cli serve → orrery-serve, the demo's TorchScript MLP on "fraud", 1-minute
// windows) and `orrery-cli demo replay`, both started with ORRERY_CLOCK_SCALE=30 and one
// ORRERY_CLOCK_ANCHOR, and this test reading the same clock from the same environment. The
// windows have 1-minute bounds on that clock and come about every 2 real seconds (counted, not
// timed); the labels sent "1m" after their answers are recorded a clock minute after their
// predictions; the replay's rate is per real second; and a bad setting stops each program at its
// start with the variable, the value and the fix.
#include "core/common/clock.h"
#include "core/store/database.h"
#include "tests/integration/serve_process.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace orrery;
using Run = testing::ProcessResult;
using testing::runCli;

namespace {
constexpr qint64 kMinute = 60'000;
constexpr double kScale = 30;
} // namespace

class TstCliClock : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;
    QProcess m_server;

    Run cli(QStringList args, const QProcessEnvironment &env)
    {
        testing::ProcessOptions o;
        o.workingDirectory = m_ws;
        o.environment = env;
        return runCli(args, o);
    }
    static QProcessEnvironment withClock(const QString &scale, const QString &anchor)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ORRERY_CLOCK_SCALE"), scale);
        if (anchor.isNull())
            env.remove(QStringLiteral("ORRERY_CLOCK_ANCHOR"));
        else
            env.insert(QStringLiteral("ORRERY_CLOCK_ANCHOR"), anchor);
        return env;
    }
    std::unique_ptr<store::Database> db() { return std::move(*store::Database::open(m_ws + QStringLiteral("/.orrery/orrery.db"))); }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        QVERIFY2(runCli({QStringLiteral("demo"), m_ws}).ok(), "demo");
        Run r = runCli({QStringLiteral("run")}, m_ws);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        r = runCli({QStringLiteral("deploy"), QStringLiteral("start"), QStringLiteral("fraud"), QStringLiteral("--alias"), QStringLiteral("champion"),
                    QStringLiteral("--endpoint"), QStringLiteral("fraud")},
                   m_ws);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
    }

    void cleanupTestCase()
    {
        if (m_server.state() == QProcess::Running) {
            ::kill(pid_t(m_server.processId()), SIGKILL);
            m_server.waitForFinished(20000);
        }
    }

    void aBadSettingStopsEachProgramAtItsStart()
    {
        const QString now = QString::number(QDateTime::currentMSecsSinceEpoch());
        Run r = cli({QStringLiteral("deploy"), QStringLiteral("list")}, withClock(QStringLiteral("fast"), now));
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.startsWith(QStringLiteral("orrery-cli: ORRERY_CLOCK_SCALE='fast' is not a clock scale")), qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QStringLiteral("date +%s%3N")), qPrintable(r.describe())); // the fix
        QVERIFY(r.out.isEmpty());

        r = cli({QStringLiteral("demo"), QStringLiteral("replay"), QStringLiteral("--endpoint"), QStringLiteral("fraud")}, withClock(QStringLiteral("30"), QString()));
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("ORRERY_CLOCK_SCALE='30' needs ORRERY_CLOCK_ANCHOR")), qPrintable(r.describe()));

        // orrery-serve checks too, when started without orrery-cli (seconds given for milliseconds).
        const QString serve = QFileInfo(testing::cliPath()).dir().filePath(QStringLiteral("orrery-serve"));
        testing::ProcessOptions o;
        o.environment = withClock(QStringLiteral("30"), now.left(10));
        r = testing::run(serve, {QStringLiteral("--workspace"), m_ws, QStringLiteral("--port"), QStringLiteral("0")}, o);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("ORRERY_CLOCK_ANCHOR='%1'").arg(now.left(10))) && r.err.contains(QStringLiteral("not seconds")),
                 qPrintable(r.describe()));
        QVERIFY2(!r.out.contains(QStringLiteral("listening")), qPrintable(r.describe()));
    }

    void serveAndReplayRunOnOneCompressedClock()
    {
        // The scenario's clock, as `orrery-cli demo --scenario` hands it to its children; this
        // test reads the same clock from the same environment, as a third process would.
        const common::ClockScale scale = common::ClockScale::startingNow(kScale);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        scale.exportTo(env);
        const common::ScaledClock clock(scale);

        const qint64 serverStarted = clock.nowMs();
        m_server.setProcessEnvironment(env);
        const quint16 port = testing::startServe(m_server, m_ws, {QStringLiteral("--monitor-window"), QStringLiteral("1m"), QStringLiteral("--sample-inputs"), QStringLiteral("1")});
        QVERIFY(port);

        // 10 clock minutes of traffic at 20 requests per real second: 20 real seconds, 400
        // requests, about 40 in each 1-minute window; the shift 2 clock minutes (4 real s) in.
        const qint64 replayStarted = clock.nowMs();
        const Run r = cli({QStringLiteral("demo"), QStringLiteral("replay"), QStringLiteral("--endpoint"), QStringLiteral("fraud"), QStringLiteral("--rate"),
                           QStringLiteral("20"), QStringLiteral("--duration"), QStringLiteral("10m"), QStringLiteral("--labels-after"), QStringLiteral("1m"),
                           QStringLiteral("--shift-at"), QStringLiteral("2m"), QStringLiteral("--seed"), QStringLiteral("5"), QStringLiteral("--json")},
                          env);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QStringLiteral("clock 30× from")), qPrintable(r.err));
        const QJsonObject s = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(s.value(QStringLiteral("clock_scale")).toDouble(), kScale);
        const qint64 answered = s.value(QStringLiteral("answered")).toInteger();
        QCOMPARE(s.value(QStringLiteral("failed")).toInt(), 0);
        QVERIFY2(answered > 100 && answered <= 400, qPrintable(r.out)); // 20 real seconds at 20/s at most
        QVERIFY2(s.value(QStringLiteral("elapsed_ms")).toInteger() >= 10 * kMinute, qPrintable(r.out)); // clock time
        const QJsonObject shift = s.value(QStringLiteral("shift")).toObject();
        QCOMPARE(shift.value(QStringLiteral("request")).toInt(), 80); // 4 real seconds at 20 per real second
        QVERIFY2(shift.value(QStringLiteral("started_ms")).toInteger() >= 2 * kMinute, qPrintable(r.out));
        const QJsonObject labels = s.value(QStringLiteral("labels")).toObject();
        QCOMPARE(labels.value(QStringLiteral("matched")).toInteger(), answered);

        // A clean stop writes the window in progress, so the windows count every answered request.
        const qint64 stopping = clock.nowMs();
        ::kill(pid_t(m_server.processId()), SIGTERM);
        QVERIFY(m_server.waitForFinished(30000));
        QCOMPARE(m_server.exitCode(), 0);
        const qint64 stopped = clock.nowMs();
        const QByteArray serverErr = m_server.readAllStandardError();
        QVERIFY2(serverErr.contains("clock 30× from"), serverErr.constData());

        auto d = db();
        struct Window {
            qint64 start, end, requests;
        };
        QVector<Window> windows;
        auto w = d->prepare(QStringLiteral("SELECT start_time, end_time, requests FROM monitor_windows WHERE endpoint = 'fraud' ORDER BY start_time"));
        while (w->next())
            windows.append({w->int64(0), w->int64(1), w->int64(2)});
        QVERIFY(!windows.isEmpty());
        qint64 requests = 0, withRequests = 0;
        for (int i = 0; i < windows.size(); ++i) {
            const Window &x = windows[i];
            const QString where = QStringLiteral("window %1 of %2: %3 … %4").arg(i).arg(windows.size()).arg(x.start).arg(x.end);
            QVERIFY2(x.end - x.start == kMinute && x.start % kMinute == 0, qPrintable(where)); // a clock minute, on the minute
            QVERIFY2(i == 0 || x.start >= windows[i - 1].end, qPrintable(where));
            // On the clock this test reads too: within the server's life, never real time (which is
            // minutes behind the clock by now).
            QVERIFY2(x.start >= serverStarted - kMinute && x.end <= stopped + kMinute, qPrintable(where));
            requests += x.requests;
            withRequests += x.requests > 0;
        }
        QCOMPARE(requests, answered);
        qInfo("%d windows over %lld clock minutes of the server's life, %lld with requests; %lld requests answered", int(windows.size()),
              (stopped - serverStarted) / kMinute, withRequests, answered);
        // 20 real seconds of traffic are ten clock minutes: windows about every 2 real seconds.
        QVERIFY2(withRequests >= 5 && windows.size() <= (stopped - serverStarted) / kMinute + 2,
                 qPrintable(QStringLiteral("%1 windows, %2 with requests").arg(windows.size()).arg(withRequests)));
        // The last window ends near the clock's "now" (within the ticker's lag), where real time
        // would leave it about ten minutes behind (29 × the 20 real seconds of replay).
        QVERIFY2(windows.last().end >= stopping - 5 * kMinute, qPrintable(QStringLiteral("%1 < %2 - 5 min").arg(windows.last().end).arg(stopping)));

        // Every prediction falls in a written window; none is recorded before the replay started
        // (on this test's clock), and the last one at least 30 × its real due time after.
        auto p = d->prepare(QStringLiteral("SELECT min(time), max(time), count(*) FROM predictions WHERE endpoint = 'fraud' AND request_id LIKE ?"));
        p->bind(1, s.value(QStringLiteral("request_id_prefix")).toString() + QStringLiteral("-%"));
        QVERIFY(p->next());
        QCOMPARE(p->int64(2), answered);
        QVERIFY2(p->int64(0) >= replayStarted, qPrintable(QStringLiteral("%1 < %2").arg(p->int64(0)).arg(replayStarted)));
        // Request k is never sent before k / 20 real seconds after the replay's start (a clock
        // second of slack for rounding and the steady clock's drift from the system's).
        QVERIFY2(p->int64(1) - replayStarted >= qint64(kScale * 1000.0 * double(answered - 1) / 20.0) - 1000,
                 qPrintable(QStringLiteral("the last prediction %1 ms of the clock after the start, %2 answered").arg(p->int64(1) - replayStarted).arg(answered)));
        auto outside = d->prepare(QStringLiteral("SELECT count(*) FROM predictions p WHERE p.endpoint = 'fraud' AND NOT EXISTS "
                                                 "(SELECT 1 FROM monitor_windows w WHERE w.endpoint = 'fraud' AND p.time >= w.start_time AND p.time < w.end_time)"));
        QVERIFY(outside->next());
        QCOMPARE(outside->int64(0), 0);

        // The labels were sent a clock minute (2 real seconds) after each answer, and the server
        // recorded them a clock minute after their predictions: the two processes agree.
        auto f = d->prepare(QStringLiteral("SELECT min(f.time - p.time), count(*) FROM feedback f JOIN predictions p ON p.id = f.prediction_id WHERE f.endpoint = 'fraud'"));
        QVERIFY(f->next());
        QCOMPARE(f->int64(1), answered);
        QVERIFY2(f->int64(0) >= kMinute - 100, qPrintable(QStringLiteral("a label %1 ms of the clock after its prediction").arg(f->int64(0))));
    }
};

QTEST_GUILESS_MAIN(TstCliClock)
#include "tst_cli_clock.moc"
