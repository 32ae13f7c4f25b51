#include "core/ct/iteration_runner.h"

#include "core/common/clock.h"
#include "core/ct/ct_config.h"
#include "core/ct/iteration_store.h"
#include "core/vcs/repository.h"
#include "core/vcs/worktree.h"
#include "core/workspace/workspace.h"
#include "core/workspace/workspace_lock.h"

#include <QJsonArray>

namespace orrery::ct {
namespace {

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
    if (d.rows.withoutInputs)
        notes << QStringLiteral("%1 without logged inputs").arg(d.rows.withoutInputs);
    if (d.rows.unusable)
        notes << QStringLiteral("%1 unusable (%2)").arg(d.rows.unusable).arg(d.rows.problems.join(QStringLiteral("; ")));
    if (d.rows.usable != d.rows.chosen)
        notes << QStringLiteral("%1 of %2 chosen by the policy").arg(d.rows.chosen).arg(d.rows.usable);
    if (!d.rows.emptyColumns.isEmpty())
        notes << QStringLiteral("left empty: %1 (fill them with ct.yaml's dataset.columns)").arg(d.rows.emptyColumns.join(QStringLiteral(", ")));
    return why + QStringLiteral(" (") + notes.join(QStringLiteral(", ")) + QLatin1Char(')');
}

} // namespace

Result<RunOnceResult> runLoopOnce(const QString &root, const common::Clock &clock, const RunOnceOptions &options)
{
    auto log = [&](const QString &line) {
        if (options.log)
            options.log(line);
    };
    if (options.until != step::kData)
        return Status(ErrorCode::Unsupported, QStringLiteral("the loop runs as far as the data step so far (--until data); '%1' comes with the pipeline, gate and canary steps")
                                                  .arg(options.until));
    ORRERY_ASSIGN_OR_RETURN(auto lock, workspace::WorkspaceLock::acquire(root, QStringLiteral("ct"), QStringLiteral("orrery-cli ct run"), 2000));
    ORRERY_ASSIGN_OR_RETURN(auto ws, workspace::Workspace::open(root));
    IterationStore iterations(ws->database(), &clock);
    RunOnceResult result;

    // Holding the lock, every running iteration is an orphan of a loop that was killed.
    ORRERY_ASSIGN_OR_RETURN(result.recovered, iterations.recoverInterrupted(OwnerCheck::AllOrphans));
    for (const Iteration &i : result.recovered) {
        log(QStringLiteral("%1 failed: %2").arg(i.title(), i.reason));
        if (Status s = removeIterationWorktree(root, i.id); !s.isOk())
            log(QStringLiteral("%1: its worktree stays: %2").arg(i.title(), s.message()));
    }

    ORRERY_ASSIGN_OR_RETURN(const CtConfig config, loadCtConfig(root));
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

    // The data step.
    ORRERY_ASSIGN_OR_RETURN(const IterationStep dataStep, iterations.startStep(iteration.id, step::kData,
                                                                               {{QStringLiteral("dataset"), config.dataset.path},
                                                                                {QStringLiteral("policy"), config.dataset.policyText()}}));
    log(QStringLiteral("%1: step data: building %2 with the labelled production rows of %3 (policy %4)")
            .arg(iteration.title(), config.dataset.path, config.endpoint, config.dataset.policyText()));
    auto data = buildCurrentData(root, config, ws->database(), clock, iteration.id);
    if (!data) {
        const QString why = QStringLiteral("the data step failed: %1").arg(data.status().message());
        ORRERY_TRY(iterations.finishStep(dataStep.id, QStringLiteral("failed"), data.status().message()).status());
        ORRERY_ASSIGN_OR_RETURN(iteration, iterations.finish(iteration.id, outcome::kFailed, why));
        log(QStringLiteral("%1 failed: %2").arg(iteration.title(), why));
        Status cleaned = removeIterationWorktree(root, iteration.id);
        // The step commits last, so a failed step committed nothing: its branch would only repeat
        // HEAD. One that was there before (AlreadyExists) is not this iteration's to delete.
        if (cleaned.isOk() && data.status().code() != ErrorCode::AlreadyExists)
            if (auto repo = vcs::Repository::discover(root))
                cleaned = vcs::deleteBranch(**repo, iterationBranch(iteration.id));
        if (!cleaned.isOk())
            log(QStringLiteral("%1: cleaning up: %2").arg(iteration.title(), cleaned.message()));
        result.iteration = iteration;
        return result;
    }
    iteration.branch = data->commit.isEmpty() ? QString() : data->branch;
    iteration.worktree = data->worktree;
    iteration.dataCommit = data->commit;
    iteration.dataVersion = data->md5;
    iteration.rowsThrough = data->rowsAdded > 0 ? data->rows.feedbackThrough : data->afterFeedback;
    ORRERY_TRY(iterations.update(iteration));
    const QString reason = dataReason(*data, config.dataset.path);
    ORRERY_TRY(iterations.finishStep(dataStep.id, QStringLiteral("succeeded"), reason, dataDetail(*data)).status());
    log(QStringLiteral("%1: step data: %2").arg(iteration.title(), reason));
    result.data = *data;

    // Asked to stop here: everything is on the branch; the worktree goes.
    ORRERY_ASSIGN_OR_RETURN(iteration, iterations.finish(iteration.id, outcome::kStopped,
                                                         QStringLiteral("ran until the data step, as asked (--until data)%1")
                                                             .arg(data->commit.isEmpty() ? QString()
                                                                                         : QStringLiteral("; the new data version is on the branch %1").arg(data->branch))));
    Status cleaned = removeIterationWorktree(root, iteration.id);
    if (cleaned.isOk() && data->commit.isEmpty()) {
        // Nothing was committed: the branch would only repeat HEAD.
        if (auto repo = vcs::Repository::discover(root))
            cleaned = vcs::deleteBranch(**repo, data->branch);
    }
    if (!cleaned.isOk())
        log(QStringLiteral("%1: cleaning up: %2").arg(iteration.title(), cleaned.message()));
    log(QStringLiteral("%1 stopped after the data step (--until data)").arg(iteration.title()));
    result.iteration = iteration;
    return result;
}

} // namespace orrery::ct
