#pragma once
// The demo workspace: a new workspace with the synthetic card-fraud dataset and a README that
// says what is there and what to try. Later capabilities add their part of the demo here (the
// fraud pipeline, a registered model), so the quick start always shows the whole loop.

#include "core/common/status.h"

#include <QString>
#include <QStringList>

namespace orrery::common {
class JobContext;
}

namespace orrery::demo {

// The demo pipeline's train stage: the LibTorch MLP (`orrery-cli train`, then `predict` scores the
// held-out rows), or the in-process baseline logistic regression — quick, and with no LibTorch.
enum class DemoTrainer { Torch, Baseline };

struct DemoOptions {
    quint64 seed = 42;
    qint64 rows = 50000;
    DemoTrainer trainer = DemoTrainer::Torch;
};

struct DemoReport {
    QString root;
    QString datasetPath;   // relative to root
    qint64 rows = 0;
    qint64 fraudRows = 0;
    QStringList created;   // relative paths
};

// Creates the demo in `dir`, which must not exist or be an empty folder (a demo never writes over
// a user's files). Progress and cancel through `job` when given; a cancelled or failed demo
// removes what it created.
Result<DemoReport> createDemoWorkspace(const QString &dir, const DemoOptions &options = {}, common::JobContext *job = nullptr);

} // namespace orrery::demo
