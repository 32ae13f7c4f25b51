#pragma once
// ContentCache: content-addressed objects in DVC 3's layout — <root>/files/md5/ab/cdef… — shared
// with `dvc` through .dvc/config. A directory is stored as the object <md5>.dir holding its JSON
// manifest (dir_manifest.h).
//
// Promises (DVC's data-loss bugs are the reason for each):
// - An object appears under its final name only complete and verified: bytes are hashed while
//   they are copied into a temporary file beside it, fsynced, and renamed only when the hash
//   matches the name. A killed `add` leaves at most a temporary file, which `doctor` reports.
// - Objects are read-only (0444), so a linked or copied-out file edited by a user can never
//   change the cache.
// - Every read verifies the bytes; an object that does not match its name is moved to
//   <root>/quarantine/ and never used again.
//
// Threads: all methods may be called from several threads at once; objects are immutable and
// renames are atomic.

#include "core/common/status.h"

#include <QString>

#include <memory>

class QCryptographicHash;

namespace orrery::common {
class JobContext;
}

namespace orrery::data {

struct ObjectInfo {
    QString md5;
    qint64 size = 0;
};

class CacheObjectWriter;

class ContentCache {
public:
    explicit ContentCache(QString root);

    const QString &root() const { return m_root; }
    // files/md5/ab/cdef… for a file object, …/cdef….dir for a manifest ("<md5>.dir" as given).
    QString objectPath(const QString &hash) const;
    bool contains(const QString &hash) const;
    // One folder descriptor for all lookups: cheap enough for a 100,000-file manifest.
    bool containsAll(const QStringList &hashes) const;
    // Whether a whole version is here: the object, and for a directory ("<md5>.dir") its manifest
    // (read verified) and every file it lists — what restoring or opening that version needs.
    bool containsVersion(const QString &md5);

    // Copies `source` into the cache, hashing it on the way. `expectedMd5` (optional) is checked.
    // Durability: each object is fsynced with its folder — unless `batch` is set, when the caller
    // must call syncAll() before anything refers to the new objects (one syncfs instead of two
    // fsyncs per object: 100,000 small files took 88 s the other way). Either way an object is
    // only ever renamed to its name complete, and every read verifies it.
    Result<ObjectInfo> addFile(const QString &source, const QString &expectedMd5 = QString(),
                               common::JobContext *job = nullptr, bool batch = false);
    // A new object written from a stream; see CacheObjectWriter.
    Result<std::unique_ptr<CacheObjectWriter>> beginObject() const;
    // Flushes everything written to the cache's file system (syncfs).
    Status syncAll() const;
    // Stores bytes (a directory manifest) as "<md5>.dir" or "<md5>".
    Result<ObjectInfo> addBytes(const QByteArray &bytes, bool isDirManifest);

    // Reads a whole object, verified. Corrupt objects are quarantined and reported as Corrupt.
    Result<QByteArray> readVerified(const QString &hash);
    // Copies an object to `destination` atomically, verifying it; parent folders are created.
    Status copyOut(const QString &hash, const QString &destination, common::JobContext *job = nullptr);
    // Copies the object into another cache root (a folder remote) the same way.
    Status copyTo(const QString &hash, ContentCache &other) const;

    // Full check of one object's bytes; quarantines on mismatch.
    Status verify(const QString &hash);
    Status remove(const QString &hash);
    Status quarantine(const QString &hash) const;

    static bool isValidHash(const QString &hash); // 32 hex digits, optionally ".dir"

private:
    QString m_root;
};

// An object being written into the cache from a stream (an upload): the bytes go to a temporary
// file under <root>/tmp and are hashed on the way; commit() publishes the object under its md5,
// with addFile's promises. Destroyed without commit(), it leaves nothing behind.
// Threads: one writer per thread; the cache itself may be shared.
class CacheObjectWriter {
public:
    ~CacheObjectWriter();
    CacheObjectWriter(const CacheObjectWriter &) = delete;
    CacheObjectWriter &operator=(const CacheObjectWriter &) = delete;

    Status write(const char *data, qint64 size);
    qint64 size() const { return m_size; }
    // `expectedMd5` (optional) must match. With `batch`, the caller syncs (ContentCache::syncAll).
    Result<ObjectInfo> commit(const QString &expectedMd5 = QString(), bool batch = false);

private:
    friend class ContentCache;
    CacheObjectWriter(const ContentCache &cache, int fd, QByteArray tempPath);
    ContentCache m_cache; // a copy: the writer may outlive the cache object it came from
    int m_fd;
    QByteArray m_tempPath;
    std::unique_ptr<QCryptographicHash> m_hash;
    qint64 m_size = 0;
    bool m_committed = false;
};

} // namespace orrery::data
