// The three sides of a merge (core/vcs/merge_sides.h) that `orrery-cli merge` merges dvc.yaml and
// params.yaml from: each file at the merge base, at HEAD and at the other branch's tip — the base
// being the one `git merge-base` finds, a file absent on a side being absent (not empty), any
// revision git takes for "theirs"; and the refusals (unknown branch, no commit yet, unrelated
// histories, not a commit). Also differsFromHead, which guards the merge against overwriting
// uncommitted edits: modified, staged, deleted and untracked count, ignored files do not.
#include "core/vcs/merge_sides.h"
#include "core/vcs/repository.h"
#include "tests/support/test_support.h"

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

void commitAll(const QString &dir, const QString &message)
{
    git(dir, {QStringLiteral("add"), QStringLiteral("-A")});
    git(dir, {QStringLiteral("commit"), QStringLiteral("-qm"), message});
}

std::unique_ptr<vcs::Repository> open(const QString &dir)
{
    auto repo = vcs::Repository::discover(dir);
    if (!repo)
        qFatal("cannot open %s: %s", qPrintable(dir), qPrintable(repo.status().message()));
    return std::move(*repo);
}

QByteArray text(const std::optional<QByteArray> &side)
{
    return side ? *side : QByteArray("<absent>");
}

} // namespace

class TstMergeSides : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    int m_n = 0;

    // main and feature diverge after a base commit; main moves on twice, so the base is not
    // HEAD~1 and not feature's parent's parent by accident.
    QString divergedRepository()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("repo%1").arg(++m_n));
        writeFile(dir + QStringLiteral("/params.yaml"), "lr: 0.1\n");
        writeFile(dir + QStringLiteral("/dvc.yaml"), "stages: {}\n");
        writeFile(dir + QStringLiteral("/old.txt"), "old\n");
        git(dir, {QStringLiteral("init"), QStringLiteral("-q")});
        commitAll(dir, QStringLiteral("base"));
        git(dir, {QStringLiteral("checkout"), QStringLiteral("-qb"), QStringLiteral("feature")});
        writeFile(dir + QStringLiteral("/params.yaml"), "lr: 0.2\n");
        writeFile(dir + QStringLiteral("/added-on-feature.yaml"), "new: 1\n");
        commitAll(dir, QStringLiteral("feature"));
        git(dir, {QStringLiteral("tag"), QStringLiteral("feature-tip")});
        git(dir, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("main")});
        writeFile(dir + QStringLiteral("/params.yaml"), "lr: 0.05\n");
        commitAll(dir, QStringLiteral("main 1"));
        git(dir, {QStringLiteral("rm"), QStringLiteral("-q"), QStringLiteral("old.txt")});
        writeFile(dir + QStringLiteral("/dvc.yaml"), "stages:\n  train:\n    cmd: python train.py\n");
        commitAll(dir, QStringLiteral("main 2"));
        return dir;
    }

private Q_SLOTS:
    void sidesAreTheFilesAtBaseOursAndTheirs()
    {
        const QString dir = divergedRepository();
        auto repo = open(dir);
        const QStringList paths = {QStringLiteral("params.yaml"), QStringLiteral("dvc.yaml"), QStringLiteral("old.txt"),
                                   QStringLiteral("added-on-feature.yaml")};
        auto sides = vcs::readMergeSides(*repo, QStringLiteral("feature"), paths);
        QVERIFY2(sides.isOk(), qPrintable(sides.status().message()));
        QCOMPARE(sides->baseCommit, gitLine(dir, {QStringLiteral("merge-base"), QStringLiteral("HEAD"), QStringLiteral("feature")}));
        QCOMPARE(sides->oursCommit, gitLine(dir, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}));
        QCOMPARE(sides->theirsCommit, gitLine(dir, {QStringLiteral("rev-parse"), QStringLiteral("feature")}));

        QCOMPARE(sides->files.size(), paths.size());
        for (int i = 0; i < paths.size(); ++i)
            QCOMPARE(sides->files[i].first, paths[i]); // in the order asked
        const vcs::MergeSide &params = sides->files[0].second;
        QCOMPARE(text(params.base), QByteArray("lr: 0.1\n"));
        QCOMPARE(text(params.ours), QByteArray("lr: 0.05\n"));
        QCOMPARE(text(params.theirs), QByteArray("lr: 0.2\n"));
        const vcs::MergeSide &pipeline = sides->files[1].second;
        QCOMPARE(text(pipeline.base), QByteArray("stages: {}\n"));
        QCOMPARE(text(pipeline.ours), QByteArray("stages:\n  train:\n    cmd: python train.py\n"));
        QCOMPARE(text(pipeline.theirs), QByteArray("stages: {}\n"));
        // Deleted on our side: absent there, not empty.
        const vcs::MergeSide &old = sides->files[2].second;
        QCOMPARE(text(old.base), QByteArray("old\n"));
        QVERIFY(!old.ours);
        QCOMPARE(text(old.theirs), QByteArray("old\n"));
        // Added on theirs only.
        const vcs::MergeSide &added = sides->files[3].second;
        QVERIFY(!added.base);
        QVERIFY(!added.ours);
        QCOMPARE(text(added.theirs), QByteArray("new: 1\n"));
    }

    void theirsIsAnyRevisionGitTakes()
    {
        const QString dir = divergedRepository();
        auto repo = open(dir);
        const QString tip = gitLine(dir, {QStringLiteral("rev-parse"), QStringLiteral("feature")});
        for (const QString &theirs : {QStringLiteral("feature-tip"), tip, tip.left(12)}) {
            auto sides = vcs::readMergeSides(*repo, theirs, {QStringLiteral("params.yaml")});
            QVERIFY2(sides.isOk(), qPrintable(theirs + QStringLiteral(": ") + sides.status().message()));
            QCOMPARE(sides->theirsCommit, tip);
            QCOMPARE(text(sides->files[0].second.theirs), QByteArray("lr: 0.2\n"));
        }
    }

    void refusals()
    {
        const QString dir = divergedRepository();
        auto repo = open(dir);
        auto unknown = vcs::readMergeSides(*repo, QStringLiteral("no-such-branch"), {QStringLiteral("params.yaml")});
        QCOMPARE(unknown.status().code(), ErrorCode::NotFound);
        QVERIFY2(unknown.status().message().contains(QStringLiteral("no-such-branch")), qPrintable(unknown.status().message()));
        // A blob is a revision git takes, but not a commit.
        auto blob = vcs::readMergeSides(*repo, QStringLiteral("feature:params.yaml"), {QStringLiteral("params.yaml")});
        QCOMPARE(blob.status().code(), ErrorCode::InvalidArgument);

        // Unrelated histories have no base to merge from.
        git(dir, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("--orphan"), QStringLiteral("unrelated")});
        writeFile(dir + QStringLiteral("/params.yaml"), "lr: 9\n");
        commitAll(dir, QStringLiteral("another root"));
        auto unrelated = vcs::readMergeSides(*open(dir), QStringLiteral("main"), {QStringLiteral("params.yaml")});
        QCOMPARE(unrelated.status().code(), ErrorCode::FailedPrecondition);
        QVERIFY2(unrelated.status().message().contains(QStringLiteral("share no history")), qPrintable(unrelated.status().message()));

        // Nothing committed yet: nothing to merge into.
        const QString fresh = m_tmp.filePath(QStringLiteral("fresh"));
        writeFile(fresh + QStringLiteral("/params.yaml"), "lr: 1\n");
        git(fresh, {QStringLiteral("init"), QStringLiteral("-q")});
        auto unborn = vcs::readMergeSides(*open(fresh), QStringLiteral("main"), {QStringLiteral("params.yaml")});
        QCOMPARE(unborn.status().code(), ErrorCode::FailedPrecondition);
    }

    void differsFromHeadSeesEveryUncommittedEdit()
    {
        const QString dir = divergedRepository();
        writeFile(dir + QStringLiteral("/.gitignore"), "*.log\n");
        commitAll(dir, QStringLiteral("ignore logs"));
        auto repo = open(dir);
        auto differs = [&](const QString &path) {
            auto d = vcs::differsFromHead(*repo, path);
            if (!d)
                qFatal("differsFromHead(%s): %s", qPrintable(path), qPrintable(d.status().message()));
            return *d;
        };
        QVERIFY(!differs(QStringLiteral("params.yaml")));
        QVERIFY(!differs(QStringLiteral("never-existed.yaml")));

        writeFile(dir + QStringLiteral("/params.yaml"), "lr: 0.07\n");
        QVERIFY(differs(QStringLiteral("params.yaml"))); // modified in the work tree
        git(dir, {QStringLiteral("add"), QStringLiteral("params.yaml")});
        QVERIFY(differs(QStringLiteral("params.yaml"))); // staged
        git(dir, {QStringLiteral("rm"), QStringLiteral("-q"), QStringLiteral("dvc.yaml")});
        QVERIFY(differs(QStringLiteral("dvc.yaml"))); // deleted
        writeFile(dir + QStringLiteral("/new.yaml"), "x: 1\n");
        QVERIFY(differs(QStringLiteral("new.yaml"))); // untracked
        writeFile(dir + QStringLiteral("/run.log"), "noise\n");
        QVERIFY(!differs(QStringLiteral("run.log"))); // ignored
    }
};

QTEST_GUILESS_MAIN(TstMergeSides)
#include "tst_merge_sides.moc"
