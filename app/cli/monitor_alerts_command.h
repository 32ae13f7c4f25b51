#pragma once
// orrery-cli monitor alerts [--all] | check [FILE] | ack ID | silence ID --for D — the alert rules
// (core/monitor/alert_rules.h) and the alerts the serving process recorded (alert_store.h).
#include "app/cli/cli.h"

namespace orrery::cli {

// `context.args`: the arguments after `monitor alerts`.
int runMonitorAlerts(const Context &context);

} // namespace orrery::cli
