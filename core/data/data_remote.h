#pragma once
// Folder remotes (a mounted NAS, a second disk) in DVC's remote layout — <url>/files/md5/ab/cdef…
// — configured in .dvc/config as DVC does (['remote "nas"'] url = …; core.remote names the
// default). push copies the objects the work tree's .dvc files need; pull fetches them and then
// checks the data out. Every object is verified on the way in either direction.

#include "core/common/status.h"

#include <QStringList>

namespace orrery::common {
class JobContext;
}

namespace orrery::data {

class DataRepository;

struct TransferReport {
    QString remote;
    QString url;
    QStringList transferred; // object hashes
    qint64 alreadyThere = 0;
    QStringList missing;     // needed but found on neither side
};

// The folder of remote `name` (or the default remote when empty); relative urls are relative to
// .dvc/, as in DVC.
Result<std::pair<QString, QString>> resolveRemote(const QString &root, const QString &name);

Result<TransferReport> push(DataRepository &data, const QString &remote, const QStringList &targets, common::JobContext *job = nullptr);
// Fetches into the cache only; the caller checks out afterwards.
Result<TransferReport> fetch(DataRepository &data, const QString &remote, const QStringList &targets, common::JobContext *job = nullptr);

} // namespace orrery::data
