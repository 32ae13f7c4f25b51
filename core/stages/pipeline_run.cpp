#include "core/stages/pipeline_run.h"

#include "core/audit/audit_log.h"
#include "core/stages/builtin_stages.h"
#include "core/stages/pipeline_audit.h"
#include "core/workspace/workspace.h"
#include "core/workspace/workspace_lock.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QThread>

#include <memory>

namespace orrery::stages {

Result<PipelineRunOutcome> runWorkspacePipeline(const QString &root, const PipelineRunRequest &request, common::JobContext *job)
{
    ORRERY_ASSIGN_OR_RETURN(auto ws, workspace::Workspace::open(root));
    std::unique_ptr<workspace::WorkspaceLock> lock;
    if (!request.dryRun) {
        // A workspace in a worktree of its own (data/workspace_worktree.h: .orrery is a link to the
        // user's) has its own outs and dvc.lock: `orrery-cli run` there (a sweep's trial) locks that
        // tree alone, by its folder, never the user's pipeline.
        QString lockName = request.lockName;
        if (lockName == QLatin1String("pipeline") && QFileInfo(ws->root() + QStringLiteral("/.orrery")).isSymLink())
            lockName = QStringLiteral("pipeline-") + QString::fromLatin1(QCryptographicHash::hash(ws->root().toUtf8(), QCryptographicHash::Md5).toHex().left(12));
        ORRERY_ASSIGN_OR_RETURN(auto acquired,
            workspace::WorkspaceLock::acquire(
                ws->root(), lockName, request.holder.isEmpty() ? QStringLiteral("a pipeline run") : request.holder));
        lock = std::move(acquired);
    }

    pipeline::StageRegistry registry;
    registerBuiltinStages(registry);
    pipeline::ExecutorOptions options;
    options.targets = request.targets;
    options.force = request.force;
    options.parentRunId = request.parentRunId;
    options.dryRun = request.dryRun;
    options.track = request.track;
    options.workers = request.workers > 0 ? request.workers : qMax(1, QThread::idealThreadCount());
    options.stageTimeoutMs = request.stageTimeoutMs;
    options.cliDir = request.cliDir;
    options.registry = &registry;
    options.onStage = request.onStage;

    ORRERY_ASSIGN_OR_RETURN(auto report, pipeline::Executor(ws->root(), ws->database(), options).run(job));
    PipelineRunOutcome outcome{std::move(report), Status::ok()};
    if (!request.dryRun) {
        auto audited = recordPipelineRun(ws->audit(), ws->root(), request.targets, request.force, outcome.report);
        if (!audited)
            outcome.audit = audited.status();
    }
    return outcome;
}

} // namespace orrery::stages
