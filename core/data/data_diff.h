#pragma once
// What changed in the tracked data between two revisions: files added, removed and modified,
// looking inside tracked directories when their manifests are in the cache. A revision is any
// git revision, or "workspace" for the .dvc files as they are on disk now.

#include "core/common/status.h"

#include <QString>
#include <QVector>

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
};

struct DataDiff {
    QString from, to;
    QVector<DataChange> changes;
    QStringList unexpanded; // directories whose manifests are not in the cache (changed as a whole)
};

inline const QString kWorkspaceRevision = QStringLiteral("workspace");

Result<DataDiff> diffRevisions(DataRepository &data, const vcs::Repository &git, const QString &from, const QString &to);

const char *changeKindName(DataChange::Kind kind);

} // namespace orrery::data
