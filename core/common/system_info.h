#pragma once
// Facts about this process and machine that runs and audit entries record: the OS user, and the
// versions of the libraries Orrery is built on (for the About dialog, `--version` and the
// reproducibility manifest of a run).

#include <QString>
#include <QVector>
#include <utility>

namespace orrery::common {

// The OS user running this process ($USER is not trusted: it is looked up from the uid).
QString osUserName();

// {"Qt", "6.4.2"}, {"LibTorch", …}, {"SQLite", …}, {"libgit2", …}, plus compiler and OS.
// Qt is the runtime version; the others are the versions Orrery was built against.
QVector<std::pair<QString, QString>> libraryVersions();

QString orreryVersion();

} // namespace orrery::common
