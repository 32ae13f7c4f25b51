// Workspace (core/workspace): init makes the layout git and DVC expect and keeps what is there,
// refuses files, read-only folders and leftovers cleanly; open refuses non-workspaces, newer and
// corrupt databases without touching them; findRoot searches upward; the lock names its holder.
#include "core/audit/audit_log.h"
#include "core/store/database.h"
#include "core/workspace/workspace.h"
#include "core/workspace/workspace_lock.h"
#include "tests/support/test_support.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/mount.h>
#include <unistd.h>

using namespace orrery;
using workspace::Workspace;
using testing::git;
using testing::readFile;
using testing::writeFile;

namespace {
QStringList tree(const QString &dir)
{
    QStringList all;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        all << QDir(dir).relativeFilePath(it.next());
    all.sort();
    return all;
}
} // namespace

class TstWorkspace : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initCreatesTheWorkspaceLayout()
    {
        const QString root = path(QStringLiteral("project"));
        auto report = Workspace::init(root);
        QVERIFY2(report.isOk(), qPrintable(report.status().message()));
        QVERIFY(!report->alreadyWorkspace);
        QVERIFY(report->createdGitRepository);
        for (const char *p : {".git", ".orrery/cache", ".orrery/tmp", ".orrery/locks", ".dvc"})
            QVERIFY2(QFileInfo(root + QLatin1Char('/') + QLatin1String(p)).isDir(), p);
        QVERIFY(QFileInfo(root + QStringLiteral("/.orrery/orrery.db")).isFile());
        QCOMPARE(readFile(root + QStringLiteral("/.dvc/config")), QByteArray("[cache]\n    dir = ../.orrery/cache\n"));
        const QByteArray ignore = readFile(root + QStringLiteral("/.gitignore"));
        for (const char *line : {"/.orrery/orrery.db*", "/.orrery/cache/", "/.orrery/tmp/"})
            QVERIFY2(ignore.contains(line), line);
        QVERIFY(report->created.contains(QStringLiteral(".orrery/orrery.db")));

        // git itself sees only files worth committing: no database, cache or temp files.
        const QString status = git(root, {QStringLiteral("status"), QStringLiteral("--porcelain"), QStringLiteral("--untracked-files=all")});
        QVERIFY2(!status.contains(QStringLiteral(".orrery/orrery.db")), qPrintable(status));
        QVERIFY(status.contains(QStringLiteral(".gitignore")));

        auto ws = Workspace::open(root);
        QVERIFY(ws.isOk());
        QCOMPARE((*ws)->name(), QStringLiteral("project"));
        auto entries = (*ws)->audit().list(10);
        QCOMPARE(entries->size(), 1);
        QCOMPARE(entries->first().action, QStringLiteral("workspace.init"));
        QCOMPARE(entries->first().target, QDir(root).absolutePath());
    }

    void initTwiceChangesNothing()
    {
        const QString root = path(QStringLiteral("twice"));
        QVERIFY(Workspace::init(root).isOk());
        const QByteArray db = readFile(root + QStringLiteral("/.orrery/orrery.db"));
        auto again = Workspace::init(root);
        QVERIFY(again.isOk());
        QVERIFY(again->alreadyWorkspace);
        auto ws = Workspace::open(root);
        QCOMPARE(*(*ws)->audit().count(), qint64(1));
    }

    void initKeepsWhatIsThere()
    {
        const QString root = path(QStringLiteral("keeps"));
        QDir().mkpath(root + QStringLiteral("/.dvc"));
        writeFile(root + QStringLiteral("/.gitignore"), "*.pyc\n/.orrery/cache/\n");
        writeFile(root + QStringLiteral("/.dvc/config"), "[core]\n    remote = nas\n");
        QVERIFY(Workspace::init(root).isOk());
        const QByteArray ignore = readFile(root + QStringLiteral("/.gitignore"));
        QVERIFY(ignore.startsWith("*.pyc\n/.orrery/cache/\n"));
        QCOMPARE(ignore.count("/.orrery/cache/"), 1); // not added twice
        QVERIFY(ignore.contains("/.orrery/orrery.db*"));
        QCOMPARE(readFile(root + QStringLiteral("/.dvc/config")), QByteArray("[core]\n    remote = nas\n"));
    }

    void initOnAFileIsRefused()
    {
        const QString file = path(QStringLiteral("a-file"));
        writeFile(file, "not a folder");
        auto report = Workspace::init(file);
        QCOMPARE(report.status().code(), ErrorCode::InvalidArgument);
        QVERIFY2(report.status().message().contains(QStringLiteral("is a file")), qPrintable(report.status().message()));
        QCOMPARE(readFile(file), QByteArray("not a folder"));
    }

    void initOnAReadOnlyFolderFailsCleanly()
    {
        // No skip: the tests run as root (CI does, and chmod cannot make a folder read-only for root).
        QVERIFY2(::geteuid() == 0, "needs root to make a read-only bind mount: run the tests as root, as CI does");
        const QString root = path(QStringLiteral("readonly"));
        QVERIFY(QDir().mkpath(root));
        writeFile(root + QStringLiteral("/existing.txt"), "data");
        const QByteArray rootBytes = QFile::encodeName(root);
        // As root, chmod cannot make a folder read-only: a read-only bind mount can.
        QCOMPARE(::mount(rootBytes.constData(), rootBytes.constData(), nullptr, MS_BIND, nullptr), 0);
        QCOMPARE(::mount(nullptr, rootBytes.constData(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr), 0);
        auto report = Workspace::init(root);
        ::umount(rootBytes.constData());
        QVERIFY(!report.isOk());
        QCOMPARE(report.status().code(), ErrorCode::Io);
        QVERIFY2(report.status().message().contains(QStringLiteral("Read-only file system")), qPrintable(report.status().message()));
        QVERIFY2(report.status().message().contains(root), qPrintable(report.status().message()));
        QCOMPARE(tree(root), QStringList{QStringLiteral("existing.txt")});
    }

    void failedInitRemovesWhatItCreated()
    {
        // A file named .dvc makes a late step fail: everything made before it must go again.
        const QString root = path(QStringLiteral("rollback"));
        QVERIFY(QDir().mkpath(root));
        writeFile(root + QStringLiteral("/.dvc"), "in the way");
        auto report = Workspace::init(root);
        QVERIFY(!report.isOk());
        QVERIFY2(report.status().message().contains(QStringLiteral(".dvc")), qPrintable(report.status().message()));
        QCOMPARE(tree(root), QStringList{QStringLiteral(".dvc")});
        QCOMPARE(readFile(root + QStringLiteral("/.dvc")), QByteArray("in the way"));
    }

    void openRefusesAFolderThatIsNotAWorkspace()
    {
        const QString plain = path(QStringLiteral("plain"));
        QDir().mkpath(plain);
        auto ws = Workspace::open(plain);
        QCOMPARE(ws.status().code(), ErrorCode::NotFound);
        QVERIFY(ws.status().message().contains(QStringLiteral("orrery-cli init")));
        QVERIFY(!QFileInfo::exists(plain + QStringLiteral("/.orrery")));
    }

    void openRefusesANewerDatabaseUntouched()
    {
        const QString root = path(QStringLiteral("newer"));
        QVERIFY(Workspace::init(root).isOk());
        {
            auto db = store::Database::open(Workspace::databasePathFor(root));
            QVERIFY((*db)->exec(QStringLiteral("INSERT INTO schema_version VALUES (1000, 'future', 'x')")).isOk());
        }
        const QByteArray before = QCryptographicHash::hash(readFile(Workspace::databasePathFor(root)), QCryptographicHash::Sha256);
        auto ws = Workspace::open(root);
        QCOMPARE(ws.status().code(), ErrorCode::Unsupported);
        QVERIFY(ws.status().message().contains(QStringLiteral("upgrade Orrery")));
        QCOMPARE(QCryptographicHash::hash(readFile(Workspace::databasePathFor(root)), QCryptographicHash::Sha256), before);
    }

    void openRefusesACorruptDatabaseUntouched()
    {
        const QString root = path(QStringLiteral("corrupt"));
        QVERIFY(Workspace::init(root).isOk());
        QByteArray bytes = readFile(Workspace::databasePathFor(root));
        bytes.replace(0, 16, "Not SQLite at al");
        writeFile(Workspace::databasePathFor(root), bytes);
        auto ws = Workspace::open(root);
        QCOMPARE(ws.status().code(), ErrorCode::Corrupt);
        QVERIFY(ws.status().message().contains(QStringLiteral("orrery.db")));
        QCOMPARE(readFile(Workspace::databasePathFor(root)), bytes);
    }

    void findRootSearchesUpward()
    {
        const QString root = path(QStringLiteral("nested"));
        QVERIFY(Workspace::init(root).isOk());
        QDir().mkpath(root + QStringLiteral("/src/models"));
        auto found = Workspace::findRoot(root + QStringLiteral("/src/models"));
        QVERIFY(found.isOk());
        QCOMPARE(*found, QDir(root).absolutePath());
        QTemporaryDir outside(QStringLiteral("/tmp/orrery-nows-XXXXXX"));
        auto none = Workspace::findRoot(outside.path());
        QCOMPARE(none.status().code(), ErrorCode::NotFound);
        QVERIFY(none.status().message().contains(QStringLiteral("orrery-cli init")));
    }

    void lockIsExclusiveAndNamesItsHolder()
    {
        const QString root = path(QStringLiteral("locks"));
        QVERIFY(Workspace::init(root).isOk());
        auto held = workspace::WorkspaceLock::acquire(root, QStringLiteral("workspace"), QStringLiteral("data checkout"));
        QVERIFY(held.isOk());
        auto second = workspace::WorkspaceLock::acquire(root, QStringLiteral("workspace"), QStringLiteral("data gc"), 100);
        QCOMPARE(second.status().code(), ErrorCode::Busy);
        const QString expected = QStringLiteral("busy: data checkout (PID %1)").arg(QCoreApplication::applicationPid());
        QVERIFY2(second.status().message().startsWith(expected), qPrintable(second.status().message()));
        QCOMPARE(workspace::WorkspaceLock::holder(root, QStringLiteral("workspace")),
                 QStringLiteral("data checkout (PID %1)").arg(QCoreApplication::applicationPid()));
        // Other names are independent.
        QVERIFY(workspace::WorkspaceLock::acquire(root, QStringLiteral("serve"), QStringLiteral("serve"), 100).isOk());
        held->reset();
        QVERIFY(workspace::WorkspaceLock::holder(root, QStringLiteral("workspace")).isEmpty());
        QVERIFY(workspace::WorkspaceLock::acquire(root, QStringLiteral("workspace"), QStringLiteral("data gc"), 100).isOk());
    }
};

QTEST_GUILESS_MAIN(TstWorkspace)
#include "tst_workspace.moc"
