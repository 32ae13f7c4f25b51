// core/vcs Repository: init or open (branch main, an existing repository from a subfolder),
// discovery outside a repository, no branch name for a detached HEAD, and commitPaths making
// commits the real git agrees with.
#include "core/vcs/repository.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;

namespace {
// git's stdout without the final newline; the test stops when git fails.
QString git(const QString &dir, const QStringList &args)
{
    return testing::git(dir, args).trimmed();
}
} // namespace

class TstRepository : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initCreatesRepositoryOnMain()
    {
        const QString dir = m_dir.filePath(QStringLiteral("fresh"));
        bool created = false;
        auto repo = vcs::Repository::initOrOpen(dir, &created);
        QVERIFY2(repo.isOk(), qPrintable(repo.status().message()));
        QVERIFY(created);
        QVERIFY(QFileInfo(dir + QStringLiteral("/.git")).isDir());
        QVERIFY((*repo)->isHeadUnborn());
        QCOMPARE((*repo)->currentBranch(), QStringLiteral("main"));
        // The real git agrees.
        QCOMPARE(git(dir, {QStringLiteral("symbolic-ref"), QStringLiteral("--short"), QStringLiteral("HEAD")}), QStringLiteral("main"));
    }

    void initOpensAnExistingRepository()
    {
        const QString dir = m_dir.filePath(QStringLiteral("existing"));
        QDir().mkpath(dir + QStringLiteral("/sub"));
        git(dir, {QStringLiteral("init"), QStringLiteral("-q"), QStringLiteral("-b"), QStringLiteral("trunk")});
        bool created = true;
        auto repo = vcs::Repository::initOrOpen(dir + QStringLiteral("/sub"), &created);
        QVERIFY(repo.isOk());
        QVERIFY(!created);
        QCOMPARE((*repo)->currentBranch(), QStringLiteral("trunk"));
        QCOMPARE(QDir((*repo)->workdir()).canonicalPath(), QDir(dir).canonicalPath());
    }

    void discoverFailsOutsideARepository()
    {
        QTemporaryDir outside(QStringLiteral("/tmp/orrery-novcs-XXXXXX"));
        auto repo = vcs::Repository::discover(outside.path());
        QCOMPARE(repo.status().code(), ErrorCode::NotFound);
        QVERIFY(repo.status().message().contains(outside.path()));
    }

    void commitPathsMakesARealCommit()
    {
        const QString dir = m_dir.filePath(QStringLiteral("commits"));
        auto repo = vcs::Repository::initOrOpen(dir);
        QVERIFY(repo.isOk());
        QFile f(dir + QStringLiteral("/params.yaml"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("lr: 0.01\n");
        f.close();
        auto first = (*repo)->commitPaths({QStringLiteral("params.yaml")}, QStringLiteral("first"));
        QVERIFY2(first.isOk(), qPrintable(first.status().message()));
        QCOMPARE(first->size(), 40);
        QVERIFY(!(*repo)->isHeadUnborn());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("lr: 0.02\n");
        f.close();
        auto second = (*repo)->commitPaths({QStringLiteral("params.yaml")}, QStringLiteral("second"));
        QVERIFY(second.isOk());
        QCOMPARE(git(dir, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}), *second);
        QCOMPARE(git(dir, {QStringLiteral("rev-parse"), QStringLiteral("HEAD~1")}), *first);
        QCOMPARE(git(dir, {QStringLiteral("show"), QStringLiteral("HEAD:params.yaml")}), QStringLiteral("lr: 0.02"));
        QCOMPARE(git(dir, {QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
    }

    // The window's status bar and doctor show "(detached)" for an empty branch: a detached HEAD
    // must not be reported as a branch called "HEAD" (repository.h: "empty when HEAD is
    // detached"); it used to return libgit2's shorthand of the direct HEAD reference, "HEAD".
    void detachedHeadHasNoBranch()
    {
        const QString dir = m_dir.filePath(QStringLiteral("detached"));
        auto repo = vcs::Repository::initOrOpen(dir);
        QVERIFY(repo.isOk());
        testing::writeFile(dir + QStringLiteral("/a.txt"), "a\n");
        auto first = (*repo)->commitPaths({QStringLiteral("a.txt")}, QStringLiteral("first"));
        QVERIFY2(first.isOk(), qPrintable(first.status().message()));
        git(dir, {QStringLiteral("checkout"), QStringLiteral("-q"), QStringLiteral("--detach"), *first});
        QCOMPARE(git(dir, {QStringLiteral("rev-parse"), QStringLiteral("--abbrev-ref"), QStringLiteral("HEAD")}), QStringLiteral("HEAD")); // git: detached
        QVERIFY(!(*repo)->isHeadUnborn());
        QCOMPARE((*repo)->currentBranch(), QString());
    }

    void commitOfAMissingFileFails()
    {
        const QString dir = m_dir.filePath(QStringLiteral("missing"));
        auto repo = vcs::Repository::initOrOpen(dir);
        auto c = (*repo)->commitPaths({QStringLiteral("nope.txt")}, QStringLiteral("x"));
        QVERIFY(!c.isOk());
        QVERIFY(c.status().message().contains(QStringLiteral("nope.txt")));
    }
};

QTEST_GUILESS_MAIN(TstRepository)
#include "tst_repository.moc"
