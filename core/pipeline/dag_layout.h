#pragma once
// DagLayout: a layered (Sugiyama-style) layout of the pipeline graph for the editor's "Lay out"
// command — model logic, no widgets. Layers are longest-path depths from the sources (columns,
// left to right, as data flows); within a layer nodes are ordered by the barycentre of their
// neighbours in the previous layer, a few sweeps down and up, which removes most crossings of a
// typical pipeline; rows are spaced by each node's height so cards never overlap.
//
// It returns positions and changes nothing: the editor applies them as one undoable command.

#include "core/pipeline/pipeline_model.h"

#include <QHash>
#include <QPointF>

#include <functional>

namespace orrery::pipeline {

struct DagLayoutOptions {
    double columnWidth = 300;  // from one layer's left edge to the next one's
    double rowGap = 30;        // between cards in a layer
    std::function<double(NodeId)> height = [](NodeId) { return 120.0; };
};

QHash<NodeId, QPointF> layeredLayout(const PipelineModel &model, const DagLayoutOptions &options = {});

} // namespace orrery::pipeline
