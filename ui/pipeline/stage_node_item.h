#pragma once
// StageNodeItem: one stage on the pipeline canvas — a card with the stage's name and type, its
// typed in ports (left) and out ports (right), and its run state (queued, running with elapsed
// time and a moving bar — or a filled one when the stage prints its progress —, cached, done, failed) and check result (a data test or gate: pass or
// fail and why). It draws a NodeView handed to it by the scene and owns no pipeline state: the
// model's NodeId is all it knows of the stage. Moving it is the user's gesture; the view turns the
// finished drag into an undo command on the model.

#include "core/pipeline/pipeline_model.h"
#include "ui/pipeline/stage_ports.h"

#include <QGraphicsItem>

namespace orrery::ui {

enum class NodeRunState { Idle, Queued, Running, Cached, Done, Failed, CheckFailed, NotRun };

struct NodeView {
    QString title;
    QString typeName; // "split", "command"
    QVector<Port> inputs, outputs;
    NodeRunState state = NodeRunState::Idle;
    QString stateText;  // "running 3.2 s", "done in 1.4 s", "failed: …"
    int checkResult = 0; // 0 none, 1 passed, -1 failed
    QString checkText;   // why
    int phase = 0;       // the running bar's position, advanced by the editor's timer
    int percent = -1;    // 0–100 when the running stage reports its progress: a filled bar, not a moving one
};

class StageNodeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 701 };
    static constexpr qreal kWidth = 230;

    explicit StageNodeItem(pipeline::NodeId id);
    int type() const override { return Type; }
    pipeline::NodeId nodeId() const { return m_id; }

    void setView(const NodeView &view);
    const NodeView &view() const { return m_view; }

    QRectF boundingRect() const override;
    // The card itself, without the ports that stick out of its sides (item coordinates).
    QRectF cardRect() const { return QRectF(0, 0, kWidth, height()); }
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    // Port centres in item coordinates; the port under a scene point (within a few pixels).
    QPointF inPortPos(int index) const;
    QPointF outPortPos(int index) const;
    int inPortIndex(const QString &key) const;
    int outPortIndex(const QString &path) const;
    // {input?, index} or index -1 when no port is there.
    std::pair<bool, int> portAt(QPointF scenePos) const;

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant &value) override;

private:
    qreal height() const;
    pipeline::NodeId m_id;
    NodeView m_view;
};

} // namespace orrery::ui
