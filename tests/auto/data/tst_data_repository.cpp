#include "core/data/cache_check.h"
#include "core/data/data_repository.h"
#include "core/data/file_hasher.h"
#include "core/store/database.h"
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>

using namespace orrery;
using namespace orrery::data;
using testing::readFile;
using testing::writeFile;

namespace {
QString md5(const QByteArray &b)
{
    return QString::fromLatin1(QCryptographicHash::hash(b, QCryptographicHash::Md5).toHex());
}
} // namespace

class TstDataRepository : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    int m_n = 0;
    QString m_root;
    std::unique_ptr<store::Database> m_db;

    void newWorkspace()
    {
        m_root = m_tmp.filePath(QStringLiteral("ws%1").arg(++m_n));
        QDir().mkpath(m_root + QStringLiteral("/.orrery/cache"));
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(m_root + QStringLiteral("/.orrery/orrery.db"), o);
        QVERIFY(db.isOk());
        m_db = std::move(*db);
    }
    QString at(const QString &rel) const { return m_root + QLatin1Char('/') + rel; }

private Q_SLOTS:
    void init() { newWorkspace(); }

    void addFileWritesObjectDvcFileAndGitignore()
    {
        writeFile(at(QStringLiteral("data/train.csv")), "a,b\n1,2\n");
        DataRepository repo(m_root, m_db.get());
        QCOMPARE(repo.cache().root(), at(QStringLiteral(".orrery/cache")));
        auto r = repo.add({QStringLiteral("data/train.csv")});
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        const QString hash = md5("a,b\n1,2\n");
        QCOMPARE(r->added.first().md5, hash);
        const QString object = repo.cache().objectPath(hash);
        QCOMPARE(object, at(QStringLiteral(".orrery/cache/files/md5/%1/%2").arg(hash.left(2), hash.mid(2))));
        QCOMPARE(readFile(object), QByteArray("a,b\n1,2\n"));
        QCOMPARE(QFileInfo(object).permissions() & (QFile::WriteOwner | QFile::WriteGroup | QFile::WriteOther), QFile::Permissions());
        QCOMPARE(readFile(at(QStringLiteral("data/train.csv.dvc"))),
                 QStringLiteral("outs:\n- md5: %1\n  size: 8\n  hash: md5\n  path: train.csv\n").arg(hash).toUtf8());
        QCOMPARE(readFile(at(QStringLiteral("data/.gitignore"))), QByteArray("/train.csv\n"));
        // Adding again changes nothing and does not repeat the ignore line.
        auto again = repo.add({QStringLiteral("data/train.csv")});
        QVERIFY(!again->added.first().changed);
        QCOMPARE(readFile(at(QStringLiteral("data/.gitignore"))), QByteArray("/train.csv\n"));
    }

    void addDirectory()
    {
        writeFile(at(QStringLiteral("images/a.png")), "A");
        writeFile(at(QStringLiteral("images/sub/b.png")), "BB");
        DataRepository repo(m_root, m_db.get());
        auto r = repo.add({QStringLiteral("images")});
        QVERIFY(r.isOk());
        const auto &a = r->added.first();
        QVERIFY(a.md5.endsWith(QLatin1String(".dir")));
        QCOMPARE(a.nfiles, qint64(2));
        QCOMPARE(a.size, qint64(3));
        const QByteArray manifest = readFile(repo.cache().objectPath(a.md5));
        QCOMPARE(md5(manifest) + QStringLiteral(".dir"), a.md5);
        QVERIFY(repo.cache().contains(md5("A")) && repo.cache().contains(md5("BB")));
    }

    void statCacheAvoidsReadingUnchangedFiles()
    {
        for (int i = 0; i < 300; ++i)
            writeFile(at(QStringLiteral("many/f%1").arg(i)), QByteArray::number(i));
        QStringList paths;
        for (int i = 0; i < 300; ++i)
            paths << QStringLiteral("many/f%1").arg(i);
        FileHasher first(m_root, m_db.get());
        auto a = first.hash(paths);
        QVERIFY(a.isOk());
        QVERIFY(first.bytesRead() > 0);
        FileHasher second(m_root, m_db.get());
        auto b = second.hash(paths);
        QCOMPARE(second.bytesRead(), qint64(0));
        for (int i = 0; i < 300; ++i) {
            QVERIFY(b->at(i).fromStatCache);
            QCOMPARE(b->at(i).md5, md5(QByteArray::number(i)));
        }
        // A change is seen even with the same size (mtime and content differ).
        QTest::qWait(5);
        writeFile(at(QStringLiteral("many/f7")), "8");
        FileHasher third(m_root, m_db.get());
        auto c = third.hash(paths);
        QCOMPARE(c->at(7).md5, md5("8"));
        QVERIFY(!c->at(7).fromStatCache);
        QCOMPARE(third.bytesRead(), qint64(1));
    }

    void statusSeesModifiedMissingAndNotInCache()
    {
        writeFile(at(QStringLiteral("a.csv")), "1");
        writeFile(at(QStringLiteral("b.csv")), "2");
        writeFile(at(QStringLiteral("d/x")), "x");
        writeFile(at(QStringLiteral("d/y")), "y");
        DataRepository repo(m_root, m_db.get());
        QVERIFY(repo.add({QStringLiteral("a.csv"), QStringLiteral("b.csv"), QStringLiteral("d")}).isOk());
        auto clean = repo.status();
        QVERIFY(clean.isOk());
        QCOMPARE(clean->size(), 3);
        for (const auto &s : *clean)
            QVERIFY(s.state == OutState::Unchanged && s.inCache);

        writeFile(at(QStringLiteral("a.csv")), "changed");
        QFile::remove(at(QStringLiteral("b.csv")));
        writeFile(at(QStringLiteral("d/x")), "x2");
        QFile::remove(at(QStringLiteral("d/y")));
        writeFile(at(QStringLiteral("d/z")), "z");
        QFile::setPermissions(repo.cache().objectPath(md5("2")), QFile::WriteOwner | QFile::ReadOwner);
        QVERIFY(repo.cache().remove(md5("2")).isOk());
        auto s = repo.status();
        QVERIFY(s.isOk());
        QCOMPARE(s->at(0).tracked.path, QStringLiteral("a.csv"));
        QCOMPARE(s->at(0).state, OutState::Modified);
        QCOMPARE(s->at(1).state, OutState::Missing);
        QVERIFY(!s->at(1).inCache);
        QCOMPARE(s->at(2).state, OutState::Modified);
        QCOMPARE(s->at(2).added, QStringList{QStringLiteral("z")});
        QCOMPARE(s->at(2).removed, QStringList{QStringLiteral("y")});
        QCOMPARE(s->at(2).modified, QStringList{QStringLiteral("x")});
        auto one = repo.status({QStringLiteral("a.csv")});
        QCOMPARE(one->size(), 1);
        QCOMPARE(repo.status({QStringLiteral("nope.csv")}).status().code(), ErrorCode::NotFound);
    }

    void checkoutRefusesUnsavedWorkAndChangesNothing()
    {
        writeFile(at(QStringLiteral("d/x")), "x");
        writeFile(at(QStringLiteral("d/y")), "y");
        writeFile(at(QStringLiteral("f.csv")), "v1");
        DataRepository repo(m_root, m_db.get());
        QVERIFY(repo.add({QStringLiteral("d"), QStringLiteral("f.csv")}).isOk());
        writeFile(at(QStringLiteral("f.csv")), "my unsaved edit");
        writeFile(at(QStringLiteral("d/new")), "new work");
        QFile::remove(at(QStringLiteral("d/x")));
        auto r = repo.checkout({}, false);
        QCOMPARE(r.status().code(), ErrorCode::FailedPrecondition);
        QVERIFY2(r.status().message().contains(QStringLiteral("f.csv")) && r.status().message().contains(QStringLiteral("d/new")),
                 qPrintable(r.status().message()));
        // Nothing changed, not even the missing file that could have been restored.
        QCOMPARE(readFile(at(QStringLiteral("f.csv"))), QByteArray("my unsaved edit"));
        QCOMPARE(readFile(at(QStringLiteral("d/new"))), QByteArray("new work"));
        QVERIFY(!QFile::exists(at(QStringLiteral("d/x"))));

        auto forced = repo.checkout({}, true);
        QVERIFY2(forced.isOk(), qPrintable(forced.status().message()));
        QCOMPARE(readFile(at(QStringLiteral("f.csv"))), QByteArray("v1"));
        QCOMPARE(readFile(at(QStringLiteral("d/x"))), QByteArray("x"));
        QVERIFY(!QFile::exists(at(QStringLiteral("d/new"))));
        for (const auto &s : *repo.status())
            QCOMPARE(s.state, OutState::Unchanged);
    }

    void checkoutOfAnotherVersionNeedsNoForceWhenNothingIsLost()
    {
        writeFile(at(QStringLiteral("f.csv")), "version 1");
        DataRepository repo(m_root, m_db.get());
        QVERIFY(repo.add({QStringLiteral("f.csv")}).isOk());
        const QByteArray v1Dvc = readFile(at(QStringLiteral("f.csv.dvc")));
        writeFile(at(QStringLiteral("f.csv")), "version 2");
        QVERIFY(repo.add({QStringLiteral("f.csv")}).isOk());
        writeFile(at(QStringLiteral("f.csv.dvc")), v1Dvc); // as `git checkout HEAD~1 -- f.csv.dvc` would
        auto r = repo.checkout({QStringLiteral("f.csv")}, false);
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        QCOMPARE(r->restored, QStringList{QStringLiteral("f.csv")});
        QCOMPARE(readFile(at(QStringLiteral("f.csv"))), QByteArray("version 1"));
    }

    void corruptObjectIsQuarantinedNeverUsed()
    {
        writeFile(at(QStringLiteral("f.csv")), "good bytes");
        DataRepository repo(m_root, m_db.get());
        QVERIFY(repo.add({QStringLiteral("f.csv")}).isOk());
        const QString object = repo.cache().objectPath(md5("good bytes"));
        QFile::setPermissions(object, QFile::ReadOwner | QFile::WriteOwner);
        writeFile(object, "rotten bits");
        QFile::remove(at(QStringLiteral("f.csv")));
        auto r = repo.checkout({}, false);
        QCOMPARE(r.status().code(), ErrorCode::Corrupt);
        QVERIFY(r.status().message().contains(QStringLiteral("quarantine")));
        QVERIFY(!QFile::exists(at(QStringLiteral("f.csv"))));
        QVERIFY(!QFile::exists(object));
        QVERIFY(QFile::exists(repo.cache().root() + QStringLiteral("/quarantine/") + md5("good bytes")));
        // Now it is simply not in the cache.
        QVERIFY(!repo.status()->first().inCache);
    }

    void anExistingDvcRepositoryUsesItsOwnCache()
    {
        // As `dvc init && dvc add data.csv` leaves it (written by hand from DVC's documented format).
        const QString repoDir = m_tmp.filePath(QStringLiteral("dvc-repo%1").arg(m_n));
        QDir().mkpath(repoDir + QStringLiteral("/.dvc"));
        writeFile(repoDir + QStringLiteral("/.dvc/config"), "[core]\n    autostage = true\n");
        const QByteArray content = "x,y\n1,2\n";
        const QString hash = md5(content);
        writeFile(repoDir + QStringLiteral("/.dvc/cache/files/md5/") + hash.left(2) + QLatin1Char('/') + hash.mid(2), content);
        writeFile(repoDir + QStringLiteral("/data.csv.dvc"),
                  QStringLiteral("outs:\n- md5: %1\n  size: 8\n  hash: md5\n  path: data.csv\n").arg(hash).toUtf8());
        QCOMPARE(DataRepository::cacheDirFor(repoDir), repoDir + QStringLiteral("/.dvc/cache"));
        DataRepository repo(repoDir, nullptr);
        auto s = repo.status();
        QVERIFY(s.isOk());
        QCOMPARE(s->first().state, OutState::Missing);
        QVERIFY(s->first().inCache);
        QVERIFY(repo.checkout({}, false).isOk());
        QCOMPARE(readFile(repoDir + QStringLiteral("/data.csv")), content);
    }

    void dvcPathsThatLeaveTheWorkspaceAreRefused_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("parent") << "../../outside.csv" << "'..'";
        QTest::newRow("absolute") << "/etc/passwd" << "absolute";
        QTest::newRow("symlink out") << "link/secret.csv" << "symlink";
    }
    void dvcPathsThatLeaveTheWorkspaceAreRefused()
    {
        QFETCH(QString, path);
        QFETCH(QString, message);
        QVERIFY(QFile::link(m_tmp.path(), at(QStringLiteral("link"))));
        writeFile(at(QStringLiteral("evil.dvc")), QStringLiteral("outs:\n- md5: d41d8cd98f00b204e9800998ecf8427e\n  hash: md5\n  path: %1\n").arg(path).toUtf8());
        DataRepository repo(m_root, m_db.get());
        auto outs = repo.trackedOuts();
        QVERIFY(!outs.isOk());
        QVERIFY2(outs.status().message().contains(message) && outs.status().message().contains(QStringLiteral("evil.dvc")),
                 qPrintable(outs.status().message()));
        QVERIFY(!repo.checkout({}, true).isOk());
    }

    void userPathsOutsideOrInsideManagedFoldersRefused()
    {
        DataRepository repo(m_root, m_db.get());
        QVERIFY(!repo.toWorkspacePath(QStringLiteral("../x"), m_root).isOk());
        QVERIFY(!repo.toWorkspacePath(QStringLiteral("/etc/passwd"), m_root).isOk());
        QVERIFY(!repo.toWorkspacePath(QStringLiteral(".orrery/orrery.db"), m_root).isOk());
        QCOMPARE(*repo.toWorkspacePath(QStringLiteral("data/../data/x.csv"), m_root), QStringLiteral("data/x.csv"));
        QCOMPARE(*repo.toWorkspacePath(QStringLiteral("x.csv"), m_root + QStringLiteral("/data")), QStringLiteral("data/x.csv"));
    }

    void diskFullDuringAddLeavesNoTrace()
    {
        writeFile(at(QStringLiteral("big.bin")), QByteArray(4 << 20, 'b'));
        DataRepository repo(m_root, m_db.get());
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit old{};
        getrlimit(RLIMIT_FSIZE, &old);
        rlimit small = old;
        small.rlim_cur = 1 << 20; // the cache copy fails after 1 MiB, as on a full disk
        setrlimit(RLIMIT_FSIZE, &small);
        auto r = repo.add({QStringLiteral("big.bin")});
        setrlimit(RLIMIT_FSIZE, &old);
        QVERIFY(!r.isOk());
        QCOMPARE(r.status().code(), ErrorCode::Io);
        QVERIFY(!QFile::exists(at(QStringLiteral("big.bin.dvc"))));
        QVERIFY(!QFile::exists(at(QStringLiteral(".gitignore"))));
        auto check = checkCache(repo.cache().root());
        QCOMPARE(check->objectsChecked, qint64(0));
        QCOMPARE(QDir(repo.cache().root() + QStringLiteral("/tmp")).entryList(QDir::Files | QDir::Hidden).size(), 0);
    }

    void killDuringAddLeavesNoPartialObject()
    {
        QByteArray big(160 << 20, '\0');
        for (int i = 0; i < big.size(); i += 4096)
            big[i] = char(i / 4096);
        writeFile(at(QStringLiteral("huge.bin")), big);
        QProcess helper;
        helper.start(QStringLiteral(DATA_HELPER_PATH), {QStringLiteral("add"), m_root, QStringLiteral("huge.bin")});
        QVERIFY(helper.waitForReadyRead(10000));
        QTest::qWait(150); // hashing or copying, not done
        helper.kill();
        QVERIFY(helper.waitForFinished(10000));
        QCOMPARE(helper.exitStatus(), QProcess::CrashExit);
        QVERIFY(!QFile::exists(at(QStringLiteral("huge.bin.dvc"))));
        // Whatever reached the cache under a final name is complete and verified.
        auto check = checkCache(at(QStringLiteral(".orrery/cache")));
        QVERIFY(check.isOk());
        QVERIFY(check->corruptObjects.isEmpty());
        QCOMPARE(readFile(at(QStringLiteral("huge.bin"))).size(), big.size());
        // And the next add simply works.
        DataRepository repo(m_root, m_db.get());
        auto r = repo.add({QStringLiteral("huge.bin")});
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        QCOMPARE(r->added.first().md5, md5(big));
    }
};

QTEST_GUILESS_MAIN(TstDataRepository)
#include "tst_data_repository.moc"
