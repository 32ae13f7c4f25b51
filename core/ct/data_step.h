#pragma once
// The data step of an iteration: build the current data and commit it as a new data version.
//
// In a git worktree of its own (.orrery/worktrees/ct-<iteration>, on the branch
// orrery/ct/<iteration> from the user's HEAD; DESIGN.md, "Processes"), so the user's working
// tree, index, HEAD and branch are never touched:
//   1. the dataset's version at HEAD (its .dvc file) is read from the content cache, verified;
//   2. the labelled production rows since that version (production_rows.h: those after the
//      feedback the loop's data version took in, when HEAD's version is one the loop built; all
//      of them otherwise) are split: the newest by label (ct.yaml's gate.holdout share) are kept
//      out of training for the loop's gate (gate_step.h), written to the iteration's temporary
//      folder; the rest are chosen by the dataset's policy;
//   3. the new CSV — the version's bytes unchanged (or, with dataset.keep, its rows of that recent
//      window), then the chosen rows in the dataset's columns —
//      is written atomically in the worktree, added through the data module's own add path
//      (core/data's DataRepository: the object into the workspace's content cache, the .dvc file
//      rewritten) and the .dvc file committed on the iteration's branch.
// Steps 3 hold the workspace lock, as `orrery-cli data add` does: `data gc --force` must not
// delete the new object before the commit names it. With no rows to add nothing is written or
// committed: the version stays (rowsAdded 0, changed false).
//
// Threads: on the calling thread, with its Database.

#include "core/common/status.h"
#include "core/ct/ct_config.h"
#include "core/ct/production_rows.h"

#include <QString>

namespace orrery::common {
class Clock;
}
namespace orrery::store {
class Database;
}

namespace orrery::ct {

struct DataStepResult {
    QString worktree;      // relative to the workspace root
    QString worktreeName;  // git's name for it
    QString branch;
    QString baseCommit;    // HEAD when the worktree was made
    QString baseMd5;       // the dataset's version at HEAD
    qint64 afterFeedback = 0; // labels after this feedback id were read (0: all)
    QString md5;           // the new version (== baseMd5 when nothing was added)
    qint64 size = 0;
    QString commit;        // on `branch`; empty when nothing was added
    bool changed = false;
    qint64 rowsAdded = 0;
    qint64 rowsLeftOut = 0;  // the version's rows older than dataset.keep
    ProductionRowsReport rows;
    QString workspace;       // the workspace inside the worktree (absolute): where the pipeline runs
    qint64 trainedThrough = 0; // the newest label id among the rows it may train on: the next
                               // iteration reads after it, so the gate's rows are trained on next time
    qint64 gateRows = 0;     // the newest labelled rows kept out for the gate
    QString gateFile;        // absolute: those rows in the dataset's columns (empty: none)
};

// Makes the iteration's worktree (if it is not there yet) and builds the data in it. The worktree
// stays for the steps after; removeIterationWorktree() takes it away.
Result<DataStepResult> buildCurrentData(const QString &root, const CtConfig &config, store::Database &db, const common::Clock &clock,
                                        qint64 iterationId);

// Labelled production rows of the endpoint (with logged inputs) that the next data step would
// read: those after the labels the dataset's version at `root` (the working tree's .dvc file)
// took in, when the loop built that version; all of them otherwise. policies.min_rows waits on it.
Result<qint64> newLabelledRows(const QString &root, const CtConfig &config, store::Database &db);

// The worktree's name, folder (relative to the root) and branch for an iteration.
QString iterationWorktreeName(qint64 iterationId);
QString iterationWorktreePath(qint64 iterationId);
QString iterationBranch(qint64 iterationId);
// The workspace inside an iteration's worktree (absolute): the worktree itself, or the folder of
// the repository the workspace is in (a workspace in a sub-folder of its git repository).
Result<QString> iterationWorkspace(const QString &root, qint64 iterationId);
// The iteration's temporary folder (absolute, under .orrery/tmp): the gate's rows, scores.
QString iterationTempDir(const QString &root, qint64 iterationId);
// Removes an iteration's worktree (its folder and git's record) and temporary folder; the branch stays.
Status removeIterationWorktree(const QString &root, qint64 iterationId);

} // namespace orrery::ct
