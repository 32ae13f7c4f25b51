#pragma once
// PipelineScene: the canvas's QGraphicsScene, a mirror of the document's PipelineModel. It keeps
// NodeId → StageNodeItem and EdgeId → PipelineEdgeItem maps and follows the model's signals
// (nodeAdded/Removed/Updated/Moved, edgeAdded/Removed, modelReset); it never changes the model.
// Run states (queued, running, …) are display data the editor hands in by stage name.

#include "core/pipeline/pipeline_model.h"
#include "ui/pipeline/stage_node_item.h"

#include <QGraphicsScene>
#include <QHash>

namespace orrery::ui {

class PipelineDocument;
class PipelineEdgeItem;

struct NodeRunView {
    NodeRunState state = NodeRunState::Idle;
    QString stateText;
    int checkResult = 0;
    QString checkText;
    int phase = 0;
    int percent = -1; // what a running stage printed about its progress; -1: it printed nothing
};

class PipelineScene : public QGraphicsScene {
    Q_OBJECT
public:
    explicit PipelineScene(PipelineDocument *doc, QObject *parent = nullptr);
    ~PipelineScene() override;

    StageNodeItem *nodeItem(pipeline::NodeId id) const { return m_nodes.value(id); }
    PipelineEdgeItem *edgeItem(pipeline::EdgeId id) const { return m_edges.value(id); }
    int nodeCount() const { return int(m_nodes.size()); }
    int edgeCount() const { return int(m_edges.size()); }
    QList<pipeline::NodeId> selectedNodes() const;
    void selectNodes(const QList<pipeline::NodeId> &ids);

    void setRunView(const QString &stageName, const NodeRunView &view);
    NodeRunView runView(const QString &stageName) const { return m_run.value(stageName); }
    void clearRunViews();
    // What a card says when this window has not run its stage (stage_status_probe.h): state and text.
    void setDiskStatuses(const QHash<QString, std::pair<NodeRunState, QString>> &statuses);
    // Where each stage runs when not here (executors.yaml), shown beside its type: stage → "slurm · 2 CPUs".
    void setPlacements(const QHash<QString, QString> &placements);

    // Called by an item while the user drags it: its edges follow at once; every other edge is
    // routed again once the event loop is back (a card moved into a link's way).
    void nodeItemMoved(StageNodeItem *item);

private:
    void rebuild();
    void addNode(pipeline::NodeId id);
    void removeNode(pipeline::NodeId id);
    void refreshNode(pipeline::NodeId id);
    void addEdge(pipeline::EdgeId id);
    void removeEdge(pipeline::EdgeId id);
    void placeEdge(pipeline::EdgeId id);
    void placeAllEdgesLater();
    NodeView viewFor(pipeline::NodeId id) const;

    PipelineDocument *m_doc;
    QHash<pipeline::NodeId, StageNodeItem *> m_nodes;
    QHash<pipeline::EdgeId, PipelineEdgeItem *> m_edges;
    QHash<pipeline::EdgeId, pipeline::Edge> m_edgeData; // the model drops an edge before it says so
    QMultiHash<pipeline::NodeId, pipeline::EdgeId> m_nodeEdges;
    QHash<QString, NodeRunView> m_run;
    QHash<QString, std::pair<NodeRunState, QString>> m_disk;
    QHash<QString, QString> m_placements;
    bool m_following = false; // placing items from the model, not from a user's drag
    bool m_placePending = false;
};

} // namespace orrery::ui
