#include "core/pipeline/pipeline_model.h"

#include "core/pipeline/pipeline_graph.h"

namespace orrery::pipeline {

PipelineModel::PipelineModel(QObject *parent) : QObject(parent) {}

Status PipelineModel::validate(const QVector<Stage> &stages) const
{
    for (const auto &s : stages) {
        if (s.name.trimmed().isEmpty())
            return invalidArgument(QStringLiteral("a stage needs a name"));
        if (s.cmd.isEmpty() || s.commandLine().trimmed().isEmpty())
            return invalidArgument(QStringLiteral("stage '%1' needs a cmd").arg(s.name));
    }
    auto g = PipelineGraph::build(stages);
    return g ? Status::ok() : g.status();
}

Status PipelineModel::reset(const QVector<Stage> &stages)
{
    ORRERY_TRY(validate(stages));
    m_stages.clear();
    m_positions.clear();
    m_order.clear();
    for (const auto &s : stages) {
        const NodeId id = m_nextNode++;
        m_stages.insert(id, s);
        m_order.append(id);
    }
    rebuildEdges(false);
    Q_EMIT modelReset();
    return Status::ok();
}

Result<NodeId> PipelineModel::addStage(const Stage &stage, QPointF position)
{
    QVector<Stage> after = stages();
    after.append(stage);
    ORRERY_TRY(validate(after));
    const NodeId id = m_nextNode++;
    m_stages.insert(id, stage);
    m_positions.insert(id, position);
    m_order.append(id);
    Q_EMIT nodeAdded(id);
    rebuildEdges(true);
    return id;
}

Status PipelineModel::updateStage(NodeId id, const Stage &stage)
{
    if (!m_stages.contains(id))
        return notFound(QStringLiteral("no stage with node id %1").arg(id));
    QVector<Stage> after;
    for (NodeId n : m_order)
        after.append(n == id ? stage : m_stages.value(n));
    ORRERY_TRY(validate(after));
    m_stages.insert(id, stage);
    Q_EMIT nodeUpdated(id);
    rebuildEdges(true);
    return Status::ok();
}

Status PipelineModel::removeStage(NodeId id)
{
    if (!m_stages.contains(id))
        return notFound(QStringLiteral("no stage with node id %1").arg(id));
    m_stages.remove(id);
    m_positions.remove(id);
    m_order.removeAll(id);
    rebuildEdges(true); // edges of the node go first, so a scene never holds a dangling edge
    Q_EMIT nodeRemoved(id);
    return Status::ok();
}

Status PipelineModel::setPosition(NodeId id, QPointF position)
{
    if (!m_stages.contains(id))
        return notFound(QStringLiteral("no stage with node id %1").arg(id));
    m_positions.insert(id, position);
    Q_EMIT nodeMoved(id, position);
    return Status::ok();
}

const Stage *PipelineModel::stage(NodeId id) const
{
    auto it = m_stages.constFind(id);
    return it == m_stages.constEnd() ? nullptr : &it.value();
}

NodeId PipelineModel::nodeByName(const QString &name) const
{
    for (NodeId n : m_order)
        if (m_stages.value(n).name == name)
            return n;
    return 0;
}

QVector<Stage> PipelineModel::stages() const
{
    QVector<Stage> out;
    for (NodeId n : m_order)
        out.append(m_stages.value(n));
    return out;
}

void PipelineModel::rebuildEdges(bool emitSignals)
{
    auto g = PipelineGraph::build(stages());
    QVector<Edge> next;
    if (g) {
        for (const auto &e : g->edges()) {
            Edge edge;
            edge.from = m_order[e.from];
            edge.to = m_order[e.to];
            edge.path = e.path;
            // Keep the id of an edge that already existed (same ends, same path).
            for (const auto &old : m_edges)
                if (old.from == edge.from && old.to == edge.to && old.path == edge.path)
                    edge.id = old.id;
            if (edge.id == 0)
                edge.id = m_nextEdge++;
            next.append(edge);
        }
    }
    const QVector<Edge> previous = m_edges;
    m_edges = next;
    if (!emitSignals)
        return;
    for (const auto &old : previous) {
        bool kept = false;
        for (const auto &e : next)
            kept = kept || e.id == old.id;
        if (!kept)
            Q_EMIT edgeRemoved(old.id);
    }
    for (const auto &e : next) {
        bool existed = false;
        for (const auto &old : previous)
            existed = existed || old.id == e.id;
        if (!existed)
            Q_EMIT edgeAdded(e.id);
    }
}

} // namespace orrery::pipeline
