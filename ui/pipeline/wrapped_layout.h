#pragma once
// wrappedLayout: the layered layout folded into bands so that a long chain of stages fits a
// viewport at a readable zoom. The layered layout puts each layer in a column; a seven-stage chain
// is then seven columns wide, and fitted into a window beside the palette and the properties its
// cards are too small to read. Folding every k columns into a new band below keeps the left-to-right
// order within a band; k is chosen for the largest zoom at which the whole pipeline fits.

#include "core/pipeline/pipeline_model.h"

#include <QHash>
#include <QPointF>
#include <QSizeF>

#include <functional>

namespace orrery::ui {

struct WrappedLayout {
    QHash<pipeline::NodeId, QPointF> positions;
    double zoom = 0; // the zoom at which it fits the viewport
};

// positions: the layered layout (one column per layer, columns `columnWidth` apart);
// height: a card's height; viewport: the view's size in pixels; margin: scene units around.
WrappedLayout wrappedLayout(const QHash<pipeline::NodeId, QPointF> &positions, double columnWidth, double cardWidth,
                            const std::function<double(pipeline::NodeId)> &height, QSizeF viewport, double margin);

} // namespace orrery::ui
