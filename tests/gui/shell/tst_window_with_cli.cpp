// The workbench window and orrery-cli on one workspace at the same time, as a user works: the
// window (under Xvfb, see CMakeLists) runs the demo pipeline from the editor while a terminal runs
// `runs list`, `audit list` and `run` again and again. Before the database fix, the first CLI
// process to close its connection deleted the WAL the window was writing to: the window then
// failed ("disk I/O error"), runs stayed RUNNING and the database was lost. Afterwards the run
// must have succeeded, the database be healthy, the audit chain intact and no run left RUNNING.
#include "../pipeline/pipeline_editor_fixture.h"

#include "core/audit/audit_log.h"
#include "core/store/database.h"
#include "core/workspace/workspace.h"
#include "ui/shell/main_window.h"
#include "ui/shell/mode_bar.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolButton>

using namespace orrery;
using namespace orrery::ui;
using namespace orrery::ui::testing;

namespace {

struct CliResult {
    int code = -1;
    QString err;
};

// Runs orrery-cli while the window's event loop keeps running (the user's window stays live).
CliResult cliBeside(const QStringList &args)
{
    QProcess p;
    p.start(QStringLiteral(ORRERY_CLI_PATH), args);
    if (!p.waitForStarted(30000))
        return {-3, QStringLiteral("orrery-cli did not start")};
    QElapsedTimer waited;
    waited.start();
    while (p.state() != QProcess::NotRunning && waited.elapsed() < 120000)
        QTest::qWait(20);
    if (p.state() != QProcess::NotRunning)
        return {-4, QStringLiteral("orrery-cli %1 did not finish").arg(args.join(QLatin1Char(' ')))};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, QString::fromUtf8(p.readAllStandardError())};
}

// The database files this process has open that were deleted under it: the symptom of a WAL
// removed by another process while the window still used it.
QStringList deletedDatabaseFilesOpenHere()
{
    QStringList deleted;
    const QDir fds(QStringLiteral("/proc/self/fd"));
    for (const QString &fd : fds.entryList(QDir::System | QDir::Files | QDir::NoDotAndDotDot)) {
        const QString target = QFile::symLinkTarget(fds.filePath(fd));
        if (target.contains(QStringLiteral("orrery.db")) && target.endsWith(QStringLiteral("(deleted)")))
            deleted << target;
    }
    return deleted;
}

} // namespace

class TstWindowWithCli : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("Orrery"));
        QCoreApplication::setApplicationName(QStringLiteral("OrreryWindowWithCliTest")); // its own settings: tests run in parallel
        QSettings().clear();
    }

    void pipelineRunInTheWindowWhileTheCliWorks()
    {
        demo::DemoOptions o;
        o.rows = 20000;
        o.trainer = demo::DemoTrainer::Baseline; // in-process stages: the window's own threads write
        const QString root = m_tmp.filePath(QStringLiteral("demo"));
        auto made = demo::createDemoWorkspace(root, o);
        QVERIFY2(made.isOk(), qPrintable(made.status().message()));
        // A longer train stage, so that many CLI rounds overlap the window's run.
        QFile params(root + QStringLiteral("/params.yaml"));
        QVERIFY(params.open(QIODevice::ReadOnly));
        QByteArray text = params.readAll();
        params.close();
        QVERIFY(text.contains("epochs: 300"));
        text.replace("epochs: 300", "epochs: 60000");
        QVERIFY(params.open(QIODevice::WriteOnly | QIODevice::Truncate) && params.write(text) == text.size());
        params.close();

        auto window = std::make_unique<MainWindow>();
        window->resize(1280, 800);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        window->openWorkspace(root);
        QTRY_VERIFY_WITH_TIMEOUT(window->isWorkspaceOpen(), 20000);
        // Visit the areas that read the database, so their workers hold connections too.
        for (int area : {2, 1, 0})
            window->modeBar()->buttonAt(area)->click();

        auto *editor = window->findChild<PipelineEditor *>();
        QVERIFY(editor);
        editor->setCliDir(QFileInfo(QStringLiteral(ORRERY_CLI_PATH)).absolutePath());
        QTRY_COMPARE_WITH_TIMEOUT(editor->document()->model()->nodes().size(), 6, 20000);
        editor->action(QStringLiteral("runAll"))->trigger();
        QVERIFY(editor->isRunning());

        const QStringList ws{QStringLiteral("--workspace"), root};
        int rounds = 0, roundsDuringTheRun = 0;
        // At least 12 rounds, and as many as the window's run lasts.
        while (rounds < 12 || editor->isRunning()) {
            QVERIFY2(rounds < 2000, "the window's pipeline run never ended");
            const bool running = editor->isRunning();
            const CliResult list = cliBeside(QStringList{QStringLiteral("runs"), QStringLiteral("list")} + ws);
            QVERIFY2(list.code == 0, qPrintable(QStringLiteral("round %1: runs list: %2").arg(rounds).arg(list.err)));
            const CliResult audit = cliBeside(QStringList{QStringLiteral("audit"), QStringLiteral("list")} + ws);
            QVERIFY2(audit.code == 0, qPrintable(QStringLiteral("round %1: audit list: %2").arg(rounds).arg(audit.err)));
            // While the window runs the pipeline, the CLI's run is refused by the workspace's
            // pipeline lock (exit 2, "busy"); afterwards it finds everything up to date.
            const CliResult again = cliBeside(QStringList{QStringLiteral("run")} + ws);
            QVERIFY2(again.code == 0 || (again.code == 2 && again.err.contains(QStringLiteral("busy"))),
                     qPrintable(QStringLiteral("round %1: run: exit %2: %3").arg(rounds).arg(again.code).arg(again.err)));
            ++rounds;
            if (running)
                ++roundsDuringTheRun;
            const QStringList deleted = deletedDatabaseFilesOpenHere();
            QVERIFY2(deleted.isEmpty(), qPrintable(QStringLiteral("round %1: the window uses deleted files: %2").arg(rounds).arg(deleted.join(QStringLiteral(", ")))));
        }
        qInfo("%d CLI rounds, %d of them while the window's pipeline ran", rounds, roundsDuringTheRun);
        QVERIFY2(roundsDuringTheRun >= 5, "the CLI hardly ran beside the window's pipeline run");
        QVERIFY2(allNodesIn(*editor, {NodeRunState::Done, NodeRunState::Cached}),
                 "the window's run did not finish every stage (a database failure shows as failed stages)");

        // The window reads what the CLI's last run wrote, then closes.
        window->modeBar()->buttonAt(2)->click();
        QTest::qWait(200);
        window.reset();

        auto opened = workspace::Workspace::open(root);
        QVERIFY2(opened.isOk(), qPrintable(opened.status().message()));
        workspace::Workspace &w = **opened;
        auto problems = w.database().integrityCheck();
        QVERIFY2(problems.isOk() && problems->isEmpty(), qPrintable(problems.isOk() ? problems->join(QLatin1Char('\n')) : problems.status().message()));
        auto chain = w.audit().verify();
        QVERIFY2(chain.isOk() && chain->ok, qPrintable(chain.isOk() ? chain->problem : chain.status().message()));
        auto stillRunning = w.database().prepare(QStringLiteral("SELECT count(*) FROM runs WHERE status = 'RUNNING'"));
        QVERIFY(stillRunning.isOk() && stillRunning->next());
        QCOMPARE(stillRunning->int64(0), qint64(0));
        // The window's pipeline run and its six stage runs are all recorded.
        auto stageRuns = w.database().prepare(QStringLiteral(
            "SELECT count(*) FROM tags WHERE key = 'mlflow.parentRunId'"));
        QVERIFY2(stageRuns.isOk() && stageRuns->next(), qPrintable(stageRuns.status().message()));
        QVERIFY2(stageRuns->int64(0) >= 6, qPrintable(QStringLiteral("%1 stage runs recorded").arg(stageRuns->int64(0))));
    }
};

QTEST_MAIN(TstWindowWithCli)
#include "tst_window_with_cli.moc"
