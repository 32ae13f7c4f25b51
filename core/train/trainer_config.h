#pragma once
// TrainConfig: what one training run is — the task, the data, the model, the optimiser and the
// loop — as read from a YAML file (`orrery-cli train CONFIG.yaml`) or filled in by a caller (the
// pipeline's train stage). Torch-free: the pipeline, the GUI and orrery-cli include this header
// without paying for LibTorch.
//
// The YAML form (every key optional unless marked; unknown keys are errors, so a typo never
// silently trains with a default):
//
//   task: classification            # required: classification | regression | forecast | image
//   data:
//     path: data/transactions.csv   # relative to the config file's folder
//     label: is_fraud               # required for classification/regression; forecast: the series
//     features: [amount, channel]   # default: every column but label, drop and time
//     categorical: [channel]        # columns to encode as categories (text columns are anyway)
//     drop: [customer_id]
//     missing: mean                 # numeric gaps: mean | zero | error
//     unseen: other                 # a category the data never had, in serving: other | error
//     validation_fraction: 0.2
//     test_fraction: 0.0
//     slice: channel                # evaluation per value of this column
//     time: timestamp               # forecast: order rows by this column (default: file order)
//     builtin: digits               # image: digits (sklearn's, when installed) | generated
//   model:
//     hidden: [64, 32]              # [] is logistic / linear regression
//     activation: relu              # relu | tanh | gelu | sigmoid | leaky_relu
//     dropout: 0.1
//     batch_norm: true
//     categorical_encoding: one_hot # one_hot | embedding
//     embedding_dim: 4
//     cell: gru                     # forecast: gru | lstm
//     recurrent_hidden: 32
//     recurrent_layers: 1
//     lags: 24
//     horizon: 1
//     channels: [16, 32]            # image: conv channels
//   optimizer:
//     name: adam                    # sgd | adam | adamw
//     lr: 0.001
//     weight_decay: 0.0
//     momentum: 0.0                 # sgd
//     schedule: constant            # constant | step | cosine | exponential
//     step_size: 10                 # step schedule: epochs per decay
//     gamma: 0.5                    # step / exponential decay factor (per epoch)
//     warmup_steps: 0
//     clip_norm: 0.0                # > 0: clip the global gradient norm
//   training:
//     epochs: 10
//     batch_size: 256               # per process in data-parallel runs
//     seed: 0
//     threads: 1
//     class_weights: none           # none | balanced | [w0, w1, …]
//     checkpoint_every: 0           # steps; 0: no checkpoints
//     log_every: step               # step | epoch
//     early_stopping: {metric: val_loss, patience: 3}   # mode from the metric (loss/errors: min)
//   tracking:
//     experiment: Default
//     run_name: fraud-mlp

#include "core/common/status.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <utility>

namespace orrery::train {

enum class Task { Classification, Regression, Forecast, Image };
enum class Activation { Relu, Tanh, Gelu, Sigmoid, LeakyRelu };
enum class Encoding { OneHot, Embedding };
enum class MissingPolicy { Mean, Zero, Error };
// What the exported model does with a categorical value outside its vocabulary. Other (the
// default): the value gets the column's "other" code (an all-zero one-hot block, or the extra
// embedding row) and the row is answered. Error: the model raises, naming the column and the
// value, like scikit-learn's OneHotEncoder(handle_unknown='error') — so a server answers that
// request with an error instead of a prediction.
enum class UnseenPolicy { Other, Error };
enum class Cell { Gru, Lstm };
enum class OptimizerKind { Sgd, Adam, AdamW };
enum class Schedule { Constant, Step, Cosine, Exponential };
enum class LogEvery { Step, Epoch };

const char *taskName(Task t);
const char *activationName(Activation a);
const char *unseenPolicyName(UnseenPolicy p); // "other" | "error"

struct DataConfig {
    QString path;          // absolute once loaded from a file
    QString label;
    QStringList features;
    QStringList categorical;
    QStringList drop;
    MissingPolicy missing = MissingPolicy::Mean;
    UnseenPolicy unseen = UnseenPolicy::Other;
    double validationFraction = 0.2;
    double testFraction = 0.0;
    QString slice;
    QString time;
    QString builtin;       // image: "digits" or "generated"
};

struct ModelConfig {
    QVector<int> hidden = {64};
    Activation activation = Activation::Relu;
    double dropout = 0.0;
    bool batchNorm = false;
    Encoding encoding = Encoding::OneHot;
    int embeddingDim = 4;
    Cell cell = Cell::Gru;
    int recurrentHidden = 32;
    int recurrentLayers = 1;
    int lags = 24;
    int horizon = 1;
    QVector<int> channels = {16, 32};
};

struct OptimizerConfig {
    OptimizerKind kind = OptimizerKind::Adam;
    double lr = 1e-3;
    double weightDecay = 0.0;
    double momentum = 0.0;
    Schedule schedule = Schedule::Constant;
    int stepSize = 10;
    double gamma = 0.5;
    int warmupSteps = 0;
    double clipNorm = 0.0;
};

struct LoopConfig {
    int epochs = 10;
    int batchSize = 256;
    quint64 seed = 0;
    int threads = 1;
    QString classWeights = QStringLiteral("none"); // none | balanced | explicit
    QVector<double> explicitClassWeights;
    qint64 checkpointEvery = 0;
    LogEvery logEvery = LogEvery::Step;
    QString earlyStopMetric;  // empty: no early stopping
    int patience = 3;
    qint64 maxSteps = 0;      // > 0: stop after this many steps (tests, smoke runs)
};

struct TrackingConfig {
    QString experiment = QStringLiteral("Default");
    QString runName;
};

struct TrainConfig {
    Task task = Task::Classification;
    DataConfig data;
    ModelConfig model;
    OptimizerConfig optimizer;
    LoopConfig loop;
    TrackingConfig tracking;
    QString sourceName; // the file it came from, for messages
};

// Reads and validates a YAML config; relative data paths are resolved against its folder.
Result<TrainConfig> loadTrainConfig(const QString &path);
Result<TrainConfig> parseTrainConfig(const QByteArray &yaml, const QString &name, const QString &baseDir);

// The limits of sense: lr > 0, batch size ≥ 1, at most kMaxLayers hidden layers of at most
// kMaxWidth units, fractions in [0, 1), …  Each error names the key and says what is allowed.
Status validateTrainConfig(const TrainConfig &config);
constexpr int kMaxLayers = 64;
constexpr int kMaxWidth = 65536;

// Flat key → value pairs for the tracking run's params ("model.hidden" → "64,32").
QVector<std::pair<QString, QString>> configParams(const TrainConfig &config);
// Whether an early-stopping metric is better when smaller (losses and errors).
bool metricIsMinimised(const QString &metric);

} // namespace orrery::train
