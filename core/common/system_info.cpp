#include "core/common/system_info.h"

#include <QSysInfo>
#include <QtGlobal>

#include <pwd.h>
#include <unistd.h>

#ifndef ORRERY_VERSION
#define ORRERY_VERSION "unknown"
#endif
#ifndef ORRERY_TORCH_VERSION
#define ORRERY_TORCH_VERSION "unknown"
#endif
#ifndef ORRERY_SQLITE_VERSION
#define ORRERY_SQLITE_VERSION "unknown"
#endif
#ifndef ORRERY_LIBGIT2_VERSION
#define ORRERY_LIBGIT2_VERSION "unknown"
#endif

namespace orrery::common {

QString osUserName()
{
    if (const passwd *pw = ::getpwuid(::geteuid()); pw && pw->pw_name)
        return QString::fromLocal8Bit(pw->pw_name);
    return QStringLiteral("uid-%1").arg(::geteuid());
}

QString orreryVersion()
{
    return QStringLiteral(ORRERY_VERSION);
}

QVector<std::pair<QString, QString>> libraryVersions()
{
    QString compiler;
#if defined(__clang__)
    compiler = QStringLiteral("clang ") + QStringLiteral(__clang_version__);
#elif defined(__GNUC__)
    compiler = QStringLiteral("GCC %1.%2.%3").arg(__GNUC__).arg(__GNUC_MINOR__).arg(__GNUC_PATCHLEVEL__);
#else
    compiler = QStringLiteral("unknown");
#endif
    return {
        {QStringLiteral("Orrery"), orreryVersion()},
        {QStringLiteral("Qt"), QString::fromLatin1(qVersion())},
        {QStringLiteral("LibTorch"), QStringLiteral(ORRERY_TORCH_VERSION)},
        {QStringLiteral("SQLite"), QStringLiteral(ORRERY_SQLITE_VERSION)},
        {QStringLiteral("libgit2"), QStringLiteral(ORRERY_LIBGIT2_VERSION)},
        {QStringLiteral("Compiler"), compiler},
        {QStringLiteral("OS"), QSysInfo::prettyProductName() + QStringLiteral(" (") + QSysInfo::currentCpuArchitecture() + QStringLiteral(")")},
    };
}

} // namespace orrery::common
