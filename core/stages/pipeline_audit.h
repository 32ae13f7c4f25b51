#pragma once
// The audit entry of a pipeline run. Every state change is audited, whichever process makes it
// (docs/architecture.md, "Core modules"): `orrery-cli run` and the window's editor both record their runs through
// recordPipelineRun, so the log reads the same for both — action "pipeline.run", the workspace
// root as target, details {run_id, targets, force, ran, failed, checks_failed}, the actor the
// audit log sets (the OS user).
//
// It lives in core/stages because this is the module that sees both halves: the engine
// (core/pipeline, which does not link the audit log) and the audit log (through core/registry).
//
// Threads: call it on the thread that owns `log`'s database connection (a worker's own
// connection in the window; the GUI thread never runs SQL).

#include "core/common/status.h"

#include <QString>
#include <QStringList>

namespace orrery::audit {
class AuditLog;
struct AuditEntry;
struct AuditRecord;
}
namespace orrery::pipeline {
struct PipelineReport;
}

namespace orrery::stages {

// The entry for a run of `targets` (empty: all stages) of the pipeline in `root`. Not for dry
// runs: they change nothing.
audit::AuditRecord pipelineRunAuditRecord(const QString &root, const QStringList &targets, bool force,
                                          const pipeline::PipelineReport &report);

// Appends pipelineRunAuditRecord(…) to `log`.
Result<audit::AuditEntry> recordPipelineRun(audit::AuditLog &log, const QString &root, const QStringList &targets,
                                            bool force, const pipeline::PipelineReport &report);

} // namespace orrery::stages
