// Several Orrery processes sharing one workspace, as DESIGN.md says they do.
#include "core/audit/audit_log.h"
#include "core/workspace/workspace.h"
#include "core/workspace/workspace_lock.h"

#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;

class TstWorkspaceProcesses : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void twoProcessesWritingAtOnceLoseNothing()
    {
        const QString root = m_dir.filePath(QStringLiteral("shared"));
        QVERIFY(workspace::Workspace::init(root).isOk());
        constexpr int kEach = 200;
        QProcess a, b;
        for (QProcess *p : {&a, &b})
            p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        a.start(QStringLiteral(WORKSPACE_HELPER_PATH), {QStringLiteral("append"), root, QString::number(kEach), QStringLiteral("a")});
        b.start(QStringLiteral(WORKSPACE_HELPER_PATH), {QStringLiteral("append"), root, QString::number(kEach), QStringLiteral("b")});
        QVERIFY(a.waitForFinished(120000));
        QVERIFY(b.waitForFinished(120000));
        QCOMPARE(a.exitStatus(), QProcess::NormalExit); // a crash has no meaningful exit code
        QCOMPARE(b.exitStatus(), QProcess::NormalExit);
        QCOMPARE(a.exitCode(), 0);
        QCOMPARE(b.exitCode(), 0);

        auto ws = workspace::Workspace::open(root);
        QVERIFY(ws.isOk());
        QCOMPARE(*(*ws)->audit().count(), qint64(1 + 2 * kEach));
        auto report = (*ws)->audit().verify();
        QVERIFY(report->ok);
        // Every entry each process acknowledged is there exactly once.
        auto entries = (*ws)->audit().list(10000);
        QSet<QString> targets;
        for (const auto &e : *entries)
            targets.insert(e.target);
        for (int i = 0; i < kEach; ++i) {
            QVERIFY(targets.contains(QStringLiteral("a-%1").arg(i)));
            QVERIFY(targets.contains(QStringLiteral("b-%1").arg(i)));
        }
    }

    void lockHeldByAnotherProcessNamesItAndDiesWithIt()
    {
        const QString root = m_dir.filePath(QStringLiteral("locked"));
        QVERIFY(workspace::Workspace::init(root).isOk());
        QProcess holder;
        holder.start(QStringLiteral(WORKSPACE_HELPER_PATH),
                     {QStringLiteral("hold-lock"), root, QStringLiteral("workspace"), QStringLiteral("data checkout"), QStringLiteral("60")});
        QVERIFY(holder.waitForReadyRead(10000));
        QCOMPARE(holder.readLine().trimmed(), QByteArray("locked"));

        auto mine = workspace::WorkspaceLock::acquire(root, QStringLiteral("workspace"), QStringLiteral("merge"), 200);
        QCOMPARE(mine.status().code(), ErrorCode::Busy);
        QVERIFY2(mine.status().message().startsWith(QStringLiteral("busy: data checkout (PID %1)").arg(holder.processId())),
                 qPrintable(mine.status().message()));

        // kill -9: the kernel drops the lock; no stale lock file blocks the next operation.
        holder.kill();
        QVERIFY(holder.waitForFinished(10000));
        auto after = workspace::WorkspaceLock::acquire(root, QStringLiteral("workspace"), QStringLiteral("merge"), 2000);
        QVERIFY2(after.isOk(), qPrintable(after.status().message()));
    }
};

QTEST_GUILESS_MAIN(TstWorkspaceProcesses)
#include "tst_workspace_processes.moc"
