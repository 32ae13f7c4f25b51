#pragma once
// The descriptions and implementations of the built-in stages (one pair per type), for
// builtin_stages.cpp to register.

#include "core/common/status.h"

namespace orrery::pipeline {
struct StageType;
class StageContext;
}

namespace orrery::stages {

pipeline::StageType loadStageType();
Status runLoadStage(pipeline::StageContext &ctx);
pipeline::StageType validateStageType();
Status runValidateStage(pipeline::StageContext &ctx);
pipeline::StageType splitStageType();
Status runSplitStage(pipeline::StageContext &ctx);
pipeline::StageType trainStageType();
Status runBaselineTrainStage(pipeline::StageContext &ctx);
pipeline::StageType evaluateStageType();
Status runEvaluateStage(pipeline::StageContext &ctx);
pipeline::StageType gateStageType();
Status runGateStage(pipeline::StageContext &ctx);
pipeline::StageType registerStageType();
Status runRegisterStage(pipeline::StageContext &ctx);
pipeline::StageType tuneStageType();
Status runTuneStage(pipeline::StageContext &ctx);

} // namespace orrery::stages
