#include "ui/pipeline/pipeline_view.h"

#include "ui/pipeline/pipeline_edge_item.h"
#include "ui/pipeline/pipeline_scene.h"
#include "ui/pipeline/stage_node_item.h"

#include <QGraphicsPathItem>
#include <QMimeData>
#include <QMouseEvent>
#include <QScrollBar>

#include <algorithm>
#include <cmath>

namespace orrery::ui {

using pipeline::NodeId;

const char *const PipelineView::kStageMime = "application/x-orrery-stage-type";

PipelineView::PipelineView(PipelineScene *scene, QWidget *parent) : QGraphicsView(scene, parent), m_scene(scene)
{
    setObjectName(QStringLiteral("pipelineView"));
    setRenderHint(QPainter::Antialiasing);
    setDragMode(QGraphicsView::RubberBandDrag);
    setRubberBandSelectionMode(Qt::IntersectsItemShape);
    setTransformationAnchor(QGraphicsView::NoAnchor);
    setViewportUpdateMode(QGraphicsView::SmartViewportUpdate);
    setOptimizationFlags(QGraphicsView::DontSavePainterState);
    setAcceptDrops(true);
    setSceneRect(-20000, -20000, 40000, 40000);
    setFocusPolicy(Qt::StrongFocus);
}

double PipelineView::zoom() const
{
    return transform().m11();
}

void PipelineView::zoomBy(double factor, QPointF viewAnchor)
{
    const double z = zoom() * factor;
    if (z < 0.05 || z > 4.0)
        return;
    m_autoFit = false; // the user chose a zoom: a resize keeps it
    const QPointF before = mapToScene(viewAnchor.toPoint());
    scale(factor, factor);
    const QPointF after = mapToScene(viewAnchor.toPoint());
    const QPointF d = (after - before) * zoom();
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() - int(d.x()));
    verticalScrollBar()->setValue(verticalScrollBar()->value() - int(d.y()));
    Q_EMIT zoomChanged(zoom());
}

QRectF PipelineView::cardsRect() const
{
    QRectF r;
    for (QGraphicsItem *i : m_scene->items())
        if (i->type() == StageNodeItem::Type)
            r |= i->sceneBoundingRect();
    return r;
}

double PipelineView::fitZoom() const
{
    QRectF r = cardsRect();
    if (r.isEmpty())
        r = QRectF(0, 0, 400, 300);
    r.adjust(-30, -30, 30, 30);
    const QSize v = viewport()->size();
    return std::min(v.width() / r.width(), v.height() / r.height());
}

void PipelineView::fitAll()
{
    // Not fitInView(): it leaves a margin of its own and cannot zoom past a limit. The zoom is
    // the largest at which every card fits, capped at kMaxFitZoom so that two cards do not fill
    // a screen; below kMinReadableZoom only when the pipeline cannot fit otherwise.
    QRectF r = cardsRect();
    if (r.isEmpty())
        r = QRectF(0, 0, 400, 300);
    const double z = std::clamp(fitZoom(), 0.05, kMaxFitZoom);
    setTransform(QTransform::fromScale(z, z));
    centerOn(r.center());
    Q_EMIT zoomChanged(zoom());
}

void PipelineView::requestAutoFit()
{
    m_autoFit = true;
    maybeAutoFit();
}

void PipelineView::maybeAutoFit()
{
    // A view never shown has a default 100x30 viewport: fitting to it is what left the canvas empty.
    if (!m_autoFit || !isVisible() || viewport()->width() < 50 || viewport()->height() < 50)
        return;
    Q_EMIT autoFitRequested();
    fitAll();
}

void PipelineView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    maybeAutoFit();
}

void PipelineView::showEvent(QShowEvent *event)
{
    QGraphicsView::showEvent(event);
    maybeAutoFit();
}

StageNodeItem *PipelineView::nodeAt(QPointF scenePos) const
{
    for (QGraphicsItem *i : m_scene->items(scenePos, Qt::IntersectsItemBoundingRect, Qt::DescendingOrder))
        if (i->type() == StageNodeItem::Type)
            return static_cast<StageNodeItem *>(i);
    return nullptr;
}

void PipelineView::mousePressEvent(QMouseEvent *event)
{
    const QPointF sp = mapToScene(event->position().toPoint());
    if (event->button() == Qt::MiddleButton || (event->button() == Qt::LeftButton && m_spaceDown)) {
        m_panning = true;
        m_autoFit = false;
        m_panLast = event->position().toPoint();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    if (event->button() == Qt::LeftButton) {
        if (StageNodeItem *node = nodeAt(sp)) {
            const auto [input, index] = node->portAt(sp);
            if (index >= 0) {
                m_wireNode = node;
                m_wireFromInput = input;
                m_wirePort = index;
                m_wire = new QGraphicsPathItem;
                m_wire->setPen(QPen(QColor(0xff, 0xc1, 0x07), 2, Qt::DashLine));
                m_wire->setZValue(5);
                m_scene->addItem(m_wire);
                event->accept();
                return;
            }
        }
    }
    QGraphicsView::mousePressEvent(event);
    m_pressPositions.clear();
    if (event->button() == Qt::LeftButton)
        for (NodeId id : m_scene->selectedNodes())
            m_pressPositions.insert(id, m_scene->nodeItem(id)->pos());
}

void PipelineView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_panning) {
        const QPoint d = event->position().toPoint() - m_panLast;
        m_panLast = event->position().toPoint();
        horizontalScrollBar()->setValue(horizontalScrollBar()->value() - d.x());
        verticalScrollBar()->setValue(verticalScrollBar()->value() - d.y());
        event->accept();
        return;
    }
    if (m_wire) {
        const QPointF start = m_wireNode->mapToScene(m_wireFromInput ? m_wireNode->inPortPos(m_wirePort) : m_wireNode->outPortPos(m_wirePort));
        const QPointF end = mapToScene(event->position().toPoint());
        m_wire->setPath(m_wireFromInput ? PipelineEdgeItem::curve(end, start) : PipelineEdgeItem::curve(start, end));
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void PipelineView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_panning) {
        m_panning = false;
        viewport()->unsetCursor();
        event->accept();
        return;
    }
    if (m_wire) {
        finishConnection(mapToScene(event->position().toPoint()));
        delete m_wire;
        m_wire = nullptr;
        m_wireNode = nullptr;
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton || m_pressPositions.isEmpty())
        return;
    QHash<NodeId, std::pair<QPointF, QPointF>> moves;
    for (auto it = m_pressPositions.cbegin(); it != m_pressPositions.cend(); ++it)
        if (StageNodeItem *item = m_scene->nodeItem(it.key()))
            if (item->pos() != it.value())
                moves.insert(it.key(), {it.value(), item->pos()});
    m_pressPositions.clear();
    if (!moves.isEmpty())
        Q_EMIT nodesMoved(moves);
}

void PipelineView::finishConnection(QPointF scenePos)
{
    StageNodeItem *target = nodeAt(scenePos);
    if (!target)
        return; // dropped on the empty canvas: nothing asked
    const auto [input, index] = target->portAt(scenePos);
    const NodeView &src = m_wireNode->view();
    const NodeView &dst = target->view();
    if (index >= 0 && input == m_wireFromInput) {
        Q_EMIT connectRefused(m_wireFromInput ? tr("Refused: both ends are inputs — connect an output (right side) to an input (left side).")
                                              : tr("Refused: both ends are outputs — connect an output (right side) to an input (left side)."));
        return;
    }
    if (!m_wireFromInput) {
        const QString path = src.outputs.value(m_wirePort).path;
        const QString key = index >= 0 ? dst.inputs.value(index).key : QStringLiteral("add");
        Q_EMIT connectRequested(m_wireNode->nodeId(), path, target->nodeId(), key);
    } else {
        if (index < 0) {
            Q_EMIT connectRefused(tr("Refused: drop the link on one of %1's outputs (right side).").arg(dst.title));
            return;
        }
        Q_EMIT connectRequested(target->nodeId(), dst.outputs.value(index).path, m_wireNode->nodeId(), src.inputs.value(m_wirePort).key);
    }
}

void PipelineView::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0)
        return;
    zoomBy(std::pow(1.15, steps), event->position());
    event->accept();
}

void PipelineView::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceDown = true;
        setDragMode(QGraphicsView::NoDrag);
        viewport()->setCursor(Qt::OpenHandCursor);
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void PipelineView::keyReleaseEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && !event->isAutoRepeat()) {
        m_spaceDown = false;
        setDragMode(QGraphicsView::RubberBandDrag);
        viewport()->unsetCursor();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

void PipelineView::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasFormat(QLatin1String(kStageMime)))
        event->acceptProposedAction();
    else
        event->ignore();
}

void PipelineView::dragMoveEvent(QDragMoveEvent *event)
{
    if (event->mimeData()->hasFormat(QLatin1String(kStageMime)))
        event->acceptProposedAction();
    else
        event->ignore();
}

void PipelineView::dropEvent(QDropEvent *event)
{
    if (!event->mimeData()->hasFormat(QLatin1String(kStageMime))) {
        event->ignore();
        return;
    }
    const QString type = QString::fromUtf8(event->mimeData()->data(QLatin1String(kStageMime)));
    Q_EMIT stageDropped(type, mapToScene(event->position().toPoint()));
    event->acceptProposedAction();
}

} // namespace orrery::ui
