#include "core/ct/pipeline_step.h"

#include "core/ct/data_step.h"
#include "core/data/workspace_worktree.h"
#include "core/registry/model_registry.h"
#include "core/stages/pipeline_run.h"
#include "core/store/database.h"
#include "core/vcs/repository.h"
#include "core/vcs/worktree.h"
#include "core/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMap>

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace orrery::ct {

namespace {

QString summaryOf(const pipeline::PipelineReport &report)
{
    QMap<QString, int> counts;
    for (const pipeline::StageReport &s : report.stages)
        ++counts[QString::fromLatin1(pipeline::stageStateName(s.state))];
    QStringList parts;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
    return QStringLiteral("%1 stage%2: %3").arg(report.stages.size()).arg(report.stages.size() == 1 ? QString() : QStringLiteral("s"), parts.join(QStringLiteral(", ")));
}

} // namespace

Result<PipelineStepResult> runIterationPipeline(const QString &root, const QString &workspace, const CtConfig &config, qint64 iterationId,
                                                const PipelineStepOptions &options, common::JobContext *job)
{
    ORRERY_TRY(data::linkWorkspaceState(root, workspace));

    stages::PipelineRunRequest request;
    request.cliDir = options.cliDir;
    request.workers = options.workers;
    request.holder = QStringLiteral("ct iteration %1's pipeline").arg(iterationId);
    request.lockName = QStringLiteral("pipeline-") + iterationWorktreeName(iterationId);
    request.onStage = [&](const pipeline::StageReport &stage) {
        if (!options.log || stage.state == pipeline::StageState::Pending)
            return;
        options.log(QStringLiteral("stage %1: %2%3").arg(stage.name, QString::fromLatin1(pipeline::stageStateName(stage.state)),
                                                          stage.reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(stage.reason)));
    };
    ORRERY_ASSIGN_OR_RETURN(auto outcome, stages::runWorkspacePipeline(workspace, request, job));
    if (!outcome.audit.isOk() && options.log)
        options.log(QStringLiteral("the pipeline run is missing from the audit log: %1").arg(outcome.audit.message()));

    PipelineStepResult result;
    result.report = std::move(outcome.report);
    result.summary = summaryOf(result.report);

    // The version its register stage recorded: the one whose lineage names this pipeline run.
    if (!result.report.runId.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(auto db, store::Database::open(workspace::Workspace::databasePathFor(root)));
        registry::ModelRegistry registry(*db);
        registry::VersionQuery query;
        query.name = config.model;
        ORRERY_ASSIGN_OR_RETURN(const auto versions, registry.versions(query));
        for (const registry::ModelVersion &v : versions) {
            if (v.parentRunId() != result.report.runId || v.version <= result.version)
                continue;
            result.version = v.version;
            result.aliases = v.aliases;
            result.challenger = v.validation == registry::Validation::Passed;
            result.failedGates.clear();
            for (const registry::GateOutcome &o : v.gateOutcomes)
                if (!o.passed)
                    result.failedGates << QStringLiteral("%1: %2").arg(o.gate, o.explanation);
        }
    }
    return result;
}

} // namespace orrery::ct
