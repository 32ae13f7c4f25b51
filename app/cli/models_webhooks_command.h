#pragma once
// orrery-cli models webhooks add | list | remove | deliveries | deliver — the registry's webhooks
// (core/registry/webhooks.h, webhook_dispatcher.h) from a terminal.
#include "app/cli/cli.h"

namespace orrery::cli {

// `args`: the arguments after `models webhooks`.
int runModelsWebhooks(const QStringList &args, const Context &context);

} // namespace orrery::cli
