#include "core/data/data_diff.h"

#include "core/data/data_repository.h"
#include "core/data/dir_manifest.h"
#include "core/data/dvc_file.h"
#include "core/vcs/history.h"

#include <QFile>
#include <QMap>

namespace orrery::data {
namespace {

struct Version {
    QString hash;
    qint64 size = -1;
};

// path → version of every tracked out at a revision.
Result<QMap<QString, Version>> outsAt(DataRepository &data, const vcs::Repository &git, const QString &revision)
{
    QMap<QString, Version> outs;
    if (revision == kWorkspaceRevision) {
        ORRERY_ASSIGN_OR_RETURN(auto tracked, data.trackedOuts());
        for (const TrackedOut &t : tracked)
            outs.insert(t.path, {t.out.md5, t.out.size});
        return outs;
    }
    ORRERY_ASSIGN_OR_RETURN(auto files, vcs::filesAt(git, revision, [](const QString &p) { return p.endsWith(QLatin1String(".dvc")); }));
    for (const auto &[path, content] : files) {
        ORRERY_ASSIGN_OR_RETURN(auto file, DvcFile::parse(content, revision + QLatin1Char(':') + path));
        const int slash = path.lastIndexOf(QLatin1Char('/'));
        const QString dir = slash < 0 ? QString() : path.left(slash + 1);
        for (const DvcOut &o : file.outs)
            outs.insert(dir + o.path, {o.md5, o.size});
    }
    return outs;
}

Result<QMap<QString, QString>> manifestOf(DataRepository &data, const QString &hash)
{
    ORRERY_ASSIGN_OR_RETURN(auto bytes, data.cache().readVerified(hash));
    ORRERY_ASSIGN_OR_RETURN(auto manifest, DirManifest::parse(bytes, hash));
    QMap<QString, QString> files;
    for (const ManifestEntry &e : manifest.entries)
        files.insert(e.relpath, e.md5);
    return files;
}

} // namespace

const char *changeKindName(DataChange::Kind kind)
{
    switch (kind) {
    case DataChange::Added: return "added";
    case DataChange::Removed: return "removed";
    case DataChange::Modified: return "modified";
    }
    return "?";
}

namespace {

bool isTable(const QString &path)
{
    return path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive) || path.endsWith(QLatin1String(".tsv"), Qt::CaseInsensitive);
}

Status compareTable(DataRepository &data, DataChange &change, common::JobContext *job)
{
    if (change.kind != DataChange::Modified || !isTable(change.path) || !data.cache().contains(change.oldHash)
        || !data.cache().contains(change.newHash))
        return Status::ok();
    ProfileOptions options;
    if (change.path.endsWith(QLatin1String(".tsv"), Qt::CaseInsensitive))
        options.csv.delimiter = '\t';
    auto before = profileCsv(data.cache().objectPath(change.oldHash), options, job);
    if (!before)
        return before.status().withContext(change.path + QStringLiteral(" (older version)"));
    auto after = profileCsv(data.cache().objectPath(change.newHash), options, job);
    if (!after)
        return after.status().withContext(change.path + QStringLiteral(" (newer version)"));
    change.profileBefore = std::make_shared<const DatasetProfile>(std::move(*before));
    change.profileAfter = std::make_shared<const DatasetProfile>(std::move(*after));
    change.table = std::make_shared<const TableDiff>(compareProfiles(*change.profileBefore, *change.profileAfter));
    return Status::ok();
}

} // namespace

Result<DataDiff> diffRevisions(DataRepository &data, const vcs::Repository &git, const QString &from, const QString &to,
                               bool compareTables, common::JobContext *job)
{
    ORRERY_ASSIGN_OR_RETURN(auto before, outsAt(data, git, from));
    ORRERY_ASSIGN_OR_RETURN(auto after, outsAt(data, git, to));
    DataDiff diff;
    diff.from = from;
    diff.to = to;
    QStringList paths = before.keys() + after.keys();
    paths.removeDuplicates();
    paths.sort();
    for (const QString &path : paths) {
        const bool had = before.contains(path), has = after.contains(path);
        const Version a = before.value(path), b = after.value(path);
        if (had && has && a.hash == b.hash)
            continue;
        const bool bothDirs = had && has && a.hash.endsWith(QLatin1String(".dir")) && b.hash.endsWith(QLatin1String(".dir"));
        if (bothDirs && data.cache().contains(a.hash) && data.cache().contains(b.hash)) {
            ORRERY_ASSIGN_OR_RETURN(const auto ma, manifestOf(data, a.hash));
            ORRERY_ASSIGN_OR_RETURN(const auto mb, manifestOf(data, b.hash));
            QStringList inner = ma.keys() + mb.keys();
            inner.removeDuplicates();
            inner.sort();
            for (const QString &rel : inner) {
                const QString ha = ma.value(rel), hb = mb.value(rel);
                if (ha == hb)
                    continue;
                DataChange c;
                c.kind = ha.isEmpty() ? DataChange::Added : hb.isEmpty() ? DataChange::Removed : DataChange::Modified;
                c.path = path + QLatin1Char('/') + rel;
                c.oldHash = ha;
                c.newHash = hb;
                c.insideDirectory = true;
                diff.changes.append(c);
            }
            continue;
        }
        if (bothDirs)
            diff.unexpanded << path;
        DataChange c;
        c.kind = !had ? DataChange::Added : !has ? DataChange::Removed : DataChange::Modified;
        c.path = path;
        c.oldHash = a.hash;
        c.newHash = b.hash;
        c.oldSize = had ? a.size : -1;
        c.newSize = has ? b.size : -1;
        diff.changes.append(c);
    }
    if (compareTables)
        for (DataChange &c : diff.changes)
            ORRERY_TRY(compareTable(data, c, job));
    return diff;
}

} // namespace orrery::data
