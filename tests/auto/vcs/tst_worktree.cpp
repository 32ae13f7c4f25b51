// Git worktrees through libgit2 (core/vcs/worktree.h), checked with the git command line: a
// worktree on a branch of its own holds HEAD's files; a commit made in it moves only its branch —
// the main work tree, index, HEAD and branch are untouched (git status stays clean, even with the
// worktrees' folder inside the work tree, through .git/info/exclude); removing it deletes its
// folder and git's record and keeps the branch; a taken branch is refused and leaves nothing.
#include "core/vcs/repository.h"
#include "core/vcs/worktree.h"
#include "tests/support/test_support.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using testing::git;
using testing::readFile;
using testing::writeFile;

namespace {

QString gitLine(const QString &dir, const QStringList &args) { return git(dir, args).trimmed(); }

std::unique_ptr<vcs::Repository> open(const QString &dir)
{
    auto repo = vcs::Repository::discover(dir);
    if (!repo)
        qFatal("cannot open %s: %s", qPrintable(dir), qPrintable(repo.status().message()));
    return std::move(*repo);
}

} // namespace

class TstWorktree : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void commitsInAWorktreeMoveOnlyItsBranch()
    {
        QTemporaryDir dir;
        const QString root = dir.path();
        git(root, {QStringLiteral("init"), QStringLiteral("-q")});
        writeFile(dir, QStringLiteral("data/x.csv.dvc"), "version 1\n");
        writeFile(dir, QStringLiteral("README.md"), "hello\n");
        git(root, {QStringLiteral("add"), QStringLiteral(".")});
        git(root, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("first")});
        // The user's own uncommitted work, which nothing may touch.
        writeFile(dir, QStringLiteral("README.md"), "hello, edited\n");
        const QString head = gitLine(root, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")});
        const QString statusBefore = git(root, {QStringLiteral("status"), QStringLiteral("--porcelain")});

        auto repo = open(root);
        QVERIFY(vcs::excludeLocally(*repo, QStringLiteral("/.orrery/worktrees/")));
        QVERIFY(vcs::excludeLocally(*repo, QStringLiteral("/.orrery/worktrees/"))); // once only
        QCOMPARE(readFile(root + QStringLiteral("/.git/info/exclude")).count("/.orrery/worktrees/"), 1);

        const QString path = root + QStringLiteral("/.orrery/worktrees/ct-1");
        auto made = vcs::addWorktree(*repo, QStringLiteral("ct-1"), path, QStringLiteral("orrery/ct/1"));
        QVERIFY2(made, qPrintable(made.status().toString()));
        QCOMPARE(made->commit, head);
        QCOMPARE(made->branch, QStringLiteral("orrery/ct/1"));
        QCOMPARE(readFile(path + QStringLiteral("/data/x.csv.dvc")), QByteArray("version 1\n"));
        QCOMPARE(readFile(path + QStringLiteral("/README.md")), QByteArray("hello\n")); // HEAD's, not the edit
        QCOMPARE(gitLine(path, {QStringLiteral("rev-parse"), QStringLiteral("--abbrev-ref"), QStringLiteral("HEAD")}), QStringLiteral("orrery/ct/1"));
        QCOMPARE(*vcs::worktreeNames(*repo), QStringList{QStringLiteral("ct-1")});

        // A commit in the worktree.
        writeFile(path + QStringLiteral("/data/x.csv.dvc"), "version 2\n");
        auto inTree = open(path);
        auto commit = inTree->commitPaths({QStringLiteral("data/x.csv.dvc")}, QStringLiteral("a new data version"));
        QVERIFY2(commit, qPrintable(commit.status().toString()));
        QCOMPARE(gitLine(root, {QStringLiteral("rev-parse"), QStringLiteral("orrery/ct/1")}), *commit);
        QCOMPARE(*vcs::branchCommit(*repo, QStringLiteral("orrery/ct/1")), *commit);
        QCOMPARE(gitLine(root, {QStringLiteral("rev-parse"), QStringLiteral("orrery/ct/1^")}), head);
        QCOMPARE(git(root, {QStringLiteral("show"), QStringLiteral("orrery/ct/1:data/x.csv.dvc")}), QStringLiteral("version 2\n"));
        // The user's side: same HEAD, same branch, same status (the worktrees' folder excluded).
        QCOMPARE(gitLine(root, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}), head);
        QCOMPARE(gitLine(root, {QStringLiteral("rev-parse"), QStringLiteral("--abbrev-ref"), QStringLiteral("HEAD")}), QStringLiteral("main"));
        QCOMPARE(git(root, {QStringLiteral("status"), QStringLiteral("--porcelain")}), statusBefore);
        QCOMPARE(readFile(root + QStringLiteral("/data/x.csv.dvc")), QByteArray("version 1\n"));

        // A second worktree on a taken branch is refused, and leaves no folder.
        auto taken = vcs::addWorktree(*repo, QStringLiteral("ct-1b"), root + QStringLiteral("/.orrery/worktrees/ct-1b"), QStringLiteral("orrery/ct/1"));
        QCOMPARE(taken.status().code(), ErrorCode::AlreadyExists);
        QVERIFY(!QFileInfo::exists(root + QStringLiteral("/.orrery/worktrees/ct-1b")));

        // Removed: the folder and git's record go, the branch and its commit stay.
        inTree.reset();
        QVERIFY(vcs::removeWorktree(*repo, QStringLiteral("ct-1")));
        QVERIFY(!QFileInfo::exists(path));
        QVERIFY(vcs::worktreeNames(*repo)->isEmpty());
        QVERIFY(!git(root, {QStringLiteral("worktree"), QStringLiteral("list")}).contains(QStringLiteral("ct-1")));
        QCOMPARE(gitLine(root, {QStringLiteral("rev-parse"), QStringLiteral("orrery/ct/1")}), *commit);
        QVERIFY(vcs::removeWorktree(*repo, QStringLiteral("ct-1"))); // gone already: no error
        QCOMPARE(git(root, {QStringLiteral("status"), QStringLiteral("--porcelain")}), statusBefore);

        // A folder a crash left without git's record is cleaned too; a branch deleted.
        writeFile(root + QStringLiteral("/.orrery/worktrees/ct-2/half.txt"), "x");
        QVERIFY(vcs::removeWorktree(*repo, QStringLiteral("ct-2"), root + QStringLiteral("/.orrery/worktrees/ct-2")));
        QVERIFY(!QFileInfo::exists(root + QStringLiteral("/.orrery/worktrees/ct-2")));
        QVERIFY(vcs::deleteBranch(*repo, QStringLiteral("orrery/ct/1")));
        QVERIFY(vcs::deleteBranch(*repo, QStringLiteral("orrery/ct/1"))); // none: no error
        QCOMPARE(vcs::branchCommit(*repo, QStringLiteral("orrery/ct/1")).status().code(), ErrorCode::NotFound);
    }

    void noCommitNoWorktree()
    {
        QTemporaryDir dir;
        git(dir.path(), {QStringLiteral("init"), QStringLiteral("-q")});
        auto repo = open(dir.path());
        auto made = vcs::addWorktree(*repo, QStringLiteral("w"), dir.filePath(QStringLiteral("w")), QStringLiteral("b"));
        QCOMPARE(made.status().code(), ErrorCode::FailedPrecondition);
    }
};

QTEST_GUILESS_MAIN(TstWorktree)
#include "tst_worktree.moc"
