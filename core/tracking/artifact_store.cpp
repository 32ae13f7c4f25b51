#include "core/tracking/artifact_store.h"

#include "core/common/atomic_file.h"
#include "core/common/safe_path.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStorageInfo>

namespace orrery::tracking {
namespace {

// AtomicFile's temporary files (".<name>.tmp-XXXXXX") are uploads in progress, not artifacts.
bool isUploadInProgress(const QString &name)
{
    static const QRegularExpression temp(QStringLiteral("^\\..+\\.tmp-[A-Za-z0-9]{6}$"));
    return temp.match(name).hasMatch();
}

} // namespace

ArtifactUpload::ArtifactUpload(std::unique_ptr<common::AtomicFile> file) : m_file(std::move(file)) {}

ArtifactUpload::~ArtifactUpload() = default;

Status ArtifactUpload::write(const char *data, qint64 size)
{
    m_written += size;
    return m_file->write(data, size);
}

Status ArtifactUpload::commit()
{
    return m_file->commit();
}

ArtifactStore::ArtifactStore(QString root) : m_root(std::move(root)) {}

Result<QString> ArtifactStore::checkPath(const QString &decoded)
{
    auto clean = common::cleanRelativePath(decoded);
    if (!clean)
        return clean.status();
    const QString twice = QString::fromUtf8(QByteArray::fromPercentEncoding(decoded.toUtf8()));
    if (twice != decoded) {
        auto again = common::cleanRelativePath(twice);
        if (!again)
            return invalidArgument(QStringLiteral("path '%1' is not allowed: decoded once more it reads '%2', and %3")
                                       .arg(decoded, twice, again.status().message()));
    }
    for (const QString &part : clean->split(QLatin1Char('/')))
        if (isUploadInProgress(part))
            return invalidArgument(QStringLiteral("path '%1' is not allowed: '%2' is the name of an upload in progress").arg(decoded, part));
    return clean;
}

Result<std::unique_ptr<ArtifactUpload>> ArtifactStore::beginUpload(const QString &relative, qint64 expectedSize)
{
    auto clean = checkPath(relative);
    if (!clean)
        return clean.status();
    if (!QDir().mkpath(m_root))
        return ioError(QStringLiteral("cannot create the artifact folder %1").arg(m_root));
    auto target = common::joinInside(m_root, *clean);
    if (!target)
        return target.status();
    const QFileInfo info(*target);
    if (info.isDir())
        return invalidArgument(QStringLiteral("cannot upload to '%1': it is a folder of artifacts").arg(*clean));
    if (!QDir().mkpath(info.absolutePath()))
        return ioError(QStringLiteral("cannot create the folder for artifact '%1' (is a file in the way?)").arg(*clean));
    // The folders now exist: check again that none of them is a link out of the root.
    if (!common::isInside(m_root, info.absolutePath()))
        return invalidArgument(QStringLiteral("path '%1' is not allowed: it leads out of the artifact folder").arg(*clean));
    if (expectedSize > 0) {
        const QStorageInfo disk(info.absolutePath());
        const qint64 margin = 16 * 1024 * 1024; // room for the database and the rest of the workspace
        if (disk.isValid() && disk.bytesAvailable() >= 0 && disk.bytesAvailable() < expectedSize + margin)
            return ioError(QStringLiteral("artifact '%1' is %2 bytes but the disk has %3 bytes free; free some space and upload again")
                               .arg(*clean).arg(expectedSize).arg(disk.bytesAvailable()));
    }
    auto file = std::make_unique<common::AtomicFile>(*target);
    ORRERY_TRY(file->open());
    return std::make_unique<ArtifactUpload>(std::move(file));
}

Result<QString> ArtifactStore::fileFor(const QString &relative) const
{
    auto clean = checkPath(relative);
    if (!clean)
        return clean.status();
    if (!QFileInfo::exists(m_root))
        return notFound(QStringLiteral("No artifact at '%1'").arg(*clean));
    auto path = common::joinInside(m_root, *clean);
    if (!path)
        return path.status();
    const QFileInfo info(*path);
    if (!info.exists() || !info.isFile())
        return notFound(QStringLiteral("No artifact at '%1'%2").arg(*clean, info.isDir() ? QStringLiteral(": it is a folder; list it instead") : QString()));
    return *path;
}

Result<QVector<ArtifactEntry>> ArtifactStore::list(const QString &relative) const
{
    QString dir = m_root;
    if (!relative.isEmpty()) {
        auto clean = checkPath(relative);
        if (!clean)
            return clean.status();
        if (!QFileInfo::exists(m_root))
            return QVector<ArtifactEntry>();
        auto path = common::joinInside(m_root, *clean);
        if (!path)
            return path.status();
        dir = *path;
    }
    QVector<ArtifactEntry> entries;
    if (!QFileInfo(dir).isDir())
        return entries;
    const QFileInfoList infos = QDir(dir).entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden | QDir::NoSymLinks,
                                                        QDir::Name);
    for (const QFileInfo &info : infos) {
        if (isUploadInProgress(info.fileName()))
            continue;
        entries.append({info.fileName(), info.isDir(), info.isDir() ? 0 : info.size()});
    }
    return entries;
}

} // namespace orrery::tracking
