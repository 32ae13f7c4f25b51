#include "core/tracking/tracking_types.h"

namespace orrery::tracking {

const char *runStatusName(RunStatus s)
{
    switch (s) {
    case RunStatus::Running: return "RUNNING";
    case RunStatus::Scheduled: return "SCHEDULED";
    case RunStatus::Finished: return "FINISHED";
    case RunStatus::Failed: return "FAILED";
    case RunStatus::Killed: return "KILLED";
    }
    return "RUNNING";
}

bool parseRunStatus(const QString &name, RunStatus *out)
{
    for (RunStatus s : {RunStatus::Running, RunStatus::Scheduled, RunStatus::Finished, RunStatus::Failed, RunStatus::Killed})
        if (name == QLatin1String(runStatusName(s))) {
            *out = s;
            return true;
        }
    return false;
}

bool parseViewType(const QString &name, ViewType *out)
{
    if (name.isEmpty() || name == QLatin1String("ACTIVE_ONLY"))
        *out = ViewType::ActiveOnly;
    else if (name == QLatin1String("DELETED_ONLY"))
        *out = ViewType::DeletedOnly;
    else if (name == QLatin1String("ALL"))
        *out = ViewType::All;
    else
        return false;
    return true;
}

} // namespace orrery::tracking
