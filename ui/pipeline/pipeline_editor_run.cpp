// PipelineEditor, the running half: Run all / Run selected / Cancel, node states from the
// executor's stage reports, check results (data tests, gates) and the run panel.
#include "ui/pipeline/pipeline_editor.h"
#include "ui/pipeline/stage_status_probe.h"

#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_runner.h"
#include "ui/pipeline/pipeline_scene.h"
#include "ui/pipeline/stage_command.h"
#include "ui/pipeline/stage_run_panel.h"

#include <QAction>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>

namespace orrery::ui {

using namespace orrery::pipeline;

namespace {

// A stage whose scheduler has its job but has not started it (Slurm's PENDING).
bool remoteJobPending(const StageReport &r)
{
    return r.state == StageState::Pending && r.executor != QLatin1String("local") && (r.job.id.isEmpty() || r.job.state == exec::JobState::Pending);
}

NodeRunState stateOf(StageState s)
{
    switch (s) {
    case StageState::Pending: return NodeRunState::Running;
    case StageState::Skipped:
    case StageState::Restored:
    case StageState::Frozen: return NodeRunState::Cached;
    case StageState::Ran:
    case StageState::WouldRun: return NodeRunState::Done;
    case StageState::CheckFailed: return NodeRunState::CheckFailed;
    case StageState::NotRun: return NodeRunState::NotRun;
    case StageState::Failed:
    case StageState::TimedOut:
    case StageState::Cancelled: return NodeRunState::Failed;
    }
    return NodeRunState::Idle;
}

} // namespace

void PipelineEditor::setJobTracker(common::JobTracker *tracker)
{
    m_runner->setJobTracker(tracker);
}

bool PipelineEditor::isRunning() const
{
    return m_runner && m_runner->isRunning();
}

void PipelineEditor::runAll()
{
    startRun({});
}

void PipelineEditor::runSelected()
{
    QStringList names;
    for (NodeId id : m_scene->selectedNodes())
        names << m_doc->model()->stage(id)->name;
    if (names.isEmpty()) {
        showMessage(tr("Select the stages to run first"), true);
        return;
    }
    startRun(names);
}

void PipelineEditor::cancelRun()
{
    if (!isRunning())
        return;
    m_runner->cancel();
    m_runStatus->setText(tr("Cancelling…"));
}

void PipelineEditor::startRun(const QStringList &targets)
{
    if (!m_doc->isLoaded() || isRunning())
        return;
    // The executor reads dvc.yaml and params.yaml from disk: what is shown is what runs (and a
    // form field with a problem stops the run as it stops a save).
    if ((hasUnsavedEdits() || !QFile::exists(QDir(m_root).filePath(QStringLiteral("dvc.yaml")))) && !save())
        return;
    // Queued: the targets and everything upstream of them (all stages for Run all).
    QSet<NodeId> queued;
    QList<NodeId> stack;
    for (NodeId n : m_doc->model()->nodes())
        if (targets.isEmpty() || targets.contains(m_doc->model()->stage(n)->name))
            stack << n;
    while (!stack.isEmpty()) {
        const NodeId n = stack.takeLast();
        if (queued.contains(n))
            continue;
        queued.insert(n);
        for (const Edge &e : m_doc->model()->edges())
            if (e.to == n)
                stack << e.from;
    }
    m_reports.clear();
    m_startedAt.clear();
    m_stageProgress.clear();
    m_scene->clearRunViews();
    for (NodeId n : queued) {
        NodeRunView v;
        v.state = NodeRunState::Queued;
        v.stateText = tr("queued");
        m_scene->setRunView(m_doc->model()->stage(n)->name, v);
    }
    const QString cli = m_cliDir.isEmpty() ? QCoreApplication::applicationDirPath() : m_cliDir;
    const Status st = m_runner->start(m_root, targets, cli, false, int(queued.size()));
    if (!st.isOk()) {
        showMessage(st.message(), true);
        return;
    }
    m_runStatus->setText(tr("Running…"));
    showMessage(targets.isEmpty() ? tr("Running the pipeline") : tr("Running %1 and what it needs").arg(targets.join(QStringLiteral(", "))));
    m_tick->start();
    updateActions();
}

void PipelineEditor::onStageReport(const StageReport &r)
{
    const bool fresh = r.state == StageState::Pending && !m_startedAt.contains(r.name);
    if (fresh)
        m_startedAt.insert(r.name, m_clock->elapsed());
    m_reports.insert(r.name, r);
    if (r.state != StageState::Pending)
        m_stageProgress.remove(r.name);
    NodeRunView v;
    v.state = stateOf(r.state);
    // A stage handed to a scheduler is queued until the scheduler starts it.
    if (v.state == NodeRunState::Running && remoteJobPending(r))
        v.state = NodeRunState::Queued;
    switch (v.state) {
    case NodeRunState::Queued: v.stateText = exec::describeJob(r.executor, r.job); break;
    case NodeRunState::Running: v.stateText = r.job.id.isEmpty() || r.executor == QLatin1String("local") ? tr("running…") : exec::describeJob(r.executor, r.job); break;
    case NodeRunState::Cached: v.stateText = r.state == StageState::Frozen ? tr("frozen") : tr("cached (%1)").arg(r.state == StageState::Restored ? tr("restored") : tr("up to date")); break;
    case NodeRunState::Done: v.stateText = tr("done in %1 s").arg(r.durationMs / 1000.0, 0, 'f', 1); break;
    case NodeRunState::CheckFailed: v.stateText = tr("check failed"); break;
    case NodeRunState::NotRun: v.stateText = r.reason.isEmpty() ? tr("not run") : r.reason; break;
    case NodeRunState::Failed: v.stateText = tr("%1: %2").arg(QString::fromLatin1(stageStateName(r.state)), r.reason); break;
    default: break;
    }
    // Data tests and gates: pass or fail, and why — from the findings, or the stage's report file.
    const NodeId id = m_doc->model()->nodeByName(r.name);
    const StageType *type = m_doc->stageType(id);
    if (r.state == StageState::CheckFailed) {
        v.checkResult = -1;
        v.checkText = QStringLiteral("✗ ") + (r.findings.isEmpty() ? r.reason : r.findings.join(QStringLiteral("; ")));
    } else if (type && (type->name == QLatin1String("validate") || type->name == QLatin1String("gate"))
               && (v.state == NodeRunState::Done || v.state == NodeRunState::Cached)) {
        const auto call = StageCommand::parse(m_doc->model()->stage(id)->cmd.front());
        const QString report = call ? call->value(QStringLiteral("report")).value_or(QString()) : QString();
        QFile f(QDir(m_root).filePath(report));
        QStringList why;
        bool passed = true;
        if (!report.isEmpty() && f.size() < (1 << 20) && f.open(QIODevice::ReadOnly)) {
            const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
            if (o.contains(QStringLiteral("passed")))
                passed = o.value(QStringLiteral("passed")).toBool();
            for (const auto &c : o.value(QStringLiteral("checks")).toArray())
                why << c.toObject().value(QStringLiteral("explanation")).toString();
            const auto violations = o.value(QStringLiteral("violations")).toArray();
            if (o.contains(QStringLiteral("violations")))
                why << (violations.isEmpty() ? tr("every schema rule holds") : tr("%n rule(s) violated", nullptr, int(violations.size())));
            if (o.contains(QStringLiteral("rows")))
                why << tr("%1 rows").arg(o.value(QStringLiteral("rows")).toDouble());
        }
        v.checkResult = passed ? 1 : -1;
        v.checkText = (passed ? QStringLiteral("✓ passed") : QStringLiteral("✗ failed")) + (why.isEmpty() ? QString() : QStringLiteral(": ") + why.join(QStringLiteral("; ")));
    }
    m_scene->setRunView(r.name, v);
    const QList<NodeId> sel = m_scene->selectedNodes();
    if (sel.size() == 1 && m_doc->model()->stage(sel.first())->name == r.name)
        showRunPanel();
}

void PipelineEditor::onStageProgress(const QString &stage, qint64 done, qint64 total, const QString &label)
{
    auto it = m_reports.constFind(stage);
    if (it == m_reports.constEnd() || it->state != StageState::Pending || total <= 0)
        return; // ended meanwhile
    m_stageProgress.insert(stage, std::make_pair(int(std::clamp<qint64>(done * 100 / total, 0, 100)), label));
}

void PipelineEditor::tick()
{
    ++m_phase;
    for (auto it = m_reports.cbegin(); it != m_reports.cend(); ++it) {
        if (it.value().state != StageState::Pending)
            continue;
        NodeRunView v = m_scene->runView(it.key());
        v.phase = m_phase;
        const StageReport &r = it.value();
        const double seconds = (m_clock->elapsed() - m_startedAt.value(it.key())) / 1000.0;
        if (r.executor != QLatin1String("local") && !r.job.id.isEmpty()) {
            // Queued or running on a scheduler: its job, node or reason beside the time.
            v.stateText = exec::describeJob(r.executor, r.job, tr("%1 s").arg(seconds, 0, 'f', remoteJobPending(r) ? 0 : 1));
            m_scene->setRunView(it.key(), v);
            continue;
        }
        v.stateText = tr("running %1 s").arg(seconds, 0, 'f', 1);
        // A percentage only when the stage printed one (a count of epochs, steps, a tqdm bar).
        const auto progress = m_stageProgress.constFind(it.key());
        v.percent = progress == m_stageProgress.cend() ? -1 : progress->first;
        if (progress != m_stageProgress.cend())
            v.stateText += tr(" · %1% (%2)").arg(progress->first).arg(progress->second);
        m_scene->setRunView(it.key(), v);
    }
}

void PipelineEditor::onRunFinished(bool ok, const QString &error, bool cancelled)
{
    m_tick->stop();
    // Anything still queued or running did not get a final report (cancel, or a run that could not start).
    for (NodeId n : m_doc->model()->nodes()) {
        const QString name = m_doc->model()->stage(n)->name;
        NodeRunView v = m_scene->runView(name);
        if (v.state == NodeRunState::Queued || v.state == NodeRunState::Running) {
            v.state = cancelled ? NodeRunState::Failed : NodeRunState::NotRun;
            v.stateText = cancelled ? tr("cancelled") : tr("not run");
            m_scene->setRunView(name, v);
        }
    }
    int done = 0, cached = 0, failed = 0;
    for (const auto &r : m_reports) {
        const NodeRunState s = stateOf(r.state);
        done += s == NodeRunState::Done ? 1 : 0;
        cached += s == NodeRunState::Cached ? 1 : 0;
        failed += s == NodeRunState::Failed || s == NodeRunState::CheckFailed || s == NodeRunState::NotRun ? 1 : 0;
    }
    if (!ok)
        showMessage(tr("The pipeline did not run: %1").arg(error), true);
    else if (cancelled)
        showMessage(tr("Run cancelled"), true);
    else
        showMessage(failed ? tr("Run finished with %n problem(s)", nullptr, failed) : tr("Run finished"), failed > 0);
    if (ok && !m_runner->auditProblem().isEmpty())
        showMessage(tr("%1 — but the workspace's audit log could not record the run: %2 (orrery-cli doctor checks the database)")
                        .arg(m_message->text(), m_runner->auditProblem()), true);
    m_runStatus->setText(tr("%1 ran, %2 cached, %3 failed").arg(done).arg(cached).arg(failed));
    refreshDiskStatus();
    showRunPanel();
    updateActions();
    Q_EMIT runFinished(ok && !cancelled && failed == 0);
}

void PipelineEditor::showRunPanel()
{
    const QList<NodeId> sel = m_scene->selectedNodes();
    if (sel.size() != 1) {
        m_runPanel->clear();
        return;
    }
    const Stage *s = m_doc->model()->stage(sel.first());
    QStringList metrics;
    for (const auto &m : s->metrics)
        metrics << QDir(m_root).filePath(m.path);
    auto it = m_reports.constFind(s->name);
    const bool have = it != m_reports.constEnd();
    m_runPanel->show(s->name, have ? &it.value() : nullptr, have && it->state == StageState::Pending && isRunning(), metrics);
}

void PipelineEditor::refreshDiskStatus()
{
    if (!m_root.isEmpty() && !m_runner->isRunning())
        m_statusProbe->refresh(m_root, m_cliDir);
}

void PipelineEditor::onDiskStatuses(const QString &root, const QHash<QString, StageDiskStatus> &statuses)
{
    if (root != m_root || m_runner->isRunning())
        return; // another workspace's answer, or one a run is overtaking
    QHash<QString, std::pair<NodeRunState, QString>> shown;
    for (auto it = statuses.cbegin(); it != statuses.cend(); ++it) {
        const StageDiskStatus::Kind k = it->kind;
        const NodeRunState state = k == StageDiskStatus::Kind::UpToDate ? NodeRunState::Done
            : k == StageDiskStatus::Kind::Changed                      ? NodeRunState::CheckFailed
                                                                        : NodeRunState::NotRun;
        shown.insert(it.key(), {state, it->text});
        // A "done" or "cached" from this window's last run is stale once an input changed.
        const NodeRunState ran = m_scene->runView(it.key()).state;
        if (k != StageDiskStatus::Kind::UpToDate && (ran == NodeRunState::Done || ran == NodeRunState::Cached)) {
            m_scene->setRunView(it.key(), {});
            m_reports.remove(it.key());
        }
    }
    m_scene->setDiskStatuses(shown);
}

} // namespace orrery::ui
