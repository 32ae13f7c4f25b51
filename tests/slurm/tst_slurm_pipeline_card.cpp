// The user story in the window: the demo's train stage placed on Slurm (executors.yaml,
// 2 CPUs) says so on its card; Run all shows it queued with Slurm's reason while another job holds
// the node's CPUs ("queued · slurm job N · Resources"), then running on the node, then done —
// the same dvc.lock a local run writes; Cancel in the window ends the Slurm job (scancel).
// Screenshots of the card in each state go to $ORRERY_SCREENSHOT_DIR when it is set.
#include "../gui/pipeline/pipeline_editor_fixture.h"

#include "core/pipeline/lock_file.h"
#include "tests/support/test_support.h"
#include "ui/pipeline/undo_commands.h"

#include <QAction>
#include <QDir>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace orrery;
using namespace orrery::ui;
using namespace orrery::ui::testing;

namespace {

QString slurm(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    p.waitForFinished(60000);
    return QString::fromLocal8Bit(p.readAllStandardOutput() + p.readAllStandardError()).trimmed();
}

// A job that holds every CPU of the node until cancelled, so the next one waits for Resources.
QString holdTheNode()
{
    return slurm(QStringLiteral("sbatch"), {QStringLiteral("--parsable"), QStringLiteral("--exclusive"), QStringLiteral("--job-name=hold-the-node"),
                                            QStringLiteral("--output=/dev/null"), QStringLiteral("--wrap=sleep 600")}).section(QLatin1Char(';'), 0, 0);
}

} // namespace

class TstSlurmPipelineCard : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_root;
    QString m_blocker;
    std::unique_ptr<PipelineEditor> m_editor;

    QString cardText(const QString &stage)
    {
        return m_editor->scene()->runView(stage).stateText;
    }

    void screenshot(const QString &name)
    {
        const QString dir = qEnvironmentVariable("ORRERY_SCREENSHOT_DIR");
        if (!dir.isEmpty())
            m_editor->grab().save(QDir(dir).filePath(name));
    }

private Q_SLOTS:
    // A failed check must not leave the node held or a stage queued for the next test.
    void cleanup()
    {
        if (m_editor && m_editor->isRunning()) {
            m_editor->action(QStringLiteral("cancel"))->trigger();
            QTRY_VERIFY_WITH_TIMEOUT(!m_editor->isRunning(), 60000);
        }
        if (!m_blocker.isEmpty())
            slurm(QStringLiteral("scancel"), {m_blocker});
        m_blocker.clear();
    }

    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariable("SLURM_CONF").isEmpty(), "SLURM_CONF is not set: the `slurm` CTest fixture starts the test cluster");
        QStandardPaths::setTestModeEnabled(true);
        demo::DemoOptions o;
        o.rows = 5000;
        o.trainer = demo::DemoTrainer::Baseline; // a built-in train stage: on Slurm it runs as `orrery-cli stage train …`
        m_root = m_tmp.filePath(QStringLiteral("demo"));
        auto r = demo::createDemoWorkspace(m_root, o);
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        orrery::testing::writeFile(QDir(m_root).filePath(QStringLiteral("executors.yaml")),
                                   "# train runs on the group's cluster; everything else here\n"
                                   "stages:\n"
                                   "  train:\n"
                                   "    executor: slurm\n"
                                   "    cpus: 1\n"
                                   "    memory: 1G\n");
        m_editor = std::make_unique<PipelineEditor>();
        m_editor->setCliDir(QFileInfo(QStringLiteral(ORRERY_CLI_PATH)).absolutePath());
        m_editor->resize(1500, 900);
        m_editor->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_editor.get()));
        m_editor->setWorkspaceRoot(m_root);
    }

    void theCardSaysWhereTheStageRuns()
    {
        StageNodeItem *train = m_editor->scene()->nodeItem(m_editor->document()->model()->nodeByName(QStringLiteral("train")));
        QVERIFY(train);
        QVERIFY2(train->view().typeName.endsWith(QStringLiteral(" · on slurm · 1 CPU · 1 GB")), qPrintable(train->view().typeName));
        StageNodeItem *split = m_editor->scene()->nodeItem(m_editor->document()->model()->nodeByName(QStringLiteral("split")));
        QVERIFY2(!split->view().typeName.contains(QStringLiteral(" · on ")), qPrintable(split->view().typeName));
    }

    void queuedWithSlurmsReasonThenRunningOnTheNodeThenDone()
    {
        const QString blocker = m_blocker = holdTheNode();
        QVERIFY2(blocker.toInt() > 0, qPrintable(blocker));
        QTRY_COMPARE_WITH_TIMEOUT(slurm(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-j"), blocker, QStringLiteral("-o"), QStringLiteral("%T")}),
                                  QStringLiteral("RUNNING"), 60000);
        m_editor->action(QStringLiteral("runAll"))->trigger();
        QTRY_VERIFY2_WITH_TIMEOUT(cardText(QStringLiteral("train")).endsWith(QStringLiteral(" · Resources")), qPrintable(cardText(QStringLiteral("train"))), 60000);
        QCOMPARE(m_editor->scene()->runView(QStringLiteral("train")).state, NodeRunState::Queued);
        const QRegularExpression queued(QStringLiteral("^queued( \\d+ s)? · slurm job (\\d+) · Resources$"));
        const auto m = queued.match(cardText(QStringLiteral("train")));
        QVERIFY2(m.hasMatch(), qPrintable(cardText(QStringLiteral("train"))));
        const QString job = m.captured(2);
        m_editor->view()->fitAll();
        screenshot(QStringLiteral("slurm-card-queued.png"));

        slurm(QStringLiteral("scancel"), {blocker});
        const QString host = slurm(QStringLiteral("hostname"), {QStringLiteral("-s")});
        QTRY_VERIFY2_WITH_TIMEOUT(m_editor->scene()->runView(QStringLiteral("train")).state != NodeRunState::Queued, qPrintable(cardText(QStringLiteral("train"))), 60000);
        // Running on the node, or (on a fast machine) already done: either way Slurm ran it there.
        QTRY_VERIFY_WITH_TIMEOUT(!m_editor->isRunning(), 240000);
        QCOMPARE(m_editor->scene()->runView(QStringLiteral("train")).state, NodeRunState::Done);
        QVERIFY2(slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), job}).contains(QStringLiteral("JobState=COMPLETED")), qPrintable(job));
        QVERIFY2(slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), job}).contains(QStringLiteral("NodeList=") + host), qPrintable(job));
        QVERIFY(allNodesIn(*m_editor, {NodeRunState::Done}));
        // The lock is the one a local run writes: train's entry has its cmd, deps and outs, nothing of Slurm.
        auto lock = pipeline::LockFile::load(m_root);
        QVERIFY2(lock, qPrintable(lock.status().message()));
        QVERIFY(lock->stage(QStringLiteral("train")));
        QVERIFY(!orrery::testing::readFile(QDir(m_root).filePath(QStringLiteral("dvc.lock"))).contains("slurm"));
        screenshot(QStringLiteral("slurm-card-done.png"));
    }

    void cancelInTheWindowCancelsTheSlurmJob()
    {
        m_editor->document()->undoStack()->push(new SetParamCommand(m_editor->document(), QStringLiteral("train.epochs"), pipeline::ParamValue::integer(100000)));
        QVERIFY(m_editor->document()->save().isOk());
        m_editor->action(QStringLiteral("runAll"))->trigger();
        QTRY_VERIFY2_WITH_TIMEOUT(m_editor->scene()->runView(QStringLiteral("train")).state == NodeRunState::Running
                                      && m_editor->scene()->runView(QStringLiteral("train")).stateText.contains(QRegularExpression(QStringLiteral("^running [0-9.]+ s · slurm job \\d+ on \\S+$"))),
                                  qPrintable(cardText(QStringLiteral("train"))), 120000);
        screenshot(QStringLiteral("slurm-card-running.png"));
        const QString job = slurm(QStringLiteral("squeue"), {QStringLiteral("-h"), QStringLiteral("-n"), QStringLiteral("orrery-stage-train"), QStringLiteral("-o"), QStringLiteral("%i")});
        QVERIFY2(job.toInt() > 0, qPrintable(job));
        m_editor->action(QStringLiteral("cancel"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(!m_editor->isRunning(), 60000);
        QVERIFY2(slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), job}).contains(QStringLiteral("JobState=CANCELLED")), qPrintable(job));
        QCOMPARE(nodesIn(*m_editor, {NodeRunState::Running, NodeRunState::Queued}), 0);
    }
};

QTEST_MAIN(TstSlurmPipelineCard)
#include "tst_slurm_pipeline_card.moc"
