// Placeholder until the webhooks command lands (replaced by the webhooks engineer).
#include "app/cli/models_webhooks_command.h"

#include <cstdio>

namespace orrery::cli {

int runModelsWebhooks(const QStringList &, const Context &)
{
    std::fputs("webhooks: not built yet\n", stderr);
    return ExitError;
}

} // namespace orrery::cli
