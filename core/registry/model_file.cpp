#include "core/registry/model_file.h"

#include "core/data/content_cache.h"
#include "core/data/cache_check.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QtEndian>

#include <cstring>

namespace orrery::registry {

namespace {

quint32 u32(const QByteArray &b, qsizetype at)
{
    quint32 v = 0;
    std::memcpy(&v, b.constData() + at, 4);
    return qFromLittleEndian(v);
}

quint16 u16(const QByteArray &b, qsizetype at)
{
    quint16 v = 0;
    std::memcpy(&v, b.constData() + at, 2);
    return qFromLittleEndian(v);
}

struct ZipEntry {
    QString name;
    quint16 method = 0;
    quint32 size = 0;
    quint32 localOffset = 0;
};

// The entries of a zip archive from its central directory; empty when `file` is not a zip.
QVector<ZipEntry> zipEntries(QFile &file)
{
    const qint64 size = file.size();
    const qint64 tail = std::min<qint64>(size, 65536 + 22);
    if (tail < 22 || !file.seek(size - tail))
        return {};
    const QByteArray end = file.read(tail);
    qsizetype eocd = -1;
    for (qsizetype i = end.size() - 22; i >= 0; --i)
        if (u32(end, i) == 0x06054b50) {
            eocd = i;
            break;
        }
    if (eocd < 0)
        return {};
    const quint32 cdSize = u32(end, eocd + 12);
    const quint32 cdOffset = u32(end, eocd + 16);
    if (qint64(cdOffset) + cdSize > size || !file.seek(cdOffset))
        return {}; // zip64 archives (over 4 GiB) are not models we register
    const QByteArray cd = file.read(cdSize);
    QVector<ZipEntry> entries;
    for (qsizetype p = 0; p + 46 <= cd.size() && u32(cd, p) == 0x02014b50;) {
        const quint16 nameLength = u16(cd, p + 28), extraLength = u16(cd, p + 30), commentLength = u16(cd, p + 32);
        if (p + 46 + nameLength > cd.size())
            break;
        entries.append({QString::fromUtf8(cd.mid(p + 46, nameLength)), u16(cd, p + 10), u32(cd, p + 20), u32(cd, p + 42)});
        p += 46 + nameLength + extraLength + commentLength;
    }
    return entries;
}

QByteArray storedEntry(QFile &file, const ZipEntry &e)
{
    if (e.method != 0 || e.size > 16 * 1024 * 1024 || !file.seek(e.localOffset))
        return {};
    const QByteArray header = file.read(30);
    if (header.size() < 30 || u32(header, 0) != 0x04034b50)
        return {};
    if (!file.seek(qint64(e.localOffset) + 30 + u16(header, 26) + u16(header, 28)))
        return {};
    return file.read(e.size);
}

QJsonObject signatureBeside(const QString &path)
{
    for (const QString &candidate : {path + QStringLiteral(".signature.json"), QFileInfo(path).absolutePath() + QStringLiteral("/signature.json")}) {
        QFile f(candidate);
        if (f.open(QIODevice::ReadOnly)) {
            const QJsonObject o = QJsonDocument::fromJson(f.read(16 * 1024 * 1024)).object();
            if (o.contains(QStringLiteral("inputs")))
                return o;
        }
    }
    return {};
}

} // namespace

ModelFileInfo inspectModelFile(const QString &path)
{
    ModelFileInfo info;
    const QFileInfo fi(path);
    if (fi.isDir()) {
        const bool mlflow = QFileInfo::exists(QDir(path).filePath(QStringLiteral("MLmodel")));
        info.format = mlflow ? QStringLiteral("mlflow") : QStringLiteral("directory");
        info.notServableReason = mlflow ? QStringLiteral("an MLflow model directory; Orrery serves TorchScript files with a signature")
                                        : QStringLiteral("a directory, not a model file; Orrery serves TorchScript files with a signature");
        return info;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        info.format = QStringLiteral("file");
        info.notServableReason = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return info;
    }
    const QByteArray head = file.peek(64);
    if (head.startsWith("PK\x03\x04")) {
        const QVector<ZipEntry> entries = zipEntries(file);
        bool torchscript = false;
        QJsonObject signature;
        for (const ZipEntry &e : entries) {
            if (e.name.endsWith(QLatin1String("/data.pkl")) || e.name.endsWith(QLatin1String("/constants.pkl")))
                torchscript = true;
            if (e.name.endsWith(QLatin1String("/extra/signature.json")))
                signature = QJsonDocument::fromJson(storedEntry(file, e)).object();
        }
        if (torchscript) {
            info.format = QStringLiteral("torchscript");
            info.signature = signature.contains(QStringLiteral("inputs")) ? signature : signatureBeside(path);
            if (info.signature.isEmpty())
                info.notServableReason = QStringLiteral("a TorchScript model without a signature (save signature.json in the archive or beside it)");
            return info;
        }
    }
    if (head.trimmed().startsWith('{')) {
        const QJsonObject o = QJsonDocument::fromJson(file.read(64 * 1024 * 1024)).object();
        const QString kind = o.value(QStringLiteral("kind")).toString();
        if (!kind.isEmpty()) {
            info.format = kind;
            info.notServableReason = QStringLiteral("a %1 model (JSON), not TorchScript: train with the LibTorch trainer to serve it").arg(kind);
            return info;
        }
    }
    info.format = QStringLiteral("file");
    info.notServableReason = QStringLiteral("not a TorchScript archive; Orrery serves TorchScript files with a signature");
    return info;
}

Result<StoredModelFile> storeModelFile(const QString &cacheRoot, const QString &path)
{
    StoredModelFile stored;
    stored.info = inspectModelFile(path);
    stored.fileName = QFileInfo(path).fileName();
    if (QFileInfo(path).isDir())
        return stored;
    if (!QFileInfo(path).isFile())
        return notFound(QStringLiteral("model file %1 does not exist").arg(path));
    data::ContentCache cache(cacheRoot);
    ORRERY_ASSIGN_OR_RETURN(auto object, cache.addFile(path));
    ORRERY_TRY(cache.syncAll());
    stored.md5 = object.md5;
    stored.size = object.size;
    return stored;
}

Result<QString> verifiedModelPath(const QString &cacheRoot, const ModelVersion &v)
{
    if (v.modelMd5.isEmpty())
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("model %1 v%2 has no stored file (registered from %3)").arg(v.name).arg(v.version).arg(v.source));
    data::ContentCache cache(cacheRoot);
    const QString path = cache.objectPath(v.modelMd5);
    if (!QFileInfo::exists(path))
        return notFound(QStringLiteral("model %1 v%2: its file %3 (%4) is missing from the cache %5; restore it with `orrery-cli data pull`")
                            .arg(v.name)
                            .arg(v.version)
                            .arg(v.modelFileName, v.modelMd5, path));
    ORRERY_ASSIGN_OR_RETURN(auto actual, data::md5OfFile(path));
    if (actual != v.modelMd5)
        return corrupt(QStringLiteral("model %1 v%2: %3 has md5 %4, the version was registered with %5; refusing to load a changed model")
                           .arg(v.name)
                           .arg(v.version)
                           .arg(path, actual, v.modelMd5));
    return path;
}

} // namespace orrery::registry
