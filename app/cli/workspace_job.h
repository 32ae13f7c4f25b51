#pragma once
// The middle of most orrery-cli commands: after parsing and opening the workspace, run the long
// part as a Job (runWithProgress: a progress bar on a terminal, Ctrl-C cancels) and hand its
// value back to the command, which reports it. Written once so that every command treats a failed
// and a cancelled job alike, and so that each job opens a database connection of its own: a
// Workspace and its Database belong to the thread that opened them (core/workspace/workspace.h),
// and the job runs on another.

#include "app/cli/cli.h"

#include "core/common/status.h"
#include "core/store/database.h"
#include "core/workspace/workspace.h"

#include <QString>

#include <type_traits>

namespace orrery::cli {

// Runs `work(JobContext &) -> Result<T>` with runWithProgress and returns its value, or the
// Status that stopped it (its error, or Cancelled after Ctrl-C). Work that fills in results of
// its own returns a plain Status.
template <typename Work>
auto runJob(const QString &title, Work work) -> std::invoke_result_t<Work &, common::JobContext &>
{
    using R = std::invoke_result_t<Work &, common::JobContext &>;
    if constexpr (std::is_same_v<R, Status>) {
        return runWithProgress(title, work);
    } else {
        R result = internalError(QStringLiteral("%1: the job did not run").arg(title));
        const Status status = runWithProgress(title, [&](common::JobContext &job) -> Status {
            result = work(job);
            return result.status();
        });
        if (!status)
            return status;
        return result;
    }
}

// runJob for work on the workspace's database: `work(store::Database &, JobContext &)` gets a
// connection opened on the job's thread, closed when the work returns.
template <typename Work>
auto runWorkspaceJob(const workspace::Workspace &ws, const QString &title, Work work)
    -> std::invoke_result_t<Work &, store::Database &, common::JobContext &>
{
    using R = std::invoke_result_t<Work &, store::Database &, common::JobContext &>;
    return runJob(title, [&](common::JobContext &job) -> R {
        ORRERY_ASSIGN_OR_RETURN(auto db, ws.openConnection());
        return work(*db, job);
    });
}

} // namespace orrery::cli
