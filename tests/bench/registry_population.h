#pragma once
// The registry benchmarks' data: MODELS registered models × VERSIONS versions (each with a lineage
// of ~1 KB, two tags, champion and challenger aliases and their history), written straight into
// the schema in one transaction. Shared by bench_registry (the core) and bench_registry_area.

#include "core/common/status.h"

#include <QString>

namespace orrery::store {
class Database;
}

namespace orrery {

// The run id of `version` of model number `model` ("runs/<id>" in the versions' sources).
QString benchRunId(int model, int version);
Status populateRegistry(store::Database &db, int models, int versions);

} // namespace orrery
