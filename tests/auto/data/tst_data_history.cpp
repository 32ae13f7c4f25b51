// Data versions through git: gc keeps what any branch or tag needs, diff between revisions,
// push and pull through a folder remote.
#include "core/data/data_diff.h"
#include "core/data/data_gc.h"
#include "core/data/data_remote.h"
#include "core/data/data_repository.h"
#include "core/data/dvc_config.h"
#include "core/store/database.h"
#include "core/vcs/repository.h"
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::data;
using testing::git;
using testing::writeFile;

namespace {
QString md5(const QByteArray &b)
{
    return QString::fromLatin1(QCryptographicHash::hash(b, QCryptographicHash::Md5).toHex());
}
} // namespace

class TstDataHistory : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_root;
    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<vcs::Repository> m_git;
    int m_n = 0;
    QString at(const QString &rel) const { return m_root + QLatin1Char('/') + rel; }

private Q_SLOTS:
    void init()
    {
        m_root = m_tmp.filePath(QStringLiteral("ws%1").arg(++m_n));
        QDir().mkpath(m_root + QStringLiteral("/.orrery/cache"));
        store::OpenOptions o;
        o.create = true;
        m_db = std::move(*store::Database::open(m_root + QStringLiteral("/.orrery/orrery.db"), o));
        m_git = std::move(*vcs::Repository::initOrOpen(m_root));
    }

    void gcKeepsEveryVersionOnAnyBranchOrTag()
    {
        DataRepository repo(m_root, m_db.get());
        // v1 on main (tagged), v2 on a branch, v3 only in the work tree; "loose" referenced nowhere.
        writeFile(at(QStringLiteral("d.csv")), "v1");
        QVERIFY(repo.add({QStringLiteral("d.csv")}).isOk());
        git(m_root, {QStringLiteral("add"), QStringLiteral("d.csv.dvc")});
        git(m_root, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("v1")});
        git(m_root, {QStringLiteral("tag"), QStringLiteral("release")});
        git(m_root, {QStringLiteral("checkout"), QStringLiteral("-qb"), QStringLiteral("experiment")});
        writeFile(at(QStringLiteral("d.csv")), "v2");
        QVERIFY(repo.add({QStringLiteral("d.csv")}).isOk());
        git(m_root, {QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("v2")});
        git(m_root, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        // A commit that moved main back past v1 would still leave the tag.
        writeFile(at(QStringLiteral("d.csv")), "v3");
        QVERIFY(repo.add({QStringLiteral("d.csv")}).isOk());
        writeFile(at(QStringLiteral("loose.bin")), "loose");
        QVERIFY(repo.add({QStringLiteral("loose.bin")}).isOk());
        QFile::remove(at(QStringLiteral("loose.bin.dvc")));
        writeFile(at(QStringLiteral("run-artifact")), "model bytes");
        QVERIFY(repo.cache().addFile(at(QStringLiteral("run-artifact"))).isOk());
        QVERIFY(m_db->exec(QStringLiteral("INSERT INTO cache_refs VALUES ('%1', 'run 7')").arg(md5("model bytes"))).isOk());

        auto dry = collectGarbage(repo, m_git.get(), m_db.get(), false);
        QVERIFY2(dry.isOk(), qPrintable(dry.status().message()));
        QCOMPARE(dry->unused, QStringList{md5("loose")});
        QVERIFY(!dry->deleted);
        QVERIFY(repo.cache().contains(md5("loose"))); // a dry run deletes nothing

        auto real = collectGarbage(repo, m_git.get(), m_db.get(), true);
        QVERIFY(real.isOk());
        QVERIFY(!repo.cache().contains(md5("loose")));
        for (const char *kept : {"v1", "v2", "v3", "model bytes"})
            QVERIFY2(repo.cache().contains(md5(kept)), kept);
        QCOMPARE(real->objectsKept, qint64(4));
    }

    void gcKeepsTheFilesOfKeptDirectories()
    {
        DataRepository repo(m_root, m_db.get());
        writeFile(at(QStringLiteral("imgs/a")), "a");
        writeFile(at(QStringLiteral("imgs/b")), "b");
        QVERIFY(repo.add({QStringLiteral("imgs")}).isOk());
        auto r = collectGarbage(repo, m_git.get(), m_db.get(), true);
        QVERIFY(r.isOk());
        QVERIFY(r->unused.isEmpty());
        QVERIFY(repo.cache().contains(md5("a")) && repo.cache().contains(md5("b")));
    }

    void gcStopsOnAnUnreadableDvcFile()
    {
        DataRepository repo(m_root, m_db.get());
        writeFile(at(QStringLiteral("x")), "x");
        QVERIFY(repo.add({QStringLiteral("x")}).isOk());
        writeFile(at(QStringLiteral("broken.dvc")), "outs: [\n");
        auto r = collectGarbage(repo, m_git.get(), m_db.get(), true);
        QVERIFY(!r.isOk());
        QVERIFY(r.status().message().contains(QStringLiteral("broken.dvc")));
        QVERIFY(repo.cache().contains(md5("x")));
    }

    void diffBetweenRevisionsAndTheWorkspace()
    {
        DataRepository repo(m_root, m_db.get());
        writeFile(at(QStringLiteral("a.csv")), "a1");
        writeFile(at(QStringLiteral("dir/x")), "x1");
        writeFile(at(QStringLiteral("dir/y")), "y1");
        QVERIFY(repo.add({QStringLiteral("a.csv"), QStringLiteral("dir")}).isOk());
        git(m_root, {QStringLiteral("add"), QStringLiteral("a.csv.dvc"), QStringLiteral("dir.dvc")});
        git(m_root, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("one")});
        writeFile(at(QStringLiteral("a.csv")), "a2");
        writeFile(at(QStringLiteral("dir/x")), "x2");
        QFile::remove(at(QStringLiteral("dir/y")));
        writeFile(at(QStringLiteral("dir/z")), "z");
        writeFile(at(QStringLiteral("b.csv")), "b");
        QVERIFY(repo.add({QStringLiteral("a.csv"), QStringLiteral("dir"), QStringLiteral("b.csv")}).isOk());

        auto d = diffRevisions(repo, *m_git, QStringLiteral("HEAD"), kWorkspaceRevision);
        QVERIFY2(d.isOk(), qPrintable(d.status().message()));
        QStringList seen;
        for (const auto &c : d->changes)
            seen << QStringLiteral("%1 %2").arg(QLatin1String(changeKindName(c.kind)), c.path);
        QCOMPARE(seen, (QStringList{QStringLiteral("modified a.csv"), QStringLiteral("added b.csv"), QStringLiteral("modified dir/x"),
                                    QStringLiteral("removed dir/y"), QStringLiteral("added dir/z")}));
        git(m_root, {QStringLiteral("add"), QStringLiteral(".")});
        git(m_root, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("two")});
        auto between = diffRevisions(repo, *m_git, QStringLiteral("HEAD~1"), QStringLiteral("HEAD"));
        QCOMPARE(between->changes.size(), 5);
        QCOMPARE(diffRevisions(repo, *m_git, QStringLiteral("no-such-rev"), QStringLiteral("HEAD")).status().code(), ErrorCode::NotFound);
    }

    void tableDiffShowsRowsAndColumnStatistics()
    {
        DataRepository repo(m_root, m_db.get());
        writeFile(at(QStringLiteral("t.csv")), "id,amount,city\n1,10,a\n2,20,b\n3,30,a\n");
        QVERIFY(repo.add({QStringLiteral("t.csv")}).isOk());
        git(m_root, {QStringLiteral("add"), QStringLiteral("t.csv.dvc")});
        git(m_root, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("t1")});
        // One row more, amount mean 20 → 25, city dropped, score added.
        writeFile(at(QStringLiteral("t.csv")), "id,amount,score\n1,10,0.5\n2,20,0.7\n3,30,0.1\n4,40,0.9\n");
        QVERIFY(repo.add({QStringLiteral("t.csv")}).isOk());
        auto d = diffRevisions(repo, *m_git, QStringLiteral("HEAD"), kWorkspaceRevision, true);
        QVERIFY2(d.isOk(), qPrintable(d.status().message()));
        QCOMPARE(d->changes.size(), 1);
        const auto table = d->changes.first().table;
        QVERIFY(table);
        QCOMPARE(table->rowsBefore, qint64(3));
        QCOMPARE(table->rowsAfter, qint64(4));
        QStringList kinds;
        for (const auto &c : table->columns)
            kinds << QStringLiteral("%1:%2").arg(c.name, QLatin1String(columnChangeName(c.kind)));
        QCOMPARE(kinds, (QStringList{QStringLiteral("id:changed"), QStringLiteral("amount:changed"), QStringLiteral("score:added"),
                                     QStringLiteral("city:removed")}));
        QCOMPARE(table->columns.at(1).meanDelta, 5.0);
    }

    void pushThenPullRestoresVerifiedData()
    {
        DataRepository repo(m_root, m_db.get());
        writeFile(at(QStringLiteral("a.csv")), "alpha");
        writeFile(at(QStringLiteral("dir/x")), "x");
        QVERIFY(repo.add({QStringLiteral("a.csv"), QStringLiteral("dir")}).isOk());
        const QString remote = m_tmp.filePath(QStringLiteral("nas%1").arg(m_n));
        auto config = DvcConfig::load(m_root);
        config->setValue(DvcConfig::remoteSection(QStringLiteral("nas")), QStringLiteral("url"), remote);
        config->setValue(QStringLiteral("core"), QStringLiteral("remote"), QStringLiteral("nas"));
        QVERIFY(config->save(m_root).isOk());

        auto pushed = push(repo, QString(), {});
        QVERIFY2(pushed.isOk(), qPrintable(pushed.status().message()));
        QCOMPARE(pushed->transferred.size(), 3); // a.csv, dir manifest, dir/x
        QVERIFY(QFile::exists(remote + QStringLiteral("/files/md5/") + md5("alpha").left(2) + QLatin1Char('/') + md5("alpha").mid(2)));
        QCOMPARE(push(repo, QString(), {})->alreadyThere, qint64(3));

        // A fresh clone: empty cache, no data files.
        QDir(repo.cache().root() + QStringLiteral("/files")).removeRecursively();
        QFile::remove(at(QStringLiteral("a.csv")));
        QDir(at(QStringLiteral("dir"))).removeRecursively();
        auto fetched = fetch(repo, QString(), {});
        QVERIFY2(fetched.isOk(), qPrintable(fetched.status().message()));
        QCOMPARE(fetched->transferred.size(), 3);
        QVERIFY(repo.checkout({}, false).isOk());
        for (const auto &s : *repo.status())
            QVERIFY(s.state == OutState::Unchanged && s.inCache);

        // A corrupt object on the remote is refused, not cached.
        const QString remoteObject = remote + QStringLiteral("/files/md5/") + md5("alpha").left(2) + QLatin1Char('/') + md5("alpha").mid(2);
        QFile::setPermissions(remoteObject, QFile::ReadOwner | QFile::WriteOwner);
        writeFile(remoteObject, "tampered");
        QVERIFY(repo.cache().remove(md5("alpha")).isOk());
        auto bad = fetch(repo, QStringLiteral("nas"), {QStringLiteral("a.csv")});
        QCOMPARE(bad.status().code(), ErrorCode::Corrupt);
        QVERIFY(!repo.cache().contains(md5("alpha")));
    }

    void unknownOrCloudRemotesAreClearErrors()
    {
        DataRepository repo(m_root, m_db.get());
        QVERIFY(push(repo, QString(), {}).status().message().contains(QStringLiteral("remote add")));
        auto config = DvcConfig::load(m_root);
        config->setValue(DvcConfig::remoteSection(QStringLiteral("s3")), QStringLiteral("url"), QStringLiteral("s3://bucket/path"));
        QVERIFY(config->save(m_root).isOk());
        QCOMPARE(push(repo, QStringLiteral("s3"), {}).status().code(), ErrorCode::Unsupported);
        QCOMPARE(push(repo, QStringLiteral("nope"), {}).status().code(), ErrorCode::NotFound);
    }
};

QTEST_GUILESS_MAIN(TstDataHistory)
#include "tst_data_history.moc"
