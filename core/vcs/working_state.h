#pragma once
// The state of the code a run used: the commit HEAD points at, the branch, whether the work tree
// differs from it, and the difference itself as a unified diff (tracked files, staged or not;
// untracked files are listed by name), so a result can be rebuilt from commit + patch.

#include "core/common/status.h"

#include <QString>
#include <QStringList>

namespace orrery::vcs {

class Repository;

struct WorkingState {
    QString commit;  // 40 hex digits; empty before the first commit
    QString branch;  // empty when detached
    bool dirty = false;
    QString patch;   // git diff HEAD, as text
    QStringList untracked;
    QStringList changed; // tracked files that differ from HEAD (in the index or the work tree)
};

// maxPatchBytes bounds what a runaway change (a large generated file) can put in the database;
// 0 skips the patch (for callers that only need the lists of files).
Result<WorkingState> captureWorkingState(const Repository &repo, qint64 maxPatchBytes = 1 << 20);

} // namespace orrery::vcs
