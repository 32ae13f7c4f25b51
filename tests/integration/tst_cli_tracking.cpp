// orrery-cli tracking serve as a user runs it: a real process on an ephemeral port, driven by a
// second client in Python (requests, as MLflow's client uses it), stopped by SIGTERM — after
// which every point the client was answered for is in the workspace database.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <sqlite3.h>

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3"); // Debian's, with python3-requests
const QString kScript = QStringLiteral(ORRERY_SOURCE_DIR "/tests/integration/mlflow_client_flow.py");

struct Server {
    QProcess process;
    QString url;

    bool start(const QString &workspace, const QStringList &extra = {})
    {
        process.start(QStringLiteral(ORRERY_CLI_PATH),
                      QStringList{QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                                  QStringLiteral("--workspace"), workspace} + extra);
        if (!process.waitForStarted(10000))
            return false;
        QByteArray out;
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 20000 && !out.contains("Ctrl-C")) {
            process.waitForReadyRead(200);
            out += process.readAllStandardOutput();
            if (process.state() != QProcess::Running)
                break;
        }
        const auto m = QRegularExpression(QStringLiteral("MLFLOW_TRACKING_URI=(http://127\\.0\\.0\\.1:\\d+)")).match(QString::fromUtf8(out));
        url = m.captured(1);
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

struct Run {
    int code = -1;
    QString out;
    QString err;
};

Run run(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(120000))
        qFatal("%s did not finish", qPrintable(program));
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
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
        const Run init = run(QStringLiteral(ORRERY_CLI_PATH), {QStringLiteral("init"), m_ws});
        QVERIFY2(init.code == 0, qPrintable(init.err));
    }

    void helpAndUsageErrors()
    {
        const Run help = run(QStringLiteral(ORRERY_CLI_PATH), {QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--help")});
        QCOMPARE(help.code, 0);
        QVERIFY(help.out.contains(QStringLiteral("--port")) && help.out.contains(QStringLiteral("--workspace")));
        QCOMPARE(run(QStringLiteral(ORRERY_CLI_PATH), {QStringLiteral("tracking")}).code, 2);
        const Run badPort = run(QStringLiteral(ORRERY_CLI_PATH), {QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("http")});
        QCOMPARE(badPort.code, 2);
        QVERIFY(badPort.err.contains(QStringLiteral("--port")));
        const Run badHost = run(QStringLiteral(ORRERY_CLI_PATH), {QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--workspace"), m_ws,
                                                                  QStringLiteral("--host"), QStringLiteral("my laptop")});
        QCOMPARE(badHost.code, 2);
        QVERIFY2(badHost.err.contains(QStringLiteral("my laptop")), qPrintable(badHost.err));
        const Run noWorkspace = run(QStringLiteral(ORRERY_CLI_PATH), {QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--workspace"), m_dir.filePath(QStringLiteral("none"))});
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
        const Run gc = run(QStringLiteral(ORRERY_CLI_PATH), {QStringLiteral("data"), QStringLiteral("gc"), QStringLiteral("--force"),
                                                             QStringLiteral("--workspace"), m_ws});
        QVERIFY2(gc.code == 0, qPrintable(gc.out + gc.err));
        QVERIFY(QFile::exists(object));
    }

    // The client is answered as soon as the points are queued; SIGTERM right after must still
    // leave all of them in the database.
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

    void portInUseIsAnError()
    {
        Server first;
        QVERIFY(first.start(m_ws));
        const QString port = first.url.section(QLatin1Char(':'), -1);
        const Run second = run(QStringLiteral(ORRERY_CLI_PATH), {QStringLiteral("tracking"), QStringLiteral("serve"), QStringLiteral("--workspace"), m_ws,
                                                                 QStringLiteral("--port"), port});
        QCOMPARE(second.code, 2);
        QVERIFY2(second.err.contains(port), qPrintable(second.err));
        QCOMPARE(first.stop(SIGTERM), 0);
    }
};

QTEST_GUILESS_MAIN(TstCliTracking)
#include "tst_cli_tracking.moc"
