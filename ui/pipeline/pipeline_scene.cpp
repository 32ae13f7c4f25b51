#include "ui/pipeline/pipeline_scene.h"

#include "ui/pipeline/edge_router.h"
#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_edge_item.h"
#include "ui/pipeline/stage_command.h"

#include <tuple>

namespace orrery::ui {

using namespace orrery::pipeline;

PipelineScene::PipelineScene(PipelineDocument *doc, QObject *parent) : QGraphicsScene(parent), m_doc(doc)
{
    setBackgroundBrush(QColor(0x1e, 0x22, 0x26));
    setItemIndexMethod(QGraphicsScene::BspTreeIndex);
    PipelineModel *m = doc->model();
    connect(m, &PipelineModel::modelReset, this, &PipelineScene::rebuild);
    connect(m, &PipelineModel::nodeAdded, this, &PipelineScene::addNode);
    connect(m, &PipelineModel::nodeRemoved, this, &PipelineScene::removeNode);
    connect(m, &PipelineModel::nodeUpdated, this, &PipelineScene::refreshNode);
    connect(m, &PipelineModel::edgeAdded, this, &PipelineScene::addEdge);
    connect(m, &PipelineModel::edgeRemoved, this, &PipelineScene::removeEdge);
    connect(m, &PipelineModel::nodeMoved, this, [this](NodeId id, QPointF pos) {
        if (auto *item = m_nodes.value(id)) {
            m_following = true;
            item->setPos(pos);
            m_following = false;
            nodeItemMoved(item);
        }
    });
    rebuild();
}

PipelineScene::~PipelineScene()
{
    // Items go while this class is whole, and without selection signals to a half-destroyed editor.
    blockSignals(true);
    m_nodes.clear();
    m_edges.clear();
    clear();
}

NodeView PipelineScene::viewFor(NodeId id) const
{
    NodeView v;
    const Stage *s = m_doc->model()->stage(id);
    if (!s)
        return v;
    const StageType *type = m_doc->stageType(id);
    v.title = s->name;
    v.typeName = type ? type->name : QStringLiteral("command");
    if (m_doc->isGenerated(s->name))
        v.typeName += QStringLiteral(" · foreach/matrix");
    if (const QString placed = m_placements.value(s->name); !placed.isEmpty())
        v.typeName += QStringLiteral(" · on ") + placed;
    v.inputs = StagePorts::inputs(*s, type);
    v.outputs = StagePorts::outputs(*s, type);
    const NodeRunView r = m_run.value(s->name);
    v.state = r.state;
    v.stateText = r.stateText;
    if (r.state == NodeRunState::Idle && r.stateText.isEmpty()) {
        // Not run in this window: what dvc.lock says, else (before the probe answers) what it does.
        if (const auto disk = m_disk.constFind(s->name); disk != m_disk.cend())
            std::tie(v.state, v.stateText) = *disk;
        else
            v.stateText = s->desc;
    }
    v.checkResult = r.checkResult;
    v.checkText = r.checkText;
    v.phase = r.phase;
    v.percent = r.percent;
    return v;
}

void PipelineScene::rebuild()
{
    clearSelection();
    m_nodes.clear();
    m_edges.clear();
    m_edgeData.clear();
    m_nodeEdges.clear();
    clear();
    for (NodeId id : m_doc->model()->nodes())
        addNode(id);
    for (const Edge &e : m_doc->model()->edges())
        addEdge(e.id);
}

void PipelineScene::addNode(NodeId id)
{
    auto *item = new StageNodeItem(id);
    item->setView(viewFor(id));
    m_following = true;
    item->setPos(m_doc->model()->position(id));
    m_following = false;
    addItem(item);
    m_nodes.insert(id, item);
}

void PipelineScene::removeNode(NodeId id)
{
    for (EdgeId e : m_nodeEdges.values(id))
        removeEdge(e);
    delete m_nodes.take(id);
}

void PipelineScene::refreshNode(NodeId id)
{
    if (auto *item = m_nodes.value(id)) {
        item->setView(viewFor(id));
        nodeItemMoved(item);
    }
}

void PipelineScene::addEdge(EdgeId id)
{
    for (const Edge &e : m_doc->model()->edges()) {
        if (e.id != id)
            continue;
        auto *item = new PipelineEdgeItem(id, e.path);
        addItem(item);
        m_edges.insert(id, item);
        m_edgeData.insert(id, e);
        m_nodeEdges.insert(e.from, id);
        m_nodeEdges.insert(e.to, id);
        placeEdge(id);
        return;
    }
}

void PipelineScene::removeEdge(EdgeId id)
{
    const Edge e = m_edgeData.take(id);
    m_nodeEdges.remove(e.from, id);
    m_nodeEdges.remove(e.to, id);
    delete m_edges.take(id);
}

void PipelineScene::placeEdge(EdgeId id)
{
    PipelineEdgeItem *item = m_edges.value(id);
    const Edge e = m_edgeData.value(id);
    StageNodeItem *from = m_nodes.value(e.from);
    StageNodeItem *to = m_nodes.value(e.to);
    if (!item || !from || !to)
        return;
    const int out = qMax(0, from->outPortIndex(e.path));
    int in = to->inPortIndex(e.path);
    if (in < 0)
        in = to->inPortIndex(QStringLiteral("add"));
    QVector<QRectF> others;
    for (StageNodeItem *n : std::as_const(m_nodes))
        if (n != from && n != to)
            others.append(n->mapRectToScene(n->cardRect()));
    item->setPath(routeEdge(from->mapToScene(from->outPortPos(out)), to->mapToScene(to->inPortPos(qMax(0, in))),
                            from->mapRectToScene(from->cardRect()), to->mapRectToScene(to->cardRect()), others, out, qMax(0, in)));
}

void PipelineScene::placeAllEdgesLater()
{
    if (m_placePending)
        return;
    m_placePending = true;
    QMetaObject::invokeMethod(this, [this] {
        m_placePending = false;
        for (auto it = m_edges.cbegin(); it != m_edges.cend(); ++it)
            placeEdge(it.key());
    }, Qt::QueuedConnection);
}

void PipelineScene::nodeItemMoved(StageNodeItem *item)
{
    for (EdgeId e : m_nodeEdges.values(item->nodeId()))
        placeEdge(e);
    placeAllEdgesLater();
}

QList<NodeId> PipelineScene::selectedNodes() const
{
    QList<NodeId> ids;
    for (QGraphicsItem *i : selectedItems())
        if (i->type() == StageNodeItem::Type)
            ids << static_cast<StageNodeItem *>(i)->nodeId();
    // Model order, so copy/paste and deletes are deterministic.
    QList<NodeId> ordered;
    for (NodeId n : m_doc->model()->nodes())
        if (ids.contains(n))
            ordered << n;
    return ordered;
}

void PipelineScene::selectNodes(const QList<NodeId> &ids)
{
    clearSelection();
    for (NodeId id : ids)
        if (auto *item = m_nodes.value(id))
            item->setSelected(true);
}

void PipelineScene::setRunView(const QString &stageName, const NodeRunView &view)
{
    m_run.insert(stageName, view);
    const NodeId id = m_doc->model()->nodeByName(stageName);
    if (auto *item = m_nodes.value(id)) {
        const qreal height = item->cardRect().height();
        item->setView(viewFor(id));
        if (item->cardRect().height() != height) // a check result's row: links around it move
            nodeItemMoved(item);
    }
}

void PipelineScene::setDiskStatuses(const QHash<QString, std::pair<NodeRunState, QString>> &statuses)
{
    m_disk = statuses;
    for (auto it = m_nodes.begin(); it != m_nodes.end(); ++it)
        it.value()->setView(viewFor(it.key()));
    placeAllEdgesLater(); // a card's height follows its state
}

void PipelineScene::setPlacements(const QHash<QString, QString> &placements)
{
    if (placements == m_placements)
        return;
    m_placements = placements;
    for (auto it = m_nodes.begin(); it != m_nodes.end(); ++it)
        it.value()->setView(viewFor(it.key()));
}

void PipelineScene::clearRunViews()
{
    m_run.clear();
    for (auto it = m_nodes.begin(); it != m_nodes.end(); ++it)
        it.value()->setView(viewFor(it.key()));
    placeAllEdgesLater();
}

} // namespace orrery::ui
