// orrery-cli tracking serve as a user runs it: a real process on an ephemeral port, driven by a
// second client in Python (requests, as MLflow's client uses it, and MLflow 2.4's own client),
// stopped by SIGTERM or killed by SIGKILL — after which every write the client was answered for is
// in the workspace database — and the token rule off loopback.
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <sqlite3.h>

using Run = orrery::testing::ProcessResult;
using orrery::testing::run;
using orrery::testing::runCli;
using orrery::testing::writeFile;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3"); // Debian's, with python3-requests
const QString kScript = QStringLiteral(ORRERY_SOURCE_DIR "/tests/integration/mlflow_client_flow.py");
const QString kCrashScript = QStringLiteral(ORRERY_SOURCE_DIR "/tests/integration/crash_ingest.py");
const QString kTokenScript = QStringLiteral(ORRERY_SOURCE_DIR "/tests/integration/mlflow_token_client.py");
const QString kRegistryScript = QStringLiteral(ORRERY_SOURCE_DIR "/tests/integration/mlflow_registry_client.py");
const QString kWordingScript = QStringLiteral(ORRERY_SOURCE_DIR "/tests/integration/mlflow_rest_wording_client.py");
const QString kMlflowClient = QStringLiteral(ORRERY_SOURCE_DIR "/tests/vendor/mlflow-2.4");

struct Server {
    QProcess process;
    QString url; // always through 127.0.0.1, whatever address the server listens on
    QByteArray output;

    bool start(const QString &workspace, const QStringList &extra = {})
    {
        process.start(QStringLiteral(ORRERY_CLI_PATH),
                      QStringList{QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                                  QStringLiteral("--workspace"), workspace} + extra);
        if (!process.waitForStarted(10000))
            return false;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 20000 && !output.contains("Ctrl-C")) {
            process.waitForReadyRead(200);
            output += process.readAllStandardOutput();
            if (process.state() != QProcess::Running)
                break;
        }
        const auto m = QRegularExpression(QStringLiteral("MLFLOW_TRACKING_URI=http://[^ ]+:(\\d+)")).match(QString::fromUtf8(output));
        url = QStringLiteral("http://127.0.0.1:") + m.captured(1);
        return m.hasMatch();
    }
    int stop(int signal)
    {
        ::kill(pid_t(process.processId()), signal);
        if (!process.waitForFinished(20000))
            return -1;
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    }
};

orrery::testing::ProcessOptions withEnvironment(const QProcessEnvironment &env)
{
    orrery::testing::ProcessOptions options;
    options.environment = env;
    return options;
}

qint64 scalar(const QString &db, const char *sql)
{
    sqlite3 *h = nullptr;
    sqlite3_open_v2(QFile::encodeName(db).constData(), &h, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt *s = nullptr;
    qint64 v = -1;
    if (sqlite3_prepare_v2(h, sql, -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(h);
    return v;
}

} // namespace

class TstCliTracking : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        const Run init = runCli({QStringLiteral("init"), m_ws});
        QVERIFY2(init.code == 0, qPrintable(init.err));
    }

    void helpAndUsageErrors()
    {
        const Run help = runCli({QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--help")});
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains(QStringLiteral("--port")) && help.out.contains(QStringLiteral("--workspace")));
        QCOMPARE(runCli({QStringLiteral("tracking")}).code, 2);
        const Run badPort = runCli({QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("http")});
        QCOMPARE(badPort.code, 2);
        QVERIFY(badPort.err.contains(QStringLiteral("--port")));
        const Run badHost = runCli({QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--workspace"), m_ws,
                                                                  QStringLiteral("--host"), QStringLiteral("my laptop")});
        QCOMPARE(badHost.code, 2);
        QVERIFY2(badHost.err.contains(QStringLiteral("my laptop")), qPrintable(badHost.err));
        const Run noWorkspace = runCli({QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--workspace"), m_dir.filePath(QStringLiteral("none"))});
        QCOMPARE(noWorkspace.code, 2);
    }

    void pythonClientFlow()
    {
        Server server;
        QVERIFY(server.start(m_ws));
        const Run flow = run(kPython, {kScript, server.url, m_dir.path()});
        QVERIFY2(flow.code == 0 && flow.out.trimmed() == QLatin1String("OK"), qPrintable(flow.out + flow.err));
        QCOMPARE(server.stop(SIGINT), 0);
        QVERIFY(server.process.readAllStandardError().contains("stopped (SIGINT)"));
        // The logged artifact is a cache object, and `data gc` keeps it: the run refers to it.
        QFile model(m_dir.filePath(QStringLiteral("model.bin")));
        QVERIFY(model.open(QIODevice::ReadOnly));
        const QString md5 = QString::fromLatin1(QCryptographicHash::hash(model.readAll(), QCryptographicHash::Md5).toHex());
        const QString object = m_ws + QStringLiteral("/.orrery/cache/files/md5/") + md5.left(2) + QLatin1Char('/') + md5.mid(2);
        QVERIFY(QFile::exists(object));
        const Run gc = runCli({QStringLiteral("data"), QStringLiteral("gc"), QStringLiteral("--force"),
                                                             QStringLiteral("--workspace"), m_ws});
        QVERIFY2(gc.code == 0, qPrintable(gc.out + gc.err));
        QVERIFY(QFile::exists(object));
    }

    // SIGTERM right after the client's last answer leaves every point in the database.
    void sigtermFlushesWhatWasAcknowledged()
    {
        Server server;
        QVERIFY(server.start(m_ws));
        const Run log = run(kPython, {kScript, server.url, m_dir.path(), QStringLiteral("log")});
        QVERIFY2(log.code == 0, qPrintable(log.err));
        QCOMPARE(server.stop(SIGTERM), 0);
        const QString runId = log.out.trimmed();
        const QString db = m_ws + QStringLiteral("/.orrery/orrery.db");
        const QByteArray countSql = "SELECT sum(count) FROM metric_blocks WHERE key = 'loss' AND run_id = '" + runId.toLatin1() + "'";
        QCOMPARE(scalar(db, countSql.constData()), 500LL);
        const QByteArray latestSql = "SELECT step FROM latest_metrics WHERE key = 'loss' AND run_id = '" + runId.toLatin1() + "'";
        QCOMPARE(scalar(db, latestSql.constData()), 499LL);
    }

    // Acknowledged means durable: concurrent clients log metrics, params and artifacts while the
    // server is killed with SIGKILL at a random moment; after a restart every write that was
    // answered 200 is there, and doctor finds the workspace healthy. (Before, answers went out
    // before the writer's group commit and a kill lost up to 100 ms of points.)
    void sigkillLosesNoAcknowledgedWrite()
    {
        const QString ws = m_dir.filePath(QStringLiteral("crash"));
        const Run init = runCli({QStringLiteral("init"), ws});
        QVERIFY2(init.code == 0, qPrintable(init.err));
        const quint32 seed = qEnvironmentVariableIsSet("ORRERY_TEST_SEED") ? quint32(qEnvironmentVariableIntValue("ORRERY_TEST_SEED"))
                                                                           : QRandomGenerator::global()->generate();
        qInfo("kill moments from seed %u (ORRERY_TEST_SEED repeats them)", seed);
        QRandomGenerator random(seed);
        qint64 pointsAcknowledged = 0;
        for (int round = 0; round < 5; ++round) {
            Server server;
            QVERIFY(server.start(ws));
            const QString acks = m_dir.filePath(QStringLiteral("acks-%1.json").arg(round));
            QProcess ingest;
            ingest.start(kPython, {kCrashScript, QStringLiteral("ingest"), server.url, acks, QStringLiteral("4"), QStringLiteral("r%1").arg(round)});
            QVERIFY(ingest.waitForReadyRead(60000));
            QVERIFY2(ingest.readLine().startsWith("ingesting"), ingest.readAllStandardError().constData());
            QTest::qWait(int(random.bounded(100, 1500)));
            QCOMPARE(server.stop(SIGKILL), -2);
            QVERIFY(ingest.waitForFinished(120000));
            const QByteArray said = ingest.readAllStandardOutput() + ingest.readAllStandardError();
            QVERIFY2(ingest.exitStatus() == QProcess::NormalExit && ingest.exitCode() == 0, said.constData());
            const auto m = QRegularExpression(QStringLiteral("acknowledged (\\d+) points")).match(QString::fromUtf8(said));
            QVERIFY2(m.hasMatch(), said.constData());
            pointsAcknowledged += m.captured(1).toLongLong();

            Server again;
            QVERIFY(again.start(ws));
            const Run verify = run(kPython, {kCrashScript, QStringLiteral("verify"), again.url, acks});
            QVERIFY2(verify.code == 0, qPrintable(QStringLiteral("round %1: %2%3").arg(round).arg(verify.out, verify.err)));
            QCOMPARE(again.stop(SIGTERM), 0);
        }
        qInfo("%lld points acknowledged over the rounds, all found after the kills", pointsAcknowledged);
        QVERIFY2(pointsAcknowledged > 0, "no round got a write acknowledged before the kill");
        const Run doctor = runCli({QStringLiteral("doctor"), QStringLiteral("--workspace"), ws});
        QVERIFY2(doctor.code == 0, qPrintable(doctor.out + doctor.err));
    }

    // No anonymous access off loopback: without a token file the server refuses to start; with
    // one, MLflow's own client works with MLFLOW_TRACKING_TOKEN and is refused (401) without it or
    // with a wrong one. The token never appears in what the server prints.
    void offLoopbackNeedsAToken()
    {
        const Run refused = runCli({QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--workspace"), m_ws,
                                                                  QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--host"), QStringLiteral("0.0.0.0")});
        QCOMPARE(refused.code, 2);
        QVERIFY2(refused.err.contains(QStringLiteral("0.0.0.0")) && refused.err.contains(QStringLiteral("--token-file")), qPrintable(refused.err));

        const QString shortFile = m_dir.filePath(QStringLiteral("short-token"));
        writeFile(shortFile, "abc\n");
        const Run tooShort = runCli({QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--workspace"), m_ws,
                                                                   QStringLiteral("--host"), QStringLiteral("0.0.0.0"), QStringLiteral("--token-file"), shortFile});
        QCOMPARE(tooShort.code, 2);
        QVERIFY2(tooShort.err.contains(shortFile) && !tooShort.err.contains(QStringLiteral("abc")), qPrintable(tooShort.err));

        const QByteArray token = "s3cret-token-0123456789abcdef";
        const QString tokenFile = m_dir.filePath(QStringLiteral("token"));
        writeFile(tokenFile, token + "\n");
        Server server;
        QVERIFY(server.start(m_ws, {QStringLiteral("--host"), QStringLiteral("0.0.0.0"), QStringLiteral("--token-file"), tokenFile}));

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PYTHONPATH"), kMlflowClient);
        env.remove(QStringLiteral("MLFLOW_TRACKING_TOKEN"));
        const Run anonymous = run(kPython, {kTokenScript, server.url, QStringLiteral("refused"), m_dir.path()}, withEnvironment(env));
        QVERIFY2(anonymous.code == 0 && anonymous.out.contains(QStringLiteral("REFUSED UNAUTHENTICATED")), qPrintable(anonymous.out + anonymous.err));
        env.insert(QStringLiteral("MLFLOW_TRACKING_TOKEN"), QStringLiteral("wrong-token-0123456789abcdef"));
        const Run wrong = run(kPython, {kTokenScript, server.url, QStringLiteral("refused"), m_dir.path()}, withEnvironment(env));
        QVERIFY2(wrong.code == 0 && wrong.out.contains(QStringLiteral("REFUSED UNAUTHENTICATED")), qPrintable(wrong.out + wrong.err));
        env.insert(QStringLiteral("MLFLOW_TRACKING_TOKEN"), QString::fromLatin1(token));
        const Run allowed = run(kPython, {kTokenScript, server.url, QStringLiteral("allowed"), m_dir.path()}, withEnvironment(env));
        QVERIFY2(allowed.code == 0 && allowed.out.trimmed().endsWith(QStringLiteral("OK")), qPrintable(allowed.out + allowed.err));

        QCOMPARE(server.stop(SIGTERM), 0);
        const QByteArray printed = server.output + server.process.readAllStandardOutput() + server.process.readAllStandardError();
        QVERIFY2(!printed.contains(token), printed.constData());
    }

    // MLflow 2.4's own client drives the model registry (tests/integration/mlflow_registry_client.py);
    // the version it registers from the run's TorchScript artifact gets the run's lineage and the
    // file stored in the cache, as `models register --run` does.
    void mlflowClientRegistry()
    {
        const QString ws = m_dir.filePath(QStringLiteral("registry-ws"));
        QVERIFY(QDir().mkpath(ws));
        QCOMPARE(runCli({QStringLiteral("init"), QStringLiteral("--workspace"), ws}).code, 0);
        const QString work = m_dir.filePath(QStringLiteral("registry-work"));
        QVERIFY(QDir().mkpath(work));
        const QString model = work + QStringLiteral("/model.pt");
        const Run made = run(kPython, {QStringLiteral("-c"),
                                       QStringLiteral("import sys, torch\n"
                                                      "m = torch.jit.trace(torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Sigmoid()), torch.zeros(1, 3))\n"
                                                      "torch.jit.save(m, sys.argv[1], _extra_files={'signature.json': "
                                                      "'{\"inputs\": [{\"name\": \"x\", \"type\": \"float32\", \"shape\": [-1, 3]}], \"outputs\": []}'})\n"),
                                       model});
        if (made.code != 0)
            qWarning("no TorchScript fixture (python3-torch): %s", qPrintable(made.err.left(300)));
        Server server;
        QVERIFY(server.start(ws));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PYTHONPATH"), kMlflowClient);
        const Run client = run(kPython, {kRegistryScript, server.url, work}, withEnvironment(env));
        QVERIFY2(client.code == 0 && client.out.trimmed().endsWith(QStringLiteral("OK")), qPrintable(client.out + client.err));
        QCOMPARE(server.stop(SIGTERM), 0);
        const Run shown = runCli({QStringLiteral("models"), QStringLiteral("show"), QStringLiteral("scorer"), QStringLiteral("--version"), QStringLiteral("1"), QStringLiteral("--json"),
                                  QStringLiteral("--workspace"), ws});
        QVERIFY2(shown.code == 0, qPrintable(shown.out + shown.err));
        QVERIFY2(shown.out.contains(QStringLiteral("\"lineage\"")) && shown.out.contains(QStringLiteral("\"lr\"")), qPrintable(shown.out));
        if (made.code == 0)
            QVERIFY2(shown.out.contains(QStringLiteral("\"torchscript\"")) && shown.out.contains(QStringLiteral("\"servable\": true")), qPrintable(shown.out));
    }

    // MLflow 2.4's client sees MLflow's wording, and a relative artifact_location resolved against
    // the server's current directory (mlflow_rest_wording_client.py).
    void mlflowClientSeesMlflowsWording()
    {
        const QString ws = m_dir.filePath(QStringLiteral("wording-ws"));
        QVERIFY(QDir().mkpath(ws));
        QCOMPARE(runCli({QStringLiteral("init"), QStringLiteral("--workspace"), ws}).code, 0);
        QVERIFY(QDir().mkpath(m_dir.filePath(QStringLiteral("wording-cwd"))));
        const QString cwd = QDir(m_dir.filePath(QStringLiteral("wording-cwd"))).canonicalPath(); // as getcwd() says it
        Server server;
        server.process.setWorkingDirectory(cwd);
        QVERIFY(server.start(ws));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PYTHONPATH"), kMlflowClient);
        const Run client = run(kPython, {kWordingScript, server.url, cwd}, withEnvironment(env));
        QVERIFY2(client.code == 0 && client.out.trimmed().endsWith(QStringLiteral("OK")), qPrintable(client.out + client.err));
        QCOMPARE(server.stop(SIGTERM), 0);
    }

    void portInUseIsAnError()
    {
        Server first;
        QVERIFY(first.start(m_ws));
        const QString port = first.url.section(QLatin1Char(':'), -1);
        const Run second = runCli({QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--workspace"), m_ws,
                                                                 QStringLiteral("--port"), port});
        QCOMPARE(second.code, 2);
        QVERIFY2(second.err.contains(port), qPrintable(second.err));
        QCOMPARE(first.stop(SIGTERM), 0);
    }
};

QTEST_GUILESS_MAIN(TstCliTracking)
#include "tst_cli_tracking.moc"
