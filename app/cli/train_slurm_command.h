#pragma once
// `orrery-cli train CONFIG.yaml --slurm …`: data-parallel training as one Slurm job
// (train_slurm_command.cpp says how).

#include "app/cli/cli.h"

namespace orrery::cli {

int runTrainOnSlurm(const Context &context);

} // namespace orrery::cli
