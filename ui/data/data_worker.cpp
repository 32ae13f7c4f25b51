#include "ui/data/data_worker.h"

#include "core/common/job.h"
#include "core/data/content_cache.h"
#include "core/data/data_diff.h"
#include "core/data/dir_manifest.h"
#include "core/data/dvc_file.h"
#include "core/data/file_hasher.h"
#include "core/store/database.h"
#include "core/vcs/history.h"
#include "core/vcs/repository.h"
#include "core/workspace/workspace.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QHash>

#include <memory>

namespace orrery::ui::dataworker {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("orrery::ui::Data", text);
}

// A connection for the stat cache. Without one status still works, only slower (every file is
// read), so a database that cannot be opened (locked by a migration, say) is not an error here.
std::unique_ptr<store::Database> openDatabase(const QString &root)
{
    store::OpenOptions options;
    options.applyMigrations = false; // migrating is Workspace::open's job, under the lock
    auto db = store::Database::open(workspace::Workspace::databasePathFor(root), options);
    return db ? std::move(*db) : nullptr;
}

// `relative` (to the workspace root) as a path relative to the git work tree; empty when the
// workspace is not inside it.
QString gitPathOf(const vcs::Repository &repo, const QString &root, const QString &relative)
{
    const QString workdir = QFileInfo(repo.workdir()).canonicalFilePath();
    const QString canonicalRoot = QFileInfo(root).canonicalFilePath();
    if (workdir.isEmpty() || canonicalRoot.isEmpty())
        return {};
    const QString path = QDir(workdir).relativeFilePath(canonicalRoot + QLatin1Char('/') + relative);
    return path.startsWith(QLatin1String("../")) ? QString() : path;
}

// The out of `file` that is `entry`'s: the same path, else the same position.
const data::DvcOut *findOut(const data::DvcFile &file, const DatasetEntry &entry)
{
    for (const data::DvcOut &out : file.outs)
        if (out.path == entry.outPath)
            return &out;
    return entry.outIndex < file.outs.size() ? &file.outs[entry.outIndex] : nullptr;
}

// Where to read a recorded version: the cache, or the data on disk when it is that very content.
void resolveContent(data::ContentCache &cache, const QString &root, const DatasetEntry &entry, DataVersion &v)
{
    v.inCache = cache.containsVersion(v.md5);
    if (!entry.currentHash.isEmpty() && v.md5 == entry.currentHash) {
        v.contentPath = root + QLatin1Char('/') + entry.path;
        v.onDisk = true;
    } else if (v.inCache) {
        v.contentPath = cache.objectPath(v.md5);
    }
}

} // namespace

Result<QVector<DatasetEntry>> scanDatasets(const QString &root, common::JobContext *job)
{
    auto db = openDatabase(root);
    data::DataRepository repo(root, db.get());
    ORRERY_ASSIGN_OR_RETURN(auto statuses, repo.status({}, job));
    std::unique_ptr<vcs::Repository> git;
    if (auto discovered = vcs::Repository::discover(root))
        git = std::move(*discovered);
    QHash<QString, data::DvcFile> headFiles; // one parse per .dvc file, however many outs it has
    QVector<DatasetEntry> entries;
    entries.reserve(statuses.size());
    for (const data::OutStatus &s : statuses) {
        DatasetEntry e;
        e.path = s.tracked.path;
        e.dvcFile = s.tracked.dvcFile;
        e.outIndex = s.tracked.outIndex;
        e.outPath = s.tracked.out.path;
        e.isDirectory = s.tracked.out.isDirectory();
        e.md5 = s.tracked.out.md5;
        e.size = s.tracked.out.size;
        e.nfiles = s.tracked.out.nfiles;
        e.state = s.state;
        e.inCache = s.inCache;
        e.currentHash = s.currentHash;
        e.dirAdded = s.added.size();
        e.dirRemoved = s.removed.size();
        e.dirModified = s.modified.size();
        e.cacheRoot = repo.cache().root();
        if (git && !git->isHeadUnborn()) {
            e.gitDvcPath = gitPathOf(*git, root, e.dvcFile);
            if (!e.gitDvcPath.isEmpty()) {
                if (!headFiles.contains(e.dvcFile)) {
                    data::DvcFile parsed;
                    if (auto bytes = vcs::readFileAt(*git, QStringLiteral("HEAD"), e.gitDvcPath))
                        if (auto file = data::DvcFile::parse(*bytes, QStringLiteral("HEAD:") + e.gitDvcPath))
                            parsed = *file;
                    headFiles.insert(e.dvcFile, parsed);
                }
                if (const data::DvcOut *out = findOut(headFiles[e.dvcFile], e))
                    e.headMd5 = out->md5;
            }
        } else if (git) {
            e.gitDvcPath = gitPathOf(*git, root, e.dvcFile);
        }
        entries.append(e);
    }
    return entries;
}

Result<QVector<DataVersion>> loadVersions(const QString &root, const DatasetEntry &entry, int limit)
{
    data::ContentCache cache(entry.cacheRoot);
    QVector<DataVersion> versions;
    const QString absolute = root + QLatin1Char('/') + entry.path;
    const QFileInfo dataInfo(absolute);

    // The workspace row: what is on disk now, when it is not what HEAD records.
    if (entry.state == data::OutState::Modified || entry.dvcDiffersFromHead()) {
        DataVersion v;
        v.revision = data::kWorkspaceRevision;
        const bool modified = entry.state == data::OutState::Modified;
        v.md5 = modified ? entry.currentHash : entry.md5;
        v.size = modified ? (entry.isDirectory ? -1 : dataInfo.size()) : entry.size;
        v.nfiles = modified && entry.isDirectory ? entry.nfiles + entry.dirAdded - entry.dirRemoved : entry.nfiles;
        v.time = (dataInfo.exists() ? dataInfo : QFileInfo(root + QLatin1Char('/') + entry.dvcFile)).lastModified().toUTC();
        if (modified)
            v.summary = tr("Changed on disk since the last data add");
        else if (!entry.committed())
            v.summary = tr("Added, .dvc file not committed yet");
        else
            v.summary = tr(".dvc file differs from HEAD, not committed");
        v.inCache = cache.containsVersion(v.md5);
        if (entry.state != data::OutState::Missing) {
            v.contentPath = absolute;
            v.onDisk = true;
        } else if (v.inCache) {
            v.contentPath = cache.objectPath(v.md5);
        }
        versions.append(v);
    }

    if (entry.gitDvcPath.isEmpty())
        return versions; // not in a git repository: the workspace is the only version
    auto git = vcs::Repository::discover(root);
    if (!git)
        return versions;
    ORRERY_ASSIGN_OR_RETURN(auto commits, vcs::commitsTouching(**git, entry.gitDvcPath, limit));
    for (const vcs::CommitInfo &c : commits) {
        auto bytes = vcs::readFileAt(**git, c.id, entry.gitDvcPath);
        if (!bytes)
            continue; // the commit deleted the .dvc file: no version of the data in it
        auto file = data::DvcFile::parse(*bytes, c.id.left(7) + QLatin1Char(':') + entry.gitDvcPath);
        if (!file)
            continue; // a broken .dvc in old history is not this dataset's version
        const data::DvcOut *out = findOut(*file, entry);
        if (!out)
            continue;
        DataVersion v;
        v.revision = c.id;
        v.time = c.time;
        v.author = c.author;
        v.summary = c.summary;
        v.md5 = out->md5;
        v.size = out->size;
        v.nfiles = out->nfiles;
        resolveContent(cache, root, entry, v);
        versions.append(v);
    }
    return versions;
}

Result<QVector<ContentFile>> listVersionFiles(const QString &root, const DatasetEntry &entry, const DataVersion &version,
                                              common::JobContext *job)
{
    QVector<ContentFile> files;
    if (!version.isAvailable())
        return notFound(tr("%1 at %2 is not in the cache").arg(entry.path, version.shortId()));
    if (!entry.isDirectory) {
        files.append({QFileInfo(entry.path).fileName(), version.md5, version.size, version.contentPath});
        return files;
    }
    if (version.onDisk) {
        QVector<data::FileStat> stats;
        ORRERY_ASSIGN_OR_RETURN(auto names, data::listFiles(version.contentPath, &stats));
        QStringList relative;
        relative.reserve(names.size());
        for (const QString &name : names)
            relative << entry.path + QLatin1Char('/') + name;
        auto db = openDatabase(root);
        data::FileHasher hasher(root, db.get());
        ORRERY_ASSIGN_OR_RETURN(auto hashed, hasher.hash(relative, job, &stats));
        for (int i = 0; i < names.size(); ++i)
            files.append({names.at(i), hashed.at(i).md5, hashed.at(i).size,
                          version.contentPath + QLatin1Char('/') + names.at(i)});
        return files;
    }
    data::ContentCache cache(entry.cacheRoot);
    ORRERY_ASSIGN_OR_RETURN(auto bytes, cache.readVerified(version.md5));
    ORRERY_ASSIGN_OR_RETURN(auto manifest, data::DirManifest::parse(bytes, version.md5));
    files.reserve(manifest.entries.size());
    for (int i = 0; i < manifest.entries.size(); ++i) {
        if (job && i % 1024 == 0) {
            if (job->isCancelled())
                return job->cancelledStatus();
            job->setProgress(i, manifest.entries.size());
        }
        const data::ManifestEntry &e = manifest.entries[i];
        const QString object = cache.objectPath(e.md5);
        const QFileInfo info(object);
        files.append({e.relpath, e.md5, info.exists() ? info.size() : -1, info.exists() ? object : QString()});
    }
    return files;
}

QVector<FileChange> compareFiles(const QVector<ContentFile> &before, const QVector<ContentFile> &after)
{
    QHash<QString, const ContentFile *> old;
    for (const ContentFile &f : before)
        old.insert(f.relpath, &f);
    QVector<FileChange> changes;
    for (const ContentFile &f : after) {
        const auto it = old.constFind(f.relpath);
        if (it == old.constEnd()) {
            changes.append({FileChange::Added, f.relpath, {}, f});
            continue;
        }
        if ((*it)->md5 != f.md5)
            changes.append({FileChange::Modified, f.relpath, **it, f});
        old.erase(it);
    }
    for (auto it = old.constBegin(); it != old.constEnd(); ++it)
        changes.append({FileChange::Removed, it.key(), **it, {}});
    std::sort(changes.begin(), changes.end(), [](const FileChange &a, const FileChange &b) { return a.relpath < b.relpath; });
    return changes;
}

} // namespace orrery::ui::dataworker
