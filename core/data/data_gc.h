#pragma once
// Garbage collection of the cache: which objects nothing refers to any more.
//
// An object is kept when anything could still want it: a .dvc file or dvc.lock in the work tree
// or in any commit on any branch or tag (any md5 in them counts), a run's or a registered model's
// reference (the cache_refs table), and every file listed in a kept directory manifest. The
// default is a dry run that only reports; deleting needs an explicit yes from the caller.

#include "core/common/status.h"

#include <QStringList>

namespace orrery::common {
class JobContext;
}
namespace orrery::store {
class Database;
}
namespace orrery::vcs {
class Repository;
}

namespace orrery::data {

class DataRepository;

struct GcReport {
    qint64 objectsKept = 0;
    QStringList unused;            // object hashes nothing refers to
    qint64 unusedBytes = 0;
    bool deleted = false;
    QStringList skippedFiles;      // history files that could not be read (named, not fatal)
};

// Every md5 named in a YAML document (a .dvc file or a dvc.lock), wherever it sits.
QStringList hashesInYaml(const QByteArray &yaml);

Result<GcReport> collectGarbage(DataRepository &data, const vcs::Repository *git, store::Database *db, bool deleteUnused,
                                common::JobContext *job = nullptr);

} // namespace orrery::data
