// The test helpers themselves (test_support.h): a result carries the exit code, stdout, stderr
// and stdin as given, a crash is told apart from an exit code, and every failure a helper must not
// hide stops the test loudly — git exiting non-zero, a program that cannot start or outlives its
// timeout, a file that cannot be written or read. Those run in a child copy of this executable
// (ORRERY_SUPPORT_CHILD names the failure), which must abort with a message naming the command,
// its status and its stderr.
#include "tests/support/test_support.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery::testing;

namespace {

// The child: does one thing that must fail loudly, and says so if it returns instead.
int childMain(const QString &what, const QString &dir)
{
    if (what == QLatin1String("git-fails")) {
        git(dir, {QStringLiteral("rev-parse"), QStringLiteral("no-such-revision")}); // not a repository either
    } else if (what == QLatin1String("cannot-start")) {
        run(QStringLiteral("/nonexistent/program"), {QStringLiteral("--flag")});
    } else if (what == QLatin1String("timeout")) {
        ProcessOptions o;
        o.timeoutMs = 300;
        run(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("echo started; exec sleep 60")}, o);
    } else if (what == QLatin1String("write-under-a-file")) {
        writeFile(dir + QStringLiteral("/plain"), "a file");
        writeFile(dir + QStringLiteral("/plain/inside.txt"), "cannot be: plain is a file");
    } else if (what == QLatin1String("read-missing")) {
        readFile(dir + QStringLiteral("/missing.txt"));
    }
    std::fprintf(stderr, "RETURNED: %s did not stop the test\n", qPrintable(what));
    return 0;
}

} // namespace

class TstTestSupport : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    ProcessResult child(const QString &what)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ORRERY_SUPPORT_CHILD"), what);
        env.insert(QStringLiteral("ORRERY_SUPPORT_DIR"), m_dir.path());
        ProcessOptions o;
        o.environment = env;
        return run(QCoreApplication::applicationFilePath(), {}, o);
    }

private Q_SLOTS:
    void resultCarriesExitCodeOutputAndInput()
    {
        ProcessOptions o;
        o.input = "from stdin\n";
        o.workingDirectory = m_dir.path();
        const ProcessResult r = run(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("cat; pwd; echo oops >&2; exit 3")}, o);
        QVERIFY(!r.crashed);
        QCOMPARE(r.code, 3);
        QVERIFY(!r.ok());
        QCOMPARE(r.out, QStringLiteral("from stdin\n") + QDir(m_dir.path()).canonicalPath() + QLatin1Char('\n'));
        QCOMPARE(r.err, QStringLiteral("oops\n"));
        QVERIFY2(r.describe().contains(QStringLiteral("exit 3")) && r.describe().contains(QStringLiteral("oops")), qPrintable(r.describe()));
    }

    void crashIsNotAnExitCode()
    {
        const ProcessResult r = run(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("kill -SEGV $$")});
        QVERIFY(r.crashed);
        QCOMPARE(r.code, ProcessResult::kCrashed);
        QVERIFY(!r.ok());
        QVERIFY2(r.status().contains(QStringLiteral("crashed")), qPrintable(r.status()));
    }

    void gitReturnsStdoutWithAFixedIdentity()
    {
        const QString repo = m_dir.filePath(QStringLiteral("repo"));
        writeFile(repo + QStringLiteral("/a.txt"), "a\n");
        git(repo, {QStringLiteral("init"), QStringLiteral("-q")});
        git(repo, {QStringLiteral("add"), QStringLiteral("a.txt")});
        git(repo, {QStringLiteral("commit"), QStringLiteral("-qm"), QStringLiteral("first")});
        QCOMPARE(git(repo, {QStringLiteral("symbolic-ref"), QStringLiteral("--short"), QStringLiteral("HEAD")}), QStringLiteral("main\n"));
        QCOMPARE(git(repo, {QStringLiteral("log"), QStringLiteral("-1"), QStringLiteral("--format=%an <%ae> %s")}),
                 QStringLiteral("Orrery Test <test@orrery.invalid> first\n"));
        const ProcessResult bad = gitResult(repo, {QStringLiteral("rev-parse"), QStringLiteral("no-such-revision")});
        QVERIFY(bad.code != 0 && !bad.crashed);
    }

    void writeFileMakesFoldersAndReplaces()
    {
        const QString path = writeFile(m_dir, QStringLiteral("deep/er/file.bin"), QByteArray("first version, longer"));
        QCOMPARE(path, m_dir.filePath(QStringLiteral("deep/er/file.bin")));
        writeFile(path, QByteArray("\0second", 7));
        QCOMPARE(readFile(path), QByteArray("\0second", 7)); // truncated, binary-safe
    }

    void failuresStopTheTestLoudly_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QStringList>("message"); // every part must be in the child's stderr
        QTest::newRow("git exits non-zero") << QStringLiteral("git-fails")
                                            << QStringList{QStringLiteral("git failed"), QStringLiteral("rev-parse no-such-revision"),
                                                           QStringLiteral("exit 128"), QStringLiteral("not a git repository")};
        QTest::newRow("program cannot start") << QStringLiteral("cannot-start")
                                              << QStringList{QStringLiteral("cannot start /nonexistent/program --flag")};
        QTest::newRow("program outlives its timeout") << QStringLiteral("timeout")
                                                      << QStringList{QStringLiteral("did not finish within 300 ms"), QStringLiteral("started")};
        QTest::newRow("file cannot be written") << QStringLiteral("write-under-a-file")
                                                << QStringList{QStringLiteral("cannot create the folder"), QStringLiteral("plain/inside.txt")};
        QTest::newRow("file cannot be read") << QStringLiteral("read-missing") << QStringList{QStringLiteral("cannot read"), QStringLiteral("missing.txt")};
    }
    void failuresStopTheTestLoudly()
    {
        QFETCH(QString, what);
        QFETCH(QStringList, message);
        const ProcessResult r = child(what);
        QVERIFY2(!r.err.contains(QStringLiteral("RETURNED")), qPrintable(r.describe()));
        QVERIFY2(r.crashed, qPrintable(r.describe())); // qFatal aborts
        for (const QString &part : message)
            QVERIFY2(r.err.contains(part), qPrintable(QStringLiteral("'%1' missing from:\n%2").arg(part, r.err)));
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet("ORRERY_SUPPORT_CHILD"))
        return childMain(qEnvironmentVariable("ORRERY_SUPPORT_CHILD"), qEnvironmentVariable("ORRERY_SUPPORT_DIR"));
    TstTestSupport test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_test_support.moc"
