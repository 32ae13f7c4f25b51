// orrery-cli end to end: the command-line contract of DESIGN.md (names, --help, --json, exit
// status 0/1/2, errors on stderr).
#include "tests/support/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

using orrery::testing::git;
using orrery::testing::runCli;
using Run = orrery::testing::ProcessResult;
using orrery::testing::writeFile;

namespace {
QJsonDocument json(const Run &r)
{
    QJsonParseError e;
    QJsonDocument d = QJsonDocument::fromJson(r.out.toUtf8(), &e);
    if (e.error != QJsonParseError::NoError)
        qWarning("not JSON: %s", qPrintable(r.out));
    return d;
}
} // namespace

class TstCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_demo;

private Q_SLOTS:
    void initTestCase()
    {
        m_demo = m_dir.filePath(QStringLiteral("demo"));
        const Run r = runCli({QStringLiteral("demo"), m_demo, QStringLiteral("--rows"), QStringLiteral("2000")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void versionAndHelp()
    {
        const Run v = runCli({QStringLiteral("--version")});
        QCOMPARE(v.code, 0);
        for (const char *lib : {"orrery-cli", "Qt", "LibTorch", "SQLite", "libgit2"})
            QVERIFY2(v.out.contains(QLatin1String(lib)), lib);
        const Run h = runCli({QStringLiteral("--help")});
        QCOMPARE(h.code, 0);
        for (const char *cmd : {"init", "demo", "doctor", "audit"})
            QVERIFY2(h.out.contains(QLatin1String(cmd)), cmd);
    }

    void everyCommandHasHelp_data()
    {
        QTest::addColumn<QString>("command");
        for (const char *c : {"init", "demo", "doctor", "audit"})
            QTest::newRow(c) << QString::fromLatin1(c);
    }
    void everyCommandHasHelp()
    {
        QFETCH(QString, command);
        const Run r = runCli({command, QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("orrery-cli ") + command), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("--workspace")));
    }

    void usageErrorsExitTwoOnStderr_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no command") << QStringList{} << "Usage";
        QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")} << "unknown command 'frobnicate'";
        QTest::newRow("unknown option") << QStringList{QStringLiteral("doctor"), QStringLiteral("--frob")} << "Unknown option";
        QTest::newRow("audit without subcommand") << QStringList{QStringLiteral("audit")} << "list or verify";
        QTest::newRow("bad limit") << QStringList{QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--limit"), QStringLiteral("many")} << "--limit";
        QTest::newRow("workspace without value") << QStringList{QStringLiteral("doctor"), QStringLiteral("--workspace")} << "--workspace";
        QTest::newRow("demo rows") << QStringList{QStringLiteral("demo"), QStringLiteral("/tmp/x"), QStringLiteral("--rows"), QStringLiteral("-5")} << "--rows";
    }
    void usageErrorsExitTwoOnStderr()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = runCli(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message) || (args.isEmpty() && r.out.contains(message)), qPrintable(r.err + r.out));
    }

    void initMakesAWorkspaceAndJsonDescribesIt()
    {
        const QString dir = m_dir.filePath(QStringLiteral("inited"));
        const Run r = runCli({QStringLiteral("init"), dir, QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject o = json(r).object();
        QCOMPARE(o.value(QStringLiteral("root")).toString(), dir);
        QVERIFY(o.value(QStringLiteral("created_git_repository")).toBool());
        QVERIFY(QFileInfo(dir + QStringLiteral("/.orrery/orrery.db")).isFile());
        // --workspace works for init too, and init twice is harmless.
        const Run again = runCli({QStringLiteral("--workspace"), dir, QStringLiteral("init")});
        QCOMPARE(again.code, 0);
        QVERIFY(again.out.contains(QStringLiteral("already an Orrery workspace")));
    }

    void initOnAFileExitsTwo()
    {
        const QString file = m_dir.filePath(QStringLiteral("file.txt"));
        writeFile(file, "x");
        const Run r = runCli({QStringLiteral("init"), file});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("is a file")), qPrintable(r.err));
    }

    void demoRefusesANonEmptyFolder()
    {
        const Run r = runCli({QStringLiteral("demo"), m_demo});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("not empty")), qPrintable(r.err));
    }

    void demoDatasetAndGitCommit()
    {
        QFile csv(m_demo + QStringLiteral("/data/transactions.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        int lines = 0;
        while (!csv.atEnd()) {
            csv.readLine();
            ++lines;
        }
        QCOMPARE(lines, 2001);
        QVERIFY(QFile::exists(m_demo + QStringLiteral("/README.md")));
        // clean: the data file is ignored (git() stops the test if git status fails: an empty
        // answer from a git that did not run is not "clean")
        QCOMPARE(git(m_demo, {QStringLiteral("status"), QStringLiteral("--porcelain")}), QString());
    }

    void auditListJsonFromAnySubfolder()
    {
        QDir().mkpath(m_demo + QStringLiteral("/src"));
        const Run r = runCli({QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--json")}, m_demo + QStringLiteral("/src"));
        QCOMPARE(r.code, 0);
        const QJsonArray entries = json(r).array();
        QVERIFY(entries.size() >= 2);
        const QJsonObject newest = entries.first().toObject();
        QCOMPARE(newest.value(QStringLiteral("action")).toString(), QStringLiteral("workspace.demo"));
        QVERIFY(newest.value(QStringLiteral("seq")).isString()); // ids as strings
        QVERIFY(newest.value(QStringLiteral("time")).toString().endsWith(QLatin1Char('Z')));
    }

    void doctorOnAHealthyWorkspace()
    {
        const Run r = runCli({QStringLiteral("--workspace"), m_demo, QStringLiteral("doctor"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject o = json(r).object();
        QVERIFY(o.value(QStringLiteral("ok")).toBool());
        QCOMPARE(o.value(QStringLiteral("checks")).toArray().size(), 4);
    }

    void tamperedAuditIsFoundByVerifyAndDoctor()
    {
        const QString ws = m_dir.filePath(QStringLiteral("tampered"));
        QCOMPARE(runCli({QStringLiteral("init"), ws}).code, 0);
        QCOMPARE(runCli({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--workspace"), ws}).code, 0);
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(ws + QStringLiteral("/.orrery/orrery.db")).constData(), &db), SQLITE_OK);
        QCOMPARE(sqlite3_exec(db, "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
                              nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
        const Run verify = runCli({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--workspace"), ws});
        QCOMPARE(verify.code, 1);
        QVERIFY2(verify.err.contains(QStringLiteral("broken at entry 1")), qPrintable(verify.err));
        const Run doctor = runCli({QStringLiteral("doctor"), QStringLiteral("--workspace"), ws});
        QCOMPARE(doctor.code, 1);
        QVERIFY(doctor.out.contains(QStringLiteral("PROBLEM")));
        QVERIFY(doctor.out.contains(QStringLiteral("how to recover")));
    }

    void doctorOnACorruptDatabaseSaysHowToRecover()
    {
        const QString ws = m_dir.filePath(QStringLiteral("corrupt"));
        QCOMPARE(runCli({QStringLiteral("init"), ws}).code, 0);
        QFile db(ws + QStringLiteral("/.orrery/orrery.db"));
        QVERIFY(db.open(QIODevice::ReadWrite));
        db.write(QByteArray(100, '\0'));
        db.close();
        const Run r = runCli({QStringLiteral("doctor"), QStringLiteral("--workspace"), ws});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.out.contains(QStringLiteral("not an SQLite database")), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("Restore .orrery/orrery.db from a backup")));
        // Other commands refuse with an error (exit 2), not a crash.
        const Run list = runCli({QStringLiteral("audit"), QStringLiteral("list"), QStringLiteral("--workspace"), ws});
        QCOMPARE(list.code, 2);
        QVERIFY(list.err.contains(QStringLiteral("orrery.db")));
    }

    void commandsOutsideAWorkspaceExplainTheFix()
    {
        QTemporaryDir outside(QStringLiteral("/tmp/orrery-cli-outside-XXXXXX"));
        const Run r = runCli({QStringLiteral("audit"), QStringLiteral("list")}, outside.path());
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("orrery-cli init")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
