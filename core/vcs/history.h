#pragma once
// Reading versioned files out of git history: a file at a revision, the commits that changed a
// file, and every version of matching files on all branches and tags (what `data gc` must keep).

#include "core/common/status.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>
#include <QVector>

#include <functional>

namespace orrery::vcs {

class Repository;

struct CommitInfo {
    QString id;       // 40 hex digits
    QString summary;  // first line of the message
    QString author;
    QDateTime time;   // UTC
};

// The content of `path` (relative to the work tree) at `revision` (anything git rev-parse takes).
Result<QByteArray> readFileAt(const Repository &repo, const QString &revision, const QString &path);

// Every file at `revision` whose path `wanted` accepts, with its content.
Result<QVector<std::pair<QString, QByteArray>>> filesAt(const Repository &repo, const QString &revision,
                                                        const std::function<bool(const QString &path)> &wanted);

// Commits reachable from HEAD in which `path`'s content differs from the first parent's, newest
// first, at most `limit`.
Result<QVector<CommitInfo>> commitsTouching(const Repository &repo, const QString &path, int limit = 200);

// Calls `visit(path, content)` once per distinct blob of every file whose path `wanted` accepts,
// in every commit reachable from any branch, tag or HEAD.
Status forEachVersionedFile(const Repository &repo, const std::function<bool(const QString &path)> &wanted,
                            const std::function<Status(const QString &path, const QByteArray &content)> &visit);

} // namespace orrery::vcs
