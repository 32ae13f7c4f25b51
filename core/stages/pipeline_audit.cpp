#include "core/stages/pipeline_audit.h"

#include "core/audit/audit_log.h"
#include "core/pipeline/executor.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace orrery::stages {

audit::AuditRecord pipelineRunAuditRecord(const QString &root, const QStringList &targets, bool force,
                                          const pipeline::PipelineReport &report)
{
    using S = pipeline::StageState;
    int ran = 0, failed = 0, checks = 0;
    for (const auto &r : report.stages) {
        ran += r.state == S::Ran ? 1 : 0;
        failed += r.state == S::Failed || r.state == S::TimedOut || r.state == S::Cancelled ? 1 : 0;
        checks += r.state == S::CheckFailed ? 1 : 0;
    }
    const QJsonObject details{{QStringLiteral("run_id"), report.runId},
                              {QStringLiteral("targets"), QJsonArray::fromStringList(targets)},
                              {QStringLiteral("force"), force},
                              {QStringLiteral("ran"), ran},
                              {QStringLiteral("failed"), failed},
                              {QStringLiteral("checks_failed"), checks}};
    return {QStringLiteral("pipeline.run"), root, QString(),
            QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact))};
}

Result<audit::AuditEntry> recordPipelineRun(audit::AuditLog &log, const QString &root, const QStringList &targets,
                                            bool force, const pipeline::PipelineReport &report)
{
    return log.append(pipelineRunAuditRecord(root, targets, force, report));
}

} // namespace orrery::stages
