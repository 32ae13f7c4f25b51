#pragma once
// How a folder is shown to a person: "~/projects/fraud" reads faster than
// "/home/me/projects/fraud" and is as unambiguous. Tooltips keep the full path.

#include <QString>

namespace orrery::ui {

QString displayPath(const QString &path);

} // namespace orrery::ui
