#pragma once
// OutputStore: hashes of a pipeline's files (deps and outs; files and folders, DVC's md5 and
// .dir manifests) through the workspace's stat cache, and moving outs into and out of the
// content cache — what lets the executor skip a stage and restore its outs.
//
// Threads: one OutputStore belongs to the executor's coordinating thread (it uses the Database).

#include "core/common/status.h"
#include "core/data/content_cache.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace orrery::store {
class Database;
}

namespace orrery::pipeline {

struct PathHash {
    bool exists = false;
    QString md5;        // "<hex>" or "<hex>.dir"
    qint64 size = 0;
    qint64 nfiles = -1; // folders
};

class OutputStore {
public:
    OutputStore(QString root, store::Database *db);

    data::ContentCache &cache() { return m_cache; }

    // Hashes of workspace paths (files or folders), answered from memory when known, else in one
    // pass through the stat cache. forget() drops what a stage is about to rewrite.
    Result<QHash<QString, PathHash>> hash(const QStringList &paths);
    Result<PathHash> hashOne(const QString &path);
    void forget(const QString &path);

    // Stores an out in the content cache (a folder: each file plus its manifest); its hash.
    Result<PathHash> save(const QString &path);
    // Whether the cache holds everything needed to restore `md5` (a folder: all its files).
    bool canRestore(const QString &md5);
    // Replaces the path with the cached version (verified copies; a folder exactly as recorded).
    Status restore(const QString &path, const QString &md5);
    // Removes an out before its stage runs (nothing stale can be mistaken for its result).
    Status remove(const QString &path);

private:
    QString m_root;
    store::Database *m_db;
    data::ContentCache m_cache;
    QHash<QString, PathHash> m_memo;
};

} // namespace orrery::pipeline
