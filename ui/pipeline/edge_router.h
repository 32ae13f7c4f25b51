#pragma once
// routeEdge: the path of one link on the canvas, from a writer's out port (on its card's right
// side) to a reader's in port (on its card's left side), around every other card.
//
// A reader to the right gets the usual S-curve when that curve keeps clear of the other cards.
// Otherwise — the reader is to the left (the first card of the next band, when the editor folds a
// long chain into bands), or a card stands in the curve's way — the link runs in the gaps: right
// out of the port into the lane beside the writer, along the free channel between the rows, down
// (or up) the lane left of the reader and into its port, with rounded corners. Lanes and channels
// are chosen in the middle of the free space, so a link neither crosses a card nor runs along its
// edge. A plain S-curve from the end of one band to the start of the next swung out past the
// writer's side and back across both bands.

#include <QPainterPath>
#include <QPointF>
#include <QRectF>
#include <QVector>

namespace orrery::ui {

// from/to: the port centres; source/target: the two cards' rectangles (scene coordinates, without
// the ports); others: every other card's rectangle. outPort/inPort: the ports' indexes on their
// cards, which set a routed link a few pixels apart from the others in the same lane or channel
// (links into two ports of one card would otherwise be drawn as one line).
QPainterPath routeEdge(QPointF from, QPointF to, const QRectF &source, const QRectF &target, const QVector<QRectF> &others,
                       int outPort = 0, int inPort = 0);

// Whether `path`, drawn `width` wide, touches `rect`. QPainterPath::intersects alone also counts
// the area an open path encloses with its closing chord, which a link does not cover.
bool pathTouches(const QPainterPath &path, const QRectF &rect, qreal width = 2);

} // namespace orrery::ui
