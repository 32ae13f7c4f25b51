#pragma once
// ArtifactStore: run artifacts as files under the workspace's .orrery/artifacts/, laid out as
// MLflow's artifact URIs name them — mlflow-artifacts:/<experiment>/<run>/artifacts/<path> is
// .orrery/artifacts/<experiment>/<run>/artifacts/<path> — for the REST artifact proxy and for
// the runs views.
//
// Paths come from the network, so each is checked before anything touches the disk: one
// percent-decoding (by the caller), then cleanRelativePath (no "..", no absolute path, no
// backslash, no NUL), then the same again on the once-more-decoded text (a %252e%252e spelling
// that another layer might decode later is refused too), then joinInside (no symlink on the way
// leads out). An upload streams into a temporary file beside its target and is renamed over it
// only when complete and fsynced (AtomicFile): a cut-off upload leaves nothing, a reader never
// sees half a file.
//
// Why not the content-addressed cache (.orrery/cache): the proxy must serve and list artifacts by
// the paths the client chose, so the files have to live under those paths anyway; a second copy
// in the cache would double the disk used by every model, and hard links would share one inode
// between this user-visible tree and a read-only cache object (DVC's "a linked output overwrote
// the cache", treeverse/dvc#278). `data gc` only deletes cache objects, never these files, so no
// cache_refs row is needed to keep them; registering a model version (the registry) is where an
// artifact gets content-addressed and referenced.
//
// Threads: stateless apart from the root; safe from any thread.

#include "core/common/status.h"
#include "core/http/http_request.h"

#include <QString>
#include <QVector>

#include <memory>

namespace orrery::common {
class AtomicFile;
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
    explicit ArtifactUpload(std::unique_ptr<common::AtomicFile> file);
    ~ArtifactUpload() override; // without commit(): the temporary file is removed
    Status write(const char *data, qint64 size) override;
    Status commit();
    qint64 bytesWritten() const { return m_written; }

private:
    std::unique_ptr<common::AtomicFile> m_file;
    qint64 m_written = 0;
};

class ArtifactStore {
public:
    explicit ArtifactStore(QString root);
    const QString &root() const { return m_root; }

    // The checked relative path ("1/abc/artifacts/model/MLmodel"), or InvalidArgument saying why.
    static Result<QString> checkPath(const QString &decoded);

    // Checks the path, that `expectedSize` bytes fit on the disk (Io otherwise, before anything
    // is written), creates the folders and opens the temporary file.
    Result<std::unique_ptr<ArtifactUpload>> beginUpload(const QString &relative, qint64 expectedSize);
    // An existing regular file at `relative` (NotFound otherwise).
    Result<QString> fileFor(const QString &relative) const;
    // The entries of the folder `relative` (empty: the root), by name; none when it is no folder.
    Result<QVector<ArtifactEntry>> list(const QString &relative) const;

private:
    QString m_root;
};

} // namespace orrery::tracking
