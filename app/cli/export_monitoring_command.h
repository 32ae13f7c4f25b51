#pragma once
// orrery-cli export prometheus-rules|grafana: export_command.cpp parses the command line (one
// parser for every format) and hands these two formats to export_monitoring_command.cpp.

#include "app/cli/cli.h"

namespace orrery::cli {

// "prometheus-rules" and "grafana".
bool isMonitoringExportFormat(const QString &format);
// `p` is parsed and its first positional argument is one of those formats.
int runMonitoringExport(const Context &context, const CommandParser &p);

} // namespace orrery::cli
