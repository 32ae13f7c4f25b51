#pragma once
// A trial of a dvc.yaml stage (a sweep with `stage: NAME`): where it runs and what it scored.
//
// It runs in a worktree of the workspace (core/data/workspace_worktree.h: its own outs and
// dvc.lock, the workspace's database and cache) with the user's uncommitted changes copied in —
// what they would run with `orrery-cli run` now — and the trial's values written into their params
// files, as DVC's params are: `optimizer.lr` into params.yaml, `train.yaml:optimizer.lr` into
// train.yaml. Its objective is read from the stage's metrics files there (the trainer's own report
// is the controller's business, sweep_runner.h).
//
// Threads: free functions, on the sweep's controller thread.

#include "core/common/status.h"
#include "core/data/workspace_worktree.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace orrery::tune {

// The worktree NAME on BRANCH, made afresh (a killed runner's is removed first), ready to run.
Result<data::WorkspaceWorktree> prepareStageTrial(const QString &root, const QString &name, const QString &branch, const QJsonObject &values);

// The metrics files of `stage` in the workspace's dvc.yaml, workspace-relative; an unknown stage
// names the stages there (`sweepFile`: for the message).
Result<QStringList> stageMetricsFiles(const QString &root, const QString &stage, const QString &sweepFile);

// `metric` (a dotted key) from the first of `files` (under `workspace`) that has it; NaN when none.
double metricFromFiles(const QString &workspace, const QStringList &files, const QString &metric);

} // namespace orrery::tune
