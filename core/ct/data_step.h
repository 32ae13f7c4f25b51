#pragma once
// The data step of an iteration: build the current data and commit it as a new data version.
//
// In a git worktree of its own (.orrery/worktrees/ct-<iteration>, on the branch
// orrery/ct/<iteration> from the user's HEAD; DESIGN.md, "Processes"), so the user's working
// tree, index, HEAD and branch are never touched:
//   1. the dataset's version at HEAD (its .dvc file) is read from the content cache, verified;
//   2. the labelled production rows since that version (production_rows.h: those after the
//      feedback the loop's data version took in, when HEAD's version is one the loop built; all
//      of them otherwise) are chosen by the dataset's policy;
//   3. the new CSV — the version's bytes unchanged, then the chosen rows in the dataset's columns —
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
    ProductionRowsReport rows;
};

// Makes the iteration's worktree (if it is not there yet) and builds the data in it. The worktree
// stays for the steps after; removeIterationWorktree() takes it away.
Result<DataStepResult> buildCurrentData(const QString &root, const CtConfig &config, store::Database &db, const common::Clock &clock,
                                        qint64 iterationId);

// The worktree's name, folder (relative to the root) and branch for an iteration.
QString iterationWorktreeName(qint64 iterationId);
QString iterationWorktreePath(qint64 iterationId);
QString iterationBranch(qint64 iterationId);
// Removes an iteration's worktree (its folder and git's record); the branch stays.
Status removeIterationWorktree(const QString &root, qint64 iterationId);

} // namespace orrery::ct
