#pragma once
// The training entry point, torch-free: the pipeline's train stage, the GUI and orrery-train call
// this; only its .cpp files see LibTorch.
//
//   TrainRequest → prepareTraining() → PreparedTraining → runTraining(job) → TrainOutcome
//
// prepareTraining() does every check that can fail on bad input — the config, the data (loaded,
// split, preprocessing fitted on the training split), a checkpoint to resume from (readable, and
// made by this very model and data) — on the caller's thread, before any trainer thread exists.
// runTraining() is the loop; it is meant to run inside a common::Job (it polls the JobContext for
// cancel once per batch and reports progress), and returns Cancelled, or FailedPrecondition for a
// NaN loss with the step and the fix in the message.
//
// Tracking: with `databasePath` set (or `jobDir`: journaled, see TrainRequest), the run is recorded — params, a reproducibility manifest,
// metrics streamed through MetricWriter (train_loss every step or epoch, val_* every epoch), and
// artifacts logged through tracking::ArtifactStore (content-addressed objects in the cache, kept
// from `data gc` by the run): model/model.pt (TorchScript: preprocessing and model in one),
// model/signature.json, model/preprocessing.json, evaluation.json and checkpoints/step-N.pt.
// Files are written first into <workRoot>/<run>/ (under .orrery/tmp, ignored by git), which is
// removed when the run finishes. Tag orrery.model_md5 names the model's object. Without a
// database nothing is recorded, and checkpoints and the export stay in `outputDir`.
//
// Data parallel: with world size > 1 every rank trains on its share of each global batch
// (batch_size rows each), gradients are all-reduced (Gloo over a TCPStore at master host:port)
// every step; rank 0 alone records to tracking and exports.

#include "core/common/status.h"
#include "core/train/evaluation.h"
#include "core/train/trainer_config.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QVector>

#include <functional>
#include <memory>
#include <utility>

namespace orrery::common {
class Clock;
}

namespace orrery::common {
class JobContext;
}

namespace orrery::train {

struct DistributedConfig {
    int rank = 0;
    int worldSize = 1;
    QString masterHost = QStringLiteral("127.0.0.1");
    int masterPort = 29500;
    int timeoutSeconds = 120;
};

struct TrainRequest {
    TrainConfig config;
    QString workspaceRoot;  // for the manifest (git state); may be empty
    QString databasePath;   // empty: no tracking
    QString workRoot;       // <workspace>/.orrery/tmp/train: files before they are logged
    QString cacheRoot;      // <workspace>/.orrery/cache: where artifacts are stored
    QString outputDir;      // without tracking: where checkpoints and the export go
    QString resumeRunId;    // continue this run from its latest checkpoint
    QString parentRunId;    // tagged mlflow.parentRunId: the pipeline stage's run this training ran under
    QString resumeFrom;     // or from this checkpoint file
    // A job on another node (exec::kJobDirVariable): the run is journaled into this folder
    // (core/tracking/run_journal.h) instead of the database, which is never opened; the submitting
    // process imports it. Resuming, the checkpoint comes as resumeFrom (ORRERY_RESUME_CHECKPOINT).
    QString jobDir;
    DistributedConfig distributed;
    // Tags the run gets when it starts (rank 0): where it ran, e.g. the Slurm job and its nodes.
    QVector<std::pair<QString, QString>> tags;
    const common::Clock *clock = nullptr; // stamps the run and its metrics; the system clock when null
    // Called on the training thread after every optimiser step (live charts, tests).
    std::function<void(qint64 step, double loss)> onStep;
    // Called on the training thread after each epoch's validation (rank 0) with the epoch (from 1)
    // and its validation metrics as logged (val_loss, val_roc_auc, …). False stops the training
    // there: a sweep's pruner decided the trial is not worth finishing (TrainOutcome::pruned).
    std::function<bool(int epoch, const QMap<QString, double> &validation)> onEpoch;
};

struct TrainOutcome {
    QString runId;            // empty without tracking
    QString modelPath;        // the TorchScript export (rank 0): with tracking, its verified cache object
    QString modelArtifact;    // with tracking: mlflow-artifacts:/<experiment>/<run>/artifacts/model/model.pt
    QString signaturePath;
    QString modelMd5;
    qint64 steps = 0;
    int epochs = 0;
    bool stoppedEarly = false;
    bool pruned = false;      // onEpoch said stop (after `epochs` epochs)
    int bestEpoch = 0;
    double finalTrainLoss = 0.0;
    Evaluation validation;
    Evaluation test;
    QJsonObject toJson() const;
};

struct PreparedTraining;
struct PreparedDeleter {
    void operator()(PreparedTraining *p) const;
};
using PreparedTrainingPtr = std::unique_ptr<PreparedTraining, PreparedDeleter>;

Result<PreparedTrainingPtr> prepareTraining(const TrainRequest &request);
Result<TrainOutcome> runTraining(PreparedTraining &prepared, common::JobContext *job);

// prepare then run, on the calling thread.
Result<TrainOutcome> train(const TrainRequest &request, common::JobContext *job = nullptr);

} // namespace orrery::train
