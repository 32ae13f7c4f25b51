#pragma once
// orrery-cli models webhooks … — a placeholder until the webhooks command lands (the webhooks
// engineer replaces this file and models_webhooks_command.cpp).
#include "app/cli/cli.h"

namespace orrery::cli {

// `args`: the arguments after `models webhooks`.
int runModelsWebhooks(const QStringList &args, const Context &context);

} // namespace orrery::cli
