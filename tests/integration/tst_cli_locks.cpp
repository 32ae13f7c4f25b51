// The workspace locks as orrery-cli users meet them: while another process holds the lock a
// command needs — 'pipeline' for `run`, 'workspace' for `merge`, `data add`, `data checkout`,
// `data pull`, and both for `data gc --force` — the command waits a little, then refuses with
// exit 2 and "busy: <what the holder is doing> (PID n)" on stderr, and changes nothing. Once the
// holder is gone (killed: the kernel drops an flock) the same command goes through. Read-only
// commands (data status, data push, a gc dry run) take no lock and answer while it is held. The
// holder is a real second process (workspace_helper hold-lock).
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using Run = orrery::testing::ProcessResult;
using orrery::testing::git;
using orrery::testing::readFile;
using orrery::testing::runCli;
using orrery::testing::writeFile;

namespace {

// Another process holding workspace lock `name` of `root`, saying it is doing `what`; killed
// (SIGKILL) when this goes out of scope or on release().
class LockHolder {
public:
    LockHolder(const QString &root, const QString &name, const QString &what)
    {
        m_process.start(QStringLiteral(WORKSPACE_HELPER_PATH), {QStringLiteral("hold-lock"), root, name, what, QStringLiteral("300")});
        if (!m_process.waitForStarted(10000) || !m_process.waitForReadyRead(30000) || m_process.readLine().trimmed() != "locked")
            qFatal("workspace_helper could not take the '%s' lock of %s: %s", qPrintable(name), qPrintable(root),
                   m_process.readAllStandardError().constData());
    }
    ~LockHolder() { release(); }
    qint64 pid() const { return m_process.processId(); }
    void release()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.kill();
        m_process.waitForFinished(10000);
    }

private:
    QProcess m_process;
};

QString busy(const QString &what, const LockHolder &holder)
{
    return QStringLiteral("busy: %1 (PID %2)").arg(what).arg(holder.pid());
}

} // namespace

class TstCliLocks : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_n = 0;

    QString newWorkspace()
    {
        const QString ws = m_dir.filePath(QStringLiteral("ws%1").arg(++m_n));
        const Run init = runCli({QStringLiteral("init"), ws});
        if (!init.ok())
            qFatal("%s", qPrintable(init.describe()));
        return ws;
    }

private Q_SLOTS:
    void runRefusesWhileAnotherRunHoldsThePipeline()
    {
        const QString ws = newWorkspace();
        writeFile(ws + QStringLiteral("/dvc.yaml"), "stages:\n  hello:\n    cmd: echo hello > out.txt\n    outs: [out.txt]\n");
        {
            LockHolder holder(ws, QStringLiteral("pipeline"), QStringLiteral("a pipeline run from the window"));
            const Run r = runCli({QStringLiteral("run")}, ws);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(busy(QStringLiteral("a pipeline run from the window"), holder)), qPrintable(r.describe()));
            QVERIFY(!QFile::exists(ws + QStringLiteral("/out.txt")));
            QVERIFY(!QFile::exists(ws + QStringLiteral("/dvc.lock")));
            // A dry run changes nothing, so it takes no lock and still answers.
            const Run dry = runCli({QStringLiteral("run"), QStringLiteral("--dry-run")}, ws);
            QVERIFY2(dry.ok(), qPrintable(dry.describe()));
            QVERIFY(!QFile::exists(ws + QStringLiteral("/out.txt")));
        }
        const Run after = runCli({QStringLiteral("run")}, ws);
        QVERIFY2(after.ok(), qPrintable(after.describe()));
        QCOMPARE(readFile(ws + QStringLiteral("/out.txt")), QByteArray("hello\n"));
    }

    void mergeRefusesWhileTheWorkspaceIsLocked()
    {
        const QString ws = newWorkspace();
        writeFile(ws + QStringLiteral("/params.yaml"), "train:\n  lr: 0.1\n  epochs: 10\n");
        writeFile(ws + QStringLiteral("/dvc.yaml"), "stages:\n  train:\n    cmd: train\n    params: [train.lr]\n");
        git(ws, {QStringLiteral("add"), QStringLiteral("-A")});
        git(ws, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("base")});
        git(ws, {QStringLiteral("checkout"), QStringLiteral("-qb"), QStringLiteral("feature")});
        writeFile(ws + QStringLiteral("/params.yaml"), "train:\n  lr: 0.2\n  epochs: 10\n");
        git(ws, {QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("feature")});
        git(ws, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        writeFile(ws + QStringLiteral("/params.yaml"), "train:\n  lr: 0.1\n  epochs: 20\n");
        git(ws, {QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("main")});
        const QByteArray ours = readFile(ws + QStringLiteral("/params.yaml"));
        {
            LockHolder holder(ws, QStringLiteral("workspace"), QStringLiteral("orrery-cli merge other"));
            const Run r = runCli({QStringLiteral("merge"), QStringLiteral("feature")}, ws);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(busy(QStringLiteral("orrery-cli merge other"), holder)), qPrintable(r.describe()));
            QCOMPARE(readFile(ws + QStringLiteral("/params.yaml")), ours);
        }
        const Run after = runCli({QStringLiteral("merge"), QStringLiteral("feature")}, ws);
        QVERIFY2(after.ok(), qPrintable(after.describe()));
        const QByteArray merged = readFile(ws + QStringLiteral("/params.yaml"));
        QVERIFY2(merged.contains("lr: 0.2") && merged.contains("epochs: 20"), merged.constData());
    }

    void dataCommandsThatRewriteTheWorkspaceRefuseWhileItIsLocked_data()
    {
        QTest::addColumn<QString>("subcommand");
        QTest::newRow("checkout") << QStringLiteral("checkout");
        QTest::newRow("pull") << QStringLiteral("pull");
        QTest::newRow("gc") << QStringLiteral("gc");
    }
    void dataCommandsThatRewriteTheWorkspaceRefuseWhileItIsLocked()
    {
        QFETCH(QString, subcommand);
        const QString ws = newWorkspace();
        const QString remote = m_dir.filePath(QStringLiteral("remote%1").arg(m_n));
        writeFile(ws + QStringLiteral("/data.csv"), "a\n1\n");
        QVERIFY(runCli({QStringLiteral("data"), QStringLiteral("add"), QStringLiteral("data.csv")}, ws).ok());
        QVERIFY(runCli({QStringLiteral("data"), QStringLiteral("remote"), QStringLiteral("add"), QStringLiteral("nas"), remote}, ws).ok());
        QVERIFY(runCli({QStringLiteral("data"), QStringLiteral("push")}, ws).ok());
        // Something for each to do: a deleted file to restore, an unused object to free.
        QVERIFY(QFile::remove(ws + QStringLiteral("/data.csv")));
        writeFile(ws + QStringLiteral("/scratch.csv"), "b\n2\n");
        QVERIFY(runCli({QStringLiteral("data"), QStringLiteral("add"), QStringLiteral("scratch.csv")}, ws).ok());
        QVERIFY(QFile::remove(ws + QStringLiteral("/scratch.csv.dvc")));
        const QStringList args = subcommand == QLatin1String("gc") ? QStringList{QStringLiteral("data"), subcommand, QStringLiteral("--force")}
                                                                   : QStringList{QStringLiteral("data"), subcommand};
        const QByteArray md5 = QCryptographicHash::hash("b\n2\n", QCryptographicHash::Md5).toHex();
        const QString unusedObject = ws + QStringLiteral("/.orrery/cache/files/md5/") + QString::fromLatin1(md5.left(2) + '/' + md5.mid(2));
        QVERIFY(QFile::exists(unusedObject));
        {
            LockHolder holder(ws, QStringLiteral("workspace"), QStringLiteral("data checkout from the window"));
            const Run r = runCli(args, ws);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(busy(QStringLiteral("data checkout from the window"), holder)), qPrintable(r.describe()));
            QVERIFY(!QFile::exists(ws + QStringLiteral("/data.csv")));
            QVERIFY(QFile::exists(unusedObject));
        }
        const Run after = runCli(args, ws);
        QVERIFY2(after.ok(), qPrintable(after.describe()));
        if (subcommand == QLatin1String("gc"))
            QVERIFY(!QFile::exists(unusedObject));
        else
            QCOMPARE(readFile(ws + QStringLiteral("/data.csv")), QByteArray("a\n1\n"));
    }

    // `data add` stores objects before its .dvc file names them; a gc --force in between would free
    // them. So add takes 'workspace', as gc does, and is refused while gc holds it.
    void dataAddRefusesWhileGcHoldsTheWorkspace()
    {
        const QString ws = newWorkspace();
        writeFile(ws + QStringLiteral("/new.csv"), "c\n3\n");
        const QByteArray md5 = QCryptographicHash::hash("c\n3\n", QCryptographicHash::Md5).toHex();
        const QString object = ws + QStringLiteral("/.orrery/cache/files/md5/") + QString::fromLatin1(md5.left(2) + '/' + md5.mid(2));
        const QStringList add{QStringLiteral("data"), QStringLiteral("add"), QStringLiteral("new.csv")};
        {
            LockHolder holder(ws, QStringLiteral("workspace"), QStringLiteral("data gc"));
            const Run r = runCli(add, ws);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(busy(QStringLiteral("data gc"), holder)), qPrintable(r.describe()));
            QVERIFY(!QFile::exists(ws + QStringLiteral("/new.csv.dvc")));
            QVERIFY(!QFile::exists(object));
        }
        const Run after = runCli(add, ws);
        QVERIFY2(after.ok(), qPrintable(after.describe()));
        QVERIFY(QFile::exists(ws + QStringLiteral("/new.csv.dvc")));
        QVERIFY(QFile::exists(object));
    }

    // A pipeline run stores its outputs in the cache before dvc.lock names them: gc --force waits
    // for the 'pipeline' lock too and frees nothing while a run holds it.
    void gcRefusesWhileAPipelineRuns()
    {
        const QString ws = newWorkspace();
        writeFile(ws + QStringLiteral("/scratch.csv"), "d\n4\n");
        QVERIFY(runCli({QStringLiteral("data"), QStringLiteral("add"), QStringLiteral("scratch.csv")}, ws).ok());
        QVERIFY(QFile::remove(ws + QStringLiteral("/scratch.csv.dvc")));
        const QByteArray md5 = QCryptographicHash::hash("d\n4\n", QCryptographicHash::Md5).toHex();
        const QString unusedObject = ws + QStringLiteral("/.orrery/cache/files/md5/") + QString::fromLatin1(md5.left(2) + '/' + md5.mid(2));
        QVERIFY(QFile::exists(unusedObject));
        const QStringList gc{QStringLiteral("data"), QStringLiteral("gc"), QStringLiteral("--force")};
        {
            LockHolder holder(ws, QStringLiteral("pipeline"), QStringLiteral("a pipeline run from the window"));
            const Run r = runCli(gc, ws);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.err.contains(busy(QStringLiteral("a pipeline run from the window"), holder)), qPrintable(r.describe()));
            QVERIFY(QFile::exists(unusedObject));
        }
        const Run after = runCli(gc, ws);
        QVERIFY2(after.ok(), qPrintable(after.describe()));
        QVERIFY(!QFile::exists(unusedObject));
    }

    // What only reads the workspace never waits for its lock.
    void readOnlyDataCommandsAnswerWhileTheWorkspaceIsLocked()
    {
        const QString ws = newWorkspace();
        const QString remote = m_dir.filePath(QStringLiteral("remote%1").arg(m_n));
        writeFile(ws + QStringLiteral("/data.csv"), "a\n1\n");
        QVERIFY(runCli({QStringLiteral("data"), QStringLiteral("add"), QStringLiteral("data.csv")}, ws).ok());
        QVERIFY(runCli({QStringLiteral("data"), QStringLiteral("remote"), QStringLiteral("add"), QStringLiteral("nas"), remote}, ws).ok());
        LockHolder holder(ws, QStringLiteral("workspace"), QStringLiteral("data checkout from the window"));
        const Run status = runCli({QStringLiteral("data"), QStringLiteral("status")}, ws);
        QVERIFY2(status.ok(), qPrintable(status.describe()));
        const Run push = runCli({QStringLiteral("data"), QStringLiteral("push")}, ws);
        QVERIFY2(push.ok(), qPrintable(push.describe()));
        const QByteArray md5 = QCryptographicHash::hash("a\n1\n", QCryptographicHash::Md5).toHex();
        QVERIFY(QFile::exists(remote + QStringLiteral("/files/md5/") + QString::fromLatin1(md5.left(2) + '/' + md5.mid(2))));
        const Run dryGc = runCli({QStringLiteral("data"), QStringLiteral("gc")}, ws);
        QVERIFY2(dryGc.ok(), qPrintable(dryGc.describe()));
    }
};

QTEST_GUILESS_MAIN(TstCliLocks)
#include "tst_cli_locks.moc"
