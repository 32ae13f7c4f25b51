// A pipeline run from the editor as a job in the Activity dock, as in the workbench window: the
// dock shows the run (named after the workspace and the stages), its progress moves (stages
// finished of stages selected, the running stage named), Cancel in the dock stops the run as the
// editor's Cancel does, and the row then says how the run ended — succeeded, failed naming the
// stage, cancelled. On the canvas, the running train stage shows its elapsed time and the
// percentage it prints ("epoch 50/…" in its log). With ORRERY_SCREENSHOT set (packaging, under
// Xvfb) it saves the window mid-run there.
#include "pipeline_editor_fixture.h"

#include <QStandardPaths>

#include "core/common/job_tracker.h"
#include "ui/activity/activity_dock.h"
#include "ui/activity/job_list_widget.h"
#include "ui/activity/job_row.h"
#include "ui/pipeline/stage_progress.h"
#include "ui/pipeline/undo_commands.h"

#include <QAction>
#include <QLabel>
#include <QMainWindow>
#include <QProgressBar>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>
#include <QUndoStack>

using namespace orrery;
using namespace orrery::ui;
using namespace orrery::ui::testing;

class TstPipelineActivity : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_root;
    std::unique_ptr<QMainWindow> m_window;
    common::JobTracker *m_tracker = nullptr;
    PipelineEditor *m_editor = nullptr;
    ActivityDock *m_dock = nullptr;

    JobListWidget *jobs() const { return m_dock->jobList(); }
    NodeRunView node(const char *name) const { return m_editor->scene()->runView(QString::fromLatin1(name)); }
    void setParam(const QString &key, pipeline::ParamValue value)
    {
        m_editor->document()->undoStack()->push(new SetParamCommand(m_editor->document(), key, value));
    }
    JobRow *runningRow() const
    {
        const QList<common::Job *> running = m_tracker->runningJobs();
        return running.size() == 1 ? jobs()->rowFor(running.first()) : nullptr;
    }
    bool anyNodeRunning() const { return nodesIn(*m_editor, {NodeRunState::Running, NodeRunState::Queued}) > 0; }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // the editor keeps its panels in QSettings
        demo::DemoOptions o;
        o.rows = 20000;
        o.trainer = demo::DemoTrainer::Baseline; // the built-in trainer logs "epoch N/M"
        m_root = m_tmp.filePath(QStringLiteral("demo"));
        auto r = demo::createDemoWorkspace(m_root, o);
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        m_window = std::make_unique<QMainWindow>();
        m_tracker = new common::JobTracker(m_window.get());
        m_editor = new PipelineEditor;
        m_editor->setCliDir(QFileInfo(QStringLiteral(ORRERY_CLI_PATH)).absolutePath());
        m_editor->setJobTracker(m_tracker);
        m_window->setCentralWidget(m_editor);
        m_dock = new ActivityDock(m_tracker, m_window.get());
        m_window->addDockWidget(Qt::RightDockWidgetArea, m_dock);
        m_window->resize(1600, 1000);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_editor->setWorkspaceRoot(m_root);
        QCOMPARE(m_editor->document()->model()->nodes().size(), 6);
        QCOMPARE(jobs()->rowCount(), 0);
    }

    void progressIsParsedOnlyFromWhatStagesPrint()
    {
        auto p = parseStageProgress("loaded 20000 rows\nbaseline_logistic epoch 50/300 weighted log-loss 0.1\n");
        QVERIFY(p);
        QCOMPARE(p->done, 50);
        QCOMPARE(p->total, 300);
        QCOMPARE(p->percent(), 16);
        QCOMPARE(p->label, QStringLiteral("epoch 50/300"));
        // Terminal-style updates: the last one wins; the finer unit on a line wins.
        p = parseStageProgress("\repoch 1/4, loss 0.3  step 10/400 \repoch 2/4, loss 0.2  step 120/400 ");
        QVERIFY(p);
        QCOMPARE(p->label, QStringLiteral("step 120/400"));
        p = parseStageProgress(" 45%|████▌     | 45/100 [00:01<00:01, 44.1it/s]");
        QVERIFY(p);
        QCOMPARE(p->percent(), 45);
        // Nothing countable: no percentage (dates, ratios, counts without a total, done > total).
        QVERIFY(!parseStageProgress("2024/05/01 started\nsplit 20000 rows: 16000 train, 4000 test\n"));
        QVERIFY(!parseStageProgress("precision 0.5/0.9\nepoch 7/0\nstep 12/10\n"));
        QVERIFY(!parseStageProgress(""));
    }

    void runIsAJobInTheDockWithMovingProgress()
    {
        setParam(QStringLiteral("train.epochs"), pipeline::ParamValue::integer(2000)); // seconds of training, "epoch 50/2000" every 50
        QList<int> seen; // the row's progress values, sampled as a person would see them
        QString trainDetail;
        QTimer sample;
        sample.setInterval(20);
        connect(&sample, &QTimer::timeout, this, [&] {
            if (JobRow *row = runningRow()) {
                if (seen.isEmpty() || seen.last() != row->progressBar()->value())
                    seen << row->progressBar()->value();
                if (row->detailText().contains(QStringLiteral("train")))
                    trainDetail = row->detailText();
            }
        });
        sample.start();
        m_editor->action(QStringLiteral("runAll"))->trigger();
        QVERIFY(m_editor->isRunning());
        QCOMPARE(jobs()->rowCount(), 1); // shown at once
        JobRow *row = runningRow();
        QVERIFY(row);
        QCOMPARE(row->title(), QStringLiteral("Pipeline demo: all stages"));
        QVERIFY(row->cancelButton()->isEnabled());

        // The train node: elapsed time, then the percentage its log prints.
        QTRY_VERIFY_WITH_TIMEOUT(node("train").state == NodeRunState::Running, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(node("train").percent >= 0, 20000);
        const NodeRunView train = node("train");
        QVERIFY2(train.stateText.contains(QRegularExpression(QStringLiteral(R"(^running \d+\.\d s · \d+% \(epoch \d+/2000\)$)"))),
                 qPrintable(train.stateText));
        QTRY_VERIFY_WITH_TIMEOUT(node("train").percent > train.percent || node("train").state != NodeRunState::Running, 20000);
        if (qEnvironmentVariableIsSet("ORRERY_SCREENSHOT")) {
            // The README's picture: the editor mid-run, with the Activity dock.
            m_editor->view()->fitAll();
            QTest::mouseClick(m_editor->view()->viewport(), Qt::LeftButton, {}, nodeTitle(*m_editor, QStringLiteral("train")));
            QTest::qWait(600);
            QVERIFY(m_window->grab().save(qEnvironmentVariable("ORRERY_SCREENSHOT")));
        }

        QTRY_VERIFY_WITH_TIMEOUT(!m_editor->isRunning(), 240000);
        sample.stop();
        QVERIFY2(!anyNodeRunning(), qPrintable(m_editor->message()));
        QCOMPARE(node("train").state, NodeRunState::Done);
        // The dock: progress moved forward through the stages, the running stage was named.
        QVERIFY2(seen.size() >= 3, qPrintable(QString::number(seen.size())));
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        QCOMPARE(trainDetail, QStringLiteral("running train"));
        // ... and the row stays, saying how the run ended.
        QTRY_COMPARE(jobs()->rowCount(), 0);
        QCOMPARE(jobs()->finishedRows().size(), 1);
        JobRow *done = jobs()->finishedRows().first();
        QCOMPARE(done->outcome(), JobRow::Outcome::Succeeded);
        QVERIFY2(done->detailText().startsWith(QStringLiteral("✓ Succeeded in")), qPrintable(done->detailText()));
        QVERIFY(!done->progressBar()->isVisible());
        // Its button now dismisses it.
        QTest::mouseClick(done->cancelButton(), Qt::LeftButton);
        QVERIFY(jobs()->finishedRows().isEmpty());
    }

    void cancelInTheDockStopsTheRun()
    {
        setParam(QStringLiteral("train.epochs"), pipeline::ParamValue::integer(100000)); // would take minutes
        m_editor->runAll();
        QTRY_VERIFY_WITH_TIMEOUT(node("train").state == NodeRunState::Running, 60000);
        qInfo("train running; cancelling from the dock");
        JobRow *row = runningRow();
        QVERIFY(row);
        QTest::mouseClick(row->cancelButton(), Qt::LeftButton);
        QVERIFY(!row->cancelButton()->isEnabled());
        QCOMPARE(row->detailText(), QStringLiteral("Cancelling…"));
        QTRY_VERIFY_WITH_TIMEOUT(!m_editor->isRunning(), 30000);
        qInfo("stopped");
        // As the editor's own Cancel: the run stops, nothing is left running, it says cancelled.
        QVERIFY(!anyNodeRunning());
        QCOMPARE(node("train").state, NodeRunState::Failed);
        QCOMPARE(m_editor->message(), QStringLiteral("Run cancelled"));
        QVERIFY(m_editor->action(QStringLiteral("runAll"))->isEnabled());
        QTRY_COMPARE(jobs()->finishedRows().size(), 1);
        JobRow *ended = jobs()->finishedRows().first();
        QCOMPARE(ended->outcome(), JobRow::Outcome::Cancelled);
        QVERIFY2(ended->detailText().startsWith(QStringLiteral("Cancelled after")), qPrintable(ended->detailText()));
    }

    void failedRunNamesTheStage()
    {
        setParam(QStringLiteral("train.epochs"), pipeline::ParamValue::integer(300));
        setParam(QStringLiteral("gate.rules"), pipeline::ParamValue::string(QStringLiteral("roc_auc >= 0.9999")));
        m_editor->runAll();
        QTRY_VERIFY_WITH_TIMEOUT(!m_editor->isRunning(), 120000);
        QCOMPARE(node("gate").state, NodeRunState::CheckFailed);
        QTRY_COMPARE(jobs()->finishedRows().size(), 2); // newest first, the cancelled run under it
        JobRow *ended = jobs()->finishedRows().first();
        QCOMPARE(ended->outcome(), JobRow::Outcome::Failed);
        QVERIFY2(ended->detailText().contains(QStringLiteral("gate: check failed")), qPrintable(ended->detailText()));
        QVERIFY2(ended->detailText().contains(QStringLiteral("roc_auc")), qPrintable(ended->detailText()));
        QCOMPARE(jobs()->finishedRows().at(1)->outcome(), JobRow::Outcome::Cancelled);
    }
};

QTEST_MAIN(TstPipelineActivity)
#include "tst_pipeline_activity.moc"
