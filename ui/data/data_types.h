#pragma once
// Plain values the Data area passes from its worker jobs to the GUI thread: a tracked dataset with
// its status, one version of it from git history (or the workspace), the files of a version and
// how files differ between two versions.
//
// They are copied across threads through queued signals and shared_ptr snapshots, so they hold
// only values: no Database, Repository or cache objects, which belong to the thread that opened
// them. Every path the GUI needs later (a cache object, a file on disk) is resolved on the worker,
// so the GUI thread never has to look at the file system to know where data lives.

#include "core/data/data_repository.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QVector>

namespace orrery::ui {

// One tracked out of the workspace, with what `data status` says about it.
struct DatasetEntry {
    QString path;        // the data, relative to the workspace root
    QString dvcFile;     // relative to the workspace root
    QString gitDvcPath;  // the .dvc file relative to the git work tree (empty outside git)
    int outIndex = 0;
    QString outPath;     // as the .dvc file writes it: relative to the .dvc file's folder
    bool isDirectory = false;
    QString md5;         // as the .dvc file on disk records it
    qint64 size = -1;
    qint64 nfiles = -1;  // directories only
    data::OutState state = data::OutState::Unchanged;
    bool inCache = true;
    QString currentHash; // of the data on disk now; empty when missing
    QString headMd5;     // as HEAD's .dvc records it; empty when the .dvc is not committed
    qint64 dirAdded = 0, dirRemoved = 0, dirModified = 0; // inside a modified directory
    QString cacheRoot;   // where this workspace's cache lives (from .dvc/config)

    bool committed() const { return !headMd5.isEmpty(); }
    bool dvcDiffersFromHead() const { return headMd5 != md5; }
    // Changes whenever the versions of this dataset may have changed: a new `data add`, a commit,
    // an edit of the data. The Data area reloads the version list when it does.
    QString fingerprint() const;
    // "unchanged", "modified", "missing", each with " · not in cache" when the recorded version
    // is not in the cache.
    QString statusText() const;
};

// One version of a dataset: a commit that changed its .dvc file, or the workspace when the .dvc
// file or the data differs from HEAD.
struct DataVersion {
    QString revision;    // 40 hex digits, or "workspace"
    QDateTime time;      // the commit's (UTC), or the data's modification time
    QString author;
    QString summary;
    QString md5;         // of the content: "<32 hex>" or "<32 hex>.dir"
    qint64 size = -1;
    qint64 nfiles = -1;
    bool inCache = false;  // the object (a directory: its manifest and every file) is cached
    // Where to read this version: the data on disk (the workspace row while the data is there),
    // else the cache object (a directory: its manifest). Empty when neither is readable.
    QString contentPath;
    bool onDisk = false;   // contentPath is the workspace's data, not a cache object

    bool isWorkspace() const;
    bool isAvailable() const { return !contentPath.isEmpty(); }
    QString shortId() const; // 7 hex digits, or "workspace"
};

// A file of a version (a directory's manifest entry, or the one file of a file version).
struct ContentFile {
    QString relpath;     // '/'-separated, inside the directory
    QString md5;
    qint64 size = -1;    // -1 when unknown (object not in the cache)
    QString contentPath; // readable copy: a cache object or the file on disk; empty when neither
};

struct FileChange {
    enum Kind { Added, Removed, Modified };
    Kind kind = Modified;
    QString relpath;
    ContentFile before, after; // the side that does not exist is empty
};

// A CSV or TSV file, by its name: the kinds the profiler reads.
bool isTablePath(const QString &path);
bool isTsvPath(const QString &path);

} // namespace orrery::ui

Q_DECLARE_METATYPE(orrery::ui::DatasetEntry)
Q_DECLARE_METATYPE(orrery::ui::DataVersion)
