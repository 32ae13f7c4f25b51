// captureWorkingState (core/vcs/working_state.h): what a run records about its code. The commit
// and branch (none when HEAD is detached, the branch name before the first commit), the dirty
// flag (tracked changes staged or not, untracked files; never ignored files), untracked files
// listed by name and never their content, and a patch that rebuilds the work tree when `git
// apply`d to a checkout of the commit — cut at maxPatchBytes with a marker that says so.
// Real repositories made by the git command line in temporary folders.
#include "core/vcs/repository.h"
#include "core/vcs/working_state.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using testing::git;
using testing::readFile;
using testing::writeFile;

namespace {

QString gitLine(const QString &dir, const QStringList &args)
{
    return git(dir, args).trimmed();
}

vcs::WorkingState capture(const QString &dir, qint64 maxPatchBytes = 1 << 20)
{
    auto repo = vcs::Repository::discover(dir);
    if (!repo)
        qFatal("cannot open the repository %s: %s", qPrintable(dir), qPrintable(repo.status().message()));
    auto state = vcs::captureWorkingState(**repo, maxPatchBytes);
    if (!state)
        qFatal("captureWorkingState failed in %s: %s", qPrintable(dir), qPrintable(state.status().message()));
    return *state;
}

} // namespace

class TstWorkingState : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    int m_n = 0;

    // A repository with two commits on main: train.py and params.yaml, then params.yaml changed.
    QString committedRepository()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("repo%1").arg(++m_n));
        writeFile(dir + QStringLiteral("/train.py"), "import sys\nprint('training')\n");
        writeFile(dir + QStringLiteral("/params.yaml"), "lr: 0.01\n");
        writeFile(dir + QStringLiteral("/.gitignore"), "*.db\n/scratch/\n");
        git(dir, {QStringLiteral("init"), QStringLiteral("-q")});
        git(dir, {QStringLiteral("add"), QStringLiteral(".")});
        git(dir, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("first")});
        writeFile(dir + QStringLiteral("/params.yaml"), "lr: 0.02\n");
        git(dir, {QStringLiteral("commit"), QStringLiteral("-qam"), QStringLiteral("second")});
        return dir;
    }

private Q_SLOTS:
    void cleanTreeRecordsCommitAndBranch()
    {
        const QString dir = committedRepository();
        const vcs::WorkingState s = capture(dir);
        QCOMPARE(s.commit, gitLine(dir, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}));
        QCOMPARE(s.branch, QStringLiteral("main"));
        QVERIFY(!s.dirty);
        QCOMPARE(s.patch, QString());
        QCOMPARE(s.untracked, QStringList());
    }

    void ignoredFilesAreNeitherDirtyNorListed()
    {
        const QString dir = committedRepository();
        writeFile(dir + QStringLiteral("/orrery.db"), "a database the run writes");
        writeFile(dir + QStringLiteral("/scratch/notes.txt"), "scratch");
        const vcs::WorkingState s = capture(dir);
        QVERIFY2(!s.dirty, qPrintable(s.untracked.join(QLatin1Char(' '))));
        QCOMPARE(s.untracked, QStringList());
        QCOMPARE(s.patch, QString());
    }

    void untrackedFilesAreListedByNameNotContent()
    {
        const QString dir = committedRepository();
        writeFile(dir + QStringLiteral("/notes.md"), "UNTRACKED-CONTENT-1\n");
        writeFile(dir + QStringLiteral("/features/new/extra.py"), "UNTRACKED-CONTENT-2\n");
        const vcs::WorkingState s = capture(dir);
        QVERIFY(s.dirty);
        QStringList untracked = s.untracked;
        untracked.sort();
        // Files inside a new folder are listed one by one, with their paths from the work tree.
        QCOMPARE(untracked, (QStringList{QStringLiteral("features/new/extra.py"), QStringLiteral("notes.md")}));
        QVERIFY2(!s.patch.contains(QStringLiteral("UNTRACKED-CONTENT")), qPrintable(s.patch));
    }

    // The point of the patch: commit + patch rebuilds the code the run used. Changes in the work
    // tree and in the index (a modified file, a staged new file, a deleted file) are applied with
    // the real git to a clean checkout of the recorded commit, which then matches the work tree.
    void patchRebuildsTheWorkTreeFromTheCommit()
    {
        const QString dir = committedRepository();
        writeFile(dir + QStringLiteral("/params.yaml"), "lr: 0.05\nepochs: 3\n"); // modified, not staged
        writeFile(dir + QStringLiteral("/model.py"), "class Model:\n    pass\n");
        git(dir, {QStringLiteral("add"), QStringLiteral("model.py")}); // new, staged
        git(dir, {QStringLiteral("rm"), QStringLiteral("-q"), QStringLiteral("train.py")}); // deleted
        const vcs::WorkingState s = capture(dir);
        QVERIFY(s.dirty);
        QCOMPARE(s.untracked, QStringList());
        QVERIFY(s.patch.startsWith(QStringLiteral("diff --git")));

        const QString rebuilt = m_tmp.filePath(QStringLiteral("rebuilt%1").arg(m_n));
        git(m_tmp.path(), {QStringLiteral("clone"), QStringLiteral("-q"), dir, rebuilt});
        git(rebuilt, {QStringLiteral("checkout"), QStringLiteral("-q"), s.commit});
        writeFile(rebuilt + QStringLiteral("/run.patch"), s.patch.toUtf8());
        git(rebuilt, {QStringLiteral("apply"), QStringLiteral("run.patch")});
        QCOMPARE(readFile(rebuilt + QStringLiteral("/params.yaml")), QByteArray("lr: 0.05\nepochs: 3\n"));
        QCOMPARE(readFile(rebuilt + QStringLiteral("/model.py")), QByteArray("class Model:\n    pass\n"));
        QVERIFY(!QFile::exists(rebuilt + QStringLiteral("/train.py")));
    }

    void detachedHeadIsReportedAsNoBranch()
    {
        const QString dir = committedRepository();
        const QString first = gitLine(dir, {QStringLiteral("rev-parse"), QStringLiteral("HEAD~1")});
        git(dir, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("--detach"), first});
        const vcs::WorkingState s = capture(dir);
        QCOMPARE(s.commit, first);
        QCOMPARE(s.branch, QString());
        QVERIFY(!s.dirty);
    }

    void beforeTheFirstCommitThereIsABranchButNoCommit()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("unborn"));
        writeFile(dir + QStringLiteral("/train.py"), "print('x')\n");
        git(dir, {QStringLiteral("init"), QStringLiteral("-q")});
        const vcs::WorkingState s = capture(dir);
        QCOMPARE(s.commit, QString());
        QCOMPARE(s.branch, QStringLiteral("main"));
        QVERIFY(s.dirty);
        QCOMPARE(s.untracked, QStringList{QStringLiteral("train.py")});
    }

    // A runaway change (a large generated file under version control) cannot put more than
    // maxPatchBytes into the database: the patch is cut there, and says so at its end.
    void patchIsCutAtMaxPatchBytesWithAMarker()
    {
        const QString dir = committedRepository();
        QByteArray big;
        for (int i = 0; i < 4000; ++i)
            big += "generated line " + QByteArray::number(i) + '\n';
        writeFile(dir + QStringLiteral("/params.yaml"), big);
        const vcs::WorkingState whole = capture(dir);
        const QByteArray full = whole.patch.toUtf8();
        QVERIFY(full.size() > 50000);
        QVERIFY(!full.contains("[diff truncated"));

        constexpr qint64 kMax = 1000;
        const vcs::WorkingState cut = capture(dir, kMax);
        QVERIFY(cut.dirty);
        const QByteArray marker = "\n[diff truncated at 1000 bytes]\n";
        const QByteArray patch = cut.patch.toUtf8();
        QVERIFY2(patch.endsWith(marker), patch.right(200).constData());
        QCOMPARE(patch.size(), kMax + marker.size());
        QCOMPARE(patch.left(int(kMax)), full.left(int(kMax))); // the start of the real patch

        // A patch exactly at the limit is whole: no marker.
        const vcs::WorkingState exact = capture(dir, full.size());
        QCOMPARE(exact.patch.toUtf8(), full);
    }
};

QTEST_GUILESS_MAIN(TstWorkingState)
#include "tst_working_state.moc"
