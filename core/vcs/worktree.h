#pragma once
// Git worktrees through libgit2: a second working tree of the same repository, on a branch of its
// own, so work done there (continuous training's iterations, parallel trials) never touches the
// user's working tree, index, HEAD or branch (DESIGN.md, "Processes").
//
// The worktree's files are checked out from the branch's commit; commits made in it (open it
// with Repository::discover on its folder) move only its own branch. Removing a worktree deletes
// its folder and git's record of it and keeps the branch, which records what was done there.
//
// Threads: as Repository — one thread at a time per Repository.

#include "core/common/status.h"

#include <QString>
#include <QStringList>

namespace orrery::vcs {

class Repository;

struct WorktreeInfo {
    QString name;   // git's name for it (.git/worktrees/<name>)
    QString path;   // its folder, absolute
    QString branch; // short name, e.g. "orrery/ct/7"
    QString commit; // what it was created at, 40 hex digits
};

// Adds the worktree `name` at `path` (which must not exist; its parent folders are created) on a
// new branch `branch` starting at HEAD's commit of `repo` (the main repository). AlreadyExists
// when the branch or the worktree name is taken; FailedPrecondition before the first commit.
Result<WorktreeInfo> addWorktree(const Repository &repo, const QString &name, const QString &path, const QString &branch);

// Removes the worktree `name`: its folder (with whatever is in it) and git's record. The branch
// stays. Removing a worktree that does not exist is no error (a crash may have left half of one:
// a folder without a record, or a record without a folder — both are cleaned).
Status removeWorktree(const Repository &repo, const QString &name, const QString &path = QString());

// The names of the repository's worktrees (not the main one).
Result<QStringList> worktreeNames(const Repository &repo);

// Adds `pattern` to the repository's own ignore list (.git/info/exclude: local, never versioned)
// unless it is there, so a folder of worktrees inside the work tree never shows in `git status`.
Status excludeLocally(const Repository &repo, const QString &pattern);

// Deletes the local branch `branch` (no error when there is none). Refused by git for the branch
// a work tree has checked out.
Status deleteBranch(const Repository &repo, const QString &branch);

// The commit a branch points at (40 hex digits).
Result<QString> branchCommit(const Repository &repo, const QString &branch);

} // namespace orrery::vcs
