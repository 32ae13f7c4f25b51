// orrery-cli data add | status | checkout | remote | push | pull as a user runs them, end to end in
// a temporary workspace with the real git: exit statuses (0 done, 1 something differs or is
// missing, 2 an error), what each prints (text and --json), the .dvc files, .gitignore entries and
// cache objects add makes, status naming each change, checkout restoring a changed or deleted file
// from the cache and refusing — changing nothing — to overwrite content the cache does not have
// unless --force, and push to a folder remote then pull back into a fresh clone of the repository
// (objects verified on the way: a missing or corrupt one is named and nothing is checked out).
#include "tests/support/test_support.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using Run = orrery::testing::ProcessResult;
using orrery::testing::git;
using orrery::testing::readFile;
using orrery::testing::runCli;
using orrery::testing::writeFile;

namespace {

const QByteArray kTrainV1 = "id,amount\n1,10\n2,20\n";
const QByteArray kTrainV2 = "id,amount\n1,10\n2,20\n3,30\n";
const QByteArray kImageA = "image a";
const QByteArray kImageB = "image b, a little longer";

QString md5(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex());
}

// Where a cache (the workspace's or a folder remote) keeps an object: DVC's files/md5/ab/cdef….
QString objectPath(const QString &cacheRoot, const QString &hash)
{
    return cacheRoot + QStringLiteral("/files/md5/") + hash.left(2) + QLatin1Char('/') + hash.mid(2);
}

QStringList objectsIn(const QString &cacheRoot)
{
    QStringList hashes;
    QDirIterator it(cacheRoot + QStringLiteral("/files/md5"), QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo f(it.next());
        hashes << f.dir().dirName() + f.fileName();
    }
    hashes.sort();
    return hashes;
}

QJsonDocument json(const Run &r)
{
    QJsonParseError error;
    const QJsonDocument d = QJsonDocument::fromJson(r.out.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("not JSON: %s", qPrintable(r.describe()));
    return d;
}

QJsonObject entryFor(const QJsonArray &array, const QString &path)
{
    for (const QJsonValue &v : array)
        if (v.toObject().value(QStringLiteral("path")).toString() == path)
            return v.toObject();
    return {};
}

QStringList strings(const QJsonValue &array)
{
    QStringList out;
    for (const QJsonValue &v : array.toArray())
        out << v.toString();
    return out;
}

} // namespace

class TstCliData : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_ws;     // the workspace (a git repository)
    QString m_remote; // a folder remote, as a mounted NAS would be
    QString m_imgsManifest;

    Run cli(const QStringList &args) { return runCli(args, m_ws); }
    QString at(const QString &relative) const { return m_ws + QLatin1Char('/') + relative; }
    QString cache() const { return m_ws + QStringLiteral("/.orrery/cache"); }

private Q_SLOTS:
    void initTestCase()
    {
        m_ws = m_dir.filePath(QStringLiteral("ws"));
        m_remote = m_dir.filePath(QStringLiteral("nas/orrery-remote"));
        const Run init = runCli({QStringLiteral("init"), m_ws});
        QVERIFY2(init.ok(), qPrintable(init.describe()));
        writeFile(at(QStringLiteral("data/train.csv")), kTrainV1);
        writeFile(at(QStringLiteral("data/imgs/a.png")), kImageA);
        writeFile(at(QStringLiteral("data/imgs/b.png")), kImageB);
    }

    void addTracksFilesAndFoldersInTheCache()
    {
        const Run r = cli({QStringLiteral("data"), QStringLiteral("add"), QStringLiteral("data/train.csv"), QStringLiteral("data/imgs")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("added data/train.csv (%1 B) → data/train.csv.dvc").arg(kTrainV1.size())), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("added data/imgs (%1 B, 2 files) → data/imgs.dvc").arg(kImageA.size() + kImageB.size())), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("git add data/train.csv.dvc data/imgs.dvc")), qPrintable(r.out));

        // The .dvc files, in DVC 3's format.
        QCOMPARE(readFile(at(QStringLiteral("data/train.csv.dvc"))),
                 QStringLiteral("outs:\n- md5: %1\n  size: %2\n  hash: md5\n  path: train.csv\n").arg(md5(kTrainV1)).arg(kTrainV1.size()).toUtf8());
        const QByteArray imgsDvc = readFile(at(QStringLiteral("data/imgs.dvc")));
        QVERIFY2(imgsDvc.contains("nfiles: 2\n") && imgsDvc.contains("path: imgs\n"), imgsDvc.constData());
        const int start = int(imgsDvc.indexOf("md5: ")) + 5;
        m_imgsManifest = QString::fromLatin1(imgsDvc.mid(start, imgsDvc.indexOf('\n', start) - start));
        QVERIFY2(m_imgsManifest.endsWith(QStringLiteral(".dir")), qPrintable(m_imgsManifest));

        // The cache holds each file's bytes under its md5, and the folder's manifest.
        QCOMPARE(readFile(objectPath(cache(), md5(kTrainV1))), kTrainV1);
        QCOMPARE(readFile(objectPath(cache(), md5(kImageA))), kImageA);
        QCOMPARE(readFile(objectPath(cache(), md5(kImageB))), kImageB);
        const QJsonArray manifest = QJsonDocument::fromJson(readFile(objectPath(cache(), m_imgsManifest))).array();
        QCOMPARE(manifest.size(), 2); // sorted by relpath, as DVC writes it
        QCOMPARE(manifest[0].toObject().value(QStringLiteral("relpath")).toString(), QStringLiteral("a.png"));
        QCOMPARE(manifest[0].toObject().value(QStringLiteral("md5")).toString(), md5(kImageA));
        QCOMPARE(manifest[1].toObject().value(QStringLiteral("relpath")).toString(), QStringLiteral("b.png"));
        QCOMPARE(manifest[1].toObject().value(QStringLiteral("md5")).toString(), md5(kImageB));

        // git sees the .dvc files and not the data.
        QCOMPARE(readFile(at(QStringLiteral("data/.gitignore"))), QByteArray("/train.csv\n/imgs\n"));
        const QString status = git(m_ws, {QStringLiteral("status"), QStringLiteral("--porcelain"), QStringLiteral("--untracked-files=all"), QStringLiteral("data")});
        QVERIFY2(status.contains(QStringLiteral("data/train.csv.dvc")) && status.contains(QStringLiteral("data/imgs.dvc")), qPrintable(status));
        QVERIFY2(!status.contains(QStringLiteral("data/train.csv\n")) && !status.contains(QStringLiteral("data/imgs/")), qPrintable(status));

        // Adding the same content again changes nothing, and says so (--json: changed false).
        const Run again = cli({QStringLiteral("data"), QStringLiteral("add"), QStringLiteral("data/train.csv"), QStringLiteral("--json")});
        QVERIFY2(again.ok(), qPrintable(again.describe()));
        const QJsonObject o = entryFor(json(again).array(), QStringLiteral("data/train.csv"));
        QCOMPARE(o.value(QStringLiteral("dvc_file")).toString(), QStringLiteral("data/train.csv.dvc"));
        QCOMPARE(o.value(QStringLiteral("md5")).toString(), md5(kTrainV1));
        QCOMPARE(o.value(QStringLiteral("size")).toInteger(), qint64(kTrainV1.size()));
        QCOMPARE(o.value(QStringLiteral("changed")).toBool(), false);

        // The change is in the audit log.
        const Run audit = cli({QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY2(audit.ok(), qPrintable(audit.describe()));
        QStringList added;
        for (const QJsonValue &e : json(audit).array())
            if (e.toObject().value(QStringLiteral("action")).toString() == QLatin1String("data.add"))
                added << e.toObject().value(QStringLiteral("target")).toString();
        added.sort();
        QCOMPARE(added, (QStringList{QStringLiteral("data/imgs"), QStringLiteral("data/train.csv")}));

        git(m_ws, {QStringLiteral("add"), QStringLiteral("-A")});
        git(m_ws, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("data v1")});
    }

    void statusNamesEachChangeAndExitsOne()
    {
        Run r = cli({QStringLiteral("data"), QStringLiteral("status")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("unchanged               data/train.csv")), qPrintable(r.out));

        writeFile(at(QStringLiteral("data/train.csv")), kTrainV2);
        QVERIFY(QFile::remove(at(QStringLiteral("data/imgs/b.png"))));
        writeFile(at(QStringLiteral("data/imgs/c.png")), "image c");
        r = cli({QStringLiteral("data"), QStringLiteral("status")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(QStringLiteral("modified                data/train.csv")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("modified                data/imgs\n    new:      c.png\n    deleted:  b.png")), qPrintable(r.out));

        r = cli({QStringLiteral("data"), QStringLiteral("status"), QStringLiteral("--json")});
        QCOMPARE(r.code, 1);
        const QJsonObject train = entryFor(json(r).array(), QStringLiteral("data/train.csv"));
        QCOMPARE(train.value(QStringLiteral("state")).toString(), QStringLiteral("modified"));
        QCOMPARE(train.value(QStringLiteral("recorded_md5")).toString(), md5(kTrainV1));
        QCOMPARE(train.value(QStringLiteral("current_md5")).toString(), md5(kTrainV2));
        QVERIFY(train.value(QStringLiteral("in_cache")).toBool());
        const QJsonObject imgs = entryFor(json(r).array(), QStringLiteral("data/imgs"));
        QCOMPARE(strings(imgs.value(QStringLiteral("added"))), QStringList{QStringLiteral("c.png")});
        QCOMPARE(strings(imgs.value(QStringLiteral("removed"))), QStringList{QStringLiteral("b.png")});

        // One target at a time: the folder alone, by its .dvc file.
        r = cli({QStringLiteral("data"), QStringLiteral("status"), QStringLiteral("data/imgs.dvc"), QStringLiteral("--json")});
        QCOMPARE(r.code, 1);
        QCOMPARE(json(r).array().size(), 1);

        QVERIFY(QFile::remove(at(QStringLiteral("data/train.csv"))));
        r = cli({QStringLiteral("data"), QStringLiteral("status"), QStringLiteral("data/train.csv"), QStringLiteral("--json")});
        QCOMPARE(r.code, 1);
        QCOMPARE(entryFor(json(r).array(), QStringLiteral("data/train.csv")).value(QStringLiteral("state")).toString(), QStringLiteral("missing"));
    }

    // Work that is not in the cache is never overwritten without --force, and a refused checkout
    // changes nothing at all (not even the files it could have restored).
    void checkoutRefusesToOverwriteWorkNotInTheCache()
    {
        writeFile(at(QStringLiteral("data/train.csv")), "my unsaved edit\n");
        const Run r = cli({QStringLiteral("data"), QStringLiteral("checkout")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("checkout would overwrite changes that are not in the cache, so nothing was changed")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("data/train.csv")) && r.err.contains(QStringLiteral("data/imgs/c.png")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("--force")), qPrintable(r.err));
        QCOMPARE(readFile(at(QStringLiteral("data/train.csv"))), QByteArray("my unsaved edit\n"));
        QCOMPARE(readFile(at(QStringLiteral("data/imgs/c.png"))), QByteArray("image c"));
        QVERIFY(!QFile::exists(at(QStringLiteral("data/imgs/b.png")))); // restorable, but nothing was changed

        const Run forced = cli({QStringLiteral("data"), QStringLiteral("checkout"), QStringLiteral("--force"), QStringLiteral("--json")});
        QVERIFY2(forced.ok(), qPrintable(forced.describe()));
        const QJsonObject o = json(forced).object();
        QStringList restored = strings(o.value(QStringLiteral("restored")));
        restored.sort();
        QCOMPARE(restored, (QStringList{QStringLiteral("data/imgs/b.png"), QStringLiteral("data/train.csv")}));
        QCOMPARE(strings(o.value(QStringLiteral("removed"))), QStringList{QStringLiteral("data/imgs/c.png")});
        QCOMPARE(readFile(at(QStringLiteral("data/train.csv"))), kTrainV1);
        QCOMPARE(readFile(at(QStringLiteral("data/imgs/b.png"))), kImageB);
        QVERIFY(!QFile::exists(at(QStringLiteral("data/imgs/c.png"))));
        QCOMPARE(cli({QStringLiteral("data"), QStringLiteral("status")}).code, 0);
    }

    // The version workflow: v2 added and committed, then the .dvc file of v1 taken back from git;
    // checkout brings v1's bytes back (v2's are in the cache, so no --force is needed), and a
    // deleted file comes back too.
    void checkoutRestoresAChangedFileFromTheCache()
    {
        writeFile(at(QStringLiteral("data/train.csv")), kTrainV2);
        QVERIFY(cli({QStringLiteral("data"), QStringLiteral("add"), QStringLiteral("data/train.csv")}).ok());
        git(m_ws, {QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("data v2")});
        git(m_ws, {QStringLiteral("checkout"), QStringLiteral("HEAD~1"), QStringLiteral("--"), QStringLiteral("data/train.csv.dvc")});
        QVERIFY(QFile::remove(at(QStringLiteral("data/imgs/a.png"))));
        QCOMPARE(cli({QStringLiteral("data"), QStringLiteral("status")}).code, 1);

        const Run r = cli({QStringLiteral("data"), QStringLiteral("checkout")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("restored  data/train.csv")) && r.out.contains(QStringLiteral("restored  data/imgs/a.png")), qPrintable(r.out));
        QCOMPARE(readFile(at(QStringLiteral("data/train.csv"))), kTrainV1);
        QCOMPARE(readFile(at(QStringLiteral("data/imgs/a.png"))), kImageA);
        const Run status = cli({QStringLiteral("data"), QStringLiteral("status")});
        QVERIFY2(status.ok(), qPrintable(status.describe()));

        const Run nothing = cli({QStringLiteral("data"), QStringLiteral("checkout")});
        QVERIFY2(nothing.ok(), qPrintable(nothing.describe()));
        QVERIFY2(nothing.out.contains(QStringLiteral("Everything already matches its .dvc file.")), qPrintable(nothing.out));
        git(m_ws, {QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("back to data v1")});
    }

    void remotesAreConfiguredAsDvcDoes()
    {
        Run r = cli({QStringLiteral("data"), QStringLiteral("push")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("no default remote")) && r.err.contains(QStringLiteral("data remote add")), qPrintable(r.err));

        r = cli({QStringLiteral("data"), QStringLiteral("remote"), QStringLiteral("add"), QStringLiteral("nas"), m_remote});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("remote 'nas' → %1 (default)").arg(m_remote)), qPrintable(r.out));
        const QByteArray config = readFile(at(QStringLiteral(".dvc/config")));
        QVERIFY2(config.contains("['remote \"nas\"']\n    url = " + m_remote.toUtf8() + "\n") && config.contains("[core]\n    remote = nas\n"), config.constData());

        r = cli({QStringLiteral("data"), QStringLiteral("remote"), QStringLiteral("list"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(json(r).array(), (QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("nas")}, {QStringLiteral("url"), m_remote},
                                                          {QStringLiteral("default"), true}}}));
        r = cli({QStringLiteral("data"), QStringLiteral("remote"), QStringLiteral("list")});
        QVERIFY2(r.out.contains(QStringLiteral("nas (default)  ") + m_remote), qPrintable(r.out));

        for (const QStringList &bad : {QStringList{QStringLiteral("data"), QStringLiteral("remote")},
                                       QStringList{QStringLiteral("data"), QStringLiteral("remote"), QStringLiteral("add"), QStringLiteral("only-a-name")},
                                       QStringList{QStringLiteral("data"), QStringLiteral("remote"), QStringLiteral("add"), QStringLiteral("a\"b"), m_remote},
                                       QStringList{QStringLiteral("data"), QStringLiteral("push"), QStringLiteral("--remote"), QStringLiteral("nope")}}) {
            const Run refused = cli(bad);
            QVERIFY2(refused.code == 2, qPrintable(refused.describe()));
        }
        QVERIFY2(cli({QStringLiteral("data"), QStringLiteral("push"), QStringLiteral("--remote"), QStringLiteral("nope")}).err.contains(QStringLiteral("'nope' is not configured")),
                 "an unknown remote is named");
        git(m_ws, {QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("remote")});
    }

    void pushCopiesEachNeededObjectOnce()
    {
        // Needed now: the files of v1 and of the folder; v2's object stays local.
        const QStringList needed = [&] {
            QStringList h{md5(kTrainV1), md5(kImageA), md5(kImageB), m_imgsManifest};
            h.sort();
            return h;
        }();
        Run r = cli({QStringLiteral("data"), QStringLiteral("push"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QJsonObject o = json(r).object();
        QCOMPARE(o.value(QStringLiteral("remote")).toString(), QStringLiteral("nas"));
        QCOMPARE(o.value(QStringLiteral("url")).toString(), m_remote);
        QCOMPARE(strings(o.value(QStringLiteral("transferred"))), needed);
        QCOMPARE(o.value(QStringLiteral("already_there")).toInt(), 0);
        QCOMPARE(objectsIn(m_remote), needed);
        for (const QString &h : needed)
            QCOMPARE(readFile(objectPath(m_remote, h)), readFile(objectPath(cache(), h)));

        r = cli({QStringLiteral("data"), QStringLiteral("push")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("pushed 0 objects to 'nas' (%1); 4 already there").arg(m_remote)), qPrintable(r.out));
    }

    // A colleague clones the repository: the data comes from the remote, verified.
    void pullBringsTheDataIntoAFreshClone()
    {
        const QString clone = m_dir.filePath(QStringLiteral("clone"));
        git(m_dir.path(), {QStringLiteral("clone"), QStringLiteral("-q"), m_ws, clone});
        QVERIFY(!QFile::exists(clone + QStringLiteral("/data/train.csv")));
        Run r = runCli({QStringLiteral("data"), QStringLiteral("pull")}, clone);
        QCOMPARE(r.code, 2); // the database is not versioned: the clone needs `orrery-cli init` first
        QVERIFY2(r.err.contains(QStringLiteral("orrery-cli init")), qPrintable(r.err));
        r = runCli({QStringLiteral("init")}, clone);
        QVERIFY2(r.ok(), qPrintable(r.describe()));

        r = runCli({QStringLiteral("data"), QStringLiteral("status")}, clone);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(QStringLiteral("missing, not in cache   data/train.csv")), qPrintable(r.out));
        r = runCli({QStringLiteral("data"), QStringLiteral("checkout")}, clone);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("not in the cache")) && r.err.contains(QStringLiteral("orrery-cli data pull")), qPrintable(r.err));

        r = runCli({QStringLiteral("data"), QStringLiteral("pull"), QStringLiteral("--json")}, clone);
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QJsonObject o = json(r).object();
        QCOMPARE(strings(o.value(QStringLiteral("transferred"))).size(), 4);
        QStringList restored = strings(o.value(QStringLiteral("restored")));
        restored.sort();
        QCOMPARE(restored, (QStringList{QStringLiteral("data/imgs/a.png"), QStringLiteral("data/imgs/b.png"), QStringLiteral("data/train.csv")}));
        QCOMPARE(readFile(clone + QStringLiteral("/data/train.csv")), kTrainV1);
        QCOMPARE(readFile(clone + QStringLiteral("/data/imgs/a.png")), kImageA);
        QCOMPARE(readFile(clone + QStringLiteral("/data/imgs/b.png")), kImageB);
        QCOMPARE(runCli({QStringLiteral("data"), QStringLiteral("status")}, clone).code, 0);
        r = runCli({QStringLiteral("data"), QStringLiteral("pull")}, clone);
        QVERIFY2(r.ok() && r.out.contains(QStringLiteral("pulled 0 objects from 'nas'")), qPrintable(r.describe()));
    }

    void pullNamesMissingAndCorruptObjectsAndChecksOutNothing()
    {
        const QString trainObject = objectPath(m_remote, md5(kTrainV1));
        const QByteArray good = readFile(trainObject);

        QVERIFY(QFile::remove(trainObject));
        const QString clone = m_dir.filePath(QStringLiteral("clone-missing"));
        git(m_dir.path(), {QStringLiteral("clone"), QStringLiteral("-q"), m_ws, clone});
        QVERIFY(runCli({QStringLiteral("init")}, clone).ok());
        Run r = runCli({QStringLiteral("data"), QStringLiteral("pull")}, clone);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QStringLiteral("missing on both sides: ") + md5(kTrainV1)), qPrintable(r.err));
        QVERIFY(!QFile::exists(clone + QStringLiteral("/data/train.csv")));

        writeFile(trainObject, "rotten bits");
        const QString clone2 = m_dir.filePath(QStringLiteral("clone-corrupt"));
        git(m_dir.path(), {QStringLiteral("clone"), QStringLiteral("-q"), m_ws, clone2});
        QVERIFY(runCli({QStringLiteral("init")}, clone2).ok());
        r = runCli({QStringLiteral("data"), QStringLiteral("pull")}, clone2);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(md5(kTrainV1)) && r.err.contains(QStringLiteral("corrupt")), qPrintable(r.err));
        QVERIFY(!QFile::exists(clone2 + QStringLiteral("/data/train.csv")));
        QVERIFY(!objectsIn(clone2 + QStringLiteral("/.orrery/cache")).contains(md5(kTrainV1))); // not let in

        writeFile(trainObject, good);
    }

    void usageErrorsExitTwo_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("add nothing") << QStringList{QStringLiteral("data"), QStringLiteral("add")} << "at least one";
        QTest::newRow("add outside") << QStringList{QStringLiteral("data"), QStringLiteral("add"), QStringLiteral("../outside.csv")} << "outside";
        QTest::newRow("add inside .git") << QStringList{QStringLiteral("data"), QStringLiteral("add"), QStringLiteral(".git/config")} << ".git";
        QTest::newRow("unknown subcommand") << QStringList{QStringLiteral("data"), QStringLiteral("frob")} << "unknown subcommand 'frob'";
        QTest::newRow("unknown option") << QStringList{QStringLiteral("data"), QStringLiteral("status"), QStringLiteral("--frob")} << "frob";
    }
    void usageErrorsExitTwo()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        writeFile(m_dir.filePath(QStringLiteral("outside.csv")), "x\n");
        const Run r = cli(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.describe()));
    }
};

QTEST_GUILESS_MAIN(TstCliData)
#include "tst_cli_data.moc"
