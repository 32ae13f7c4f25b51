#pragma once
// WorkspaceLock: an exclusive, named lock for the operations that must be alone in a workspace.
//  - "workspace": schema migration, merge, and whatever writes the data cache or the tracked data:
//    data add, checkout, pull and gc --force (gc deletes objects, so it must not run between a
//    writer storing an object and a .dvc file naming it);
//  - "pipeline": one pipeline run at a time; `data gc --force` takes it too, because a run stores
//    its outputs in the cache before dvc.lock names them.
// Read-only commands (data status, diff, push — which only reads the cache —, dry runs) take none.
//
// It is an flock(2) on .orrery/locks/<name>.lock, so the kernel releases it when the holder dies:
// there are no stale locks to clean up. The holder writes its PID and what it is doing into the
// file; a process that cannot get the lock within the wait time fails with
// "busy: <what> (PID n)" naming the holder.

#include "core/common/status.h"

#include <QString>

#include <memory>

namespace orrery::workspace {

class WorkspaceLock {
public:
    ~WorkspaceLock(); // releases
    WorkspaceLock(const WorkspaceLock &) = delete;
    WorkspaceLock &operator=(const WorkspaceLock &) = delete;

    // Waits up to waitMs for the lock `name` in the workspace at `root`, then fails with Busy.
    static Result<std::unique_ptr<WorkspaceLock>> acquire(const QString &root, const QString &name,
                                                          const QString &what, int waitMs = 2000);

    // Who holds `name` now, as "what (PID n)"; empty when nobody does.
    static QString holder(const QString &root, const QString &name);

private:
    explicit WorkspaceLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace orrery::workspace
