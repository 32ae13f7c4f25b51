#include "core/common/atomic_file.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <sys/resource.h>

using namespace orrery;

namespace {
QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
}
QStringList leftovers(const QString &dir)
{
    return QDir(dir).entryList({QStringLiteral(".*.tmp-*")}, QDir::Files | QDir::Hidden);
}
} // namespace

class TstAtomicFile : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void writesNewFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("new.txt"));
        QVERIFY(common::writeFileAtomically(path, "hello\n").isOk());
        QCOMPARE(readAll(path), QByteArray("hello\n"));
        QVERIFY(leftovers(m_dir.path()).isEmpty());
        QCOMPARE(QFile(path).permissions() & QFile::ReadOther, QFile::ReadOther); // not mkstemp's 0600
    }

    void replacesExistingFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("replace.txt"));
        QVERIFY(common::writeFileAtomically(path, "old").isOk());
        QVERIFY(common::writeFileAtomically(path, "new content").isOk());
        QCOMPARE(readAll(path), QByteArray("new content"));
    }

    void largeStreamedContent()
    {
        const QString path = m_dir.filePath(QStringLiteral("large.bin"));
        common::AtomicFile file(path);
        QVERIFY(file.open().isOk());
        QByteArray block(100000, 'x');
        for (int i = 0; i < 50; ++i)
            QVERIFY(file.write(block).isOk());
        QVERIFY(!QFile::exists(path)); // nothing visible before commit
        QVERIFY(file.commit().isOk());
        QCOMPARE(QFileInfo(path).size(), qint64(5000000));
    }

    void discardedWithoutCommit()
    {
        const QString path = m_dir.filePath(QStringLiteral("discarded.txt"));
        QVERIFY(common::writeFileAtomically(path, "keep me").isOk());
        {
            common::AtomicFile file(path);
            QVERIFY(file.open().isOk());
            QVERIFY(file.write("half-written").isOk());
        } // destroyed: an interrupted operation
        QCOMPARE(readAll(path), QByteArray("keep me"));
        QVERIFY(leftovers(m_dir.path()).isEmpty());
    }

    void diskFullLeavesOldFile()
    {
        // RLIMIT_FSIZE makes write() fail with EFBIG, as a full disk makes it fail with ENOSPC.
        const QString path = m_dir.filePath(QStringLiteral("full.txt"));
        QVERIFY(common::writeFileAtomically(path, "previous version").isOk());
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit old{};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
        rlimit small = old;
        small.rlim_cur = 4096;
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &small), 0);
        const Status s = common::writeFileAtomically(path, QByteArray(3 << 20, 'y'));
        setrlimit(RLIMIT_FSIZE, &old);
        QVERIFY(!s.isOk());
        QCOMPARE(s.code(), ErrorCode::Io);
        QVERIFY2(s.message().contains(path), qPrintable(s.message()));
        QCOMPARE(readAll(path), QByteArray("previous version"));
        QVERIFY(leftovers(m_dir.path()).isEmpty());
    }

    void missingFolderIsAClearError()
    {
        const QString path = m_dir.filePath(QStringLiteral("no/such/folder/f.txt"));
        const Status s = common::writeFileAtomically(path, "x");
        QCOMPARE(s.code(), ErrorCode::Io);
        QVERIFY2(s.message().contains(QStringLiteral("no/such/folder/f.txt")) && s.message().contains(QStringLiteral("No such file")),
                 qPrintable(s.message()));
    }

    void folderTargetRefused()
    {
        const Status s = common::writeFileAtomically(m_dir.path(), "x");
        QCOMPARE(s.code(), ErrorCode::InvalidArgument);
        QVERIFY(s.message().contains(QStringLiteral("folder")));
    }
};

QTEST_GUILESS_MAIN(TstAtomicFile)
#include "tst_atomic_file.moc"
