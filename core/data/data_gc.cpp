#include "core/data/data_gc.h"

#include "core/common/job.h"
#include "core/data/data_repository.h"
#include "core/data/dir_manifest.h"
#include "core/store/database.h"
#include "core/vcs/history.h"

#include <QDirIterator>
#include <QFileInfo>
#include <QSet>

#include <yaml-cpp/yaml.h>

namespace orrery::data {
namespace {

void collect(const YAML::Node &node, QStringList &out)
{
    if (node.IsMap()) {
        for (const auto &kv : node) {
            if (kv.first.IsScalar() && kv.first.Scalar() == "md5" && kv.second.IsScalar()) {
                const QString hash = QString::fromStdString(kv.second.Scalar());
                if (ContentCache::isValidHash(hash))
                    out << hash;
            } else {
                collect(kv.second, out);
            }
        }
    } else if (node.IsSequence()) {
        for (const auto &child : node)
            collect(child, out);
    }
}

} // namespace

QStringList hashesInYaml(const QByteArray &yaml)
{
    QStringList hashes;
    try {
        collect(YAML::Load(yaml.toStdString()), hashes);
    } catch (const YAML::Exception &) {
        return {};
    }
    return hashes;
}

Result<GcReport> collectGarbage(DataRepository &data, const vcs::Repository *git, store::Database *db, bool deleteUnused,
                                common::JobContext *job)
{
    GcReport report;
    QSet<QString> used;

    // The work tree: a .dvc file that cannot be read stops gc — it may name objects we need.
    auto outs = data.trackedOuts();
    if (!outs)
        return outs.status().withContext(QStringLiteral("gc needs every .dvc file readable"));
    for (const TrackedOut &t : *outs)
        used.insert(t.out.md5);
    const QString lock = data.root() + QStringLiteral("/dvc.lock");
    if (QFileInfo::exists(lock)) {
        QFile f(lock);
        if (!f.open(QIODevice::ReadOnly))
            return ioError(QStringLiteral("cannot read %1").arg(lock));
        for (const QString &h : hashesInYaml(f.readAll()))
            used.insert(h);
    }

    // Every version in git history, on every branch and tag.
    if (git) {
        if (job)
            job->setProgress(0, 0, QStringLiteral("reading .dvc files in git history"));
        ORRERY_TRY(vcs::forEachVersionedFile(
            *git, [](const QString &path) { return path.endsWith(QLatin1String(".dvc")) || path.endsWith(QLatin1String("dvc.lock")); },
            [&](const QString &path, const QByteArray &content) -> Status {
                const QStringList hashes = hashesInYaml(content);
                if (hashes.isEmpty() && !content.trimmed().isEmpty())
                    report.skippedFiles << path;
                for (const QString &h : hashes)
                    used.insert(h);
                return job && job->isCancelled() ? job->cancelledStatus() : Status::ok();
            }));
    }

    // Runs and registered models.
    if (db) {
        ORRERY_ASSIGN_OR_RETURN(auto refs, db->prepare(QStringLiteral("SELECT md5 FROM cache_refs")));
        while (refs.next())
            used.insert(refs.text(0));
        ORRERY_TRY(refs.status());
    }

    // The files of every kept directory.
    const QStringList directories = [&] {
        QStringList d;
        for (const QString &h : used)
            if (h.endsWith(QLatin1String(".dir")))
                d << h;
        return d;
    }();
    for (const QString &dir : directories) {
        if (!data.cache().contains(dir))
            continue;
        auto bytes = data.cache().readVerified(dir);
        if (!bytes)
            return bytes.status().withContext(QStringLiteral("gc cannot tell which files directory %1 needs").arg(dir));
        ORRERY_ASSIGN_OR_RETURN(auto manifest, DirManifest::parse(*bytes, dir));
        for (const ManifestEntry &e : manifest.entries)
            used.insert(e.md5);
    }

    const QString objects = data.cache().root() + QStringLiteral("/files/md5");
    QDirIterator it(objects, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString hash = QFileInfo(path).absolutePath().section(QLatin1Char('/'), -1) + QFileInfo(path).fileName();
        if (!ContentCache::isValidHash(hash))
            continue; // temporary files are doctor's business
        if (used.contains(hash)) {
            ++report.objectsKept;
            continue;
        }
        report.unused << hash;
        report.unusedBytes += it.fileInfo().size();
    }
    report.unused.sort();
    if (deleteUnused) {
        for (const QString &hash : report.unused)
            ORRERY_TRY(data.cache().remove(hash));
        report.deleted = true;
    }
    return report;
}

} // namespace orrery::data
