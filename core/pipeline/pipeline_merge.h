#pragma once
// Three-way merge of dvc.yaml and params.yaml, so two people's edits of one pipeline combine:
// dvc.yaml per stage (each stage is one unit: both sides editing one stage differently is a
// conflict; editing different stages is not), the other top-level keys whole; params.yaml per
// param (nested maps down to their leaves, lists whole). For each unit: equal on both sides →
// that; changed on one side only → the changed side (a deletion counts); changed differently on
// both → a conflict, listed with the base, our and their values.
//
// Nothing is decided silently: the caller writes the merged documents only when no conflict is
// left — resolved by choosing a side per key, or for all.
//
// Comments and flow style of the merged files are not kept (the writers emit block style).

#include "core/common/status.h"
#include "core/pipeline/param_value.h"

#include <QHash>
#include <QString>
#include <QVector>

#include <optional>

namespace orrery::pipeline {

enum class MergeKind { Pipeline, Params };

struct MergeConflict {
    QString key; // "stages.train" (dvc.yaml), "train.lr" (params.yaml)
    std::optional<ParamValue> base, ours, theirs; // nullopt: absent on that side
};

struct DocumentMerge {
    std::optional<ParamValue> merged; // nullopt: the file is deleted
    QVector<MergeConflict> conflicts;
    QStringList fromTheirs; // keys taken from their side
};

enum class Side { Ours, Theirs };

// A side's document (nullopt when the file does not exist there). `resolutions` chooses a side
// for conflicting keys; `all` (when set) for every conflict not named there.
DocumentMerge mergeDocuments(MergeKind kind, const std::optional<ParamValue> &base, const std::optional<ParamValue> &ours,
                             const std::optional<ParamValue> &theirs, const QHash<QString, Side> &resolutions = {},
                             std::optional<Side> all = std::nullopt);

// A value for a person: one line for scalars, compact flow text for maps and lists; "(absent)".
QString describeValue(const std::optional<ParamValue> &value);

} // namespace orrery::pipeline
