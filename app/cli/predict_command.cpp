// orrery-cli predict MODEL.pt --input X.csv --output Y.csv
//
// Batch scoring with a TorchScript model. Like `train`, it runs in orrery-train (LibTorch stays
// out of orrery-cli); the scoring itself is app/train/batch_predict.cpp. Registered models
// (MODEL@VERSION, MODEL:ALIAS) come with the Registry.

#include "app/cli/cli.h"

namespace orrery::cli {

int runPredict(const Context &context)
{
    return execTrainer(QStringLiteral("predict"), QStringList{QStringLiteral("predict")} + context.args);
}

} // namespace orrery::cli
