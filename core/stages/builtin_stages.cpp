#include "core/stages/builtin_stages.h"

#include "core/pipeline/stage_type.h"
#include "core/stages/baseline_model.h"
#include "core/stages/stage_types.h"

namespace orrery::stages {

void registerBuiltinStages(pipeline::StageRegistry &registry)
{
    registry.add(loadStageType(), runLoadStage);
    registry.add(validateStageType(), runValidateStage);
    registry.add(splitStageType(), runSplitStage);
    registry.add(trainStageType(), runBaselineTrainStage);
    registry.add(evaluateStageType(), runEvaluateStage);
    registry.add(gateStageType(), runGateStage);
    registry.add(registerStageType(), runRegisterStage);
    registry.add(tuneStageType(), runTuneStage);
    registerModelScorer(QString::fromLatin1(BaselineModel::kKind), [](const QByteArray &json) -> Result<RowScorer> {
        ORRERY_ASSIGN_OR_RETURN(auto model, BaselineModel::fromJson(json));
        BaselineModel m = model;
        return RowScorer([m](const QStringList &columns, const std::vector<std::vector<std::string>> &rows) { return m.predict(columns, rows); });
    });
}

} // namespace orrery::stages
