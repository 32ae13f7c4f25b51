#pragma once
// StagePorts: the typed ports of a stage node, derived from the stage (no state of their own).
//
// Outputs are the stage's outs, metrics and plots. Inputs are, for a built-in stage, its type's
// input parameters (--input, --model, …) and any other deps; for a command stage its deps; and
// always a "+" port that adds a dep. A port's type comes from what flows through it: a table
// (.csv/.tsv/.parquet), a model (models/…, .pt/.onnx/.pkl, a --model option), a report or
// metrics (.json), a schema/params file (.yaml) — or "file", which fits anything.
//
// Connecting out port P of stage A to in port Q of stage B means: B gets P's path as a dep (as in
// dvc.yaml; edges follow from deps and outs), and for a parameter port also as the option's
// value. connect() returns B as it would be after, or the reason the link is refused.

#include "core/common/status.h"
#include "core/pipeline/pipeline_model.h"
#include "core/pipeline/stage_type.h"

#include <QString>
#include <QVector>

namespace orrery::ui {

struct Port {
    QString key;   // "param:model", "dep:data/x.csv", "add", or for outputs the path
    QString label; // what the node shows
    QString path;  // the file it carries; empty for an unset parameter or "add"
    QString type;  // table, model, json, yaml, file
    bool input = true;
};

class StagePorts {
public:
    static QVector<Port> inputs(const pipeline::Stage &stage, const pipeline::StageType *type);
    static QVector<Port> outputs(const pipeline::Stage &stage, const pipeline::StageType *type);
    static QString typeOfPath(const QString &path);
    static QString typeOfParam(const QString &paramName);
    static bool compatible(const QString &outType, const QString &inType);

    // `target` after reading `outPath` through its in port `inKey`, checked against the whole
    // model (cycles, types, a stage reading itself); the reason in words when refused.
    static Result<pipeline::Stage> connect(const pipeline::PipelineModel &model, pipeline::NodeId from, const QString &outPath,
                                           pipeline::NodeId to, const QString &inKey, const pipeline::StageType *targetType);
};

} // namespace orrery::ui
