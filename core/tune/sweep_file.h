#pragma once
// A sweep file: what to tune, over which parameters, how, and how much.
//
//   name: fraud-mlp                     # optional: the file's name without .yaml
//   train: train.yaml                   # a training config (orrery-cli train) — or
//   # stage: train                      # a stage of dvc.yaml, its params in params.yaml
//   metric: val_average_precision       # the objective: a validation metric the trainer logs
//   direction: maximize                 # or minimize (default: maximize, minimize for *loss*)
//   trials: 30                          # how many trials (a grid: at most its size)
//   parallel: 2                         # trials at once
//   trial_timeout: 10m                  # a trial running longer is stopped and failed
//   sampler: {type: tpe, seed: 1, startup_trials: 10, candidates: 24, multivariate: true}
//   pruner: {type: asha, min_resource: 1, reduction_factor: 3}
//   placement: {executor: slurm, cpus: 2, memory: 4G, partition: debug}   # where trials run
//                                       # (executors.yaml's keys; default: here). On Slurm a grid
//                                       # or random sweep is one job array, an adaptive one a job per trial
//   enqueue:                            # known configurations, tried first
//     - {optimizer.lr: 0.003, model.hidden: [32, 16]}
//   params:
//     optimizer.lr: {type: float, low: 1.0e-4, high: 0.1, log: true}
//     model.hidden: {type: categorical, choices: [[32, 16], [64, 32]]}
//     model.dropout: {type: float, low: 0.0, high: 0.5, step: 0.05}
//     optimizer.name: {type: categorical, choices: [adam, sgd]}
//     optimizer.momentum: {type: float, low: 0.5, high: 0.99, when: {optimizer.name: sgd}}
//
// Every problem is reported at once, each as FILE:LINE:COLUMN with the fix (core/common/yaml_check.h);
// the search space's own rules (search_space.h) are reported at the parameter they concern.
//
// Threads: free functions.

#include "core/common/status.h"
#include "core/exec/placement.h"
#include "core/tune/pruner.h"
#include "core/tune/sampler.h"
#include "core/tune/search_space.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

namespace orrery::tune {

struct SweepSpec {
    QString name;
    QString file;          // the sweep file, absolute
    QString trainConfig;   // absolute; or
    QString stage;         // a dvc.yaml stage
    QString metric;
    Direction direction = Direction::Maximize;
    int trials = 20;
    int parallel = 1;
    qint64 trialTimeoutMs = 0; // 0: none
    SearchSpace space;
    SamplerSpec sampler;
    PrunerSpec pruner;
    QVector<QJsonObject> enqueue;
    exec::Placement placement; // where each trial runs, with what

    // What the database keeps (sweeps.spec), so a resumed sweep runs what it started with.
    QJsonObject toJson() const;
    static Result<SweepSpec> fromJson(const QJsonObject &json);
};

QString directionName(Direction direction);

// Reads and checks a sweep file; relative paths are taken from the file's folder.
Result<SweepSpec> loadSweepFile(const QString &path);
Result<SweepSpec> parseSweepFile(const QByteArray &yaml, const QString &path);

} // namespace orrery::tune
