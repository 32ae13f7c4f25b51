#pragma once
// Batch scoring with a TorchScript model (Orrery's exports and Python's alike):
//
//   orrery-train predict MODEL.pt --input X.csv --output Y.csv
//
// what `orrery-cli predict` and the pipeline's evaluate stage run. The input is read in chunks of
// 10,000 rows (a large file never sits in memory), each chunk scored through the signature's
// column names (ScriptModel::predictTable), and the output is written atomically: one column per
// model output value — a classifier's "p_<class>" probabilities, a regressor's "prediction" —
// in the input's row order.
#include <QStringList>

int runBatchPredict(const QStringList &arguments);
