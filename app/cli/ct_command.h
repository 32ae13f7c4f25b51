#pragma once
// orrery-cli ct — the continuous-training loop (core/ct): its configuration (ct_check_command.cpp),
// one pass of it (ct_run_command.cpp), and its records and state (ct_command.cpp).
#include "app/cli/cli.h"

#include <QJsonObject>

namespace orrery::ct {
struct Iteration;
struct IterationStep;
struct CtConfig;
} // namespace orrery::ct

namespace orrery::cli {

int runCt(const Context &context);
int runCtCheck(const Context &context);
int runCtRun(const Context &context);

// Shared by the ct commands' --json output.
QString ctIso(qint64 ms); // "" for 0
QJsonObject ctIterationJson(const ct::Iteration &i);
QJsonObject ctStepJson(const ct::IterationStep &s);
QJsonObject ctConfigJson(const ct::CtConfig &c, int nextRuns);
// "stopped", "running (step data)", "waiting_approval (step approval)"…
QString ctIterationStatus(const ct::Iteration &i);

} // namespace orrery::cli
