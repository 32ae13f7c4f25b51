#pragma once
// The pipeline step of an iteration: run the workspace's pipeline on the data step's new data
// version, in the iteration's worktree, and find the model version its `register` stage recorded.
//
// The worktree is a checkout of the iteration's branch, so dvc.yaml, params and code are the
// user's committed ones and the dataset's .dvc file is the new version. The workspace's state —
// its database, content cache, temporary files and locks — is the workspace's own: the worktree's
// `.orrery` is a relative symbolic link to the workspace's (kept out of git by .git/info/exclude),
// so runs, stage runs, metrics, artifacts and the new model version land where the window and
// every command see them, and outs the run cache knows are restored instead of rerun. The run
// takes a pipeline lock of its own (its outs and dvc.lock are the worktree's), so the user's
// `orrery-cli run` neither waits for it nor blocks it.
//
// The model's offline gates are the register stage's (core/stages): passed, the version becomes
// challenger (champion when there is none); failed, it is recorded with why and the iteration
// ends there (no_change).
//
// Threads: on the calling thread (the run opens its own connection; stages run on the executor's
// workers and as processes).

#include "core/common/status.h"
#include "core/ct/ct_config.h"
#include "core/pipeline/executor.h"

#include <QString>
#include <QStringList>

#include <functional>

namespace orrery::common {
class JobContext;
}

namespace orrery::ct {

struct PipelineStepResult {
    pipeline::PipelineReport report;
    int version = 0;          // the version its register stage recorded (0: none)
    bool challenger = false;  // whether that version passed its gates (challenger, or champion)
    QStringList aliases;      // the version's aliases after the run
    QStringList failedGates;  // "gate: explanation" of each gate it failed
    QString summary;          // "7 stages: 5 ran, 2 restored from the run cache"
};

struct PipelineStepOptions {
    QString cliDir;           // the folder of orrery-cli, for the stages' commands
    int workers = 0;          // stages at once (0: the cores)
    std::function<void(const QString &line)> log;
};

// `workspace`: the workspace inside the iteration's worktree (DataStepResult::workspace).
// Errors: the run could not start (the lock, a pipeline that does not check). A stage that
// failed is in the report (report.anyFailed()), not an error.
Result<PipelineStepResult> runIterationPipeline(const QString &root, const QString &workspace, const CtConfig &config, qint64 iterationId,
                                                const PipelineStepOptions &options, common::JobContext *job = nullptr);

} // namespace orrery::ct
