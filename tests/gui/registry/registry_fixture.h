#pragma once
// A registry to show: model "fraud" with v1 champion, v2 challenger (both passed their gates) and
// v3 whose roc_auc gate failed, each a fake TorchScript archive written by Python's zipfile (as
// tests/auto/registry/tst_model_file.cpp does) and stored with storeModelFile; lineage with data
// versions, a pipeline run, a training run, params, metrics and a commit.

#include "core/registry/registry_types.h"

#include <QString>

namespace orrery::testing {

extern const char *const kPipelineRun;
extern const char *const kStageRun;
extern const char *const kTrainRunV1;
extern const char *const kTrainRunV2;

// Writes the archive, stores it in `cacheRoot` and records version `index` (1, 2, 3, 4…) of
// "fraud" in the database at `dbPath` (created and migrated when new); returns the version number
// (0 on failure, with the failure printed).
int addFraudVersion(const QString &dbPath, const QString &cacheRoot, const QString &scratch, int index, registry::Validation validation);
// v1, v2 and v3 as described above.
bool buildFraudRegistry(const QString &dbPath, const QString &cacheRoot, const QString &scratch);

} // namespace orrery::testing
