#include "core/data/data_remote.h"

#include "core/common/job.h"
#include "core/common/parallel_for.h"
#include "core/data/content_cache.h"
#include "core/data/data_repository.h"
#include "core/data/dir_manifest.h"
#include "core/data/dvc_config.h"

#include <QDir>
#include <QFileInfo>
#include <QMutex>
#include <QSet>
#include <QThread>

#include <atomic>

namespace orrery::data {
namespace {

// The objects the selected outs need. Directory manifests are read from `first`, else `second`.
Result<QStringList> neededObjects(DataRepository &data, const QStringList &targets, ContentCache &first, ContentCache &second,
                                  QStringList *missing)
{
    QSet<QString> hashes;
    ORRERY_ASSIGN_OR_RETURN(auto outs, data.outsFor(targets)); // also validates every .dvc file
    for (const TrackedOut &t : outs) {
        const QString md5 = t.out.md5;
        hashes.insert(md5);
        if (!t.out.isDirectory())
            continue;
        ContentCache *from = first.contains(md5) ? &first : second.contains(md5) ? &second : nullptr;
        if (!from) {
            missing->append(md5);
            continue;
        }
        ORRERY_ASSIGN_OR_RETURN(auto bytes, from->readVerified(md5));
        ORRERY_ASSIGN_OR_RETURN(auto manifest, DirManifest::parse(bytes, md5));
        for (const ManifestEntry &e : manifest.entries)
            hashes.insert(e.md5);
    }
    QStringList list(hashes.begin(), hashes.end());
    list.sort();
    return list;
}

Result<TransferReport> transfer(DataRepository &data, const QString &remoteName, const QStringList &targets, bool toRemote,
                                common::JobContext *job)
{
    ORRERY_ASSIGN_OR_RETURN(auto remote, resolveRemote(data.root(), remoteName));
    TransferReport report;
    report.remote = remote.first;
    report.url = remote.second;
    if (!toRemote && !QFileInfo(report.url).isDir())
        return notFound(QStringLiteral("remote '%1' (%2) is not a folder that exists: is it mounted?").arg(report.remote, report.url));
    if (toRemote && !QDir().mkpath(report.url))
        return ioError(QStringLiteral("cannot create the remote folder %1").arg(report.url));
    ContentCache remoteCache(report.url);
    ContentCache &local = data.cache();
    ContentCache &source = toRemote ? local : remoteCache;
    ContentCache &target = toRemote ? remoteCache : local;
    // Manifests come from whichever side has them; directory objects go first on pull so that
    // their file lists are known.
    QStringList unreadable;
    ORRERY_ASSIGN_OR_RETURN(auto needed, neededObjects(data, targets, local, remoteCache, &unreadable));
    report.missing = unreadable;

    QStringList todo;
    for (const QString &hash : needed) {
        if (target.contains(hash))
            ++report.alreadyThere;
        else if (source.contains(hash))
            todo << hash;
        else
            report.missing << hash;
    }
    QMutex mutex;
    std::atomic<int> done{0};
    ORRERY_TRY(common::parallelFor(int(todo.size()), qMax(2, QThread::idealThreadCount()), [&](int i) -> Status {
        ORRERY_TRY(source.copyTo(todo[i], target));
        {
            QMutexLocker lock(&mutex);
            report.transferred << todo[i];
        }
        if (job) {
            if (job->isCancelled())
                return job->cancelledStatus();
            job->setProgress(++done, todo.size(), QStringLiteral("%1 %2").arg(toRemote ? QStringLiteral("pushing") : QStringLiteral("pulling"), todo[i]));
        }
        return Status::ok();
    }));
    report.transferred.sort();
    report.missing.removeDuplicates();
    return report;
}

} // namespace

Result<std::pair<QString, QString>> resolveRemote(const QString &root, const QString &name)
{
    ORRERY_ASSIGN_OR_RETURN(auto config, DvcConfig::load(root));
    const QString chosen = name.isEmpty() ? config.defaultRemote() : name;
    if (chosen.isEmpty())
        return notFound(QStringLiteral("no remote given and no default remote set: add one with "
                                       "`orrery-cli data remote add NAME FOLDER --default`"));
    const QString url = config.remoteUrl(chosen);
    if (url.isEmpty())
        return notFound(QStringLiteral("remote '%1' is not configured in .dvc/config (known: %2)")
                            .arg(chosen, config.remoteNames().join(QStringLiteral(", "))));
    if (url.contains(QStringLiteral("://")) && !url.startsWith(QLatin1String("file://")))
        return Status(ErrorCode::Unsupported, QStringLiteral("remote '%1' is %2: Orrery pushes to and pulls from folders "
                                                             "(a mounted NAS or a second disk); use `dvc push` for cloud remotes").arg(chosen, url));
    QString path = url.startsWith(QLatin1String("file://")) ? url.mid(7) : url;
    path = QDir::cleanPath(QDir(root + QStringLiteral("/.dvc")).absoluteFilePath(path));
    return std::pair{chosen, path};
}

Result<TransferReport> push(DataRepository &data, const QString &remote, const QStringList &targets, common::JobContext *job)
{
    return transfer(data, remote, targets, true, job);
}

Result<TransferReport> fetch(DataRepository &data, const QString &remote, const QStringList &targets, common::JobContext *job)
{
    return transfer(data, remote, targets, false, job);
}

} // namespace orrery::data
