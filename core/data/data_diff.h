#pragma once
// What changed in the tracked data between two revisions: files added, removed and modified,
// looking inside tracked directories when their manifests are in the cache. A revision is any
// git revision, or "workspace" for the .dvc files as they are on disk now.

#include "core/common/status.h"
#include "core/data/table_diff.h"

#include <QString>
#include <QVector>

#include <memory>

namespace orrery::common {
class JobContext;
}
namespace orrery::vcs {
class Repository;
}

namespace orrery::data {

class DataRepository;

struct DataChange {
    enum Kind { Added, Removed, Modified };
    Kind kind = Modified;
    QString path;       // relative to the workspace root
    QString oldHash, newHash;
    qint64 oldSize = -1, newSize = -1;
    bool insideDirectory = false;
    // Tables (.csv, .tsv) whose both versions are in the cache: rows and column statistics.
    std::shared_ptr<const DatasetProfile> profileBefore, profileAfter;
    std::shared_ptr<const TableDiff> table;
};

struct DataDiff {
    QString from, to;
    QVector<DataChange> changes;
    QStringList unexpanded; // directories whose manifests are not in the cache (changed as a whole)
};

inline const QString kWorkspaceRevision = QStringLiteral("workspace");

// With compareTables, modified tables are profiled (one streaming pass over each version).
Result<DataDiff> diffRevisions(DataRepository &data, const vcs::Repository &git, const QString &from, const QString &to,
                               bool compareTables = false, common::JobContext *job = nullptr);

const char *changeKindName(DataChange::Kind kind);

} // namespace orrery::data
