#include "core/pipeline/output_store.h"

#include "core/common/hashing.h"
#include "core/data/data_repository.h"
#include "core/data/data_walk.h"
#include "core/data/dir_manifest.h"
#include "core/data/dvc_ignore.h"
#include "core/data/file_hasher.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <filesystem>

namespace orrery::pipeline {

OutputStore::OutputStore(QString root, store::Database *db)
    : m_root(std::move(root)), m_db(db), m_cache(data::DataRepository::cacheDirFor(m_root))
{
}

void OutputStore::forget(const QString &path)
{
    m_memo.remove(path);
    const QString prefix = path + QLatin1Char('/');
    for (auto it = m_memo.begin(); it != m_memo.end();) {
        if (it.key().startsWith(prefix) || path.startsWith(it.key() + QLatin1Char('/')))
            it = m_memo.erase(it);
        else
            ++it;
    }
}

Result<QHash<QString, PathHash>> OutputStore::hash(const QStringList &paths)
{
    QHash<QString, PathHash> out;
    // Files of all unknown paths go through the hasher together (one stat-cache read and write).
    QStringList files;
    QVector<data::FileStat> stats;
    QHash<QString, QStringList> folderFiles; // folder → its files relative to it
    QStringList todo;
    data::DvcIgnore ignore(m_root);
    for (const QString &p : paths) {
        if (m_memo.contains(p)) {
            out.insert(p, m_memo.value(p));
            continue;
        }
        if (todo.contains(p))
            continue;
        todo << p;
        const QFileInfo fi(QDir(m_root).filePath(p));
        if (!fi.exists()) {
            out.insert(p, PathHash{});
            continue;
        }
        if (fi.isDir()) {
            QVector<data::FileStat> dirStats;
            // A folder's files as DVC collects them (.dvcignore, links to files followed).
            ORRERY_ASSIGN_OR_RETURN(auto list, data::listDataFiles(m_root, p, ignore, &dirStats));
            folderFiles.insert(p, list);
            for (int i = 0; i < list.size(); ++i) {
                files << p + QLatin1Char('/') + list.at(i);
                stats << dirStats[i];
            }
        } else {
            ORRERY_ASSIGN_OR_RETURN(auto st, data::statFile(fi.absoluteFilePath()));
            files << p;
            stats << st;
        }
    }
    QHash<QString, data::HashedFile> hashed;
    if (!files.isEmpty()) {
        data::FileHasher hasher(m_root, m_db);
        ORRERY_ASSIGN_OR_RETURN(auto result, hasher.hash(files, nullptr, &stats));
        for (const auto &h : result)
            hashed.insert(h.relativePath, h);
    }
    for (const QString &p : todo) {
        if (out.contains(p))
            continue;
        PathHash h;
        h.exists = true;
        if (folderFiles.contains(p)) {
            data::DirManifest manifest;
            qint64 size = 0;
            for (const QString &rel : folderFiles.value(p)) {
                const auto &f = hashed.value(p + QLatin1Char('/') + rel);
                manifest.entries.append({rel, f.md5});
                size += f.size;
            }
            manifest.sort();
            const QByteArray bytes = manifest.serialize();
            h.md5 = common::md5Hex(bytes) + QStringLiteral(".dir");
            h.size = size;
            h.nfiles = manifest.entries.size();
        } else {
            const auto &f = hashed.value(p);
            h.md5 = f.md5;
            h.size = f.size;
        }
        m_memo.insert(p, h);
        out.insert(p, h);
    }
    return out;
}

Result<PathHash> OutputStore::hashOne(const QString &path)
{
    ORRERY_ASSIGN_OR_RETURN(auto all, hash({path}));
    return all.value(path);
}

Result<PathHash> OutputStore::save(const QString &path)
{
    forget(path);
    ORRERY_ASSIGN_OR_RETURN(PathHash h, hashOne(path));
    if (!h.exists)
        return notFound(QStringLiteral("'%1' does not exist").arg(path));
    const QString abs = QDir(m_root).filePath(path);
    if (h.nfiles >= 0) {
        data::DvcIgnore ignore(m_root);
        ORRERY_ASSIGN_OR_RETURN(auto files, data::listDataFiles(m_root, path, ignore));
        data::DirManifest manifest;
        for (const QString &rel : files) {
            ORRERY_ASSIGN_OR_RETURN(auto added, m_cache.addFile(abs + QLatin1Char('/') + rel, QString(), nullptr, true));
            manifest.entries.append({rel, added.md5});
        }
        manifest.sort();
        ORRERY_TRY(m_cache.syncAll());
        ORRERY_ASSIGN_OR_RETURN(auto dir, m_cache.addBytes(manifest.serialize(), true));
    } else if (!m_cache.contains(h.md5)) {
        ORRERY_ASSIGN_OR_RETURN(auto added, m_cache.addFile(abs, h.md5));
    }
    return h;
}

bool OutputStore::canRestore(const QString &md5)
{
    return m_cache.containsVersion(md5);
}

Status OutputStore::remove(const QString &path)
{
    forget(path);
    std::error_code ec;
    const std::filesystem::path p(QFile::encodeName(QDir(m_root).filePath(path)).toStdString());
    std::filesystem::remove_all(p, ec);
    if (ec)
        return ioError(QStringLiteral("cannot remove %1 before its stage runs: %2").arg(path, QString::fromStdString(ec.message())));
    return Status::ok();
}

Status OutputStore::restore(const QString &path, const QString &md5)
{
    ORRERY_TRY(remove(path));
    const QString abs = QDir(m_root).filePath(path);
    if (md5.endsWith(QLatin1String(".dir"))) {
        ORRERY_ASSIGN_OR_RETURN(auto bytes, m_cache.readVerified(md5));
        ORRERY_ASSIGN_OR_RETURN(auto manifest, data::DirManifest::parse(bytes, md5));
        QDir().mkpath(abs);
        for (const auto &e : manifest.entries)
            ORRERY_TRY(m_cache.copyOut(e.md5, abs + QLatin1Char('/') + e.relpath));
    } else {
        ORRERY_TRY(m_cache.copyOut(md5, abs));
    }
    forget(path);
    return Status::ok();
}

} // namespace orrery::pipeline
