#pragma once
// A workspace in a git worktree of its own, beside the user's: where work that must not touch the
// user's files runs — a continuous-training iteration (core/ct), a sweep's trial of a pipeline
// stage (core/tune). DESIGN.md, "Processes": such work never shares outs or dvc.lock with the user.
//
// The worktree lives at `.orrery/worktrees/NAME` (excluded from the user's `git status`) on its own
// branch, made from HEAD when new. The workspace inside it (the same folder under the repository's
// root as the user's) gets its tracked data checked out of the content cache, and its `.orrery` is a
// relative link to the user's workspace's — so runs, artifacts, the run cache and the registry are
// the workspace's own, one database — and git does not see the link.
//
// Threads: free functions; one caller per worktree at a time.

#include "core/common/status.h"

#include <QString>

namespace orrery::vcs {
class Repository;
}

namespace orrery::data {

struct WorkspaceWorktree {
    QString name;       // the git worktree's name
    QString path;       // the worktree's root, absolute
    QString workspace;  // the workspace inside it, absolute
    QString branch;
    QString baseCommit; // where the branch started (or stands, when the worktree was there)
};

// The workspace's folder relative to its repository's work tree, with a trailing slash ("" at the root).
Result<QString> workspacePrefix(const vcs::Repository &repo, const QString &root);

// Makes `workspace`'s `.orrery` a link to `root`'s (idempotent); git is told to ignore the link.
Status linkWorkspaceState(const QString &root, const QString &workspace);

// Opens (or makes) the worktree NAME of the workspace `root` on `branch`, as described above.
Result<WorkspaceWorktree> openWorkspaceWorktree(const QString &root, const QString &name, const QString &branch);

// Removes the worktree and its folder; its branch too when `deleteBranch`.
Status removeWorkspaceWorktree(const QString &root, const WorkspaceWorktree &worktree, bool deleteBranch);

} // namespace orrery::data
