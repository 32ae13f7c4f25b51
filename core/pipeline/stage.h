#pragma once
// A stage of a dvc.yaml pipeline, after `foreach`/`matrix` expansion and `${…}` interpolation: the
// command, the files it reads (deps), the params it reads, the files it writes (outs, metrics,
// plots), and DVC's flags. This is the core's plain data; PipelineModel holds these by NodeId.

#include "core/pipeline/param_value.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <utility>

namespace orrery::pipeline {

// One entry of outs/metrics/plots: a path and its options as written in dvc.yaml.
struct OutSpec {
    QString path;
    bool cache = true;    // false: not stored in the content cache (metrics usually)
    bool persist = false; // true: not removed before the stage runs
    // Other options (plots' x/y/template/title, desc, push, remote, …), kept and written back.
    std::vector<std::pair<QString, ParamValue>> options;
};

// One params reference: a key of a params file ("train.lr" in params.yaml), or a whole file (key
// empty: every param of it).
struct ParamRef {
    QString file = QStringLiteral("params.yaml");
    QString key;
};

enum class OutKind { Out, Metric, Plot };

struct Stage {
    QString name;         // "train", or "train@lr-0.1" for a generated stage
    QStringList cmd;      // one or more commands, run in order (dvc.yaml's str or list)
    QString wdir;         // relative to the dvc.yaml folder; empty = "."
    QString desc;
    QStringList deps;
    QVector<ParamRef> params;
    QVector<OutSpec> outs;
    QVector<OutSpec> metrics;
    QVector<OutSpec> plots;
    bool frozen = false;
    bool alwaysChanged = false;
    // Keys Orrery does not interpret (meta, vars, …): written back unchanged.
    std::vector<std::pair<QString, ParamValue>> extra;

    // All outputs: outs, metrics and plots with their kind.
    QVector<std::pair<OutKind, OutSpec>> allOutputs() const;
    QStringList outputPaths() const;
    // The command as one shell line (cmd entries joined with " && ").
    QString commandLine() const;
};

} // namespace orrery::pipeline
