#pragma once
// PipelineView: the canvas's QGraphicsView — the user's gestures, turned into requests the editor
// makes into undo commands: drop a stage type from the palette, drag from a port to a port,
// finish moving nodes. Zoom with the wheel (around the cursor), pan with the middle button or
// Space+drag, rubber-band selection on the empty canvas, fit to view.
//
// A connection may start at either end (out port or in port); dropping on a node's body rather
// than a port reads the file through the node's "+ dep" port.

#include "core/pipeline/pipeline_model.h"

#include <QGraphicsView>
#include <QHash>

class QGraphicsPathItem;

namespace orrery::ui {

class PipelineScene;
class StageNodeItem;

class PipelineView : public QGraphicsView {
    Q_OBJECT
public:
    static const char *const kStageMime; // "application/x-orrery-stage-type": the type's name

    explicit PipelineView(PipelineScene *scene, QWidget *parent = nullptr);
    PipelineScene *pipelineScene() const { return m_scene; }

    // Readable zooms: a card (230 scene px) is at least ~140 px wide at kMinReadableZoom, and
    // small pipelines are zoomed in past 1:1 only up to kMaxFitZoom.
    static constexpr double kMinReadableZoom = 0.62;
    static constexpr double kMaxFitZoom = 1.5;

    void fitAll();
    // The zoom at which every card fits the viewport (before clamping to kMaxFitZoom).
    double fitZoom() const;
    // The cards' bounding rectangle in scene coordinates (empty when there are none).
    QRectF cardsRect() const;
    void zoomBy(double factor, QPointF viewAnchor);
    double zoom() const;
    // After a pipeline opens: fit as soon as the viewport has its real size, and again on every
    // resize until the user zooms or pans (an offscreen or hidden view has no size to fit to).
    void requestAutoFit();
    bool isAutoFitPending() const { return m_autoFit; }

Q_SIGNALS:
    void stageDropped(const QString &typeName, QPointF scenePos);
    void connectRequested(orrery::pipeline::NodeId from, const QString &outPath, orrery::pipeline::NodeId to, const QString &inKey);
    void connectRefused(const QString &reason);
    // name-independent: node → (from, to)
    void nodesMoved(const QHash<orrery::pipeline::NodeId, std::pair<QPointF, QPointF>> &moves);
    void zoomChanged(double zoom);
    // The viewport got a size while auto-fit is on: the editor may re-lay out, then fits.
    void autoFitRequested();

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void keyReleaseEvent(QKeyEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    StageNodeItem *nodeAt(QPointF scenePos) const;
    void finishConnection(QPointF scenePos);

    void maybeAutoFit();

    PipelineScene *m_scene;
    bool m_autoFit = false;
    // A connection being drawn.
    QGraphicsPathItem *m_wire = nullptr;
    StageNodeItem *m_wireNode = nullptr;
    bool m_wireFromInput = false;
    int m_wirePort = -1;
    // Panning.
    bool m_panning = false;
    bool m_spaceDown = false;
    QPoint m_panLast;
    // Nodes being moved: where they were when the press began.
    QHash<pipeline::NodeId, QPointF> m_pressPositions;
};

} // namespace orrery::ui
