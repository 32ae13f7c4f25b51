#include "core/ct/iteration_runner.h"

#include "core/common/clock.h"
#include "core/common/job.h"
#include "core/ct/canary_step.h"
#include "core/ct/ct_config.h"
#include "core/ct/gate_step.h"
#include "core/ct/iteration_store.h"
#include "core/ct/pipeline_step.h"
#include "core/registry/model_registry.h"
#include "core/vcs/repository.h"
#include "core/vcs/worktree.h"
#include "core/workspace/workspace.h"
#include "core/workspace/workspace_lock.h"

#include <QJsonArray>
#include <QThread>

namespace orrery::ct {
namespace {

const QString kSucceeded = QStringLiteral("succeeded");
const QString kFailed = QStringLiteral("failed");
const QString kInterrupted = QStringLiteral("interrupted");

QJsonObject dataDetail(const DataStepResult &d)
{
    return {{QStringLiteral("worktree"), d.worktree},
            {QStringLiteral("branch"), d.branch},
            {QStringLiteral("base_commit"), d.baseCommit},
            {QStringLiteral("base_md5"), d.baseMd5},
            {QStringLiteral("md5"), d.md5},
            {QStringLiteral("size"), double(d.size)},
            {QStringLiteral("commit"), d.commit},
            {QStringLiteral("rows_added"), double(d.rowsAdded)},
            {QStringLiteral("labels_after"), double(d.afterFeedback)},
            {QStringLiteral("labelled"), double(d.rows.labelled)},
            {QStringLiteral("without_inputs"), double(d.rows.withoutInputs)},
            {QStringLiteral("unusable"), double(d.rows.unusable)},
            {QStringLiteral("usable"), double(d.rows.usable)},
            {QStringLiteral("chosen"), double(d.rows.chosen)},
            {QStringLiteral("feedback_through"), double(d.rows.feedbackThrough)},
            {QStringLiteral("trained_through"), double(d.trainedThrough)},
            {QStringLiteral("gate_rows"), double(d.gateRows)},
            {QStringLiteral("rows_left_out"), double(d.rowsLeftOut)},
            {QStringLiteral("gate_file"), d.gateFile},
            {QStringLiteral("empty_columns"), QJsonArray::fromStringList(d.rows.emptyColumns)},
            {QStringLiteral("problems"), QJsonArray::fromStringList(d.rows.problems)}};
}

QString dataReason(const DataStepResult &d, const QString &dataset)
{
    QString why;
    if (d.rowsAdded > 0)
        why = QStringLiteral("%1 labelled production row%2 added to %3: version %4 (was %5), committed %6 on %7")
                  .arg(d.rowsAdded)
                  .arg(d.rowsAdded == 1 ? QString() : QStringLiteral("s"), dataset, d.md5.left(12), d.baseMd5.left(12), d.commit.left(12), d.branch);
    else
        why = QStringLiteral("no new labelled production rows, so %1 stays at version %2").arg(dataset, d.baseMd5.left(12));
    QStringList notes;
    notes << QStringLiteral("%1 labelled row%2 read").arg(d.rows.labelled).arg(d.rows.labelled == 1 ? QString() : QStringLiteral("s"));
    if (d.gateRows)
        notes << QStringLiteral("the newest %1 kept out for the gate").arg(d.gateRows);
    if (d.rowsLeftOut)
        notes << QStringLiteral("%1 of the version's rows older than dataset.keep left out").arg(d.rowsLeftOut);
    if (d.rows.withoutInputs)
        notes << QStringLiteral("%1 without logged inputs").arg(d.rows.withoutInputs);
    if (d.rows.unusable)
        notes << QStringLiteral("%1 unusable (%2)").arg(d.rows.unusable).arg(d.rows.problems.join(QStringLiteral("; ")));
    if (d.rows.usable - d.gateRows != d.rows.chosen)
        notes << QStringLiteral("%1 of %2 chosen by the policy").arg(d.rows.chosen).arg(d.rows.usable - d.gateRows);
    if (!d.rows.emptyColumns.isEmpty())
        notes << QStringLiteral("left empty: %1 (fill them with ct.yaml's dataset.columns)").arg(d.rows.emptyColumns.join(QStringLiteral(", ")));
    return why + QStringLiteral(" (") + notes.join(QStringLiteral(", ")) + QLatin1Char(')');
}

QString failedStages(const pipeline::PipelineReport &report)
{
    QStringList parts;
    for (const pipeline::StageReport &s : report.stages) {
        if (s.state != pipeline::StageState::Failed && s.state != pipeline::StageState::CheckFailed && s.state != pipeline::StageState::TimedOut)
            continue;
        QString part = QStringLiteral("%1 %2").arg(s.name, QString::fromLatin1(pipeline::stageStateName(s.state)));
        if (!s.findings.isEmpty())
            part += QStringLiteral(": ") + s.findings.join(QStringLiteral("; "));
        else if (!s.reason.isEmpty())
            part += QStringLiteral(": ") + s.reason;
        parts << part;
    }
    return parts.join(QStringLiteral(" | "));
}

// What an iteration does next, from its recorded steps.
enum class Next { Data, DataCut, Pipeline, Gate, Approval, Canary, Promote, Waiting, Nothing };

Next nextStep(const QVector<IterationStep> &steps, bool requireApproval)
{
    if (steps.isEmpty())
        return Next::Data;
    const IterationStep &last = steps.last();
    const bool done = last.state == kSucceeded || last.state == QLatin1String("skipped");
    const bool redo = last.state == QLatin1String("running") || last.state == kInterrupted;
    // A canary that did not complete goes on to the promote step, which rolls back.
    if (last.name == step::kCanary && last.state == kFailed)
        return Next::Promote;
    if (!done && !redo)
        return Next::Nothing; // it failed: the iteration has ended
    if (last.name == step::kData)
        return done ? Next::Pipeline : Next::DataCut;
    if (last.name == step::kPipeline)
        return done ? Next::Gate : Next::Pipeline;
    if (last.name == step::kGate)
        return done ? (requireApproval ? Next::Approval : Next::Canary) : Next::Gate;
    if (last.name == step::kApproval)
        return done ? Next::Canary : Next::Waiting;
    if (last.name == step::kCanary)
        return done ? Next::Promote : Next::Canary;
    if (last.name == step::kPromote)
        return done ? Next::Nothing : Next::Promote;
    return Next::Nothing;
}

QString stepOf(Next n)
{
    switch (n) {
    case Next::Data:
    case Next::DataCut: return step::kData;
    case Next::Pipeline: return step::kPipeline;
    case Next::Gate: return step::kGate;
    case Next::Approval: return step::kApproval;
    case Next::Canary: return step::kCanary;
    case Next::Promote: return step::kPromote;
    default: return QString();
    }
}

// Runs one iteration from its next step until it ends, parks for approval, or is stopped.
class IterationDriver {
public:
    IterationDriver(const QString &root, workspace::Workspace &ws, const common::Clock &clock, const CtConfig &config, const LoopOptions &options,
                    common::JobContext *job, PassResult &result)
        : m_root(root), m_ws(ws), m_clock(clock), m_config(config), m_options(options), m_job(job), m_result(result),
          m_iterations(ws.database(), &clock, QStringLiteral("orrery-cli ct run"))
    {
    }

    Status drive(Iteration iteration)
    {
        m_it = iteration;
        const int last = step::all().indexOf(m_options.until);
        for (;;) {
            ORRERY_ASSIGN_OR_RETURN(const auto steps, m_iterations.steps(m_it.id));
            const Next next = nextStep(steps, m_config.policies.requireApproval);
            if (next == Next::Nothing || next == Next::Waiting)
                break;
            // Asked to stop after a step: the iteration ends "stopped" before the next.
            if (next != Next::DataCut && step::all().indexOf(stepOf(next)) > last && !(next == Next::Canary && !steps.isEmpty() && steps.last().name == step::kCanary)) {
                ORRERY_TRY(end(outcome::kStopped, QStringLiteral("ran until the %1 step, as asked (--until %1)%2")
                                                      .arg(m_options.until,
                                                           m_it.dataCommit.isEmpty() ? QString() : QStringLiteral("; the new data version is on the branch %1").arg(m_it.branch))));
                break;
            }
            if (cancelled() && next != Next::DataCut) {
                log(QStringLiteral("%1: stopping before the %2 step; the next `ct run` carries it on").arg(m_it.title(), stepOf(next)));
                m_result.stopped = true;
                break;
            }
            Result<bool> stepDone = true; // false: stop here for now
            switch (next) {
            case Next::Data: stepDone = runData(); break;
            case Next::DataCut: stepDone = failCut(steps.last()); break;
            case Next::Pipeline: stepDone = runPipeline(steps.last()); break;
            case Next::Gate: stepDone = runGate(steps.last()); break;
            case Next::Approval: stepDone = runApproval(); break;
            case Next::Canary: stepDone = runCanary(steps.last()); break;
            case Next::Promote: stepDone = runPromote(steps); break;
            default: stepDone = false; break;
            }
            ORRERY_ASSIGN_OR_RETURN(const bool goOn, std::move(stepDone));
            if (!goOn)
                break;
        }
        ORRERY_ASSIGN_OR_RETURN(m_it, m_iterations.get(m_it.id));
        m_result.iteration = m_it;
        return Status::ok();
    }

private:
    void log(const QString &line) const
    {
        if (m_options.log)
            m_options.log(line);
    }
    bool cancelled() const { return m_job && m_job->isCancelled(); }

    // Ends the iteration and takes its worktree away; a branch that records nothing goes too.
    Status end(const QString &outcome, const QString &reason)
    {
        ORRERY_ASSIGN_OR_RETURN(m_it, m_iterations.finish(m_it.id, outcome, reason));
        log(QStringLiteral("%1 %2: %3").arg(m_it.title(), outcome == outcome::kRolledBack ? QStringLiteral("rolled back") : outcome, reason));
        Status cleaned = removeIterationWorktree(m_root, m_it.id);
        if (cleaned.isOk() && m_it.dataCommit.isEmpty() && !m_keepBranch)
            if (auto repo = vcs::Repository::discover(m_root))
                cleaned = vcs::deleteBranch(**repo, iterationBranch(m_it.id));
        if (!cleaned.isOk())
            log(QStringLiteral("%1: cleaning up: %2").arg(m_it.title(), cleaned.message()));
        return Status::ok();
    }

    Result<bool> failStep(const IterationStep &st, const QString &outcome, const QString &stepReason, const QString &why, const QJsonObject &detail = {})
    {
        ORRERY_TRY(m_iterations.finishStep(st.id, kFailed, stepReason, detail).status());
        log(QStringLiteral("%1: step %2: %3").arg(m_it.title(), st.name, stepReason));
        ORRERY_TRY(end(outcome, why));
        return false;
    }

    Result<bool> failCut(const IterationStep &st)
    {
        const QString why = QStringLiteral("interrupted during the data step (its process was stopped or killed); failed cleanly: its worktree removed, "
                                           "nothing committed to the user's branch, nothing promoted");
        return failStep(st, outcome::kFailed, QStringLiteral("interrupted"), why);
    }

    Result<bool> runData()
    {
        const DatasetConfig &dataset = m_config.dataset;
        ORRERY_ASSIGN_OR_RETURN(const IterationStep st, m_iterations.startStep(m_it.id, step::kData,
                                                                            {{QStringLiteral("dataset"), dataset.path}, {QStringLiteral("policy"), dataset.policyText()}}));
        log(QStringLiteral("%1: step data: building %2 with the labelled production rows of %3 (policy %4)")
                .arg(m_it.title(), dataset.path, m_config.endpoint, dataset.policyText()));
        auto data = buildCurrentData(m_root, m_config, m_ws.database(), m_clock, m_it.id);
        if (!data) {
            // A branch that was there before (AlreadyExists) is not this iteration's to delete.
            m_keepBranch = data.status().code() == ErrorCode::AlreadyExists;
            return failStep(st, outcome::kFailed, data.status().message(), QStringLiteral("the data step failed: %1").arg(data.status().message()));
        }
        m_it.branch = data->commit.isEmpty() ? QString() : data->branch;
        m_it.worktree = data->worktree;
        m_it.dataCommit = data->commit;
        m_it.dataVersion = data->md5;
        m_it.rowsThrough = data->rowsAdded > 0 ? data->trainedThrough : data->afterFeedback;
        ORRERY_TRY(m_iterations.update(m_it));
        const QString reason = dataReason(*data, dataset.path);
        ORRERY_TRY(m_iterations.finishStep(st.id, kSucceeded, reason, dataDetail(*data)).status());
        log(QStringLiteral("%1: step data: %2").arg(m_it.title(), reason));
        m_result.data = *data;
        return true;
    }

    Result<bool> runPipeline(const IterationStep &previous)
    {
        if (previous.name == step::kPipeline && previous.state == QLatin1String("running"))
            ORRERY_TRY(m_iterations.finishStep(previous.id, kInterrupted, QStringLiteral("its process was stopped or killed; the pipeline runs again (dvc.lock and the run cache skip what finished)")).status());
        ORRERY_ASSIGN_OR_RETURN(const QString workspace, iterationWorkspace(m_root, m_it.id));
        ORRERY_ASSIGN_OR_RETURN(const IterationStep st, m_iterations.startStep(m_it.id, step::kPipeline, {{QStringLiteral("worktree"), m_it.worktree}}));
        log(QStringLiteral("%1: step pipeline: running the pipeline in %2").arg(m_it.title(), m_it.worktree));
        PipelineStepOptions options;
        options.cliDir = m_options.cliDir;
        options.workers = m_options.workers;
        options.log = [this](const QString &line) { log(QStringLiteral("%1: %2").arg(m_it.title(), line)); };
        auto ran = runIterationPipeline(m_root, workspace, m_config, m_it.id, options, m_job);
        if (!ran)
            return failStep(st, outcome::kFailed, ran.status().message(), QStringLiteral("the pipeline could not run: %1").arg(ran.status().message()));
        m_it.pipelineRun = ran->report.runId;
        m_it.modelVersion = ran->version;
        ORRERY_TRY(m_iterations.update(m_it));
        QJsonObject detail{{QStringLiteral("run_id"), ran->report.runId},
                           {QStringLiteral("summary"), ran->summary},
                           {QStringLiteral("version"), ran->version},
                           {QStringLiteral("challenger"), ran->challenger},
                           {QStringLiteral("aliases"), QJsonArray::fromStringList(ran->aliases)},
                           {QStringLiteral("failed_gates"), QJsonArray::fromStringList(ran->failedGates)}};
        QJsonArray stages;
        for (const auto &s : ran->report.stages)
            stages.append(QJsonObject{{QStringLiteral("name"), s.name}, {QStringLiteral("state"), QString::fromLatin1(pipeline::stageStateName(s.state))},
                                      {QStringLiteral("ms"), double(s.durationMs)}, {QStringLiteral("run_id"), s.runId}});
        detail.insert(QStringLiteral("stages"), stages);
        if (ran->report.cancelled || cancelled()) {
            ORRERY_TRY(m_iterations.finishStep(st.id, kInterrupted, QStringLiteral("stopped (SIGTERM): the pipeline was cancelled; the next `ct run` runs it again"), detail).status());
            log(QStringLiteral("%1: step pipeline: cancelled; the next `ct run` runs it again").arg(m_it.title()));
            m_result.stopped = true;
            return false;
        }
        if (ran->report.anyFailed() || (ran->report.anyCheckFailed() && ran->version == 0)) {
            const QString what = failedStages(ran->report);
            return failStep(st, outcome::kFailed, QStringLiteral("%1; %2").arg(ran->summary, what), QStringLiteral("the pipeline failed: %1").arg(what), detail);
        }
        if (ran->version == 0) {
            const QString why = QStringLiteral("%1, and none registered a new version of %2: nothing changed that the model is trained on").arg(ran->summary, m_config.model);
            ORRERY_TRY(m_iterations.finishStep(st.id, kSucceeded, why, detail).status());
            ORRERY_TRY(end(outcome::kNoChange, why));
            return false;
        }
        if (!ran->challenger) {
            const QString why = QStringLiteral("%1 v%2 failed its offline gates: %3").arg(m_config.model).arg(ran->version).arg(ran->failedGates.join(QStringLiteral("; ")));
            ORRERY_TRY(m_iterations.finishStep(st.id, kFailed, why, detail).status());
            log(QStringLiteral("%1: step pipeline: %2").arg(m_it.title(), why));
            ORRERY_TRY(end(outcome::kNoChange, why));
            return false;
        }
        const QString why = QStringLiteral("%1; %2 v%3 passed its offline gates (%4)").arg(ran->summary, m_config.model).arg(ran->version).arg(ran->aliases.join(QStringLiteral(", ")));
        ORRERY_TRY(m_iterations.finishStep(st.id, kSucceeded, why, detail).status());
        log(QStringLiteral("%1: step pipeline: %2").arg(m_it.title(), why));
        return true;
    }

    Result<bool> runGate(const IterationStep &previous)
    {
        if (previous.name == step::kGate && previous.state == QLatin1String("running"))
            ORRERY_TRY(m_iterations.finishStep(previous.id, kInterrupted, QStringLiteral("its process was stopped or killed; the gate runs again")).status());
        ORRERY_ASSIGN_OR_RETURN(const auto steps, m_iterations.steps(m_it.id));
        QJsonObject data;
        for (const IterationStep &s : steps)
            if (s.name == step::kData)
                data = s.detail;
        ORRERY_ASSIGN_OR_RETURN(const IterationStep st, m_iterations.startStep(m_it.id, step::kGate, {{QStringLiteral("metric"), m_config.gate.metric}}));
        GateStepInputs in;
        in.challenger = m_it.modelVersion;
        in.rowsFile = data.value(QStringLiteral("gate_file")).toString();
        in.rows = qint64(data.value(QStringLiteral("gate_rows")).toDouble());
        in.cliDir = m_options.cliDir;
        in.workDir = iterationTempDir(m_root, m_it.id) + QStringLiteral("/gate");
        log(QStringLiteral("%1: step gate: challenger v%2 against the champion on the %3 newest labelled production rows")
                .arg(m_it.title()).arg(m_it.modelVersion).arg(in.rows));
        auto gate = runLoopGate(m_root, m_ws.database(), m_config, in);
        if (!gate)
            return failStep(st, outcome::kFailed, gate.status().message(), QStringLiteral("the gate could not compare: %1").arg(gate.status().message()));
        m_it.championVersion = gate->champion;
        ORRERY_TRY(m_iterations.update(m_it));
        if (!gate->passed) {
            ORRERY_TRY(m_iterations.finishStep(st.id, kFailed, gate->reason, gate->detail()).status());
            log(QStringLiteral("%1: step gate: %2").arg(m_it.title(), gate->reason));
            ORRERY_TRY(end(outcome::kNoChange, gate->reason));
            return false;
        }
        ORRERY_TRY(m_iterations.finishStep(st.id, kSucceeded, gate->reason, gate->detail()).status());
        log(QStringLiteral("%1: step gate: %2").arg(m_it.title(), gate->reason));
        if (gate->champion == m_it.modelVersion) {
            ORRERY_TRY(end(outcome::kNoChange, gate->reason));
            return false;
        }
        return true;
    }

    Result<bool> runApproval()
    {
        ORRERY_TRY(m_iterations.startStep(m_it.id, step::kApproval).status());
        const QString why = QStringLiteral("challenger v%1 passed both gates; policies.require_approval: `orrery-cli ct approve %2` rolls it out, `ct reject %2` ends it")
                                .arg(m_it.modelVersion).arg(m_it.id);
        ORRERY_ASSIGN_OR_RETURN(m_it, m_iterations.park(m_it.id, why));
        log(QStringLiteral("%1 waits for approval: %2").arg(m_it.title(), why));
        return false;
    }

    Result<bool> runCanary(const IterationStep &previous)
    {
        IterationStep st = previous;
        if (previous.name != step::kCanary) {
            ORRERY_ASSIGN_OR_RETURN(st, m_iterations.startStep(m_it.id, step::kCanary, {{QStringLiteral("endpoint"), m_config.endpoint}}));
        } else {
            log(QStringLiteral("%1: step canary: following the canary of v%2 on %3 again").arg(m_it.title()).arg(m_it.modelVersion).arg(m_config.endpoint));
        }
        ORRERY_ASSIGN_OR_RETURN(CanaryCheck check, checkCanary(m_root, m_ws.database(), m_config, m_it.modelVersion));
        const bool started = check.deployment.candidateVersion == m_it.modelVersion || check.deployment.stableVersion == m_it.modelVersion;
        if (!started) {
            auto d = startCanary(m_root, m_ws.database(), m_clock, m_config, m_it.modelVersion,
                                 QStringLiteral("%1: challenger v%2 passed the offline gates and the loop's gate").arg(m_it.title()).arg(m_it.modelVersion));
            if (!d)
                return failStep(st, outcome::kFailed, d.status().message(), QStringLiteral("the canary could not start: %1").arg(d.status().message()));
            log(QStringLiteral("%1: step canary: v%2 on %3, steps %4, pause %5, analysis \"%6\"")
                    .arg(m_it.title()).arg(m_it.modelVersion).arg(m_config.endpoint, deploy::stepsText(d->steps), deploy::durationText(d->pauseMs), d->analysis));
            m_it.deployRevision = d->revision;
            ORRERY_TRY(m_iterations.update(m_it));
        } else if (m_it.deployRevision == 0) {
            m_it.deployRevision = check.deployment.revision;
            ORRERY_TRY(m_iterations.update(m_it));
        }
        QString lastText;
        for (;;) {
            ORRERY_ASSIGN_OR_RETURN(check, checkCanary(m_root, m_ws.database(), m_config, m_it.modelVersion));
            if (check.text != lastText) {
                log(QStringLiteral("%1: step canary: %2").arg(m_it.title(), check.text));
                lastText = check.text;
            }
            if (check.state != CanaryState::Running)
                break;
            if (cancelled()) {
                log(QStringLiteral("%1: stopped while its canary runs; the server goes on with it and the next `ct run` follows it again").arg(m_it.title()));
                m_result.stopped = true;
                return false;
            }
            ORRERY_TRY(m_iterations.heartbeat(m_it.id));
            QThread::msleep(quint64(qMax<qint64>(10, m_options.canaryPollMs)));
        }
        const bool completed = check.state == CanaryState::Completed;
        ORRERY_TRY(m_iterations.finishStep(st.id, completed ? kSucceeded : kFailed, check.text, check.detail()).status());
        return true;
    }

    Result<bool> runPromote(const QVector<IterationStep> &steps)
    {
        QJsonObject canary;
        for (const IterationStep &s : steps)
            if (s.name == step::kCanary)
                canary = s.detail;
        // (A canary that did not complete ends the iteration at the promote step too: the
        // decision, promote or roll back, is this step's.)
        ORRERY_ASSIGN_OR_RETURN(const IterationStep st, m_iterations.startStep(m_it.id, step::kPromote));
        registry::ModelRegistry registry(m_ws.database());
        ORRERY_ASSIGN_OR_RETURN(const auto model, registry.model(m_config.model));
        const int champion = model.aliasVersion(QStringLiteral("champion"));
        const QString state = canary.value(QStringLiteral("state")).toString();
        if (state == QLatin1String("completed")) {
            const QString why = QStringLiteral("v%1 passed its canary on %2 and serves all of its traffic; champion is v%3 (was v%4)")
                                    .arg(m_it.modelVersion).arg(m_config.endpoint).arg(champion).arg(m_it.championVersion);
            ORRERY_TRY(m_iterations.finishStep(st.id, kSucceeded, why, {{QStringLiteral("champion"), champion}}).status());
            ORRERY_TRY(end(outcome::kPromoted, why));
            return false;
        }
        // The canary step's reason says what happened to the rollout (the analysis, a user's abort).
        const QString why = QStringLiteral("rolled back: %1; champion stays v%2").arg(steps.last().reason).arg(champion);
        ORRERY_TRY(m_iterations.finishStep(st.id, kSucceeded, why, {{QStringLiteral("champion"), champion}}).status());
        ORRERY_TRY(end(outcome::kRolledBack, why));
        return false;
    }

    const QString &m_root;
    workspace::Workspace &m_ws;
    const common::Clock &m_clock;
    const CtConfig &m_config;
    const LoopOptions &m_options;
    common::JobContext *m_job;
    PassResult &m_result;
    IterationStore m_iterations;
    Iteration m_it;
    bool m_keepBranch = false;
};

} // namespace

Status checkUntil(const QString &until)
{
    if (!step::all().contains(until) || until == step::kApproval)
        return invalidArgument(QStringLiteral("--until %1: the steps are data, pipeline, gate, canary, promote").arg(until));
    return Status::ok();
}

Result<std::unique_ptr<workspace::WorkspaceLock>> acquireLoopLock(const QString &root, int waitMs)
{
    return workspace::WorkspaceLock::acquire(root, QStringLiteral("ct"), QStringLiteral("orrery-cli ct run"), waitMs);
}

Result<PassResult> runLoopPass(const QString &root, const common::Clock &clock, const LoopOptions &options, common::JobContext *job)
{
    ORRERY_TRY(checkUntil(options.until));
    auto log = [&](const QString &line) {
        if (options.log)
            options.log(line);
    };
    ORRERY_ASSIGN_OR_RETURN(auto ws, workspace::Workspace::open(root));
    IterationStore iterations(ws->database(), &clock, QStringLiteral("orrery-cli ct run"));
    PassResult result;
    ORRERY_ASSIGN_OR_RETURN(const CtConfig config, loadCtConfig(root));

    // An active iteration first: the caller holds the loop's lock, so one marked running is an
    // orphan of a loop that was stopped or killed.
    ORRERY_ASSIGN_OR_RETURN(const auto active, iterations.active());
    if (active && active->state == IterationState::WaitingApproval) {
        result.decision.reason = QStringLiteral("%1 waits for approval (ct approve %2 | ct reject %2)").arg(active->title()).arg(active->id);
        result.iteration = *active;
        return result;
    }
    if (active) {
        const bool orphan = active->state == IterationState::Running && !IterationOwner{active->ownerPid, active->ownerHost}.isThisProcess();
        ORRERY_ASSIGN_OR_RETURN(const auto steps, iterations.steps(active->id));
        if (orphan && nextStep(steps, config.policies.requireApproval) == Next::DataCut) {
            // Cut off in its data step: failed cleanly (its half-made worktree and branch go), and
            // the triggers are asked as on any other pass.
            ORRERY_ASSIGN_OR_RETURN(result.recovered, iterations.recoverInterrupted(OwnerCheck::AllOrphans));
            for (const Iteration &i : result.recovered) {
                log(QStringLiteral("%1 failed: %2").arg(i.title(), i.reason));
                Status cleaned = removeIterationWorktree(root, i.id);
                if (cleaned.isOk() && i.dataCommit.isEmpty())
                    if (auto repo = vcs::Repository::discover(root))
                        cleaned = vcs::deleteBranch(**repo, iterationBranch(i.id));
                if (!cleaned.isOk())
                    log(QStringLiteral("%1: cleaning up: %2").arg(i.title(), cleaned.message()));
            }
        } else {
            const QString why = active->state == IterationState::Approved
                                    ? QStringLiteral("approved (%1): carried on to its canary").arg(active->reason)
                                    : QStringLiteral("the process that ran it (PID %1 on %2) is gone; carried on from step '%3'").arg(active->ownerPid).arg(active->ownerHost, active->step);
            ORRERY_ASSIGN_OR_RETURN(const Iteration adopted, orphan || active->state == IterationState::Approved ? iterations.adopt(active->id, why) : iterations.get(active->id));
            log(QStringLiteral("%1 %2").arg(adopted.title(), why));
            IterationDriver driver(root, *ws, clock, config, options, job, result);
            ORRERY_TRY(driver.drive(adopted));
            return result;
        }
    }

    TriggerEvaluator evaluator(config, ws->database(), root, clock);
    ORRERY_ASSIGN_OR_RETURN(result.decision, evaluator.evaluate());
    const TriggerDecision &decision = result.decision;
    if (!decision.start) {
        log(QStringLiteral("nothing starts: %1").arg(decision.reason));
        return result;
    }
    NewIteration request;
    request.triggerKind = decision.kind;
    request.triggerDetail = decision.reason;
    request.model = config.model;
    request.endpoint = config.endpoint;
    request.watched = decision.watched;
    ORRERY_ASSIGN_OR_RETURN(Iteration iteration, iterations.create(request));
    log(QStringLiteral("%1 started by %2: %3").arg(iteration.title(), decision.kind, decision.reason));
    IterationDriver driver(root, *ws, clock, config, options, job, result);
    ORRERY_TRY(driver.drive(iteration));
    return result;
}

Result<PassResult> runLoopOnce(const QString &root, const common::Clock &clock, const LoopOptions &options, common::JobContext *job)
{
    ORRERY_TRY(checkUntil(options.until));
    ORRERY_ASSIGN_OR_RETURN(auto lock, acquireLoopLock(root));
    return runLoopPass(root, clock, options, job);
}

} // namespace orrery::ct
