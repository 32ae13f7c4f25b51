#pragma once
// ArtifactStore: run artifacts as content-addressed objects in the workspace cache
// (.orrery/cache, DVC's layout), indexed by the paths MLflow's artifact URIs name them by —
// mlflow-artifacts:/<experiment>/<run>/artifacts/<path> is the row "<experiment>/<run>/artifacts/
// <path>" of the artifacts table, pointing at the object with the file's md5. Identical files
// logged by many runs (a model re-logged unchanged, requirements.txt, conda.yaml) are stored once;
// a model registered later refers to the same object; cache_refs ('run:<id>') keeps every object
// a run uses from `data gc`.
//
// Paths come from the network, so each is checked before anything is recorded: one
// percent-decoding (by the caller), then cleanRelativePath (no "..", no absolute path, no
// backslash, no NUL), then the same again on the once-more-decoded text (a %252e%252e spelling
// that another layer might decode later is refused too). Paths never touch the file system: the
// only files written are cache objects named by their hash.
//
// An upload streams into a temporary file in the cache, hashed on the way; only when complete is
// it published as an object and then indexed, in one transaction with its cache reference. A
// cut-off upload leaves nothing and a reader never sees half an artifact. Every download verifies
// the object against its hash first (ContentCache's promise), so a damaged object is quarantined
// rather than served.
//
// Threads: an ArtifactStore uses its Database connection, so it lives on that connection's thread.

#include "core/common/status.h"
#include "core/http/http_request.h"

#include <QString>
#include <QVector>

#include <memory>

namespace orrery::common {
class Clock;
}
namespace orrery::data {
class CacheObjectWriter;
}
namespace orrery::store {
class Database;
}

namespace orrery::tracking {

struct ArtifactEntry {
    QString name;   // the entry's name inside the listed folder
    bool isDir = false;
    qint64 size = 0;
};

// An upload in progress: the HTTP server writes the body into it; commit() publishes it.
class ArtifactUpload : public http::HttpBodySink {
public:
    ArtifactUpload(store::Database &db, QString path, QString runId, std::unique_ptr<data::CacheObjectWriter> object,
                   const common::Clock &clock);
    ~ArtifactUpload() override; // without commit(): the temporary file is removed
    Status write(const char *data, qint64 size) override;
    Status commit();
    qint64 bytesWritten() const;

private:
    store::Database &m_db;
    QString m_path, m_runId;
    std::unique_ptr<data::CacheObjectWriter> m_object;
    const common::Clock &m_clock;
};

class ArtifactStore {
public:
    // `clock` stamps uploads (the system clock when null); it must outlive the store.
    ArtifactStore(store::Database &db, QString cacheRoot, const common::Clock *clock = nullptr);

    // The checked relative path ("1/abc/artifacts/model/MLmodel"), or InvalidArgument saying why.
    static Result<QString> checkPath(const QString &decoded);

    // Checks the path (<experiment>/<run>/artifacts/<path>, no file or folder in the way) and that
    // `expectedSize` bytes fit on the disk (Io otherwise, before anything is written), and opens
    // the temporary file.
    Result<std::unique_ptr<ArtifactUpload>> beginUpload(const QString &relative, qint64 expectedSize);
    // Stores a local file as an artifact (trainers and pipeline stages log their outputs so).
    Result<ArtifactEntry> addFile(const QString &relative, const QString &source);
    // The verified cache object holding the artifact at `relative` (NotFound otherwise).
    Result<QString> fileFor(const QString &relative);
    // Removes the artifact at `relative`, or every artifact under it when it is a folder, from the
    // index, in one transaction; a run's cache reference to an object goes with the last of its
    // artifacts that used it (the object stays in the cache for `data gc`, and for other runs and
    // models that refer to it). Only inside a run's artifacts (<experiment>/<run>/artifacts[/…]);
    // NotFound when nothing is there. Returns how many files were removed.
    Result<int> remove(const QString &relative);
    // The entries of the folder `relative` (empty: the root), by name; none when it is no folder.
    Result<QVector<ArtifactEntry>> list(const QString &relative) const;

private:
    store::Database &m_db;
    QString m_cacheRoot;
    const common::Clock &m_clock;
};

// Indexes an object already in the cache as the artifact `path` (checked, <experiment>/<run>/
// artifacts/<path>) of `runId`, with the run's cache reference — inside the caller's transaction,
// which the caller opens and commits (an upload's commit; the import of a run journal, which
// records a whole run in one).
Status indexArtifact(store::Database &db, const QString &path, const QString &runId, const QString &md5, qint64 size, qint64 created);

} // namespace orrery::tracking
