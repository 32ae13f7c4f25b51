#include "app/cli/data_targets.h"

#include "app/cli/cli.h"

#include "core/data/data_repository.h"
#include "core/workspace/workspace.h"

#include <QDir>

namespace orrery::cli {

void addDataTargetsArgument(CommandParser &p)
{
    p.parser().addPositionalArgument(QStringLiteral("TARGET"), QStringLiteral("Data paths or .dvc files (default: all)."),
                                     QStringLiteral("[TARGET…]"));
}

Result<QStringList> dataTargets(workspace::Workspace &ws, const QStringList &args)
{
    return data::DataRepository(ws.root(), &ws.database()).toWorkspacePaths(args, QDir::currentPath());
}

} // namespace orrery::cli
