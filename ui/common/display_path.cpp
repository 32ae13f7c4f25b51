#include "ui/common/display_path.h"

#include <QDir>

namespace orrery::ui {

QString displayPath(const QString &path)
{
    const QString home = QDir::homePath();
    if (home != QLatin1String("/") && (path == home || path.startsWith(home + QLatin1Char('/'))))
        return QStringLiteral("~") + QDir::toNativeSeparators(path.mid(home.size()));
    return QDir::toNativeSeparators(path);
}

} // namespace orrery::ui
