#include "ui/registry/lineage_graph_view.h"

#include "ui/common/navigator.h"

#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QJsonArray>
#include <QMouseEvent>
#include <QPainterPath>

namespace orrery::ui {
namespace {

constexpr qreal kNodeWidth = 200;
constexpr qreal kNodeHeight = 64;
constexpr qreal kColumnGap = 14; // between nodes of one step
constexpr qreal kRowGap = 40;    // between steps

QString shortId(const QString &id)
{
    return id.size() > 12 ? id.left(8) + QStringLiteral("…") : id;
}

} // namespace

LineageGraphView::LineageGraphView(Navigator *navigator, QWidget *parent)
    : QGraphicsView(parent), m_navigator(navigator), m_scene(new QGraphicsScene(this))
{
    setObjectName(QStringLiteral("registryLineage"));
    setScene(m_scene);
    setRenderHint(QPainter::Antialiasing);
    setMouseTracking(true);
    setAlignment(Qt::AlignCenter);
    setMinimumHeight(140);
}

void LineageGraphView::clear()
{
    m_scene->clear();
    m_nodes.clear();
}

void LineageGraphView::setVersion(const registry::ModelVersion &v)
{
    clear();
    const QJsonObject &lin = v.lineage;
    QVector<QVector<Node>> columns;
    // Data versions: the sources the inputs were made from (the dataset version, a schema), then
    // what the training read. The files in between stay in the version's lineage record (the
    // Version tab lists them) but not in the graph, which must stay readable in a narrow pane.
    const QString run = lin.value(QStringLiteral("run_id")).toString(v.runId);
    const QString stage = lin.value(QStringLiteral("stage_run_id")).toString();
    QVector<Node> sources, inputs;
    for (const QJsonValue &d : lin.value(QStringLiteral("data")).toArray()) {
        const QJsonObject o = d.toObject();
        const QString path = o.value(QStringLiteral("path")).toString();
        if (path.isEmpty())
            continue;
        Node node{QStringLiteral("dataset"), path, tr("Data\n%1\nmd5 %2").arg(path, o.value(QStringLiteral("md5")).toString().left(8))};
        node.source = o.contains(QStringLiteral("produced_by")) && o.value(QStringLiteral("produced_by")).toString().isEmpty();
        const QString reader = o.value(QStringLiteral("run_id")).toString();
        // Lineage recorded before "produced_by" existed: every entry is an input.
        const bool direct = !o.contains(QStringLiteral("produced_by")) || reader == run || (!stage.isEmpty() && reader == stage);
        if (direct)
            inputs.push_back(node);
        else if (o.value(QStringLiteral("produced_by")).toString().isEmpty())
            sources.push_back(node);
    }
    if (!sources.isEmpty())
        columns.push_back(sources);
    if (!inputs.isEmpty())
        columns.push_back(inputs);
    const QString parent = lin.value(QStringLiteral("parent_run_id")).toString();
    if (!parent.isEmpty())
        columns.push_back({{QStringLiteral("run"), parent, tr("Pipeline run\n%1").arg(shortId(parent))}});
    // The pipeline's stage run between the pipeline run and the trainer's own run, when there is one.
    if (!stage.isEmpty())
        columns.push_back({{QStringLiteral("run"), stage, tr("Stage run\n%1").arg(shortId(stage))}});
    if (!run.isEmpty()) {
        const QString name = lin.value(QStringLiteral("run_name")).toString();
        columns.push_back({{QStringLiteral("run"), run,
                            tr("Training run\n%1\n%2").arg(name.isEmpty() ? shortId(run) : name, shortId(run))}});
    }
    QString commit = v.commit().left(8);
    if (lin.value(QStringLiteral("dirty")).toBool())
        commit += tr(" +dirty");
    columns.push_back({{QStringLiteral("model_version"), QStringLiteral("%1/%2").arg(v.name).arg(v.version),
                        tr("Model version\n%1 v%2\n%3").arg(v.name).arg(v.version).arg(commit.isEmpty() ? tr("no commit") : tr("commit ") + commit)}});

    // Top to bottom, one row per step: the area gives the graph a tall, narrow pane, and the
    // text stays readable at scale 1 there (left to right it was scaled to ~40%).
    const QPalette pal = palette();
    qreal widest = 0;
    for (const auto &row : columns)
        widest = std::max(widest, row.size() * kNodeWidth + (row.size() - 1) * kColumnGap);
    QVector<QVector<QRectF>> rects;
    for (int c = 0; c < columns.size(); ++c) {
        const auto &row = columns[c];
        const qreal width = row.size() * kNodeWidth + (row.size() - 1) * kColumnGap;
        QVector<QRectF> r;
        for (int i = 0; i < row.size(); ++i)
            r.push_back(QRectF((widest - width) / 2 + i * (kNodeWidth + kColumnGap), c * (kNodeHeight + kRowGap), kNodeWidth, kNodeHeight));
        rects.push_back(r);
    }
    // Edges first, under the nodes.
    QPen edgePen(pal.color(QPalette::Mid), 1.6);
    for (int c = 0; c + 1 < rects.size(); ++c) {
        for (const QRectF &from : rects[c]) {
            for (int t = 0; t < rects[c + 1].size(); ++t) {
                // Sources lead only to the inputs made from them, not to another source.
                if (c == 0 && !sources.isEmpty() && columns[c + 1][t].source)
                    continue;
                const QRectF &to = rects[c + 1][t];
                const QPointF a(from.center().x(), from.bottom());
                const QPointF b(to.center().x(), to.top() - 6);
                QPainterPath path(a);
                const qreal mid = (a.y() + b.y()) / 2;
                path.cubicTo(QPointF(a.x(), mid), QPointF(b.x(), mid), b);
                m_scene->addPath(path, edgePen);
                QPolygonF arrow;
                arrow << QPointF(to.center().x(), to.top()) << QPointF(to.center().x() - 4, to.top() - 8) << QPointF(to.center().x() + 4, to.top() - 8);
                m_scene->addPolygon(arrow, edgePen, pal.color(QPalette::Mid));
            }
        }
    }
    for (int c = 0; c < columns.size(); ++c) {
        for (int i = 0; i < columns[c].size(); ++i) {
            Node node = columns[c][i];
            const bool self = node.kind == QLatin1String("model_version");
            const bool link = !self && m_navigator && m_navigator->canOpen(node.kind);
            QColor fill = self ? pal.color(QPalette::Highlight).lighter(170) : pal.color(QPalette::Base);
            QPen border(link ? pal.color(QPalette::Link) : pal.color(QPalette::Mid), self ? 2.0 : 1.4);
            node.item = m_scene->addRect(rects[c][i], border, fill);
            node.item->setData(0, m_nodes.size());
            node.item->setToolTip(link ? tr("%1 — click to open").arg(node.id) : node.id);
            auto *text = m_scene->addText(node.title);
            text->setDefaultTextColor(link ? pal.color(QPalette::Link) : pal.color(QPalette::Text));
            text->setTextWidth(kNodeWidth - 8);
            text->setPos(rects[c][i].topLeft() + QPointF(4, 2));
            text->setAcceptedMouseButtons(Qt::NoButton);
            text->setParentItem(nullptr);
            m_nodes.push_back(node);
        }
    }
    m_scene->setSceneRect(m_scene->itemsBoundingRect().adjusted(-12, -12, 12, 12));
    fit();
}

void LineageGraphView::fit()
{
    if (m_scene->items().isEmpty())
        return;
    resetTransform();
    const QRectF r = sceneRect();
    const qreal scale = std::min({1.0, viewport()->width() / r.width(), viewport()->height() / r.height()});
    if (scale > 0)
        this->scale(scale, scale);
}

void LineageGraphView::resizeEvent(QResizeEvent *event)
{
    QGraphicsView::resizeEvent(event);
    fit();
}

int LineageGraphView::nodeAt(const QPoint &viewportPos) const
{
    const QPointF p = mapToScene(viewportPos);
    for (int i = 0; i < m_nodes.size(); ++i)
        if (m_nodes[i].item && m_nodes[i].item->sceneBoundingRect().contains(p))
            return i;
    return -1;
}

QPoint LineageGraphView::nodeCenter(int index) const
{
    return mapFromScene(m_nodes.at(index).item->sceneBoundingRect().center());
}

void LineageGraphView::mouseMoveEvent(QMouseEvent *event)
{
    const int i = nodeAt(event->position().toPoint());
    const bool link = i >= 0 && m_nodes[i].kind != QLatin1String("model_version") && m_navigator && m_navigator->canOpen(m_nodes[i].kind);
    viewport()->setCursor(link ? Qt::PointingHandCursor : Qt::ArrowCursor);
    QGraphicsView::mouseMoveEvent(event);
}

void LineageGraphView::mousePressEvent(QMouseEvent *event)
{
    const int i = event->button() == Qt::LeftButton ? nodeAt(event->position().toPoint()) : -1;
    if (i < 0) {
        QGraphicsView::mousePressEvent(event);
        return;
    }
    const Node node = m_nodes[i]; // open() may rebuild the graph
    if (node.kind != QLatin1String("model_version") && m_navigator && m_navigator->canOpen(node.kind))
        m_navigator->open({node.kind, node.id});
    Q_EMIT nodeActivated(node.kind, node.id);
    event->accept();
}

} // namespace orrery::ui
