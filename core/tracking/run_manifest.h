#pragma once
// The reproducibility manifest of a run: what it takes to rebuild the result — the code (git
// commit, branch, dirty flag and the uncommitted diff), the data (content hashes of the inputs),
// the params, the seeds, and the environment (OS, CPU, compiler; Qt, LibTorch, SQLite, libgit2).
// Stored as JSON in run_manifests; `runs show` prints it and `runs diff` compares two.

#include "core/common/status.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

#include <utility>

namespace orrery::store {
class Database;
}

namespace orrery::tracking {

struct DataInput {
    QString path;
    QString md5; // as in its .dvc file, or hashed now
};

struct RunManifest {
    QJsonObject json;
};

// Captures the code state of the workspace at `root` and the environment, with the given inputs
// and seeds (params are read from the run when shown; they live in the params table).
Result<RunManifest> captureManifest(const QString &root, const QVector<DataInput> &inputs,
                                    const QVector<std::pair<QString, qint64>> &seeds);

Status saveManifest(store::Database &db, const QString &runId, const RunManifest &manifest);
Result<RunManifest> loadManifest(store::Database &db, const QString &runId); // NotFound if none

} // namespace orrery::tracking
