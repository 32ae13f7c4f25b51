#pragma once
// PipelineModel: the id-based graph of docs/architecture.md ("Conventions") — stages are nodes (NodeId), the files between
// them edges (EdgeId) — over plain QtCore, so it runs with no scene (the CLI, tests) and the
// editor's scene mirrors it through the signals (a NodeId → item map; items own no state).
//
// Every mutator validates first and changes nothing on failure, returning a typed error through
// ErrorCode: AlreadyExists (a duplicate stage name, or an out another stage writes),
// FailedPrecondition (the edit would make a cycle; the message names it), NotFound (no such
// node), InvalidArgument (an empty name or cmd). Edges are not edited directly: they follow from
// deps and outs, as in dvc.yaml, and are recomputed after each edit (edgeAdded / edgeRemoved for
// the difference).
//
// Positions are editor data (.orrery/layout.json, see layout.h); the model carries them so that
// undo of a move and a save see one state.
//
// Threads: a PipelineModel lives in one thread (the GUI's); it does no I/O.

#include "core/common/status.h"
#include "core/pipeline/stage.h"

#include <QHash>
#include <QObject>
#include <QPointF>
#include <QVector>

namespace orrery::pipeline {

using NodeId = quint64; // never reused within a model
using EdgeId = quint64;

struct Edge {
    EdgeId id = 0;
    NodeId from = 0; // writes `path`
    NodeId to = 0;   // reads it
    QString path;
};

class PipelineModel : public QObject {
    Q_OBJECT
public:
    explicit PipelineModel(QObject *parent = nullptr);

    // Replaces everything (a freshly read dvc.yaml); no per-node signals, one modelReset.
    Status reset(const QVector<Stage> &stages);

    Result<NodeId> addStage(const Stage &stage, QPointF position = {});
    Status updateStage(NodeId id, const Stage &stage);
    Status removeStage(NodeId id);
    Status setPosition(NodeId id, QPointF position);

    QVector<NodeId> nodes() const { return m_order; }
    bool contains(NodeId id) const { return m_stages.contains(id); }
    const Stage *stage(NodeId id) const;
    NodeId nodeByName(const QString &name) const; // 0 when none
    QPointF position(NodeId id) const { return m_positions.value(id); }
    const QVector<Edge> &edges() const { return m_edges; }
    QVector<Stage> stages() const; // in node order

Q_SIGNALS:
    void nodeAdded(orrery::pipeline::NodeId id);
    void nodeRemoved(orrery::pipeline::NodeId id);
    void nodeUpdated(orrery::pipeline::NodeId id);
    void nodeMoved(orrery::pipeline::NodeId id, QPointF position);
    void edgeAdded(orrery::pipeline::EdgeId id);
    void edgeRemoved(orrery::pipeline::EdgeId id);
    void modelReset();

private:
    // Checks the stages as they would be after an edit (names, outs, cycles).
    Status validate(const QVector<Stage> &stages) const;
    void rebuildEdges(bool emitSignals);

    QHash<NodeId, Stage> m_stages;
    QHash<NodeId, QPointF> m_positions;
    QVector<NodeId> m_order;
    QVector<Edge> m_edges;
    NodeId m_nextNode = 1;
    EdgeId m_nextEdge = 1;
};

} // namespace orrery::pipeline
