#pragma once
// The built-in stage types, registered into a StageRegistry: what `orrery-cli stage TYPE` and
// the executor run in-process. Each type is described as data (pipeline/stage_type.h).
//
//   load      a CSV source → a working copy (columns selected, checked as CSV on the way)
//   validate  data tests: a CSV against its schema (data/x.schema.yaml); fails as a check
//   split     train/test: random, stratified by the label, or by time; seeded
//   train     BASELINE logistic regression (trainer "baseline_logistic") — a stand-in until the
//             Training issue's LibTorch trainer registers itself under the same name
//   evaluate  metrics JSON; confusion matrix, ROC and PR curve data as DVC plots
//   gate      metric thresholds (core/registry's gate logic); fails as a check
//
// Models: `train` writes a JSON model with a "kind"; `evaluate` scores it with the scorer
// registered for that kind (registerModelScorer), so a real trainer brings its own scorer.

#include "core/common/status.h"

#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace orrery::pipeline {
class StageRegistry;
}

namespace orrery::stages {

void registerBuiltinStages(pipeline::StageRegistry &registry);

// A model file → a scorer of rows (one probability of the positive class per row of `rows`,
// whose columns are `columns`). Registered per model "kind".
using RowScorer = std::function<Result<std::vector<double>>(const QStringList &columns, const std::vector<std::vector<std::string>> &rows)>;
using ScorerFactory = std::function<Result<RowScorer>(const QByteArray &modelJson)>;
void registerModelScorer(const QString &kind, ScorerFactory factory);

} // namespace orrery::stages
