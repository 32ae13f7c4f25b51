#pragma once
// The TARGET arguments of the data commands that act on tracked data (status, checkout, push,
// pull): data paths or .dvc files, relative to the current folder. One place for their help text
// and for turning them into workspace paths (add's PATHs go the same way), so the commands agree.

#include "core/common/status.h"

#include <QStringList>

namespace orrery::workspace {
class Workspace;
}

namespace orrery::cli {

class CommandParser;

// Adds the optional, repeatable TARGET positional argument to `p`.
void addDataTargetsArgument(CommandParser &p);
// `args` (files, folders or .dvc files, relative to the current folder) as paths inside the
// workspace; refuses any outside it. Empty stays empty: "all tracked data".
Result<QStringList> dataTargets(workspace::Workspace &ws, const QStringList &args);

} // namespace orrery::cli
