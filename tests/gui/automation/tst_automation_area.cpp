// The Automation area over a real workspace (issue 18, part 4): ct.yaml with every kind of trigger
// and require_approval, and six iterations written through core/ct's stores as `ct run` writes
// them — each step started and finished with its reason and detail (the pipeline's run id and
// stages, the gate's metric and values, the canary's endpoint, revision, phase and step), ending
// promoted, no change, rolled back, failed, rejected, and the newest parked for approval.
//
// What a user sees, checked:
// - the empty state of a workspace with no ct.yaml and no iteration, saying how to start;
// - the timeline: one row per iteration, newest first, "trigger → outcome" in the outcome's colour,
//   "fraud v2 vs champion v1", the reason; the parked one selected, Approve and Reject enabled
//   only there; its steps with their states and reasons; a step's detail key by key;
// - a click on a row shows that iteration's steps; Open pipeline run, model version and
//   deployment open them through the Navigator (only where the iteration made them);
// - Approve clicked: the store says approved, by whom; Reject on an iteration decided meanwhile
//   behind the area's back shows the store's refusal; Pause, Resume and Trigger now write the
//   loop's state with their audit entries;
// - the triggers: each kind with what it watches, the schedule's next run, a fired manual request
//   pending behind the parked iteration; reading them never records the triggers' baseline;
// - live: an iteration started and advanced on another connection on another thread, a pause made
//   by another process (orrery-cli ct pause) and a `ct run` holding the loop's lock appear
//   without a click, with the running step, its PID and heartbeat.
// Under Xvfb; the screenshots go to the build's screenshots/ folder (looked at when the area changes).
#include "core/common/clock.h"
#include "core/common/system_info.h"
#include "core/ct/iteration_store.h"
#include "core/ct/loop_state_store.h"
#include "core/store/database.h"
#include "core/workspace/workspace.h"
#include "core/workspace/workspace_lock.h"
#include "tests/gui/automation/automation_probe.h"
#include "tests/support/test_support.h"
#include "ui/automation/automation_area.h"
#include "ui/automation/iteration_panel.h"
#include "ui/automation/iteration_table_model.h"
#include "ui/automation/loop_panel.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/common/navigator.h"

#include <QCoreApplication>
#include <QHeaderView>
#include <QHostInfo>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QRegularExpression>
#include <QSysInfo>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QtTest>

#include <thread>

using namespace orrery;
using orrery::testing::runCli;
using orrery::testing::writeFile;
namespace step = ct::step;
namespace outcome = ct::outcome;

namespace {

using testing::automation::automationInfo;
using testing::automation::clickStep;
using testing::automation::detailValue;
using testing::automation::stepTexts;

constexpr int kTimeoutMs = 20000;
constexpr qint64 kMinute = 60'000;

const char *kCtYaml = R"(model: fraud
endpoint: fraud
dataset: {path: data/transactions.csv, label: is_fraud}
triggers:
  schedule: "0 3 * * *"
  data: [data/transactions.csv.dvc]
  alert: [FeatureDrift]
  manual: true
policies: {cooldown: 1h, max_per_day: 6, require_approval: true}
)";

const char *kDvc = "outs:\n- md5: 11111111111111111111111111111111\n  size: 10\n  hash: md5\n  path: transactions.csv\n";

QString screenshotPath(const QString &name)
{
    const QString dir = QStringLiteral(ORRERY_BINARY_DIR "/screenshots");
    QDir().mkpath(dir);
    return dir + QLatin1Char('/') + name;
}

std::unique_ptr<store::Database> openDb(const QString &path)
{
    auto db = store::Database::open(path);
    if (!db)
        qFatal("%s", qPrintable(db.status().toString()));
    return std::move(db).value();
}

template <typename T>
T check(Result<T> r)
{
    if (!r)
        qFatal("%s", qPrintable(r.status().toString()));
    return std::move(r).value();
}

void check(const Status &s)
{
    if (!s.isOk())
        qFatal("%s", qPrintable(s.toString()));
}

// One step as the loop records it: started, then finished with its state, reason and detail.
void recordStep(ct::IterationStore &store, common::ManualClock &clock, qint64 id, const QString &name, const QString &state,
                const QString &reason, const QJsonObject &detail = {}, qint64 tookMs = 2 * kMinute)
{
    const ct::IterationStep s = check(store.startStep(id, name));
    clock.advanceMs(tookMs);
    check(store.finishStep(s.id, state, reason, detail));
}

const QJsonObject kPipelineDetail{{QStringLiteral("run_id"), QStringLiteral("5f2c9a7e0b1d4e6f8a3c2b1d0e9f8a7b")},
                                  {QStringLiteral("stages"), QJsonArray{QStringLiteral("prepare"), QStringLiteral("train"), QStringLiteral("evaluate"),
                                                                        QStringLiteral("register")}}};

QJsonObject gateDetail(int challenger, int champion, double cv, double pv, bool passed)
{
    return {{QStringLiteral("challenger"), challenger}, {QStringLiteral("champion"), champion}, {QStringLiteral("metric"), QStringLiteral("roc_auc")},
            {QStringLiteral("challenger_value"), cv},   {QStringLiteral("champion_value"), pv}, {QStringLiteral("rows"), 480},
            {QStringLiteral("passed"), passed}};
}

QJsonObject canaryDetail(int revision, const QString &phase, int stepIndex)
{
    return {{QStringLiteral("endpoint"), QStringLiteral("fraud")}, {QStringLiteral("revision"), revision}, {QStringLiteral("phase"), phase},
            {QStringLiteral("step"), stepIndex}};
}

// An iteration of model fraud on endpoint fraud, owned by this process.
ct::NewIteration newIteration(const QString &kind, const QString &detail)
{
    ct::NewIteration n;
    n.triggerKind = kind;
    n.triggerDetail = detail;
    n.model = QStringLiteral("fraud");
    n.endpoint = QStringLiteral("fraud");
    return n;
}

struct Fixture {
    QTemporaryDir dir;
    QString root = dir.filePath(QStringLiteral("shop"));
    QString db() const { return workspace::Workspace::databasePathFor(root); }

    void init(bool withCt)
    {
        QVERIFY(QDir().mkpath(root));
        QVERIFY(workspace::Workspace::init(root).isOk());
        writeFile(root + QStringLiteral("/data/transactions.csv.dvc"), kDvc);
        if (withCt)
            writeFile(root + QStringLiteral("/ct.yaml"), kCtYaml);
    }

    // Six iterations as `ct run` records them, an hour apart, the newest parked for approval.
    void populate()
    {
        auto database = openDb(db());
        common::ManualClock clock(QDateTime::currentDateTimeUtc().addSecs(-7 * 3600));
        ct::IterationStore store(*database, &clock, QStringLiteral("ct-run"));
        auto start = [&](const QString &kind, const QString &detail) { return check(store.create(newIteration(kind, detail))); };
        auto made = [&](ct::Iteration i, int version, int champion, qint64 revision) {
            i.dataVersion = QStringLiteral("9e107d9d372bb6826bd81d3542a419d6");
            i.dataCommit = QStringLiteral("3f786850e387550fdab836ed7e6dc881de23001b");
            i.branch = QStringLiteral("orrery/ct/%1").arg(i.id);
            i.pipelineRun = version ? kPipelineDetail.value(QStringLiteral("run_id")).toString() : QString();
            i.modelVersion = version;
            i.championVersion = champion;
            i.deployRevision = revision;
            check(store.update(i));
        };

        // 1: schedule → promoted.
        ct::Iteration i = start(QStringLiteral("schedule"), QStringLiteral("schedule \"0 3 * * *\": the run due at 03:00"));
        recordStep(store, clock, i.id, step::kData, QStringLiteral("succeeded"), QStringLiteral("1,200 labelled production rows appended (policy all)"),
                   {{QStringLiteral("rows"), 1200}});
        recordStep(store, clock, i.id, step::kPipeline, QStringLiteral("succeeded"), QStringLiteral("registered fraud v2 as challenger"), kPipelineDetail, 6 * kMinute);
        recordStep(store, clock, i.id, step::kGate, QStringLiteral("succeeded"), QStringLiteral("v2 beats champion v1 on 480 recent labelled rows"),
                   gateDetail(2, 1, 0.914, 0.881, true));
        recordStep(store, clock, i.id, step::kCanary, QStringLiteral("succeeded"), QStringLiteral("every analysis passed"), canaryDetail(3, QStringLiteral("completed"), 4), 8 * kMinute);
        recordStep(store, clock, i.id, step::kPromote, QStringLiteral("succeeded"), QStringLiteral("fraud v2 is champion"));
        made(i, 2, 1, 3);
        check(store.finish(i.id, outcome::kPromoted, QStringLiteral("fraud v2 serves all traffic on fraud and is champion")));
        clock.advanceMs(40 * kMinute);

        // 2: data → no change (the gate held).
        i = start(QStringLiteral("data"), QStringLiteral("new data: data/transactions.csv.dvc: md5 1111… → 2222…"));
        recordStep(store, clock, i.id, step::kData, QStringLiteral("succeeded"), QStringLiteral("300 labelled production rows appended"));
        recordStep(store, clock, i.id, step::kPipeline, QStringLiteral("succeeded"), QStringLiteral("registered fraud v3 as challenger"), kPipelineDetail);
        recordStep(store, clock, i.id, step::kGate, QStringLiteral("failed"), QStringLiteral("v3 does not beat champion v2: roc_auc 0.902 < 0.914"),
                   gateDetail(3, 2, 0.902, 0.914, false));
        made(i, 3, 2, 0);
        check(store.finish(i.id, outcome::kNoChange, QStringLiteral("the challenger did not beat the champion on recent labelled rows")));
        clock.advanceMs(40 * kMinute);

        // 3: alert → rolled back by the canary's analysis.
        i = start(QStringLiteral("alert"), QStringLiteral("1 alert fired: FeatureDrift{endpoint=\"fraud\",feature=\"amount\"}"));
        recordStep(store, clock, i.id, step::kData, QStringLiteral("succeeded"), QStringLiteral("2,000 labelled production rows appended"));
        recordStep(store, clock, i.id, step::kPipeline, QStringLiteral("succeeded"), QStringLiteral("registered fraud v4 as challenger"), kPipelineDetail);
        recordStep(store, clock, i.id, step::kGate, QStringLiteral("succeeded"), QStringLiteral("v4 beats champion v2"), gateDetail(4, 2, 0.93, 0.914, true));
        recordStep(store, clock, i.id, step::kCanary, QStringLiteral("failed"), QStringLiteral("p99_ms 41.0 > 1.2 × stable 12.5 at step 2 (25 %)"),
                   canaryDetail(5, QStringLiteral("aborted"), 2));
        made(i, 4, 2, 5);
        check(store.finish(i.id, outcome::kRolledBack, QStringLiteral("the canary's analysis failed: p99 latency 3.3× the champion's; v2 serves")));
        clock.advanceMs(40 * kMinute);

        // 4: manual → failed in its data step.
        i = start(QStringLiteral("manual"), QStringLiteral("asked for by alice"));
        recordStep(store, clock, i.id, step::kData, QStringLiteral("failed"), QStringLiteral("no labelled production row since the last version"));
        check(store.finish(i.id, outcome::kFailed, QStringLiteral("the data step failed: no labelled production row since the last version")));
        clock.advanceMs(40 * kMinute);

        // 5: alert → rejected at the approval.
        i = start(QStringLiteral("alert"), QStringLiteral("1 alert fired: ModelAccuracyLow"));
        recordStep(store, clock, i.id, step::kData, QStringLiteral("succeeded"), QStringLiteral("800 rows"));
        recordStep(store, clock, i.id, step::kPipeline, QStringLiteral("succeeded"), QStringLiteral("registered fraud v5"), kPipelineDetail);
        recordStep(store, clock, i.id, step::kGate, QStringLiteral("succeeded"), QStringLiteral("v5 beats champion v2"), gateDetail(5, 2, 0.92, 0.914, true));
        made(i, 5, 2, 0);
        check(store.startStep(i.id, step::kApproval));
        check(store.park(i.id, QStringLiteral("waiting for approval before the canary (policies.require_approval)")));
        clock.advanceMs(10 * kMinute);
        ct::IterationStore bob(*database, &clock, QStringLiteral("bob"));
        check(bob.reject(i.id, QStringLiteral("holiday freeze")));
        clock.advanceMs(30 * kMinute);

        // 6: manual → waiting for approval (active).
        i = start(QStringLiteral("manual"), QStringLiteral("asked for by alice: retrain on the new season"));
        recordStep(store, clock, i.id, step::kData, QStringLiteral("succeeded"), QStringLiteral("900 rows"));
        recordStep(store, clock, i.id, step::kPipeline, QStringLiteral("succeeded"), QStringLiteral("registered fraud v6"), kPipelineDetail);
        recordStep(store, clock, i.id, step::kGate, QStringLiteral("succeeded"), QStringLiteral("v6 beats champion v2 on 480 rows"), gateDetail(6, 2, 0.95, 0.914, true));
        made(i, 6, 2, 0);
        check(store.startStep(i.id, step::kApproval));
        check(store.park(i.id, QStringLiteral("waiting for approval before the canary (policies.require_approval)")));
    }

    ct::Iteration iteration(qint64 id) const
    {
        auto database = openDb(db());
        ct::IterationStore store(*database);
        return check(store.get(id));
    }
    ct::LoopState loop() const
    {
        auto database = openDb(db());
        ct::LoopStateStore states(*database);
        return check(states.read());
    }
};

QString cell(ui::AutomationArea &area, qint64 id, int column, int role = Qt::DisplayRole)
{
    const int row = area.timelineModel()->rowOf(id);
    return area.timelineModel()->index(row, column).data(role).toString();
}

QColor cellColor(ui::AutomationArea &area, qint64 id)
{
    const int row = area.timelineModel()->rowOf(id);
    return area.timelineModel()->index(row, ui::IterationTableModel::OutcomeColumn).data(Qt::ForegroundRole).value<QColor>();
}

const QTreeWidgetItem *triggerRow(ui::AutomationArea &area, const QString &kind)
{
    QTreeWidget *t = area.loopPanel()->triggersView();
    for (int i = 0; i < t->topLevelItemCount(); ++i)
        if (t->topLevelItem(i)->text(ui::LoopPanel::KindColumn) == kind)
            return t->topLevelItem(i);
    return nullptr;
}

// A real click on the row of iteration `id` in the timeline.
void clickRow(ui::AutomationArea &area, qint64 id)
{
    const int row = area.timelineModel()->rowOf(id);
    QVERIFY(row >= 0);
    const QModelIndex index = area.timelineModel()->index(row, ui::IterationTableModel::OutcomeColumn);
    area.timelineView()->scrollTo(index);
    QTest::mouseClick(area.timelineView()->viewport(), Qt::LeftButton, {}, area.timelineView()->visualRect(index).center());
}

} // namespace

class TstAutomationArea : public QObject {
    Q_OBJECT

    // Stand-ins for the Experiments, Registry and Deployments areas: they record what was opened.
    ui::Navigator m_navigator;
    QWidget m_experiments, m_registry, m_deployments;
    QVector<ui::ObjectRef> m_opened;

    std::unique_ptr<ui::AutomationArea> makeArea(Fixture &f, const QSize &size = QSize(1600, 1000))
    {
        auto area = std::make_unique<ui::AutomationArea>(automationInfo(), &m_navigator);
        area->resize(size);
        area->show();
        area->setWorkspaceRoot(f.root);
        return area;
    }

    bool waitForRead(ui::AutomationArea &area)
    {
        QSignalSpy spy(&area, &ui::AutomationArea::refreshed);
        return spy.wait(kTimeoutMs);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setApplicationName(QStringLiteral("tst_automation_area"));
        m_navigator.registerHandler(QStringLiteral("run"), &m_experiments, [this](const ui::ObjectRef &r) { m_opened << r; });
        m_navigator.registerHandler(QStringLiteral("model_version"), &m_registry, [this](const ui::ObjectRef &r) { m_opened << r; });
        m_navigator.registerHandler(QStringLiteral("deployment"), &m_deployments, [this](const ui::ObjectRef &r) { m_opened << r; });
    }

    void emptyStateSaysHowToStart()
    {
        Fixture f;
        f.init(false);
        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(area->reads() > 0, kTimeoutMs);
        QVERIFY(!area->isShowingLoop());
        QVERIFY(area->emptyState()->isVisible());
        QVERIFY(area->emptyState()->howToStart().contains(QStringLiteral("`orrery-cli ct check`")));
        QVERIFY(area->emptyState()->howToStart().contains(QStringLiteral("`orrery-cli ct run`")));
        QVERIFY(area->emptyState()->howToStart().contains(QStringLiteral("ct.yaml")));
        area->grab().save(screenshotPath(QStringLiteral("automation-empty.png")));

        // ct.yaml written: the loop shows, with its triggers, before any iteration.
        writeFile(f.root + QStringLiteral("/ct.yaml"), kCtYaml);
        QTRY_VERIFY_WITH_TIMEOUT(area->isShowingLoop(), kTimeoutMs);
        QCOMPARE(area->loopPanel()->triggersView()->topLevelItemCount(), 4);
        QCOMPARE(area->timelineModel()->rowCount(), 0);
        QVERIFY(area->loopPanel()->processLabel()->text().contains(QStringLiteral("No iteration yet")));
        QVERIFY2(area->loopPanel()->stateLabel()->text().contains(QStringLiteral("no <code>orrery-cli ct run</code>")),
                 qPrintable(area->loopPanel()->stateLabel()->text()));
    }

    void brokenCtYamlSaysWhy()
    {
        Fixture f;
        f.init(false);
        writeFile(f.root + QStringLiteral("/ct.yaml"), "model: fraud\nendpoint: fraud\ndataset: {path: data/missing.csv, label: y}\ntrigers: {}\n");
        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(area->reads() > 0, kTimeoutMs);
        QVERIFY(area->isShowingLoop()); // the file is there: what is wrong with it is the news
        const QString text = area->loopPanel()->decisionLabel()->text();
        QVERIFY2(text.contains(QStringLiteral("ct.yaml:")) && text.contains(QStringLiteral("trigers")), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("triggers")), qPrintable(text)); // the did-you-mean
        QVERIFY(!area->loopPanel()->triggerButton()->isEnabled());
        QVERIFY(area->loopPanel()->pauseButton()->isEnabled());
    }

    void timelineShowsEachIterationAndItsSteps()
    {
        Fixture f;
        f.init(true);
        f.populate();
        auto area = makeArea(f);
        QTRY_COMPARE_WITH_TIMEOUT(area->timelineModel()->rowCount(), 6, kTimeoutMs);
        QVERIFY(area->isShowingLoop());

        // Newest first; trigger → outcome in the outcome's colour; the versions; the reason.
        QCOMPARE(area->timelineModel()->index(0, 0).data().toString(), QStringLiteral("#6"));
        QCOMPARE(area->timelineModel()->index(5, 0).data().toString(), QStringLiteral("#1"));
        const QColor green(0x2e, 0x7d, 0x32), red(0xc6, 0x28, 0x28), amber(0xb2, 0x6a, 0x00), grey(0x75, 0x75, 0x75);
        QCOMPARE(cell(*area, 1, ui::IterationTableModel::OutcomeColumn), QStringLiteral("schedule → promoted"));
        QCOMPARE(cellColor(*area, 1), green);
        QCOMPARE(cell(*area, 2, ui::IterationTableModel::OutcomeColumn), QStringLiteral("data → no change"));
        QCOMPARE(cellColor(*area, 2), grey);
        QCOMPARE(cell(*area, 3, ui::IterationTableModel::OutcomeColumn), QStringLiteral("alert → rolled back"));
        QCOMPARE(cellColor(*area, 3), red);
        QCOMPARE(cell(*area, 4, ui::IterationTableModel::OutcomeColumn), QStringLiteral("manual → failed"));
        QCOMPARE(cellColor(*area, 4), red);
        QCOMPARE(cell(*area, 5, ui::IterationTableModel::OutcomeColumn), QStringLiteral("alert → rejected"));
        QCOMPARE(cellColor(*area, 5), grey);
        QCOMPARE(cell(*area, 6, ui::IterationTableModel::OutcomeColumn), QStringLiteral("manual → waiting for approval"));
        QCOMPARE(cellColor(*area, 6), amber);
        QCOMPARE(cell(*area, 1, ui::IterationTableModel::VersionsColumn), QStringLiteral("fraud v2 vs champion v1"));
        QCOMPARE(cell(*area, 4, ui::IterationTableModel::VersionsColumn), QStringLiteral("fraud"));
        QCOMPARE(cell(*area, 3, ui::IterationTableModel::ReasonColumn),
                 QStringLiteral("the canary's analysis failed: p99 latency 3.3× the champion's; v2 serves"));
        QCOMPARE(cell(*area, 5, ui::IterationTableModel::ReasonColumn), QStringLiteral("rejected by bob: holiday freeze"));
        QCOMPARE(cell(*area, 1, ui::IterationTableModel::DurationColumn), QStringLiteral("20 min"));

        // The parked iteration is the one shown: its steps, Approve and Reject.
        QCOMPARE(area->selectedIteration(), qint64(6));
        QTRY_COMPARE_WITH_TIMEOUT(stepTexts(*area), (QStringList{QStringLiteral("data succeeded"), QStringLiteral("pipeline succeeded"),
                                                                 QStringLiteral("gate succeeded"), QStringLiteral("approval waiting")}),
                                  kTimeoutMs);
        ui::IterationPanel *panel = area->iterationPanel();
        QCOMPARE(panel->stepsView()->topLevelItem(3)->foreground(ui::IterationPanel::StepStateColumn).color(), amber);
        QVERIFY(panel->approveButton()->isEnabled());
        QVERIFY(panel->rejectButton()->isEnabled());
        QVERIFY2(panel->summaryLabel()->text().contains(QStringLiteral("fraud v6 vs champion v2")), qPrintable(panel->summaryLabel()->text()));
        QVERIFY(area->loopPanel()->processLabel()->text().contains(QStringLiteral("waits for approval")));

        // A step's detail, key by key, and its reason.
        clickStep(*area, QStringLiteral("gate"));
        QCOMPARE(panel->selectedStep(), QStringLiteral("gate"));
        QCOMPARE(detailValue(*area, QStringLiteral("metric")), QStringLiteral("roc_auc"));
        QCOMPARE(detailValue(*area, QStringLiteral("challenger_value")), QStringLiteral("0.95"));
        QCOMPARE(detailValue(*area, QStringLiteral("champion_value")), QStringLiteral("0.914"));
        QCOMPARE(detailValue(*area, QStringLiteral("rows")), QStringLiteral("480"));
        QCOMPARE(detailValue(*area, QStringLiteral("passed")), QStringLiteral("true"));
        QCOMPARE(panel->stepReasonLabel()->text(), QStringLiteral("gate: v6 beats champion v2 on 480 rows"));
        clickStep(*area, QStringLiteral("pipeline"));
        QCOMPARE(detailValue(*area, QStringLiteral("stages")), QStringLiteral("prepare, train, evaluate, register"));
        // Polls keep the step the user chose.
        const int reads = area->reads();
        QTRY_VERIFY_WITH_TIMEOUT(area->reads() >= reads + 2, kTimeoutMs);
        QCOMPARE(panel->selectedStep(), QStringLiteral("pipeline"));

        // Another row: its steps; no Approve; the opens go through the Navigator.
        clickRow(*area, 3);
        QCOMPARE(area->selectedIteration(), qint64(3));
        QTRY_COMPARE_WITH_TIMEOUT(stepTexts(*area), (QStringList{QStringLiteral("data succeeded"), QStringLiteral("pipeline succeeded"),
                                                                 QStringLiteral("gate succeeded"), QStringLiteral("canary failed")}),
                                  kTimeoutMs);
        QVERIFY(!panel->approveButton()->isEnabled());
        QVERIFY(!panel->rejectButton()->isEnabled());
        QCOMPARE(panel->selectedStep(), QStringLiteral("canary")); // the newest step, the one that decided
        QCOMPARE(panel->stepsView()->topLevelItem(3)->foreground(ui::IterationPanel::StepStateColumn).color(), red);
        QCOMPARE(panel->stepsView()->topLevelItem(2)->foreground(ui::IterationPanel::StepStateColumn).color(), green);
        QCOMPARE(detailValue(*area, QStringLiteral("phase")), QStringLiteral("aborted"));
        QCOMPARE(detailValue(*area, QStringLiteral("revision")), QStringLiteral("5"));
        QVERIFY(panel->stepReasonLabel()->text().contains(QStringLiteral("p99_ms 41.0 > 1.2 × stable 12.5")));
        m_opened.clear();
        QTest::mouseClick(panel->openRunButton(), Qt::LeftButton);
        QTest::mouseClick(panel->openVersionButton(), Qt::LeftButton);
        QTest::mouseClick(panel->openDeploymentButton(), Qt::LeftButton);
        QCOMPARE(m_opened, (QVector<ui::ObjectRef>{{QStringLiteral("run"), QStringLiteral("5f2c9a7e0b1d4e6f8a3c2b1d0e9f8a7b")},
                                                   {QStringLiteral("model_version"), QStringLiteral("fraud/4")},
                                                   {QStringLiteral("deployment"), QStringLiteral("fraud")}}));

        // One that made nothing: nothing to open.
        clickRow(*area, 4);
        QTRY_COMPARE_WITH_TIMEOUT(stepTexts(*area), QStringList{QStringLiteral("data failed")}, kTimeoutMs);
        QVERIFY(!panel->openRunButton()->isEnabled());
        QVERIFY(!panel->openVersionButton()->isEnabled());
        QVERIFY(!panel->openDeploymentButton()->isEnabled());
        // No canary: no deployment to open, though a version was made.
        clickRow(*area, 2);
        QTRY_COMPARE_WITH_TIMEOUT(area->iterationPanel()->iterationId(), qint64(2), kTimeoutMs);
        QVERIFY(panel->openVersionButton()->isEnabled());
        QVERIFY(!panel->openDeploymentButton()->isEnabled());

        // The Navigator opens an iteration here too.
        QVERIFY(m_navigator.open({QStringLiteral("ct_iteration"), QStringLiteral("1")}));
        QCOMPARE(area->selectedIteration(), qint64(1));
        QTRY_COMPARE_WITH_TIMEOUT(stepTexts(*area).size(), 5, kTimeoutMs);
    }

    void approveAndRefusal()
    {
        Fixture f;
        f.init(true);
        f.populate();
        auto area = makeArea(f);
        QTRY_COMPARE_WITH_TIMEOUT(area->timelineModel()->rowCount(), 6, kTimeoutMs);
        ui::IterationPanel *panel = area->iterationPanel();
        QTRY_VERIFY_WITH_TIMEOUT(panel->approveButton()->isEnabled(), kTimeoutMs);
        QSignalSpy done(area.get(), &ui::AutomationArea::actionFinished);
        QTest::mouseClick(panel->approveButton(), Qt::LeftButton);
        QVERIFY(done.wait(kTimeoutMs));
        QCOMPARE(done.first().first().toBool(), true);
        const ct::Iteration approved = f.iteration(6);
        QCOMPARE(approved.state, ct::IterationState::Approved);
        QCOMPARE(approved.decidedBy, common::osUserName());
        QVERIFY2(approved.reason.contains(QStringLiteral("in the Automation area")), qPrintable(approved.reason));
        QTRY_COMPARE_WITH_TIMEOUT(cell(*area, 6, ui::IterationTableModel::OutcomeColumn), QStringLiteral("manual → approved: waiting for the loop"),
                                  kTimeoutMs);
        QVERIFY(!panel->approveButton()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(stepTexts(*area).last(), QStringLiteral("approval succeeded"), kTimeoutMs);

        // A refusal names why: parked again, then decided behind the area's back before the
        // click (no poll in between), so the store refuses.
        {
            auto database = openDb(f.db());
            ct::IterationStore store(*database);
            check(store.startStep(6, step::kCanary));
            check(store.finish(6, outcome::kPromoted, QStringLiteral("promoted")));
            const ct::Iteration seven = check(store.create(newIteration(QStringLiteral("manual"), QStringLiteral("again"))));
            check(store.startStep(seven.id, step::kApproval));
            check(store.park(seven.id, QStringLiteral("waiting for approval")));
        }
        QTRY_VERIFY_WITH_TIMEOUT(area->selectedIteration() == 7 && panel->rejectButton()->isEnabled(), kTimeoutMs);
        area->setPollIntervalMs(3'600'000);
        QTRY_VERIFY_WITH_TIMEOUT(!area->isReading(), kTimeoutMs);
        {
            auto database = openDb(f.db());
            ct::IterationStore carol(*database, nullptr, QStringLiteral("carol"));
            check(carol.approve(7, QStringLiteral("from the CLI")));
        }
        done.clear();
        QTest::mouseClick(panel->rejectButton(), Qt::LeftButton);
        QVERIFY(done.wait(kTimeoutMs));
        QCOMPARE(done.first().first().toBool(), false);
        const QString message = area->messageLabel()->text();
        QVERIFY2(message.contains(QStringLiteral("Could not reject")) && message.contains(QStringLiteral("not waiting for approval")), qPrintable(message));
        QVERIFY(area->messageLabel()->isVisible());
        QCOMPARE(f.iteration(7).state, ct::IterationState::Approved);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->rejectButton()->isEnabled(), kTimeoutMs); // the read after the answer shows it approved
    }

    void pauseResumeAndTriggerWriteTheLoopState()
    {
        Fixture f;
        f.init(true);
        f.populate();
        auto area = makeArea(f);
        QTRY_COMPARE_WITH_TIMEOUT(area->timelineModel()->rowCount(), 6, kTimeoutMs);
        ui::LoopPanel *loop = area->loopPanel();
        QVERIFY(loop->pauseButton()->isEnabled());
        QVERIFY(!loop->resumeButton()->isEnabled());
        QVERIFY(loop->triggerButton()->isEnabled());

        // The triggers, each with what it watches; the schedule's next run.
        const QTreeWidgetItem *schedule = triggerRow(*area, QStringLiteral("schedule"));
        QVERIFY(schedule);
        QCOMPARE(schedule->text(ui::LoopPanel::WatchesColumn), QStringLiteral("cron \"0 3 * * *\" (UTC)"));
        const QDateTime next = area->snapshot().decision->nextSchedule ? QDateTime::fromMSecsSinceEpoch(area->snapshot().decision->nextSchedule, Qt::UTC) : QDateTime();
        QVERIFY(next.isValid() && next.time() == QTime(3, 0) && next > QDateTime::currentDateTimeUtc());
        QVERIFY2(schedule->text(ui::LoopPanel::NextColumn).startsWith(next.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))),
                 qPrintable(schedule->text(ui::LoopPanel::NextColumn)));
        QVERIFY(triggerRow(*area, QStringLiteral("data"))->text(ui::LoopPanel::WatchesColumn).contains(QStringLiteral("data/transactions.csv.dvc")));
        QCOMPARE(triggerRow(*area, QStringLiteral("alert"))->text(ui::LoopPanel::WatchesColumn), QStringLiteral("FeatureDrift firing for endpoint fraud"));
        QCOMPARE(triggerRow(*area, QStringLiteral("manual"))->text(ui::LoopPanel::NowColumn), QStringLiteral("idle"));
        // How many of the fixture's iterations fall on today's UTC day depends on the time of day;
        // the label says the count against max_per_day (in bold once the maximum is reached).
        const QString policies = loop->policiesLabel()->text();
        QVERIFY2(QRegularExpression(QStringLiteral("(<b>)?[0-6] of 6(</b>)? iterations started today \\(UTC\\)")).match(policies).hasMatch(), qPrintable(policies));
        QVERIFY2(loop->policiesLabel()->text().contains(QStringLiteral("Cool-down 1h: over")), qPrintable(loop->policiesLabel()->text()));
        QVERIFY(loop->policiesLabel()->text().contains(QStringLiteral("approval required")));

        // Trigger now: the request waits behind the parked iteration, and says so.
        QSignalSpy done(area.get(), &ui::AutomationArea::actionFinished);
        QTest::mouseClick(loop->triggerButton(), Qt::LeftButton);
        QVERIFY(done.wait(kTimeoutMs));
        QVERIFY(f.loop().manualRequested > 0);
        QCOMPARE(f.loop().manualBy, common::osUserName());
        QTRY_COMPARE_WITH_TIMEOUT(triggerRow(*area, QStringLiteral("manual"))->text(ui::LoopPanel::NowColumn),
                                  QStringLiteral("pending: iteration 6 is waiting for approval (one at a time)"), kTimeoutMs);
        QVERIFY(triggerRow(*area, QStringLiteral("manual"))->toolTip(ui::LoopPanel::NowColumn).contains(QStringLiteral("asked for by")));
        QVERIFY(loop->decisionLabel()->text().contains(QStringLiteral("one iteration at a time")));

        // Pause, then Resume, as `ct pause|resume` do.
        done.clear();
        QTest::mouseClick(loop->pauseButton(), Qt::LeftButton);
        QVERIFY(done.wait(kTimeoutMs));
        ct::LoopState state = f.loop();
        QVERIFY(state.paused);
        QCOMPARE(state.pausedBy, common::osUserName());
        QCOMPARE(state.pausedReason, QStringLiteral("in the Automation area"));
        QTRY_VERIFY_WITH_TIMEOUT(loop->stateLabel()->text().contains(QStringLiteral("Loop paused")), kTimeoutMs);
        QVERIFY(!loop->pauseButton()->isEnabled());
        QVERIFY(loop->resumeButton()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(triggerRow(*area, QStringLiteral("manual"))->text(ui::LoopPanel::NowColumn), QStringLiteral("pending: the loop is paused"),
                                  kTimeoutMs);
        done.clear();
        QTest::mouseClick(loop->resumeButton(), Qt::LeftButton);
        QVERIFY(done.wait(kTimeoutMs));
        QVERIFY(!f.loop().paused);
        QTRY_VERIFY_WITH_TIMEOUT(loop->pauseButton()->isEnabled() && !loop->resumeButton()->isEnabled(), kTimeoutMs);

        // Each change has its audit entry.
        auto database = openDb(f.db());
        for (const char *action : {"ct.paused", "ct.resumed", "ct.trigger.manual"}) {
            auto q = check(database->prepare(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = ? AND actor = ?")));
            q.bind(1, QString::fromLatin1(action)).bind(2, common::osUserName());
            QVERIFY(q.next());
            QVERIFY2(q.int64(0) == 1, action);
        }
    }

    void readingNeverRecordsTheTriggersBaseline()
    {
        // A loop that never looked: the area asks the triggers every poll, and ct_state keeps no
        // baseline — only the loop records one (otherwise opening the window would decide what fires).
        Fixture f;
        f.init(true);
        auto area = makeArea(f);
        QTRY_VERIFY_WITH_TIMEOUT(area->reads() >= 3, kTimeoutMs);
        QVERIFY(area->snapshot().decision.has_value());
        const ct::LoopState state = f.loop();
        QCOMPARE(state.triggersFrom, qint64(0));
        QVERIFY(!state.watchedKnown);
    }

    void liveWhileCtRunWorksElsewhere()
    {
        Fixture f;
        f.init(true);
        f.populate();
        {
            auto database = openDb(f.db()); // decide the parked one, so a new iteration may start
            ct::IterationStore store(*database);
            check(store.reject(6, QStringLiteral("superseded")));
        }
        auto area = makeArea(f);
        QTRY_COMPARE_WITH_TIMEOUT(area->timelineModel()->rowCount(), 6, kTimeoutMs);
        QCOMPARE(area->selectedIteration(), qint64(6));

        // The loop's lock held as `ct run` holds it: the loop shows running, by whom.
        auto lock = check(workspace::WorkspaceLock::acquire(f.root, QStringLiteral("ct"), QStringLiteral("orrery-cli ct run")));
        QTRY_VERIFY_WITH_TIMEOUT(area->loopPanel()->stateLabel()->text().contains(QStringLiteral("Loop running")), kTimeoutMs);
        QVERIFY(area->loopPanel()->stateLabel()->text().contains(QStringLiteral("orrery-cli ct run (PID %1)").arg(QCoreApplication::applicationPid())));

        // Another connection on another thread starts an iteration and its data step.
        std::thread writer([&f] {
            auto database = openDb(f.db());
            ct::IterationStore store(*database);
            const ct::Iteration i = check(store.create(newIteration(QStringLiteral("alert"), QStringLiteral("1 alert fired: FeatureDrift"))));
            check(store.startStep(i.id, step::kData));
        });
        writer.join();
        QTRY_COMPARE_WITH_TIMEOUT(area->timelineModel()->rowCount(), 7, kTimeoutMs);
        QCOMPARE(cell(*area, 7, ui::IterationTableModel::OutcomeColumn), QStringLiteral("alert → running: data"));
        QCOMPARE(area->selectedIteration(), qint64(7)); // the user chose none: the one in progress is shown
        QTRY_COMPARE_WITH_TIMEOUT(stepTexts(*area), QStringList{QStringLiteral("data running")}, kTimeoutMs);
        const QString process = area->loopPanel()->processLabel()->text();
        QVERIFY2(process.contains(QStringLiteral("step <b>data</b>")) && process.contains(QStringLiteral("PID %1").arg(QCoreApplication::applicationPid()))
                     && process.contains(QSysInfo::machineHostName()) && process.contains(QStringLiteral("heartbeat")),
                 qPrintable(process));

        // It advances: the data step ends, the pipeline starts — shown without a click.
        std::thread advance([&f] {
            auto database = openDb(f.db());
            ct::IterationStore store(*database);
            const auto steps = check(store.steps(7));
            check(store.finishStep(steps.last().id, QStringLiteral("succeeded"), QStringLiteral("640 labelled rows appended")));
            check(store.startStep(7, step::kPipeline, {{QStringLiteral("run_id"), QStringLiteral("abcdef0123456789abcdef0123456789")}}));
        });
        advance.join();
        QTRY_COMPARE_WITH_TIMEOUT(cell(*area, 7, ui::IterationTableModel::OutcomeColumn), QStringLiteral("alert → running: pipeline"), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(stepTexts(*area), (QStringList{QStringLiteral("data succeeded"), QStringLiteral("pipeline running")}), kTimeoutMs);
        QVERIFY(area->iterationPanel()->openRunButton()->isEnabled()); // the pipeline step's run_id, before the iteration records it
        // The longer text fits its column: nothing elided.
        QTableView *view = area->timelineView();
        const int width = view->columnWidth(ui::IterationTableModel::OutcomeColumn);
        view->resizeColumnToContents(ui::IterationTableModel::OutcomeColumn);
        QVERIFY2(view->columnWidth(ui::IterationTableModel::OutcomeColumn) <= width,
                 qPrintable(QStringLiteral("%1 needs %2 px, has %3").arg(cell(*area, 7, ui::IterationTableModel::OutcomeColumn))
                                .arg(view->columnWidth(ui::IterationTableModel::OutcomeColumn)).arg(width)));
        area->grab().save(screenshotPath(QStringLiteral("automation-live.png")));

        // Another process pauses the loop: shown without a click.
        const auto r = runCli({QStringLiteral("ct"), QStringLiteral("pause"), QStringLiteral("--reason"), QStringLiteral("maintenance window"),
                               QStringLiteral("--workspace"), f.root});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QTRY_VERIFY_WITH_TIMEOUT(area->loopPanel()->stateLabel()->text().contains(QStringLiteral("maintenance window")), kTimeoutMs);
        QVERIFY(area->loopPanel()->resumeButton()->isEnabled());

        // `ct run` ends: its lock goes, and the area says nothing runs the loop.
        lock.reset();
        const auto resumed = runCli({QStringLiteral("ct"), QStringLiteral("resume"), QStringLiteral("--workspace"), f.root});
        QVERIFY2(resumed.ok(), qPrintable(resumed.describe()));
        QTRY_VERIFY_WITH_TIMEOUT(area->loopPanel()->stateLabel()->text().contains(QStringLiteral("Loop on")), kTimeoutMs);
    }

    void screenshotOfAPopulatedWorkspace()
    {
        Fixture f;
        f.init(true);
        f.populate();
        {
            auto database = openDb(f.db());
            ct::LoopStateStore states(*database, nullptr, QStringLiteral("alice"));
            check(states.requestManual(QStringLiteral("new season")));
        }
        for (const QSize size : {QSize(1600, 1000), QSize(1100, 760)}) {
            auto area = makeArea(f, size);
            QTRY_COMPARE_WITH_TIMEOUT(area->timelineModel()->rowCount(), 6, kTimeoutMs);
            QTRY_COMPARE_WITH_TIMEOUT(stepTexts(*area).size(), 4, kTimeoutMs);
            clickStep(*area, QStringLiteral("gate"));
            QVERIFY(QTest::qWaitForWindowExposed(area.get()));
            // Nothing is cut off: the timeline's columns before the reason fit the view.
            QHeaderView *header = area->timelineView()->horizontalHeader();
            QVERIFY2(header->sectionPosition(ui::IterationTableModel::ReasonColumn) < area->timelineView()->viewport()->width() - 80,
                     qPrintable(QString::number(header->sectionPosition(ui::IterationTableModel::ReasonColumn))));
            area->grab().save(screenshotPath(QStringLiteral("automation-%1x%2.png").arg(size.width()).arg(size.height())));
        }
    }
};

QTEST_MAIN(TstAutomationArea)
#include "tst_automation_area.moc"
