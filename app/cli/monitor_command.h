#pragma once
// orrery-cli monitor …: monitor_command.cpp has the dispatcher, the batch drift report and the
// feedback import; monitor_live_commands.cpp the live windows' commands (status, profile,
// reference).

#include "app/cli/cli.h"

namespace orrery::cli {

int monitorStatus(const Context &context);
int monitorProfile(const Context &context);
int monitorReference(const Context &context);

} // namespace orrery::cli
