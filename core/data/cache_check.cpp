#include "core/data/cache_check.h"

#include "core/common/job.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>

namespace orrery::data {

Result<QString> md5OfFile(const QString &path, common::JobContext *job)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    QCryptographicHash hash(QCryptographicHash::Md5);
    QByteArray block(1 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 n = file.read(block.data(), block.size());
        if (n < 0)
            return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        if (n == 0)
            break;
        hash.addData(QByteArrayView(block.constData(), n));
        if (job && job->isCancelled())
            return job->cancelledStatus();
    }
    return QString::fromLatin1(hash.result().toHex());
}

Result<CacheCheckReport> checkCache(const QString &cacheDir, common::JobContext *job)
{
    CacheCheckReport report;
    const QString objectsRoot = cacheDir + QStringLiteral("/files/md5");
    if (!QDir(objectsRoot).exists())
        return report; // an empty cache is a healthy one
    static const QRegularExpression objectPath(QStringLiteral("^([0-9a-f]{2})/([0-9a-f]{30})(\\.dir)?$"));
    QDirIterator it(objectsRoot, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    const QDir cache(cacheDir);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString relative = QDir(objectsRoot).relativeFilePath(path);
        const auto match = objectPath.match(relative);
        if (!match.hasMatch()) {
            report.strayFiles << cache.relativeFilePath(path);
            continue;
        }
        ORRERY_ASSIGN_OR_RETURN(auto md5, md5OfFile(path, job));
        ++report.objectsChecked;
        report.bytesChecked += it.fileInfo().size();
        if (md5 != match.captured(1) + match.captured(2))
            report.corruptObjects << cache.relativeFilePath(path);
        if (job)
            job->setProgress(report.objectsChecked, 0, QStringLiteral("checked %1 objects").arg(report.objectsChecked));
    }
    return report;
}

} // namespace orrery::data
