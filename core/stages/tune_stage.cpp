// tune: a hyperparameter sweep as a pipeline stage (core/tune). Its deps are the sweep file, the
// training config and the data; its out is the best trial's training config, which a train stage
// after it can use — so `orrery-cli run` reruns the sweep only when one of those changed.
#include "core/stages/stage_types.h"

#include "core/common/atomic_file.h"
#include "core/pipeline/stage_type.h"
#include "core/store/database.h"
#include "core/tune/sweep_runner.h"
#include "core/tune/trial_config.h"
#include "core/workspace/workspace.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>

namespace orrery::stages {

using pipeline::ParamKind;
using pipeline::ParamType;
using pipeline::StageContext;
using pipeline::StageType;

StageType tuneStageType()
{
    StageType t;
    t.name = QStringLiteral("tune");
    t.needsWorkspaceDatabase = true; // records the sweep, its trials and their runs
    t.summary = QStringLiteral("Run a hyperparameter sweep over a training config; its best configuration is the stage's out.");
    t.docs = QStringLiteral("Runs the sweep file (`orrery-cli tune --help` shows its keys) in the workspace: trials of `orrery-cli train` in "
                            "parallel, sampled and pruned as the file says, each a child run of the sweep's run. The sweep is named after "
                            "the file's name and the pipeline run, so every run of the stage is a sweep of its own (`orrery-cli tune status` "
                            "lists them). Writes the best trial's training config to --best-config; fails when no trial completed.");
    t.params = {
        {QStringLiteral("sweep"), ParamKind::Input, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("the sweep file (YAML)")},
        {QStringLiteral("best-config"), ParamKind::Output, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("where the best trial's training config goes")},
        {QStringLiteral("trials"), ParamKind::Setting, ParamType::Int, QString(), false, 1.0, 1000000.0, {}, QStringLiteral("how many trials (default: the sweep file's)")},
        {QStringLiteral("parallel"), ParamKind::Setting, ParamType::Int, QString(), false, 1.0, 256.0, {}, QStringLiteral("trials at once (default: the sweep file's)")},
    };
    return t;
}

Status runTuneStage(StageContext &ctx)
{
    if (ctx.workspaceRoot.isEmpty())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("tune: a sweep records its trials in a workspace; run it inside one (orrery-cli run, or --workspace)"));
    ORRERY_ASSIGN_OR_RETURN(tune::SweepSpec spec, tune::loadSweepFile(ctx.path(QStringLiteral("sweep"))));
    if (!spec.stage.isEmpty())
        return invalidArgument(QStringLiteral("tune: %1 sweeps the stage '%2'; a tune stage sweeps a training config (train: FILE). "
                                              "Run a sweep over a stage with `orrery-cli tune`").arg(ctx.args.text(QStringLiteral("sweep")), spec.stage));
    const QString suffix = ctx.pipelineRunId.isEmpty() ? QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddhhmmss")) : ctx.pipelineRunId.left(8);
    spec.name = QStringLiteral("%1-%2").arg(spec.name, suffix);
    ORRERY_ASSIGN_OR_RETURN(auto ws, workspace::Workspace::open(ctx.workspaceRoot));
    ORRERY_ASSIGN_OR_RETURN(auto db, store::Database::open(ws->databasePath()));
    tune::SweepRunOptions options;
    if (ctx.args.has(QStringLiteral("trials")))
        options.trials = ctx.args.text(QStringLiteral("trials")).toInt();
    if (ctx.args.has(QStringLiteral("parallel")))
        options.parallel = ctx.args.text(QStringLiteral("parallel")).toInt();
    options.cliPath = (ctx.cliDir.isEmpty() ? QCoreApplication::applicationDirPath() : ctx.cliDir) + QStringLiteral("/orrery-cli");
    options.isCancelled = ctx.isCancelled;
    options.onEvent = [&](const tune::SweepEvent &e) {
        if (e.kind == tune::SweepEvent::Kind::TrialEnded)
            ctx.log(QStringLiteral("trial %1 %2%3  (%4 complete, %5 pruned, %6 failed)")
                        .arg(e.trial.number).arg(tune::trialStateName(e.trial.state))
                        .arg(e.trial.value ? QStringLiteral(" %1 %2").arg(e.sweep.metric).arg(*e.trial.value) : QStringLiteral(": ") + e.trial.reason)
                        .arg(e.summary.complete).arg(e.summary.pruned).arg(e.summary.failed));
        else if (e.kind == tune::SweepEvent::Kind::Warning)
            ctx.log(QStringLiteral("warning: ") + e.text);
    };
    ctx.log(QStringLiteral("sweep %1: %2 trials of %3").arg(spec.name).arg(options.trials > 0 ? options.trials : spec.trials).arg(QDir(ctx.workspaceRoot).relativeFilePath(spec.trainConfig)));
    tune::SweepRunner runner(ws->root(), *db, options);
    ORRERY_ASSIGN_OR_RETURN(const tune::SweepOutcome outcome, runner.start(spec));
    if (outcome.cancelled)
        return cancelled(QStringLiteral("tune: the sweep was stopped (`orrery-cli tune resume %1` continues it)").arg(outcome.sweep.name));
    if (!outcome.best)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("tune: no trial of sweep %1 completed (%2); `orrery-cli tune status %1` shows why")
                                                         .arg(outcome.sweep.name, outcome.sweep.reason));
    const QString target = ctx.path(QStringLiteral("best-config"));
    ORRERY_ASSIGN_OR_RETURN(const QByteArray config, tune::configForTarget(outcome.sweep.spec.trainConfig, outcome.best->params, target));
    ORRERY_TRY(common::writeFileAtomically(target, config));
    ctx.log(QStringLiteral("best: trial %1, %2 %3 → %4").arg(outcome.best->number).arg(outcome.sweep.metric).arg(*outcome.best->value).arg(ctx.args.text(QStringLiteral("best-config"))));
    ctx.metrics.push_back({QStringLiteral("best_") + outcome.sweep.metric, *outcome.best->value});
    ctx.metrics.push_back({QStringLiteral("trials_complete"), double(outcome.summary.complete)});
    ctx.metrics.push_back({QStringLiteral("trials_pruned"), double(outcome.summary.pruned)});
    return Status::ok();
}

} // namespace orrery::stages
