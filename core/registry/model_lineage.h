#pragma once
// Where a model version came from, read from tracking when it is registered: the run that made
// the model, the pipeline run it ran under, the experiment, the data versions it depends on (path
// and md5 from the reproducibility manifests: what the training read, then each of those back to
// the stage run whose outs made it — in whichever pipeline run that stage last ran — down to the
// sources no stage makes, such as the dataset version), the code commit and whether the tree was dirty, the run's
// params and latest metrics. Stored with the version as JSON (ModelVersion::lineage), so it stays
// true when runs are deleted later.
//
// Lineage JSON: {"run_id", "run_name", "experiment_id", "parent_run_id" (the pipeline run),
// "stage_run_id" (the stage's run between them, when there is one), "commit", "branch",
// "dirty", "data": [{"path", "md5", "run_id" (the run that read it), "produced_by" (the stage run
// that made it; "" for a source)}], "params": {k: v}, "metrics": {k: number}}.

#include "core/common/status.h"

#include <QJsonObject>
#include <QString>

namespace orrery::store {
class Database;
}

namespace orrery::registry {

// `pipelineRunId` stands in for the run's parent when the run has none (orrery-train's own run,
// started by the pipeline's train stage, is not tagged under the pipeline run). Data paths inside
// `workspaceRoot` are made relative to it.
Result<QJsonObject> lineageOfRun(store::Database &db, const QString &runId, const QString &pipelineRunId = QString(),
                                 const QString &workspaceRoot = QString());

// The newest run tagged orrery.model_md5 = md5 (the run that wrote that model file); empty when none.
Result<QString> runOfModelFile(store::Database &db, const QString &md5);

} // namespace orrery::registry
