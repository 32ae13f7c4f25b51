#include "core/data/data_repository.h"

#include "core/common/atomic_file.h"
#include "core/common/job.h"
#include "core/common/parallel_for.h"
#include "core/common/safe_path.h"
#include "core/data/data_walk.h"
#include "core/data/dir_manifest.h"
#include "core/data/dvc_config.h"
#include "core/data/dvc_ignore.h"
#include "core/data/file_hasher.h"
#include "core/store/database.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QThread>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

namespace orrery::data {
namespace {

QString parentOf(const QString &relative)
{
    const int slash = relative.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? QString() : relative.left(slash);
}

QString joinRel(const QString &dir, const QString &name)
{
    return dir.isEmpty() ? name : dir + QLatin1Char('/') + name;
}

// .dvc files of the workspace. A directory X beside X.dvc is tracked data: not descended into.
Status findDvcFiles(const QString &root, const QString &rel, QStringList &out)
{
    const QByteArray dir = QFile::encodeName(rel.isEmpty() ? root : root + QLatin1Char('/') + rel);
    DIR *d = ::opendir(dir.constData());
    if (!d)
        return Status::ok(); // unreadable folders hold no .dvc files we could use
    QStringList dirs;
    QSet<QString> dvcStems;
    while (dirent *e = ::readdir(d)) {
        const QString name = QFile::decodeName(e->d_name);
        if (name == QLatin1String(".") || name == QLatin1String("..") || name == QLatin1String(".git")
            || name == QLatin1String(".orrery") || name == QLatin1String(".dvc"))
            continue;
        unsigned char type = e->d_type;
        if (type == DT_UNKNOWN) {
            struct stat st;
            if (::lstat((dir + '/' + e->d_name).constData(), &st) != 0)
                continue;
            type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
        }
        if (type == DT_DIR)
            dirs << name;
        else if (type == DT_REG && name.endsWith(QLatin1String(".dvc")) && name.size() > 4) {
            out << joinRel(rel, name);
            dvcStems.insert(name.chopped(4));
        }
    }
    ::closedir(d);
    for (const QString &sub : dirs)
        if (!dvcStems.contains(sub))
            ORRERY_TRY(findDvcFiles(root, joinRel(rel, sub), out));
    return Status::ok();
}

// DVC's test (dvc-objects' is_exec): any of the three execute bits.
bool isExecutable(const QString &path)
{
    struct stat st;
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH));
}

// What DVC's checkout does for an out recorded with isexec: the owner's execute bit added
// (dvc-data's set_exec: mode | S_IEXEC).
Status setExecutable(const QString &path)
{
    struct stat st;
    if (::stat(QFile::encodeName(path).constData(), &st) != 0 || ::chmod(QFile::encodeName(path).constData(), st.st_mode | S_IXUSR) != 0)
        return ioError(QStringLiteral("cannot make %1 executable: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    return Status::ok();
}

Result<QByteArray> readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    return f.readAll();
}

} // namespace

const char *outStateName(OutState state)
{
    switch (state) {
    case OutState::Unchanged: return "unchanged";
    case OutState::Modified: return "modified";
    case OutState::Missing: return "missing";
    }
    return "?";
}

DataRepository::DataRepository(QString root, store::Database *db)
    : m_root(std::move(root)), m_db(db), m_cache(cacheDirFor(m_root))
{
}

DataRepository::DataRepository(QString root, store::Database *db, QString cacheRoot)
    : m_root(std::move(root)), m_db(db), m_cache(std::move(cacheRoot))
{
}

QString DataRepository::cacheDirFor(const QString &root)
{
    if (auto config = DvcConfig::load(root)) {
        const QString dir = config->value(QStringLiteral("cache"), QStringLiteral("dir"));
        if (!dir.isEmpty())
            return QDir::cleanPath(QDir(root + QStringLiteral("/.dvc")).absoluteFilePath(dir));
    }
    // A DVC repository keeps its own cache (DVC's default) unless its config says otherwise;
    // `orrery-cli init` writes cache.dir for new workspaces, so this is only DVC's own repos.
    if (QFileInfo(root + QStringLiteral("/.dvc")).isDir() || !QFileInfo::exists(root + QStringLiteral("/.orrery")))
        return root + QStringLiteral("/.dvc/cache");
    return root + QStringLiteral("/.orrery/cache");
}

Result<QString> DataRepository::toWorkspacePath(const QString &path, const QString &cwd) const
{
    const QString absolute = QDir::cleanPath(QDir(cwd).absoluteFilePath(path));
    const QString root = QDir::cleanPath(m_root);
    if (absolute == root || !absolute.startsWith(root + QLatin1Char('/')))
        return invalidArgument(QStringLiteral("%1 is outside the workspace %2").arg(path, m_root));
    ORRERY_ASSIGN_OR_RETURN(auto relative, common::cleanRelativePath(absolute.mid(root.size() + 1)));
    const QString first = relative.section(QLatin1Char('/'), 0, 0);
    if (first == QLatin1String(".git") || first == QLatin1String(".dvc") || first == QLatin1String(".orrery"))
        return invalidArgument(QStringLiteral("%1 is inside %2, which Orrery manages itself").arg(path, first));
    // The symlink check: the real location must be inside too.
    ORRERY_ASSIGN_OR_RETURN(auto joined, common::joinInside(m_root, relative));
    return relative;
}

Result<QStringList> DataRepository::toWorkspacePaths(const QStringList &paths, const QString &cwd) const
{
    QStringList out;
    for (const QString &path : paths) {
        ORRERY_ASSIGN_OR_RETURN(auto p, toWorkspacePath(path, cwd));
        out << p;
    }
    return out;
}

Result<QVector<TrackedOut>> DataRepository::trackedOuts() const
{
    QStringList dvcFiles;
    ORRERY_TRY(findDvcFiles(m_root, QString(), dvcFiles));
    dvcFiles.sort();
    QVector<TrackedOut> outs;
    for (const QString &dvc : dvcFiles) {
        ORRERY_ASSIGN_OR_RETURN(auto bytes, readFile(m_root + QLatin1Char('/') + dvc));
        ORRERY_ASSIGN_OR_RETURN(auto file, DvcFile::parse(bytes, dvc));
        for (int i = 0; i < file.outs.size(); ++i) {
            const DvcOut &out = file.outs[i];
            auto relative = common::cleanRelativePath(joinRel(parentOf(dvc), out.path));
            if (!relative)
                return invalidArgument(QStringLiteral("%1: out path '%2': %3").arg(dvc, out.path, relative.status().message()));
            // A path that reaches out of the workspace through a symlink is refused here too.
            if (auto inside = common::joinInside(m_root, *relative); !inside)
                return invalidArgument(QStringLiteral("%1: out path '%2': %3").arg(dvc, out.path, inside.status().message()));
            outs.append({dvc, i, out, *relative});
        }
    }
    return outs;
}

Result<QVector<TrackedOut>> DataRepository::outsFor(const QStringList &targets) const
{
    auto all = trackedOuts();
    if (!all || targets.isEmpty())
        return all;
    QVector<TrackedOut> chosen;
    for (const QString &target : targets) {
        bool found = false;
        for (const TrackedOut &t : *all) {
            if (t.path == target || t.dvcFile == target || t.path.startsWith(target + QLatin1Char('/'))) {
                chosen.append(t);
                found = true;
            }
        }
        if (!found)
            return notFound(QStringLiteral("%1 is not tracked data (no .dvc file records it); add it with `orrery-cli data add %1`").arg(target));
    }
    return chosen;
}

Status DataRepository::addGitIgnoreEntry(const QString &workspacePath)
{
    // DVC's convention: "/name" in the .gitignore of the data's own folder.
    const QString dir = parentOf(workspacePath);
    const QString ignorePath = m_root + QLatin1Char('/') + joinRel(dir, QStringLiteral(".gitignore"));
    const QByteArray entry = '/' + QFileInfo(workspacePath).fileName().toUtf8();
    QByteArray content;
    if (QFileInfo::exists(ignorePath)) {
        ORRERY_ASSIGN_OR_RETURN(auto bytes, readFile(ignorePath));
        content = bytes;
    }
    for (const QByteArray &line : content.split('\n'))
        if (line.trimmed() == entry)
            return Status::ok();
    if (!content.isEmpty() && !content.endsWith('\n'))
        content += '\n';
    return common::writeFileAtomically(ignorePath, content + entry + '\n');
}

Result<AddReport> DataRepository::add(const QStringList &workspacePaths, common::JobContext *job)
{
    AddReport report;
    FileHasher hasher(m_root, m_db);
    DvcIgnore ignore(m_root);
    for (const QString &path : workspacePaths) {
        const QString absolute = m_root + QLatin1Char('/') + path;
        const QFileInfo info(absolute);
        if (info.isSymLink())
            return invalidArgument(QStringLiteral("%1 is a symbolic link: add the file or folder it points to instead").arg(path));
        if (!info.exists())
            return notFound(QStringLiteral("%1 does not exist").arg(path));
        if (path.endsWith(QLatin1String(".dvc")))
            return invalidArgument(QStringLiteral("%1 is a .dvc file itself; add the data it describes").arg(path));
        ORRERY_ASSIGN_OR_RETURN(auto ignored, ignore.isIgnored(path, info.isDir()));
        if (ignored) // DVC refuses it too (OutputIsIgnoredError)
            return invalidArgument(QStringLiteral("%1 is ignored by .dvcignore: remove the pattern that matches it, or add another path").arg(path));

        AddReport::Added added;
        added.path = path;
        added.dvcFile = path + QStringLiteral(".dvc");
        DvcOut out;
        out.path = info.fileName();
        if (info.isDir()) {
            QVector<FileStat> stats;
            ORRERY_ASSIGN_OR_RETURN(auto files, listDataFiles(m_root, path, ignore, &stats));
            QStringList relative;
            for (const QString &f : files)
                relative << path + QLatin1Char('/') + f;
            ORRERY_ASSIGN_OR_RETURN(auto hashed, hasher.hash(relative, job, &stats));
            DirManifest manifest;
            qint64 total = 0;
            for (int i = 0; i < files.size(); ++i) {
                manifest.entries.append({files.at(i), hashed.at(i).md5});
                total += hashed.at(i).size;
            }
            manifest.sort();
            // Into the cache, in parallel: each object verified against the hash just taken.
            ORRERY_TRY(common::parallelFor(int(relative.size()), hasher.threads(), [&](int i) -> Status {
                auto object = m_cache.addFile(m_root + QLatin1Char('/') + relative[i], hashed.at(i).md5, job, true);
                return object ? Status::ok() : object.status();
            }));
            ORRERY_TRY(m_cache.syncAll()); // before the manifest and the .dvc file name these objects
            ORRERY_ASSIGN_OR_RETURN(auto dirObject, m_cache.addBytes(manifest.serialize(), true));
            out.md5 = dirObject.md5;
            out.size = total;
            out.nfiles = files.size();
        } else {
            ORRERY_ASSIGN_OR_RETURN(auto hashed, hasher.hash({path}, job));
            ORRERY_ASSIGN_OR_RETURN(auto object, m_cache.addFile(absolute, hashed.first().md5, job));
            out.md5 = object.md5;
            out.size = hashed.first().size;
            out.isexec = isExecutable(absolute);
        }
        added.md5 = out.md5;
        added.size = out.size;
        added.nfiles = out.nfiles;

        // Keep what a user wrote in an existing .dvc file (desc, meta, …).
        const QString dvcPath = m_root + QLatin1Char('/') + added.dvcFile;
        DvcFile file;
        if (QFileInfo::exists(dvcPath)) {
            ORRERY_ASSIGN_OR_RETURN(auto bytes, readFile(dvcPath));
            auto existing = DvcFile::parse(bytes, added.dvcFile);
            if (existing && existing->outs.size() == 1) {
                added.changed = existing->outs.first().md5 != out.md5;
                out.extra = existing->outs.first().extra;
                file.extra = existing->extra;
            }
        }
        file.outs = {out};
        ORRERY_TRY(common::writeFileAtomically(dvcPath, file.serialize()));
        ORRERY_TRY(addGitIgnoreEntry(path));
        report.added.append(added);
    }
    report.bytesHashed = hasher.bytesRead();
    return report;
}

Result<OutStatus> DataRepository::statusOf(const TrackedOut &tracked, common::JobContext *job)
{
    OutStatus status;
    status.tracked = tracked;
    const QString absolute = m_root + QLatin1Char('/') + tracked.path;
    const QFileInfo info(absolute);
    FileHasher hasher(m_root, m_db);
    if (!tracked.out.isDirectory()) {
        status.inCache = m_cache.contains(tracked.out.md5);
        if (!info.exists() || info.isDir()) {
            status.state = OutState::Missing;
            return status;
        }
        QString md5;
        if (tracked.out.legacyHash) {
            ORRERY_ASSIGN_OR_RETURN(auto legacy, legacyMd5OfFile(absolute));
            md5 = legacy;
        } else {
            ORRERY_ASSIGN_OR_RETURN(auto hashed, hasher.hash({tracked.path}, job));
            md5 = hashed.first().md5;
        }
        status.currentHash = md5;
        status.state = md5 == tracked.out.md5 ? OutState::Unchanged : OutState::Modified;
        return status;
    }

    // A directory: compare file by file with the recorded manifest when the cache has it.
    DirManifest recorded;
    status.inCache = m_cache.contains(tracked.out.md5);
    if (status.inCache) {
        ORRERY_ASSIGN_OR_RETURN(auto bytes, m_cache.readVerified(tracked.out.md5));
        ORRERY_ASSIGN_OR_RETURN(auto parsed, DirManifest::parse(bytes, tracked.out.md5));
        recorded = parsed;
        QStringList hashes;
        hashes.reserve(recorded.entries.size());
        for (const ManifestEntry &e : recorded.entries)
            hashes << e.md5;
        status.inCache = m_cache.containsAll(hashes);
    }
    if (!info.isDir()) {
        status.state = OutState::Missing;
        return status;
    }
    QVector<FileStat> stats;
    DvcIgnore ignore(m_root);
    ORRERY_ASSIGN_OR_RETURN(auto files, listDataFiles(m_root, tracked.path, ignore, &stats));
    QStringList relative;
    relative.reserve(files.size());
    for (const QString &f : files)
        relative << tracked.path + QLatin1Char('/') + f;
    ORRERY_ASSIGN_OR_RETURN(auto hashed, hasher.hash(relative, job, &stats));
    DirManifest current;
    for (int i = 0; i < files.size(); ++i)
        current.entries.append({files.at(i), hashed.at(i).md5});
    current.sort();
    status.currentHash = QString::fromLatin1(QCryptographicHash::hash(current.serialize(), QCryptographicHash::Md5).toHex())
        + QStringLiteral(".dir");
    status.state = status.currentHash == tracked.out.md5 ? OutState::Unchanged : OutState::Modified;
    if (status.state == OutState::Modified && !recorded.entries.isEmpty()) {
        QHash<QString, QString> before;
        for (const ManifestEntry &e : recorded.entries)
            before.insert(e.relpath, e.md5);
        for (const ManifestEntry &e : current.entries) {
            const auto it = before.constFind(e.relpath);
            if (it == before.constEnd())
                status.added << e.relpath;
            else if (*it != e.md5)
                status.modified << e.relpath;
            before.remove(e.relpath);
        }
        status.removed = before.keys();
        status.removed.sort();
    }
    return status;
}

Result<QVector<OutStatus>> DataRepository::status(const QStringList &targets, common::JobContext *job)
{
    ORRERY_ASSIGN_OR_RETURN(auto outs, outsFor(targets));
    QVector<OutStatus> result;
    for (const TrackedOut &t : outs) {
        ORRERY_ASSIGN_OR_RETURN(auto s, statusOf(t, job));
        result.append(s);
    }
    return result;
}

Result<CheckoutReport> DataRepository::checkout(const QStringList &targets, bool force, common::JobContext *job)
{
    ORRERY_ASSIGN_OR_RETURN(auto statuses, status(targets, job));

    // Plan everything first; refuse before touching a file.
    struct Write {
        QString path; // relative to root
        QString md5;
    };
    QVector<Write> writes;
    QStringList removals;
    QStringList notInCache;
    QStringList localChanges;
    CheckoutReport report;
    QStringList execOnly; // content as recorded, execute bit lost
    DvcIgnore ignore(m_root);
    for (const OutStatus &s : statuses) {
        if (s.state == OutState::Unchanged) {
            if (s.tracked.out.isexec && !isExecutable(m_root + QLatin1Char('/') + s.tracked.path))
                execOnly << s.tracked.path;
            else
                report.unchanged << s.tracked.path;
            continue;
        }
        if (!s.inCache) {
            notInCache << s.tracked.path;
            continue;
        }
        if (!s.tracked.out.isDirectory()) {
            if (s.state == OutState::Modified && !m_cache.contains(s.currentHash))
                localChanges << s.tracked.path;
            writes.append({s.tracked.path, s.tracked.out.md5});
            continue;
        }
        ORRERY_ASSIGN_OR_RETURN(auto bytes, m_cache.readVerified(s.tracked.out.md5));
        ORRERY_ASSIGN_OR_RETURN(auto manifest, DirManifest::parse(bytes, s.tracked.out.md5));
        // Compare each file now in the directory with the recorded one.
        QHash<QString, QString> recorded;
        for (const ManifestEntry &e : manifest.entries)
            recorded.insert(e.relpath, e.md5);
        QHash<QString, QString> current;
        const QString absoluteDir = m_root + QLatin1Char('/') + s.tracked.path;
        if (QFileInfo(absoluteDir).isDir()) {
            // Files .dvcignore ignores are not the folder's: never compared, never removed.
            QVector<FileStat> stats;
            ORRERY_ASSIGN_OR_RETURN(auto files, listDataFiles(m_root, s.tracked.path, ignore, &stats));
            QStringList relative;
            for (const QString &f : files)
                relative << s.tracked.path + QLatin1Char('/') + f;
            ORRERY_ASSIGN_OR_RETURN(auto hashed, FileHasher(m_root, m_db).hash(relative, job, &stats));
            for (int i = 0; i < files.size(); ++i)
                current.insert(files.at(i), hashed.at(i).md5);
        }
        for (const ManifestEntry &e : manifest.entries) {
            const QString path = s.tracked.path + QLatin1Char('/') + e.relpath;
            const auto it = current.constFind(e.relpath);
            if (it != current.constEnd() && *it == e.md5)
                continue;
            if (it != current.constEnd() && !m_cache.contains(*it))
                localChanges << path;
            writes.append({path, e.md5});
        }
        for (auto it = current.constBegin(); it != current.constEnd(); ++it) {
            if (recorded.contains(it.key()))
                continue;
            const QString path = s.tracked.path + QLatin1Char('/') + it.key();
            if (!m_cache.contains(it.value()))
                localChanges << path;
            removals << path;
        }
    }
    if (!notInCache.isEmpty())
        return notFound(QStringLiteral("not in the cache, so nothing was changed: %1. Pull it with `orrery-cli data pull`.")
                            .arg(notInCache.join(QStringLiteral(", "))));
    if (!localChanges.isEmpty() && !force)
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("checkout would overwrite changes that are not in the cache, so nothing was changed:\n  %1\n"
                                     "Add them first (`orrery-cli data add`), or run checkout with --force to discard them.")
                          .arg(localChanges.join(QStringLiteral("\n  "))));

    // Act: each file replaced atomically from a verified object (a symlink in a folder is
    // replaced by a file, never written through).
    QSet<QString> executables;
    for (const OutStatus &s : statuses)
        if (s.tracked.out.isexec && !s.tracked.out.isDirectory())
            executables.insert(s.tracked.path);
    qint64 done = 0;
    QVector<std::pair<QString, QString>> restored;
    for (const Write &w : writes) {
        const QString absolute = m_root + QLatin1Char('/') + w.path;
        if (QFileInfo(absolute).isDir()) {
            // A folder where a tracked file belongs: only when forced (checked above as a local change if needed).
            QDir(absolute).removeRecursively();
        }
        ORRERY_TRY(m_cache.copyOut(w.md5, absolute, job));
        if (executables.contains(w.path))
            ORRERY_TRY(setExecutable(absolute));
        report.restored << w.path;
        restored.append({w.path, w.md5});
        if (job)
            job->setProgress(++done, writes.size(), QStringLiteral("restoring %1").arg(w.path));
    }
    for (const QString &path : execOnly) {
        ORRERY_TRY(setExecutable(m_root + QLatin1Char('/') + path));
        report.restored << path;
    }
    for (const QString &path : removals) {
        if (!QFile::remove(m_root + QLatin1Char('/') + path))
            return ioError(QStringLiteral("cannot remove %1").arg(path));
        report.removed << path;
    }
    // Record the restored files' stats, so the next status reads nothing.
    ORRERY_TRY(FileHasher(m_root, m_db).remember(restored));
    return report;
}

} // namespace orrery::data
