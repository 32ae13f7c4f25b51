#pragma once
// runWorkspacePipeline: the one way to run a workspace's pipeline. `orrery-cli run` and the
// window's editor both call it, so they take the same lock, use the same stage types and
// defaults, and audit their runs alike (a race between two copies of this was fixed once).
//
// In order: opens the workspace on the calling thread (a job's worker: the Workspace and its
// connection belong to that thread); takes the workspace's "pipeline" lock unless the run is a dry
// run — two runs of one pipeline would race on its outs and dvc.lock, and Busy names who holds it;
// runs the executor with the built-in stage types; writes the pipeline.run audit entry
// (pipeline_audit.h), except for dry runs, which change nothing. A failure to audit does not undo
// the run: it comes back in PipelineRunOutcome::audit for the caller to show.

#include "core/common/status.h"
#include "core/pipeline/executor.h"

#include <QString>
#include <QStringList>

#include <functional>

namespace orrery::common {
class JobContext;
}

namespace orrery::stages {

struct PipelineRunRequest {
    QStringList targets;        // stages to run, with what they need; empty: all
    bool force = false;         // run the selected stages even when nothing changed
    bool dryRun = false;        // say what would run and why; change nothing
    bool track = true;          // record the run and its stage runs in the run history
    int workers = 0;            // stages at once; 0: the number of cores
    qint64 stageTimeoutMs = 0;  // 0: no timeout
    QString cliDir;             // the folder of orrery-cli, for stage commands that call it
    QString holder;             // who runs it, named to whoever finds the lock taken: "orrery-cli run"
    // The workspace lock the run takes. A second work tree of the workspace (a ct iteration's
    // worktree, whose .orrery/ is the workspace's) has outs and a dvc.lock of its own, so it
    // takes a lock of its own and never waits for, or blocks, the user's runs.
    QString lockName = QStringLiteral("pipeline");
    // The run this pipeline run hangs under (mlflow.parentRunId): a sweep's run, for a trial of a stage.
    QString parentRunId;
    // Each stage's report as it starts and ends, on the executor's coordinating thread.
    std::function<void(const pipeline::StageReport &)> onStage;
};

struct PipelineRunOutcome {
    pipeline::PipelineReport report;
    Status audit; // ok, or why the run is missing from the audit log
};

// Errors: the workspace cannot be opened, the lock is held (Busy), the pipeline does not check
// (a cycle, a missing dep, bad YAML: the executor's errors). Stage failures are in the report.
Result<PipelineRunOutcome> runWorkspacePipeline(const QString &root, const PipelineRunRequest &request,
                                                common::JobContext *job = nullptr);

} // namespace orrery::stages
