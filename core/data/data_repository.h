#pragma once
// DataRepository: the data versions of one workspace — the .dvc files in it, the content cache
// they point into, and the operations `data add`, `data status` and `data checkout`.
//
// Which files a tracked folder holds, and what a symlink in it stands for, are DVC 3's rules
// (core/data/data_walk.h, .dvcignore included), so its md5 is the one `dvc status` computes.
// Nothing a user has not committed is ever overwritten: checkout refuses (and names the files)
// when a tracked file holds content that is not in the cache, unless forced; everything is
// checked before the first file is touched. Exclusive operations take the workspace lock in the
// caller (core/workspace sits above this module).
//
// Threads: one DataRepository per thread (it uses the given Database); its operations run their
// own hashing threads.

#include "core/common/status.h"
#include "core/data/content_cache.h"
#include "core/data/dvc_file.h"

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

struct TrackedOut {
    QString dvcFile; // relative to the workspace root
    int outIndex = 0;
    DvcOut out;
    QString path;    // the data's path relative to the workspace root
};

enum class OutState { Unchanged, Modified, Missing };

struct OutStatus {
    TrackedOut tracked;
    OutState state = OutState::Unchanged;
    bool inCache = true;      // the recorded version (and, for a directory, every file of it)
    QString currentHash;      // of what is in the workspace now (empty when missing)
    QStringList added, removed, modified; // inside a directory, relative to it
};

struct AddReport {
    struct Added {
        QString path;     // relative to root
        QString dvcFile;  // relative to root
        QString md5;
        qint64 size = 0;
        qint64 nfiles = -1;
        bool changed = true; // false when the .dvc already recorded this content
    };
    QVector<Added> added;
    qint64 bytesHashed = 0;
};

struct CheckoutReport {
    QStringList restored;  // files written (or, recorded with isexec, given their execute bit back), relative to root
    QStringList removed;   // files removed from tracked directories
    QStringList unchanged; // outs already as recorded
};

class DataRepository {
public:
    DataRepository(QString root, store::Database *db);
    // With the content cache at `cacheRoot`: a git worktree of the workspace (continuous
    // training's iterations) shares the workspace's cache, which its own .dvc/config, relative to
    // the worktree, does not lead to. `db` may be null (no stat cache: every file is read).
    DataRepository(QString root, store::Database *db, QString cacheRoot);

    const QString &root() const { return m_root; }
    ContentCache &cache() { return m_cache; }
    // Where the cache lives: .dvc/config's cache.dir when set (relative to .dvc/), else
    // .dvc/cache in a DVC repository (DVC's default), else .orrery/cache.
    static QString cacheDirFor(const QString &root);

    // A user's path (absolute, or relative to `cwd`) as a clean path relative to the root,
    // refusing anything outside the workspace or inside .git, .dvc and .orrery.
    Result<QString> toWorkspacePath(const QString &path, const QString &cwd) const;
    Result<QStringList> toWorkspacePaths(const QStringList &paths, const QString &cwd) const;

    Result<QVector<TrackedOut>> trackedOuts() const;
    // The outs a list of targets names (data paths, folders above them, or .dvc files); all for none.
    Result<QVector<TrackedOut>> outsFor(const QStringList &targets) const;
    Result<AddReport> add(const QStringList &workspacePaths, common::JobContext *job = nullptr);
    // targets: workspace paths of data or of .dvc files; empty for all.
    Result<QVector<OutStatus>> status(const QStringList &targets = {}, common::JobContext *job = nullptr);
    Result<CheckoutReport> checkout(const QStringList &targets, bool force, common::JobContext *job = nullptr);

private:
    
    Result<OutStatus> statusOf(const TrackedOut &tracked, common::JobContext *job);
    Status addGitIgnoreEntry(const QString &workspacePath);

    QString m_root;
    store::Database *m_db;
    ContentCache m_cache;
};

const char *outStateName(OutState state);

} // namespace orrery::data
