#include "core/tracking/artifact_store.h"

#include "core/common/clock.h"

#include "core/common/safe_path.h"
#include "core/data/content_cache.h"
#include "core/store/database.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QStorageInfo>

namespace orrery::tracking {
namespace {

// Rows under the folder `prefix` are the paths p with prefix + "/" <= p < prefix + "0" ('0'
// follows '/' in byte order), so a folder is one index range, never a LIKE pattern to escape.
QString folderLow(const QString &prefix)
{
    return prefix.isEmpty() ? QString() : prefix + QLatin1Char('/');
}
QString folderHigh(const QString &prefix)
{
    return prefix.isEmpty() ? QStringLiteral("\U0010FFFF") : prefix + QLatin1Char('0');
}

Result<bool> isFolder(store::Database &db, const QString &path)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT 1 FROM artifacts WHERE path > ? AND path < ? LIMIT 1")));
    s.bind(1, folderLow(path)).bind(2, folderHigh(path));
    const bool found = s.next();
    ORRERY_TRY(s.status());
    return found;
}

Result<bool> isFile(store::Database &db, const QString &path)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT 1 FROM artifacts WHERE path = ?")));
    s.bind(1, path);
    const bool found = s.next();
    ORRERY_TRY(s.status());
    return found;
}

// <experiment>/<run>/artifacts/<path…>: the run the artifact belongs to, or why not.
Result<QString> runOf(const QString &clean)
{
    const QStringList parts = clean.split(QLatin1Char('/'));
    if (parts.size() < 4 || parts[2] != QLatin1String("artifacts"))
        return invalidArgument(QStringLiteral("Cannot store an artifact at '%1': artifacts go to <experiment_id>/<run_id>/artifacts/<path>, "
                                              "the run's artifact_uri.").arg(clean));
    return parts[1];
}

} // namespace

ArtifactUpload::ArtifactUpload(store::Database &db, QString path, QString runId, std::unique_ptr<data::CacheObjectWriter> object,
                               const common::Clock &clock)
    : m_db(db), m_path(std::move(path)), m_runId(std::move(runId)), m_object(std::move(object)), m_clock(clock)
{
}

ArtifactUpload::~ArtifactUpload() = default;

Status ArtifactUpload::write(const char *data, qint64 size)
{
    return m_object->write(data, size);
}

qint64 ArtifactUpload::bytesWritten() const
{
    return m_object->size();
}

Status ArtifactUpload::commit()
{
    ORRERY_ASSIGN_OR_RETURN(auto object, m_object->commit());
    // The object is durable before the row that names it; a crash in between leaves an object
    // nothing refers to, which `data gc` frees.
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_TRY(indexArtifact(m_db, m_path, m_runId, object.md5, object.size, m_clock.now().toMSecsSinceEpoch()));
    return tx.commit();
}

Status indexArtifact(store::Database &db, const QString &path, const QString &runId, const QString &md5, qint64 size, qint64 created)
{
    QString replaced;
    {
        ORRERY_ASSIGN_OR_RETURN(auto old, db.prepare(QStringLiteral("SELECT md5 FROM artifacts WHERE path = ?")));
        old.bind(1, path);
        if (old.next())
            replaced = old.text(0);
        ORRERY_TRY(old.status());
    }
    ORRERY_ASSIGN_OR_RETURN(
        auto put, db.prepare(QStringLiteral("INSERT OR REPLACE INTO artifacts(path, run_id, md5, size, created) VALUES (?,?,?,?,?)")));
    put.bind(1, path).bind(2, runId).bind(3, md5).bind(4, size).bind(5, created);
    ORRERY_TRY(put.run());
    const QString owner = QStringLiteral("run:") + runId;
    ORRERY_ASSIGN_OR_RETURN(auto ref, db.prepare(QStringLiteral("INSERT OR IGNORE INTO cache_refs(md5, owner) VALUES (?, ?)")));
    ref.bind(1, md5).bind(2, owner);
    ORRERY_TRY(ref.run());
    if (!replaced.isEmpty() && replaced != md5) {
        // The overwritten object stays referenced only while another artifact of the run uses it.
        ORRERY_ASSIGN_OR_RETURN(auto drop,
            db.prepare(QStringLiteral("DELETE FROM cache_refs WHERE md5 = ?1 AND owner = ?2 "
                                      "AND NOT EXISTS (SELECT 1 FROM artifacts WHERE run_id = ?3 AND md5 = ?1)")));
        drop.bind(1, replaced).bind(2, owner).bind(3, runId);
        ORRERY_TRY(drop.run());
    }
    return Status::ok();
}

ArtifactStore::ArtifactStore(store::Database &db, QString cacheRoot, const common::Clock *clock)
    : m_db(db), m_cacheRoot(std::move(cacheRoot)), m_clock(clock ? *clock : common::Clock::system())
{
}

Result<QString> ArtifactStore::checkPath(const QString &decoded)
{
    ORRERY_ASSIGN_OR_RETURN(QString clean, common::cleanRelativePath(decoded));
    const QString twice = QString::fromUtf8(QByteArray::fromPercentEncoding(decoded.toUtf8()));
    if (twice != decoded) {
        auto again = common::cleanRelativePath(twice);
        if (!again)
            return invalidArgument(QStringLiteral("path '%1' is not allowed: decoded once more it reads '%2', and %3")
                                       .arg(decoded, twice, again.status().message()));
    }
    return clean;
}

Result<std::unique_ptr<ArtifactUpload>> ArtifactStore::beginUpload(const QString &relative, qint64 expectedSize)
{
    ORRERY_ASSIGN_OR_RETURN(auto clean, checkPath(relative));
    ORRERY_ASSIGN_OR_RETURN(auto run, runOf(clean));
    ORRERY_ASSIGN_OR_RETURN(auto folder, isFolder(m_db, clean));
    if (folder)
        return invalidArgument(QStringLiteral("cannot upload to '%1': it is a folder of artifacts").arg(clean));
    // No artifact may stand where this one needs a folder.
    for (qsizetype slash = clean.indexOf(QLatin1Char('/')); slash > 0; slash = clean.indexOf(QLatin1Char('/'), slash + 1)) {
        ORRERY_ASSIGN_OR_RETURN(auto file, isFile(m_db, clean.left(slash)));
        if (file)
            return invalidArgument(QStringLiteral("cannot upload to '%1': the artifact '%2' is a file, not a folder").arg(clean, clean.left(slash)));
    }
    if (!QDir().mkpath(m_cacheRoot))
        return ioError(QStringLiteral("cannot create the cache folder %1").arg(m_cacheRoot));
    if (expectedSize > 0) {
        const QStorageInfo disk(m_cacheRoot);
        const qint64 margin = 16 * 1024 * 1024; // room for the database and the rest of the workspace
        if (disk.isValid() && disk.bytesAvailable() >= 0 && disk.bytesAvailable() < expectedSize + margin)
            return ioError(QStringLiteral("artifact '%1' is %2 bytes but the disk has %3 bytes free; free some space and upload again")
                               .arg(clean).arg(expectedSize).arg(disk.bytesAvailable()));
    }
    ORRERY_ASSIGN_OR_RETURN(auto object, data::ContentCache(m_cacheRoot).beginObject());
    return std::make_unique<ArtifactUpload>(m_db, clean, run, std::move(object), m_clock);
}

Result<ArtifactEntry> ArtifactStore::addFile(const QString &relative, const QString &source)
{
    QFile in(source);
    if (!in.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(source, in.errorString()));
    ORRERY_ASSIGN_OR_RETURN(auto upload, beginUpload(relative, in.size()));
    QByteArray block(1 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 n = in.read(block.data(), block.size());
        if (n < 0)
            return ioError(QStringLiteral("cannot read %1: %2").arg(source, in.errorString()));
        if (n == 0)
            break;
        ORRERY_TRY(upload->write(block.constData(), n));
    }
    ORRERY_TRY(upload->commit());
    const QString clean = *checkPath(relative);
    return ArtifactEntry{clean.section(QLatin1Char('/'), -1), false, upload->bytesWritten()};
}

Result<QString> ArtifactStore::fileFor(const QString &relative)
{
    ORRERY_ASSIGN_OR_RETURN(auto clean, checkPath(relative));
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT md5 FROM artifacts WHERE path = ?")));
    s.bind(1, clean);
    if (!s.next()) {
        ORRERY_TRY(s.status());
        auto folder = isFolder(m_db, clean);
        return notFound(QStringLiteral("No artifact at '%1'%2").arg(clean, folder && *folder ? QStringLiteral(": it is a folder; list it instead") : QString()));
    }
    const QString md5 = s.text(0);
    data::ContentCache cache(m_cacheRoot);
    if (const Status verified = cache.verify(md5); !verified)
        return verified.withContext(QStringLiteral("artifact '%1'").arg(clean));
    return cache.objectPath(md5);
}

Result<int> ArtifactStore::remove(const QString &relative)
{
    ORRERY_ASSIGN_OR_RETURN(auto clean, checkPath(relative));
    const QStringList parts = clean.split(QLatin1Char('/'));
    if (parts.size() < 3 || parts[2] != QLatin1String("artifacts"))
        return invalidArgument(QStringLiteral("Cannot delete '%1': only a run's artifacts can be deleted, at <experiment_id>/<run_id>/artifacts[/<path>].")
                                   .arg(clean));
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    const QString where = QStringLiteral("path = ?1 OR (path > ?2 AND path < ?3)");
    ORRERY_ASSIGN_OR_RETURN(auto used, m_db.prepare(QStringLiteral("SELECT DISTINCT run_id, md5 FROM artifacts WHERE ") + where));
    used.bind(1, clean).bind(2, folderLow(clean)).bind(3, folderHigh(clean));
    QVector<std::pair<QString, QString>> objects; // (run, md5)
    while (used.next())
        objects.append({used.text(0), used.text(1)});
    ORRERY_TRY(used.status());
    if (objects.isEmpty())
        return notFound(QStringLiteral("No artifact at '%1': there is no file or folder to delete there").arg(clean));
    ORRERY_ASSIGN_OR_RETURN(auto del, m_db.prepare(QStringLiteral("DELETE FROM artifacts WHERE ") + where));
    del.bind(1, clean).bind(2, folderLow(clean)).bind(3, folderHigh(clean));
    ORRERY_TRY(del.run());
    const int removed = m_db.changes();
    // Each object stays the run's only while another artifact of the run still uses it.
    ORRERY_ASSIGN_OR_RETURN(auto drop,
        m_db.prepare(QStringLiteral("DELETE FROM cache_refs WHERE md5 = ?1 AND owner = 'run:' || ?2 "
                                    "AND NOT EXISTS (SELECT 1 FROM artifacts WHERE run_id = ?2 AND md5 = ?1)")));
    for (const auto &[run, md5] : objects) {
        drop.reset();
        drop.bind(1, md5).bind(2, run);
        ORRERY_TRY(drop.run());
    }
    ORRERY_TRY(tx.commit());
    return removed;
}

Result<QVector<ArtifactEntry>> ArtifactStore::list(const QString &relative) const
{
    QString prefix;
    if (!relative.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(auto clean, checkPath(relative));
        prefix = clean;
    }
    ORRERY_ASSIGN_OR_RETURN(
        auto s, m_db.prepare(QStringLiteral("SELECT path, size FROM artifacts WHERE path > ? AND path < ? ORDER BY path")));
    const QString low = folderLow(prefix);
    s.bind(1, low).bind(2, folderHigh(prefix));
    QVector<ArtifactEntry> entries;
    while (s.next()) {
        const QString rest = s.text(0).mid(low.size());
        const qsizetype slash = rest.indexOf(QLatin1Char('/'));
        const QString name = slash < 0 ? rest : rest.left(slash);
        if (!entries.isEmpty() && entries.last().name == name)
            continue; // another file in the same subfolder
        entries.append({name, slash >= 0, slash < 0 ? s.int64(1) : 0});
    }
    ORRERY_TRY(s.status());
    return entries;
}

} // namespace orrery::tracking
