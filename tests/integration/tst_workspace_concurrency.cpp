// The window and the CLI on one workspace at the same time (issue: the CLI deleted the WAL under
// the window). One process behaves as the window does — several threads, each keeping a
// connection and opening fresh ones while it writes — next to orrery-cli processes that open and
// close the workspace hundreds of times, reading and writing. Afterwards the database must be
// healthy, the audit chain intact and every acknowledged entry present.
#include "core/audit/audit_log.h"
#include "core/store/database.h"
#include "core/workspace/workspace.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using testing::ProcessResult;
using testing::runCli;

class TstWorkspaceConcurrency : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void windowThreadsAndCliProcessesLoseNothing()
    {
        const QString root = m_dir.filePath(QStringLiteral("shared"));
        QVERIFY(workspace::Workspace::init(root).isOk());
        const QString remoteDir = m_dir.filePath(QStringLiteral("remote"));
        QVERIFY(QDir().mkpath(remoteDir));

        QProcess window;
        window.setProcessChannelMode(QProcess::SeparateChannels);
        window.start(QStringLiteral(WORKSPACE_HELPER_PATH), {QStringLiteral("threads"), root, QStringLiteral("4")});
        QVERIFY(window.waitForReadyRead(30000));
        QCOMPARE(window.readLine().trimmed(), QByteArray("started"));

        // Readers close their connection last of all in their process: before the fix, each such
        // close found no lock held by the window and deleted the WAL the window was writing to.
        constexpr int kRounds = 80;
        QStringList cliAcked;
        for (int i = 0; i < kRounds; ++i) {
            const QStringList ws = {QStringLiteral("--workspace"), root};
            const ProcessResult list = runCli(QStringList{QStringLiteral("runs"), QStringLiteral("list")} + ws);
            QVERIFY2(list.code == 0, qPrintable(QStringLiteral("round %1: runs list: %2").arg(i).arg(list.err)));
            const ProcessResult audit = runCli(QStringList{QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--limit"), QStringLiteral("5")} + ws);
            QVERIFY2(audit.code == 0, qPrintable(QStringLiteral("round %1: audit list: %2").arg(i).arg(audit.err)));
            const QString remote = QStringLiteral("r%1").arg(i);
            const ProcessResult add = runCli(QStringList{QStringLiteral("data"), QStringLiteral("remote"), QStringLiteral("add"), remote, remoteDir} + ws);
            QVERIFY2(add.code == 0, qPrintable(QStringLiteral("round %1: data remote add: %2").arg(i).arg(add.err)));
            cliAcked << remote;
            QVERIFY2(window.state() == QProcess::Running,
                     qPrintable(QStringLiteral("the window-like process ended in round %1: %2").arg(i).arg(QString::fromUtf8(window.readAllStandardError()))));
        }

        window.write("stop\n");
        window.closeWriteChannel();
        QVERIFY(window.waitForFinished(60000));
        const QString windowErrors = QString::fromUtf8(window.readAllStandardError());
        QVERIFY2(window.exitStatus() == QProcess::NormalExit && window.exitCode() == 0, qPrintable(windowErrors));
        QStringList windowAcked;
        for (const QByteArray &line : window.readAllStandardOutput().split('\n'))
            if (line.startsWith("ack "))
                windowAcked << QString::fromUtf8(line.mid(4));
        QVERIFY2(windowAcked.size() >= 4 * 10, qPrintable(QStringLiteral("only %1 window entries").arg(windowAcked.size())));

        // Every process is gone: what is on disk is all there is.
        QVERIFY2(QFileInfo(workspace::Workspace::databasePathFor(root)).size() > 0, "the database file is empty");
        auto ws = workspace::Workspace::open(root);
        QVERIFY2(ws.isOk(), qPrintable(ws.status().message()));
        auto problems = (*ws)->database().integrityCheck();
        QVERIFY2(problems.isOk(), qPrintable(problems.status().message()));
        QVERIFY2(problems->isEmpty(), qPrintable(problems->join(QLatin1Char('\n'))));
        auto chain = (*ws)->audit().verify();
        QVERIFY2(chain.isOk(), qPrintable(chain.status().message()));
        QVERIFY2(chain->ok, qPrintable(chain->problem));

        auto entries = (*ws)->audit().list(1'000'000);
        QVERIFY(entries.isOk());
        QSet<QString> windowTargets, remotes;
        for (const audit::AuditEntry &e : *entries) {
            if (e.action == QLatin1String("test.window"))
                windowTargets.insert(e.target);
            else if (e.action == QLatin1String("data.remote.add"))
                remotes.insert(e.target);
        }
        QCOMPARE(windowTargets.size(), windowAcked.size());
        for (const QString &t : windowAcked)
            QVERIFY2(windowTargets.contains(t), qPrintable(QStringLiteral("acknowledged %1 is missing").arg(t)));
        for (const QString &r : cliAcked)
            QVERIFY2(remotes.contains(r), qPrintable(QStringLiteral("the CLI's audit entry for remote %1 is missing").arg(r)));
    }
};

QTEST_GUILESS_MAIN(TstWorkspaceConcurrency)
#include "tst_workspace_concurrency.moc"
