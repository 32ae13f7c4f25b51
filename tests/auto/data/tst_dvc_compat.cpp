// DVC compatibility of `data add | status | checkout` where DVC's own code decides (issue 21):
// symlinks inside an added folder, .dvcignore, executable files, and workspaces whose .dvc files
// an earlier Orrery wrote. Every md5, size and nfiles is checked against dvc_tree_oracle.py
// (Python's os.walk, hashlib and json, pathspec's gitwildmatch — DVC's own matcher — with DVC's
// rules for nested .dvcignore files), and .dvc texts against DVC's documented layout.
#include "core/data/data_repository.h"
#include "core/data/dvc_ignore.h"
#include "core/store/database.h"
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace orrery;
using namespace orrery::data;
using testing::readFile;
using testing::writeFile;

namespace {

const char *kPython = "/usr/bin/python3";

QString md5(const QByteArray &b)
{
    return QString::fromLatin1(QCryptographicHash::hash(b, QCryptographicHash::Md5).toHex());
}

struct Oracle {
    QString md5;
    qint64 size = -1;
    qint64 nfiles = -1;
    QStringList relpaths;
};

mode_t modeOf(const QString &path)
{
    struct stat st;
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? st.st_mode : 0;
}

void chmodTo(const QString &path, mode_t mode)
{
    QVERIFY2(::chmod(QFile::encodeName(path).constData(), mode) == 0, qPrintable(path));
}

void symlinkTo(const QString &target, const QString &link)
{
    QDir().mkpath(QFileInfo(link).absolutePath());
    QVERIFY2(::symlink(QFile::encodeName(target).constData(), QFile::encodeName(link).constData()) == 0, qPrintable(link));
}

} // namespace

class TstDvcCompat : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    int m_n = 0;
    QString m_root;
    std::unique_ptr<store::Database> m_db;

    QString at(const QString &rel) const { return m_root + QLatin1Char('/') + rel; }

    // DVC's hash of a folder, from the oracle.
    Oracle oracle(const QString &folder)
    {
        const auto r = testing::run(QString::fromLatin1(kPython),
                                    {QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/data/dvc_tree_oracle.py"), m_root, folder});
        if (!r.ok())
            qFatal("oracle failed: %s", qPrintable(r.describe()));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        Oracle result{o.value(QStringLiteral("md5")).toString(), qint64(o.value(QStringLiteral("size")).toDouble()),
                      qint64(o.value(QStringLiteral("nfiles")).toDouble()), {}};
        for (const QJsonValue &v : o.value(QStringLiteral("relpaths")).toArray())
            result.relpaths << v.toString();
        return result;
    }

    // The .dvc file DVC writes for a folder (dvc/output.py dumpd: md5, size, nfiles, hash, path).
    static QByteArray dirDvcText(const Oracle &o, const QString &name)
    {
        return QStringLiteral("outs:\n- md5: %1\n  size: %2\n  nfiles: %3\n  hash: md5\n  path: %4\n")
            .arg(o.md5).arg(o.size).arg(o.nfiles).arg(name).toUtf8();
    }

    void checkAddedAsDvc(DataRepository &repo, const QString &folder)
    {
        const Oracle expected = oracle(folder);
        auto added = repo.add({folder});
        QVERIFY2(added.isOk(), qPrintable(added.status().message()));
        const auto &a = added->added.first();
        QCOMPARE(a.md5, expected.md5);
        QCOMPARE(a.size, expected.size);
        QCOMPARE(a.nfiles, expected.nfiles);
        QCOMPARE(readFile(at(folder + QStringLiteral(".dvc"))), dirDvcText(expected, QFileInfo(folder).fileName()));
        // The manifest in the cache names exactly the files DVC hashes.
        const QJsonArray manifest = QJsonDocument::fromJson(readFile(repo.cache().objectPath(a.md5))).array();
        QStringList relpaths;
        for (const QJsonValue &v : manifest)
            relpaths << v.toObject().value(QStringLiteral("relpath")).toString();
        QCOMPARE(relpaths, expected.relpaths);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QString::fromLatin1(kPython)), "no /usr/bin/python3: run packaging/setup.sh --test");
        const auto probe = testing::run(QString::fromLatin1(kPython), {QStringLiteral("-c"), QStringLiteral("import pathspec")});
        QVERIFY2(probe.ok(), "python3-pathspec is missing: run packaging/setup.sh --test");
    }

    void init()
    {
        m_root = m_tmp.filePath(QStringLiteral("ws%1").arg(++m_n));
        QDir().mkpath(m_root + QStringLiteral("/.orrery/cache"));
        store::OpenOptions o;
        o.create = true;
        auto db = store::Database::open(m_root + QStringLiteral("/.orrery/orrery.db"), o);
        QVERIFY(db.isOk());
        m_db = std::move(*db);
    }

    // Case 1: a link to a file inside the folder or elsewhere in the workspace is followed, as
    // dvc-data does; a link to a folder is not descended into (os.walk).
    void symlinksInsideTheWorkspaceAreFollowed()
    {
        writeFile(at(QStringLiteral("shared/t.txt")), "the target, outside the folder");
        writeFile(at(QStringLiteral("shared/deep/u.txt")), "under a linked folder");
        writeFile(at(QStringLiteral("d/a.txt")), "a");
        symlinkTo(QStringLiteral("../shared/t.txt"), at(QStringLiteral("d/to_shared.txt")));
        symlinkTo(QStringLiteral("a.txt"), at(QStringLiteral("d/sub/to_a.txt")).replace(QStringLiteral("sub/"), QString()));
        symlinkTo(at(QStringLiteral("shared/t.txt")), at(QStringLiteral("d/absolute.txt"))); // absolute, still inside
        symlinkTo(QStringLiteral("../shared"), at(QStringLiteral("d/linked_folder")));
        DataRepository repo(m_root, m_db.get());
        checkAddedAsDvc(repo, QStringLiteral("d"));
        QCOMPARE(oracle(QStringLiteral("d")).relpaths,
                 (QStringList{QStringLiteral("a.txt"), QStringLiteral("absolute.txt"), QStringLiteral("to_a.txt"), QStringLiteral("to_shared.txt")}));
        QCOMPARE(oracle(QStringLiteral("d")).size, qint64(1 + 30 + 1 + 30));

        auto clean = repo.status();
        QVERIFY2(clean.isOk(), qPrintable(clean.status().message()));
        QCOMPARE(clean->first().state, OutState::Unchanged);

        // The target changes: DVC calls the folder modified, and so does Orrery, naming the links.
        writeFile(at(QStringLiteral("shared/t.txt")), "the target, changed");
        auto changed = repo.status();
        QVERIFY(changed.isOk());
        QCOMPARE(changed->first().state, OutState::Modified);
        QCOMPARE(changed->first().currentHash, oracle(QStringLiteral("d")).md5);
        QCOMPARE(changed->first().modified, (QStringList{QStringLiteral("absolute.txt"), QStringLiteral("to_shared.txt")}));

        // Checkout replaces the links by the recorded files and never writes through them.
        auto co = repo.checkout({}, true);
        QVERIFY2(co.isOk(), qPrintable(co.status().message()));
        QCOMPARE(readFile(at(QStringLiteral("shared/t.txt"))), QByteArray("the target, changed"));
        QVERIFY(!QFileInfo(at(QStringLiteral("d/to_shared.txt"))).isSymLink());
        QCOMPARE(readFile(at(QStringLiteral("d/to_shared.txt"))), QByteArray("the target, outside the folder"));
        QCOMPARE(repo.status()->first().state, OutState::Unchanged);
    }

    // The documented rule: a link out of the workspace, or to nothing, is an error naming it.
    void symlinksOutOfTheWorkspaceAreRefused()
    {
        QTemporaryDir outside;
        writeFile(outside.filePath(QStringLiteral("secret.txt")), "not workspace data");
        writeFile(at(QStringLiteral("d/a.txt")), "a");
        symlinkTo(outside.filePath(QStringLiteral("secret.txt")), at(QStringLiteral("d/sub/evil.txt")));
        DataRepository repo(m_root, m_db.get());
        auto refused = repo.add({QStringLiteral("d")});
        QVERIFY(!refused.isOk());
        QVERIFY2(refused.status().message().contains(QStringLiteral("d/sub/evil.txt")), qPrintable(refused.status().message()));
        QVERIFY2(refused.status().message().contains(QStringLiteral("outside the workspace")), qPrintable(refused.status().message()));
        QVERIFY(!QFile::exists(at(QStringLiteral("d.dvc"))));

        // The fix the message offers: list it in .dvcignore; then DVC and Orrery agree without it.
        writeFile(at(QStringLiteral(".dvcignore")), "evil.txt\n");
        checkAddedAsDvc(repo, QStringLiteral("d"));
        QCOMPARE(oracle(QStringLiteral("d")).relpaths, QStringList{QStringLiteral("a.txt")});

        // A folder link out of the workspace is never descended into, so never followed.
        symlinkTo(outside.path(), at(QStringLiteral("d/outside_folder")));
        QCOMPARE(repo.status()->first().state, OutState::Unchanged);

        // A link to nothing: DVC fails on it too.
        symlinkTo(QStringLiteral("missing.txt"), at(QStringLiteral("d/broken.txt")));
        auto broken = repo.status();
        QVERIFY(!broken.isOk());
        QVERIFY2(broken.status().message().contains(QStringLiteral("d/broken.txt")), qPrintable(broken.status().message()));
    }

    // Case 2: .dvcignore's patterns, from the root and from a folder above the data.
    void dvcignoreLeavesFilesOut()
    {
        writeFile(at(QStringLiteral(".dvcignore")), "# scratch files\n*.tmp\nlogs/\n");
        writeFile(at(QStringLiteral("proj/.dvcignore")), "!keep.tmp\n/data/cache\n");
        for (const char *f : {"proj/data/a.csv", "proj/data/x.tmp", "proj/data/keep.tmp", "proj/data/sub/s.tmp", "proj/data/sub/b.csv",
                              "proj/data/logs/l.txt", "proj/data/cache/c.bin", "proj/data/sub/logs", "proj/data/sub/cache/kept.bin"})
            writeFile(at(QString::fromLatin1(f)), QByteArray("content of ") + f);
        DataRepository repo(m_root, m_db.get());
        checkAddedAsDvc(repo, QStringLiteral("proj/data"));
        // The issue's own case, closed form: x.tmp and sub/s.tmp are not in the manifest.
        QCOMPARE(oracle(QStringLiteral("proj/data")).relpaths,
                 (QStringList{QStringLiteral("a.csv"), QStringLiteral("keep.tmp"), QStringLiteral("sub/b.csv"),
                              QStringLiteral("sub/cache/kept.bin"), QStringLiteral("sub/logs")}));

        // Ignored files come and go without changing the folder; checkout leaves them alone.
        writeFile(at(QStringLiteral("proj/data/new.tmp")), "scratch");
        writeFile(at(QStringLiteral("proj/data/logs/m.txt")), "more logs");
        QCOMPARE(repo.status()->first().state, OutState::Unchanged);
        writeFile(at(QStringLiteral("proj/data/a.csv")), "changed");
        auto co = repo.checkout({}, true);
        QVERIFY2(co.isOk(), qPrintable(co.status().message()));
        QCOMPARE(co->restored, QStringList{QStringLiteral("proj/data/a.csv")});
        QVERIFY(co->removed.isEmpty());
        QCOMPARE(readFile(at(QStringLiteral("proj/data/new.tmp"))), QByteArray("scratch"));
        QVERIFY(QFile::exists(at(QStringLiteral("proj/data/logs/m.txt"))));

        // A changed .dvcignore changes the folder's hash, for DVC and for Orrery alike.
        writeFile(at(QStringLiteral(".dvcignore")), "*.tmp\n");
        auto s = repo.status();
        QVERIFY(s.isOk());
        QCOMPARE(s->first().state, OutState::Modified);
        QCOMPARE(s->first().currentHash, oracle(QStringLiteral("proj/data")).md5);

        // A .dvcignore inside the tracked folder is refused, as DVC refuses it.
        writeFile(at(QStringLiteral("proj/data/sub/.dvcignore")), "b.csv\n");
        auto refused = repo.status();
        QVERIFY(!refused.isOk());
        QVERIFY2(refused.status().message().contains(QStringLiteral("proj/data/sub/.dvcignore")), qPrintable(refused.status().message()));
    }

    // The matcher against pathspec, pattern by pattern (root .dvcignore, DVC's defaults first).
    void dvcignoreMatchesPathspec()
    {
        const QStringList patterns = {
            QStringLiteral("*.tmp"), QStringLiteral("!keep.tmp"), QStringLiteral("a/**/b"), QStringLiteral("/top"),
            QStringLiteral("dir/"), QStringLiteral("[!x]y.txt"), QStringLiteral("**/deep/*.bin"), QStringLiteral("n?.csv"),
            QStringLiteral("build/**"), QStringLiteral("\\#hash"), QStringLiteral("lit[ab]"), QStringLiteral("**/"),
            QStringLiteral("mid/*/end"), QStringLiteral("!build/keep"), QStringLiteral("sp ace.txt"), QStringLiteral("*"),
            QStringLiteral("!*.csv")};
        const QVector<std::pair<QString, bool>> paths = {
            {"x.tmp", false}, {"keep.tmp", false}, {"s/keep.tmp", false}, {"a/b", false}, {"a/q/r/b", false}, {"top", false},
            {"s/top", false}, {"dir", true}, {"dir", false}, {"s/dir", true}, {"zy.txt", false}, {"xy.txt", false},
            {"q/deep/f.bin", false}, {"deep/f.bin", false}, {"n1.csv", false}, {"n12.csv", false}, {"build/x/y", false},
            {"build/keep", false}, {"#hash", false}, {"lita", false}, {"litc", false}, {"s", true}, {"s/t", false},
            {"mid/x/end", false}, {"mid/x/y/end", false}, {"sp ace.txt", false}, {"f.csv", false}, {".git", false},
            {"s/.git/config", false}, {".dvc", true}, {".hg", false}, {"plain", false}};
        // Each pattern alone, then all of them in order (the last match decides).
        QVector<QStringList> sets;
        for (const QString &p : patterns)
            sets.append({p});
        sets.append(patterns);
        for (const QStringList &set : sets) {
            QJsonArray jsonPaths;
            for (const auto &[p, d] : paths)
                jsonPaths.append(QJsonArray{p, d});
            testing::ProcessOptions options;
            options.input = QJsonDocument(QJsonObject{{QStringLiteral("patterns"), QJsonArray::fromStringList(set)},
                                                      {QStringLiteral("paths"), jsonPaths}}).toJson();
            const auto r = testing::run(QString::fromLatin1(kPython),
                                        {QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/data/dvc_tree_oracle.py"), QStringLiteral("--match")}, options);
            QVERIFY2(r.ok(), qPrintable(r.describe()));
            const QJsonArray expected = QJsonDocument::fromJson(r.out.toUtf8()).array();
            QCOMPARE(expected.size(), paths.size());
            QDir(m_root).removeRecursively();
            writeFile(at(QStringLiteral(".dvcignore")), set.join(QLatin1Char('\n')).toUtf8() + '\n');
            DvcIgnore ignore(m_root);
            for (int i = 0; i < paths.size(); ++i) {
                auto got = ignore.isIgnored(paths[i].first, paths[i].second);
                QVERIFY2(got.isOk(), qPrintable(got.status().message()));
                QVERIFY2(*got == expected[i].toBool(), qPrintable(QStringLiteral("patterns [%1], path '%2' (%3): Orrery %4, pathspec %5")
                                                                      .arg(set.join(QStringLiteral(", ")), paths[i].first,
                                                                           paths[i].second ? QStringLiteral("folder") : QStringLiteral("file"))
                                                                      .arg(*got).arg(expected[i].toBool())));
            }
        }
    }

    // Case 3: an executable file records isexec: true, and checkout gives the bit back.
    void executableFilesRecordIsexec()
    {
        const QByteArray script = "#!/bin/sh\necho hello\n";
        writeFile(at(QStringLiteral("tools/run.sh")), script);
        chmodTo(at(QStringLiteral("tools/run.sh")), 0755);
        writeFile(at(QStringLiteral("tools/plain.txt")), "plain");
        chmodTo(at(QStringLiteral("tools/plain.txt")), 0644);
        DataRepository repo(m_root, m_db.get());
        QVERIFY(repo.add({QStringLiteral("tools/run.sh"), QStringLiteral("tools/plain.txt")}).isOk());
        QCOMPARE(readFile(at(QStringLiteral("tools/run.sh.dvc"))),
                 QStringLiteral("outs:\n- md5: %1\n  size: %2\n  isexec: true\n  hash: md5\n  path: run.sh\n").arg(md5(script)).arg(script.size()).toUtf8());
        QCOMPARE(readFile(at(QStringLiteral("tools/plain.txt.dvc"))),
                 QStringLiteral("outs:\n- md5: %1\n  size: 5\n  hash: md5\n  path: plain.txt\n").arg(md5("plain")).toUtf8());
        // Group or other execute bits count too (dvc-objects' is_exec).
        writeFile(at(QStringLiteral("tools/group.sh")), "g");
        chmodTo(at(QStringLiteral("tools/group.sh")), 0654);
        QVERIFY(repo.add({QStringLiteral("tools/group.sh")}).isOk());
        QVERIFY(readFile(at(QStringLiteral("tools/group.sh.dvc"))).contains("  isexec: true\n"));

        // The bit alone is not a change (DVC compares hashes) — but checkout restores it.
        chmodTo(at(QStringLiteral("tools/run.sh")), 0644);
        auto s = repo.status({QStringLiteral("tools/run.sh")});
        QVERIFY(s.isOk());
        QCOMPARE(s->first().state, OutState::Unchanged);
        auto co = repo.checkout({QStringLiteral("tools/run.sh")}, false);
        QVERIFY2(co.isOk(), qPrintable(co.status().message()));
        QCOMPARE(co->restored, QStringList{QStringLiteral("tools/run.sh")});
        QCOMPARE(modeOf(at(QStringLiteral("tools/run.sh"))) & 0777, mode_t(0744));

        // Deleted: restored from the cache with its execute bit; the plain file without one.
        QFile::remove(at(QStringLiteral("tools/run.sh")));
        QFile::remove(at(QStringLiteral("tools/plain.txt")));
        co = repo.checkout({}, false);
        QVERIFY2(co.isOk(), qPrintable(co.status().message()));
        QCOMPARE(readFile(at(QStringLiteral("tools/run.sh"))), script);
        QVERIFY(modeOf(at(QStringLiteral("tools/run.sh"))) & S_IXUSR);
        QVERIFY(!(modeOf(at(QStringLiteral("tools/plain.txt"))) & (S_IXUSR | S_IXGRP | S_IXOTH)));
        // A .dvc file with isexec reads back with it (and keeps it when written again).
        auto file = DvcFile::parse(readFile(at(QStringLiteral("tools/run.sh.dvc"))), QStringLiteral("run.sh.dvc"));
        QVERIFY(file.isOk());
        QVERIFY(file->outs.first().isexec);
        QCOMPARE(file->serialize(), readFile(at(QStringLiteral("tools/run.sh.dvc"))));
    }

    // An existing workspace whose .dvc files an earlier Orrery wrote (links skipped, .dvcignore
    // not applied, no isexec) is reported as changed only where DVC reports it.
    void oldWorkspaceChangedOnlyWhereDvcSaysSo()
    {
        DataRepository repo(m_root, m_db.get());
        // Folder "plain": regular files only — the old manifest is DVC's manifest.
        writeFile(at(QStringLiteral("plain/a.csv")), "1");
        writeFile(at(QStringLiteral("plain/b/c.csv")), "22");
        // Folder "mixed": a link and a .tmp file, recorded the old way (the link left out, x.tmp in).
        writeFile(at(QStringLiteral(".dvcignore")), "*.tmp\n");
        writeFile(at(QStringLiteral("mixed/a.csv")), "1");
        writeFile(at(QStringLiteral("mixed/x.tmp")), "tmp");
        symlinkTo(QStringLiteral("a.csv"), at(QStringLiteral("mixed/link.csv")));
        // The executable, recorded without isexec.
        writeFile(at(QStringLiteral("run.sh")), "#!/bin/sh\n");
        chmodTo(at(QStringLiteral("run.sh")), 0755);

        // The old manifests in closed form: json.dumps of ASCII names is exactly this text.
        const auto writeOld = [&](const QString &name, const QVector<std::pair<QString, QByteArray>> &files) {
            QByteArray manifest = "[";
            for (const auto &[rel, content] : files)
                manifest += QStringLiteral("%1{\"md5\": \"%2\", \"relpath\": \"%3\"}")
                                .arg(manifest.size() > 1 ? QStringLiteral(", ") : QString(), md5(content), rel).toUtf8();
            manifest += "]";
            qint64 size = 0;
            for (const auto &f : files) {
                QVERIFY(repo.cache().addBytes(f.second, false).isOk());
                size += f.second.size();
            }
            QVERIFY(repo.cache().addBytes(manifest, true).isOk());
            writeFile(at(name + QStringLiteral(".dvc")), QStringLiteral("outs:\n- md5: %1.dir\n  size: %2\n  nfiles: %3\n  hash: md5\n  path: %4\n")
                                                             .arg(md5(manifest)).arg(size).arg(files.size()).arg(name).toUtf8());
        };
        writeOld(QStringLiteral("plain"), {{QStringLiteral("a.csv"), "1"}, {QStringLiteral("b/c.csv"), "22"}});
        writeOld(QStringLiteral("mixed"), {{QStringLiteral("a.csv"), "1"}, {QStringLiteral("x.tmp"), "tmp"}});
        QVERIFY(repo.cache().addBytes("#!/bin/sh\n", false).isOk());
        writeFile(at(QStringLiteral("run.sh.dvc")), QStringLiteral("outs:\n- md5: %1\n  size: 10\n  hash: md5\n  path: run.sh\n").arg(md5("#!/bin/sh\n")).toUtf8());
        // For the folder of regular files, the old record is DVC's own.
        auto plainDvc = DvcFile::parse(readFile(at(QStringLiteral("plain.dvc"))), QStringLiteral("plain.dvc"));
        QVERIFY(plainDvc.isOk());
        QCOMPARE(plainDvc->outs.first().md5, oracle(QStringLiteral("plain")).md5);

        auto s = repo.status();
        QVERIFY2(s.isOk(), qPrintable(s.status().message()));
        QCOMPARE(s->size(), 3);
        QHash<QString, OutStatus> by;
        for (const auto &o : *s)
            by.insert(o.tracked.path, o);
        QCOMPARE(by.value(QStringLiteral("plain")).state, OutState::Unchanged);
        QCOMPARE(by.value(QStringLiteral("run.sh")).state, OutState::Unchanged);
        const OutStatus mixed = by.value(QStringLiteral("mixed"));
        QCOMPARE(mixed.state, OutState::Modified);
        QCOMPARE(mixed.currentHash, oracle(QStringLiteral("mixed")).md5);
        QCOMPARE(mixed.added, QStringList{QStringLiteral("link.csv")});
        QCOMPARE(mixed.removed, QStringList{QStringLiteral("x.tmp")});

        // add records it the new way: DVC's hash, and then nothing is changed.
        checkAddedAsDvc(repo, QStringLiteral("mixed"));
        for (const auto &o : *repo.status())
            QCOMPARE(o.state, OutState::Unchanged);
    }
};

QTEST_GUILESS_MAIN(TstDvcCompat)
#include "tst_dvc_compat.moc"
