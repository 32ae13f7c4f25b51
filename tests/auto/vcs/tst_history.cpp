// Reading versioned files out of git history (core/vcs/history.h), against what the git command
// line says about the same repositories: readFileAt at a revision, filesAt, commitsTouching (the
// versions of one file the Data area lists: newest first, only commits that changed it, the
// limit, only HEAD's history) and forEachVersionedFile (every distinct version on any branch, tag
// or detached HEAD — what `data gc` must keep — once each; an error from the visitor stops it).
#include "core/vcs/history.h"
#include "core/vcs/repository.h"
#include "tests/support/test_support.h"

#include <QDateTime>
#include <QHash>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using testing::git;
using testing::writeFile;

namespace {

QString gitLine(const QString &dir, const QStringList &args)
{
    return git(dir, args).trimmed();
}

// The author and commit time of the commits commit() makes (seconds since the epoch; 0: now).
qint64 g_commitTime = 0;

// Commits `files` (path → content; a null QByteArray() removes the file) and returns the new
// commit's id.
QString commit(const QString &dir, const QList<std::pair<QString, QByteArray>> &files, const QString &message)
{
    if (g_commitTime > 0) { // git reads the times from the environment the support library passes on
        const QByteArray date = QByteArray::number(g_commitTime) + " +0000";
        qputenv("GIT_AUTHOR_DATE", date);
        qputenv("GIT_COMMITTER_DATE", date);
    } else {
        qunsetenv("GIT_AUTHOR_DATE");
        qunsetenv("GIT_COMMITTER_DATE");
    }
    for (const auto &[path, content] : files) {
        if (content.isNull())
            git(dir, {QStringLiteral("rm"), QStringLiteral("-q"), path});
        else {
            writeFile(dir + QLatin1Char('/') + path, content);
            git(dir, {QStringLiteral("add"), path});
        }
    }
    git(dir, {QStringLiteral("commit"), QStringLiteral("-qm"), message});
    return gitLine(dir, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
}

std::unique_ptr<vcs::Repository> open(const QString &dir)
{
    auto repo = vcs::Repository::discover(dir);
    if (!repo)
        qFatal("cannot open %s: %s", qPrintable(dir), qPrintable(repo.status().message()));
    return std::move(*repo);
}

QStringList ids(const QVector<vcs::CommitInfo> &commits)
{
    QStringList out;
    for (const auto &c : commits)
        out << c.id;
    return out;
}

} // namespace

class TstHistory : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    int m_n = 0;

    QString newRepository()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("repo%1").arg(++m_n));
        QDir().mkpath(dir);
        git(dir, {QStringLiteral("init"), QStringLiteral("-q")});
        return dir;
    }

private Q_SLOTS:
    void readFileAtGivesEachRevisionsContent()
    {
        const QString dir = newRepository();
        const QString v1 = commit(dir, {{QStringLiteral("data/train.csv.dvc"), "md5: 1\n"}}, QStringLiteral("v1"));
        git(dir, {QStringLiteral("tag"), QStringLiteral("release")});
        commit(dir, {{QStringLiteral("data/train.csv.dvc"), "md5: 2\n"}}, QStringLiteral("v2"));
        auto repo = open(dir);
        QCOMPARE(*vcs::readFileAt(*repo, QStringLiteral("HEAD"), QStringLiteral("data/train.csv.dvc")), QByteArray("md5: 2\n"));
        QCOMPARE(*vcs::readFileAt(*repo, v1, QStringLiteral("data/train.csv.dvc")), QByteArray("md5: 1\n"));
        QCOMPARE(*vcs::readFileAt(*repo, QStringLiteral("release"), QStringLiteral("data/train.csv.dvc")), QByteArray("md5: 1\n"));
        QCOMPARE(*vcs::readFileAt(*repo, QStringLiteral("HEAD~1"), QStringLiteral("data/train.csv.dvc")), QByteArray("md5: 1\n"));

        auto missing = vcs::readFileAt(*repo, v1, QStringLiteral("data/other.csv.dvc"));
        QCOMPARE(missing.status().code(), ErrorCode::NotFound);
        QVERIFY2(missing.status().message().contains(QStringLiteral("data/other.csv.dvc")), qPrintable(missing.status().message()));
        auto folder = vcs::readFileAt(*repo, QStringLiteral("HEAD"), QStringLiteral("data"));
        QCOMPARE(folder.status().code(), ErrorCode::InvalidArgument);
        QCOMPARE(vcs::readFileAt(*repo, QStringLiteral("no-such-branch"), QStringLiteral("data/train.csv.dvc")).status().code(), ErrorCode::NotFound);
    }

    void filesAtListsTheWantedFilesWithTheirContent()
    {
        const QString dir = newRepository();
        commit(dir, {{QStringLiteral("a.csv.dvc"), "a"}, {QStringLiteral("deep/er/b.dvc"), "b"}, {QStringLiteral("dvc.yaml"), "stages: {}\n"}},
               QStringLiteral("one"));
        auto repo = open(dir);
        auto files = vcs::filesAt(*repo, QStringLiteral("HEAD"), [](const QString &p) { return p.endsWith(QLatin1String(".dvc")); });
        QVERIFY2(files.isOk(), qPrintable(files.status().message()));
        QHash<QString, QByteArray> byPath;
        for (const auto &[path, content] : *files)
            byPath.insert(path, content);
        QCOMPARE(byPath.size(), 2);
        QCOMPARE(byPath.value(QStringLiteral("a.csv.dvc")), QByteArray("a"));
        QCOMPARE(byPath.value(QStringLiteral("deep/er/b.dvc")), QByteArray("b"));
        QCOMPARE(vcs::filesAt(*repo, QStringLiteral("nope"), [](const QString &) { return true; }).status().code(), ErrorCode::NotFound);
    }

    // The versions of one file, as the Data area lists them: the commits on HEAD's history whose
    // copy of the file differs from their parent's, newest first. Commits that change only other
    // files are not versions; neither is the commit that deletes it (there is nothing to read
    // there), while the commit that brings it back is one.
    void commitsTouchingListsTheVersionsNewestFirst()
    {
        const QString dir = newRepository();
        g_commitTime = 1700000000; // an hour between commits, as people make them
        const QString c1 = commit(dir, {{QStringLiteral("d.csv.dvc"), "v1"}, {QStringLiteral("other.txt"), "o1"}}, QStringLiteral("add d\n\nbody line"));
        g_commitTime += 3600;
        commit(dir, {{QStringLiteral("other.txt"), "o2"}}, QStringLiteral("other only"));
        g_commitTime += 3600;
        const QString c3 = commit(dir, {{QStringLiteral("d.csv.dvc"), "v2"}}, QStringLiteral("d v2"));
        g_commitTime += 3600;
        commit(dir, {{QStringLiteral("d.csv.dvc"), QByteArray()}}, QStringLiteral("delete d"));
        g_commitTime += 3600;
        const QString c5 = commit(dir, {{QStringLiteral("d.csv.dvc"), "v3"}}, QStringLiteral("d back"));
        g_commitTime += 3600;
        // A version on another branch is not in HEAD's history.
        git(dir, {QStringLiteral("checkout"), QStringLiteral("-qb"), QStringLiteral("side")});
        commit(dir, {{QStringLiteral("d.csv.dvc"), "side"}}, QStringLiteral("side version"));
        git(dir, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});

        auto repo = open(dir);
        auto commits = vcs::commitsTouching(*repo, QStringLiteral("d.csv.dvc"));
        QVERIFY2(commits.isOk(), qPrintable(commits.status().message()));
        QCOMPARE(ids(*commits), (QStringList{c5, c3, c1}));
        // Each version can be read back at its commit (what the Data area does next).
        for (const auto &c : *commits)
            QVERIFY2(vcs::readFileAt(*repo, c.id, QStringLiteral("d.csv.dvc")).isOk(), qPrintable(c.id));

        const vcs::CommitInfo &first = commits->last();
        QCOMPARE(first.summary, QStringLiteral("add d"));
        QCOMPARE(first.author, QStringLiteral("Orrery Test"));
        QCOMPARE(first.time.timeSpec(), Qt::UTC);
        QCOMPARE(first.time.toSecsSinceEpoch(), qint64(1700000000));
        QCOMPARE(first.time.toSecsSinceEpoch(), gitLine(dir, {QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%ct"), c1}).toLongLong());

        auto limited = vcs::commitsTouching(*repo, QStringLiteral("d.csv.dvc"), 2);
        QCOMPARE(ids(*limited), (QStringList{c5, c3}));
        auto never = vcs::commitsTouching(*repo, QStringLiteral("never.dvc"));
        QVERIFY(never.isOk() && never->isEmpty());
    }

    // Commits made within the same second (a script, a pipeline committing its .dvc files) keep
    // their order: the walk is topological, not by time alone (which put the first version before
    // the second).
    void versionsCommittedInTheSameSecondStayNewestFirst()
    {
        const QString dir = newRepository();
        g_commitTime = 1700000000; // every commit at the same second
        const QString v1 = commit(dir, {{QStringLiteral("d.csv.dvc"), "v1"}}, QStringLiteral("v1"));
        commit(dir, {{QStringLiteral("other.txt"), "o"}}, QStringLiteral("other"));
        const QString v2 = commit(dir, {{QStringLiteral("d.csv.dvc"), "v2"}}, QStringLiteral("v2"));
        const QString v3 = commit(dir, {{QStringLiteral("d.csv.dvc"), "v3"}}, QStringLiteral("v3"));
        g_commitTime = 0;
        QCOMPARE(gitLine(dir, {QStringLiteral("log"), QStringLiteral("--format=%H"), QStringLiteral("--"), QStringLiteral("d.csv.dvc")}).split(QLatin1Char('\n')),
                 (QStringList{v3, v2, v1})); // what git log says
        auto commits = vcs::commitsTouching(*open(dir), QStringLiteral("d.csv.dvc"));
        QVERIFY2(commits.isOk(), qPrintable(commits.status().message()));
        QCOMPARE(ids(*commits), (QStringList{v3, v2, v1}));
    }

    void cleanup() { g_commitTime = 0; }

    void noCommitsYetMeansNoHistory()
    {
        const QString dir = newRepository();
        writeFile(dir + QStringLiteral("/d.csv.dvc"), "v1");
        auto repo = open(dir);
        auto commits = vcs::commitsTouching(*repo, QStringLiteral("d.csv.dvc"));
        QVERIFY2(commits.isOk(), qPrintable(commits.status().message()));
        QVERIFY(commits->isEmpty());
        int visits = 0;
        QVERIFY(vcs::forEachVersionedFile(*repo, [](const QString &) { return true; },
                                          [&](const QString &, const QByteArray &) { ++visits; return Status::ok(); }).isOk());
        QCOMPARE(visits, 0);
    }

    // What `data gc` keeps: every version of every .dvc file reachable from any branch, any tag
    // (even when no branch has that commit any more) and a detached HEAD — each distinct content
    // once, however many commits share it.
    void everyVersionOnAnyBranchTagOrDetachedHeadOnce()
    {
        const QString dir = newRepository();
        commit(dir, {{QStringLiteral("d.dvc"), "main-1"}, {QStringLiteral("skip.txt"), "not wanted"}}, QStringLiteral("m1"));
        commit(dir, {{QStringLiteral("e.dvc"), "main-1"}}, QStringLiteral("same content, other path")); // a blob already seen
        commit(dir, {{QStringLiteral("d.dvc"), "main-2"}}, QStringLiteral("m2"));
        git(dir, {QStringLiteral("checkout"), QStringLiteral("-qb"), QStringLiteral("feature")});
        commit(dir, {{QStringLiteral("d.dvc"), "feature"}}, QStringLiteral("f"));
        git(dir, {QStringLiteral("checkout"), QStringLiteral("-qb"), QStringLiteral("doomed")});
        commit(dir, {{QStringLiteral("d.dvc"), "tagged-only"}}, QStringLiteral("t"));
        git(dir, {QStringLiteral("tag"), QStringLiteral("-a"), QStringLiteral("v1"), QStringLiteral("-m"), QStringLiteral("annotated")});
        git(dir, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        git(dir, {QStringLiteral("branch"), QStringLiteral("-qD"), QStringLiteral("doomed")});
        git(dir, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("--detach")});
        commit(dir, {{QStringLiteral("d.dvc"), "detached"}}, QStringLiteral("d"));

        auto repo = open(dir);
        QStringList seen;
        const Status s = vcs::forEachVersionedFile(*repo, [](const QString &p) { return p.endsWith(QLatin1String(".dvc")); },
                                                   [&](const QString &path, const QByteArray &content) {
                                                       seen << path.left(1) + QLatin1Char(':') + QString::fromUtf8(content);
                                                       return Status::ok();
                                                   });
        QVERIFY2(s.isOk(), qPrintable(s.message()));
        QCOMPARE(seen.size(), 5);
        QStringList contents;
        for (const QString &v : seen)
            contents << v.section(QLatin1Char(':'), 1);
        contents.sort();
        QCOMPARE(contents, (QStringList{QStringLiteral("detached"), QStringLiteral("feature"), QStringLiteral("main-1"), QStringLiteral("main-2"),
                                        QStringLiteral("tagged-only")}));

        // The visitor's error stops the walk and comes back.
        int visits = 0;
        const Status stopped = vcs::forEachVersionedFile(*repo, [](const QString &p) { return p.endsWith(QLatin1String(".dvc")); },
                                                         [&](const QString &, const QByteArray &) {
                                                             ++visits;
                                                             return Status(ErrorCode::Io, QStringLiteral("disk on fire"));
                                                         });
        QCOMPARE(stopped.code(), ErrorCode::Io);
        QCOMPARE(stopped.message(), QStringLiteral("disk on fire"));
        QCOMPARE(visits, 1);
    }
};

QTEST_GUILESS_MAIN(TstHistory)
#include "tst_history.moc"
