#pragma once
// What the Data area's jobs run, off the GUI thread: the status of every tracked dataset, the
// versions of one dataset from git history, and the files of a version.
//
// Each function opens what it needs (a database connection for the stat cache, the git
// repository, the content cache) on the calling thread and closes it before returning, because
// those objects belong to the thread that opened them; only plain values come back.
//
// Threads: call from a job's worker thread, never from the GUI thread — these walk git history,
// hash files and read the cache.

#include "core/common/status.h"
#include "ui/data/data_types.h"

#include <QVector>

namespace orrery::common {
class JobContext;
}

namespace orrery::ui::dataworker {

// Every tracked out with its status (unchanged files are answered by the stat cache, so a poll
// reads no data) and the md5 HEAD's .dvc file records for it.
Result<QVector<DatasetEntry>> scanDatasets(const QString &root, common::JobContext *job = nullptr);

// The versions of `entry`, newest first: a "workspace" row when the .dvc file or the data differs
// from HEAD, then every commit that changed the .dvc file (at most `limit`).
Result<QVector<DataVersion>> loadVersions(const QString &root, const DatasetEntry &entry, int limit = 200);

// The files of `version`: one for a file, the manifest's entries for a directory (hashed from disk
// for the workspace's data, read from the cache for a recorded version).
Result<QVector<ContentFile>> listVersionFiles(const QString &root, const DatasetEntry &entry,
                                              const DataVersion &version, common::JobContext *job = nullptr);

// Files added, removed and modified from `before` to `after`, by path, sorted by path.
QVector<FileChange> compareFiles(const QVector<ContentFile> &before, const QVector<ContentFile> &after);

} // namespace orrery::ui::dataworker
