#pragma once
// FileHasher: the md5 of many files at storage speed — files are hashed in parallel on all cores,
// and a stat cache (inode, size, mtime in ns, kept in the workspace database) answers for files
// that did not change since they were last hashed, so `data status` reads no content of
// unchanged files.
//
// Threads: hash() runs worker threads of its own and returns when all are done; it uses the
// Database only on the calling thread (one read before, one write transaction after).

#include "core/common/status.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>

namespace orrery::common {
class JobContext;
}
namespace orrery::store {
class Database;
}

namespace orrery::data {

struct FileStat {
    qint64 inode = 0;
    qint64 size = 0;
    qint64 mtimeNs = 0;
    bool operator==(const FileStat &o) const { return inode == o.inode && size == o.size && mtimeNs == o.mtimeNs; }
};

struct HashedFile {
    QString relativePath; // key in the stat cache: relative to the workspace root
    QString md5;
    qint64 size = 0;
    bool fromStatCache = false;
};

// Files under `dir` (recursively; symlinks are not followed; .git, .dvc and .orrery skipped),
// for listings that are not DVC data (a tracked folder's files: core/data/data_walk.h),
// '/'-separated paths relative to `dir`, sorted. With `stats`, each file's stat in the same order
// (taken relative to its folder's descriptor: far cheaper than a stat of the full path).
Result<QStringList> listFiles(const QString &dir, QVector<FileStat> *stats = nullptr);
// The stat of a file, of its target for a symlink (a link in a tracked folder stands for its target).
Result<FileStat> statFile(const QString &path);

class FileHasher {
public:
    // `db` may be null: then every file is read.
    FileHasher(QString root, store::Database *db, int threads = 0);

    // Hashes root/relativePath for each path; the result is in the same order. `knownStats`, when
    // given, are the files' stats from listFiles (saves a stat per file).
    Result<QVector<HashedFile>> hash(const QStringList &relativePaths, common::JobContext *job = nullptr,
                                     const QVector<FileStat> *knownStats = nullptr);

    // Records files whose md5 is known (just restored from the cache) without reading them.
    Status remember(const QVector<std::pair<QString, QString>> &pathAndMd5);

    int threads() const { return m_threads; }
    qint64 bytesRead() const { return m_bytesRead; }

private:
    QString m_root;
    store::Database *m_db;
    int m_threads;
    qint64 m_bytesRead = 0;
};

// DVC 2.x "md5-dos2unix": text files (by DVC's 512-byte test) hash with CRLF as LF.
Result<QString> legacyMd5OfFile(const QString &path);

} // namespace orrery::data
