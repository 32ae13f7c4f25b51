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

    void fitAll();
    void zoomBy(double factor, QPointF viewAnchor);
    double zoom() const;

Q_SIGNALS:
    void stageDropped(const QString &typeName, QPointF scenePos);
    void connectRequested(orrery::pipeline::NodeId from, const QString &outPath, orrery::pipeline::NodeId to, const QString &inKey);
    void connectRefused(const QString &reason);
    // name-independent: node → (from, to)
    void nodesMoved(const QHash<orrery::pipeline::NodeId, std::pair<QPointF, QPointF>> &moves);
    void zoomChanged(double zoom);

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

private:
    StageNodeItem *nodeAt(QPointF scenePos) const;
    void finishConnection(QPointF scenePos);

    PipelineScene *m_scene;
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
