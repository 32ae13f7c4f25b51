#include "core/common/safe_path.h"

#include <QDir>
#include <QFileInfo>
#include <QStringList>

#include <sys/stat.h>

namespace orrery::common {
namespace {

bool pathExistsNoFollow(const QString &path)
{
    struct stat st;
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0;
}

bool startsWithDir(const QString &path, const QString &dir)
{
    return path == dir || path.startsWith(dir.endsWith(QLatin1Char('/')) ? dir : dir + QLatin1Char('/'));
}

// What no relative path may be, whatever it is joined to: empty, with a NUL or a backslash, absolute.
Status checkPathText(const QString &relative)
{
    const auto reject = [&](const QString &why) {
        return invalidArgument(QStringLiteral("path '%1' is not allowed: %2").arg(relative, why));
    };
    if (relative.isEmpty())
        return reject(QStringLiteral("it is empty"));
    if (relative.contains(QChar(0)))
        return reject(QStringLiteral("it contains a NUL byte"));
    if (relative.contains(QLatin1Char('\\')))
        return reject(QStringLiteral("it contains a backslash; use '/' between folders"));
    if (relative.startsWith(QLatin1Char('/')) || relative.startsWith(QLatin1Char('~')))
        return reject(QStringLiteral("it is absolute; give a path relative to the workspace"));
    return Status::ok();
}

} // namespace

Result<QString> cleanRelativePath(const QString &relative)
{
    const auto reject = [&](const QString &why) {
        return invalidArgument(QStringLiteral("path '%1' is not allowed: %2").arg(relative, why));
    };
    ORRERY_TRY(checkPathText(relative));
    QStringList parts;
    for (const QString &part : relative.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (part == QLatin1String(".."))
            return reject(QStringLiteral("'..' would leave the folder it is relative to"));
        if (part != QLatin1String("."))
            parts << part;
    }
    if (parts.isEmpty())
        return reject(QStringLiteral("it names the root itself"));
    return parts.join(QLatin1Char('/'));
}

Result<QString> cleanPathUnder(const QString &base, const QString &relative, QString *joined)
{
    const auto reject = [&](const QString &why) {
        return invalidArgument(QStringLiteral("path '%1' is not allowed: %2").arg(relative, why));
    };
    ORRERY_TRY(checkPathText(relative));
    QStringList baseParts;
    if (!base.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(auto cleanBase, cleanRelativePath(base));
        baseParts = cleanBase.split(QLatin1Char('/'));
    }
    // Both spellings at once: from the root (must never climb above it) and from base.
    QStringList fromRoot = baseParts;
    QStringList fromBase;
    for (const QString &part : relative.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (part == QLatin1String("."))
            continue;
        if (part == QLatin1String("..")) {
            if (fromRoot.isEmpty())
                return reject(base.isEmpty() ? QStringLiteral("'..' would leave the workspace")
                                             : QStringLiteral("'..' would leave the workspace (it is relative to '%1')").arg(base));
            fromRoot.removeLast();
            if (!fromBase.isEmpty() && fromBase.last() != QLatin1String(".."))
                fromBase.removeLast();
            else
                fromBase << part;
            continue;
        }
        fromRoot << part;
        fromBase << part;
    }
    if (fromRoot.isEmpty())
        return reject(QStringLiteral("it names the workspace itself"));
    if (fromBase.isEmpty())
        return reject(QStringLiteral("it names the folder it is relative to ('%1') itself").arg(base));
    if (joined)
        *joined = fromRoot.join(QLatin1Char('/'));
    return fromBase.join(QLatin1Char('/'));
}

Result<QString> joinInside(const QString &root, const QString &relative)
{
    const auto reject = [&](const QString &why) {
        return invalidArgument(QStringLiteral("path '%1' is not allowed: %2").arg(relative, why));
    };
    ORRERY_ASSIGN_OR_RETURN(auto clean, cleanRelativePath(relative));
    const QStringList parts = clean.split(QLatin1Char('/'));

    const QString canonicalRoot = QFileInfo(root).canonicalFilePath();
    if (canonicalRoot.isEmpty())
        return notFound(QStringLiteral("root folder %1 does not exist").arg(root));

    const QString joined = QDir(root).absolutePath() + QLatin1Char('/') + parts.join(QLatin1Char('/'));

    // Resolve the deepest prefix that exists: every symlink on the way is followed by
    // canonicalFilePath, so an escape anywhere shows up here.
    for (int n = parts.size(); n > 0; --n) {
        const QString prefix = QDir(root).absolutePath() + QLatin1Char('/') + parts.mid(0, n).join(QLatin1Char('/'));
        if (!pathExistsNoFollow(prefix))
            continue;
        const QString resolved = QFileInfo(prefix).canonicalFilePath();
        if (resolved.isEmpty())
            return reject(QStringLiteral("'%1' is a symlink to nowhere").arg(parts.mid(0, n).join(QLatin1Char('/'))));
        if (!startsWithDir(resolved, canonicalRoot))
            return reject(QStringLiteral("'%1' is a symlink that leads out of %2")
                              .arg(parts.mid(0, n).join(QLatin1Char('/')), root));
        break;
    }
    return joined;
}

bool isInside(const QString &root, const QString &path)
{
    const QString canonicalRoot = QFileInfo(root).canonicalFilePath();
    if (canonicalRoot.isEmpty())
        return false;
    // Lexical clean first: callers pass paths they built, never user text (joinInside is for that).
    QString probe = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    // Walk up to the deepest existing ancestor, then resolve it.
    QString suffix;
    while (!pathExistsNoFollow(probe)) {
        const QFileInfo info(probe);
        suffix = QLatin1Char('/') + info.fileName() + suffix;
        const QString parent = info.absolutePath();
        if (parent == probe)
            return false;
        probe = parent;
    }
    const QString resolved = QFileInfo(probe).canonicalFilePath();
    if (resolved.isEmpty())
        return false;
    return startsWithDir(QDir::cleanPath(resolved + suffix), canonicalRoot);
}

} // namespace orrery::common
