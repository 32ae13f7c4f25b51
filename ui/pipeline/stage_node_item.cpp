#include "ui/pipeline/stage_node_item.h"

#include "ui/pipeline/pipeline_scene.h"

#include <QFontMetrics>
#include <QPainter>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace orrery::ui {

namespace {
constexpr qreal kHeader = 40;
constexpr qreal kRow = 18;
constexpr qreal kFooter = 24;
constexpr qreal kCheck = 18;
constexpr qreal kPortRadius = 5;

QColor stateColor(NodeRunState s)
{
    switch (s) {
    case NodeRunState::Queued: return QColor(0x9e, 0x9e, 0x9e);
    case NodeRunState::Running: return QColor(0x1e, 0x88, 0xe5);
    case NodeRunState::Cached: return QColor(0x00, 0x89, 0x7b);
    case NodeRunState::Done: return QColor(0x43, 0xa0, 0x47);
    case NodeRunState::Failed: return QColor(0xe5, 0x39, 0x35);
    case NodeRunState::CheckFailed: return QColor(0xfb, 0x8c, 0x00);
    case NodeRunState::NotRun: return QColor(0xbd, 0xbd, 0xbd);
    case NodeRunState::Idle: break;
    }
    return QColor(0x78, 0x90, 0x9c);
}

QColor portColor(const QString &type)
{
    if (type == QLatin1String("table")) return QColor(0x42, 0xa5, 0xf5);
    if (type == QLatin1String("model")) return QColor(0xab, 0x47, 0xbc);
    if (type == QLatin1String("json")) return QColor(0xff, 0xa7, 0x26);
    if (type == QLatin1String("yaml")) return QColor(0x26, 0xa6, 0x9a);
    return QColor(0x90, 0xa4, 0xae);
}
} // namespace

StageNodeItem::StageNodeItem(pipeline::NodeId id) : m_id(id)
{
    setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
    // No item cache: a device-coordinate cache is re-rendered for every card at each zoom step.
    setZValue(1);
}

void StageNodeItem::setView(const NodeView &view)
{
    const bool resize = view.inputs.size() != m_view.inputs.size() || view.outputs.size() != m_view.outputs.size()
        || (view.checkResult != 0) != (m_view.checkResult != 0);
    if (resize)
        prepareGeometryChange();
    m_view = view;
    update();
}

qreal StageNodeItem::height() const
{
    const int rows = int(qMax(m_view.inputs.size(), m_view.outputs.size()));
    return kHeader + rows * kRow + kFooter + (m_view.checkResult != 0 ? kCheck : 0) + 4;
}

QRectF StageNodeItem::boundingRect() const
{
    return QRectF(-kPortRadius - 1, -1, kWidth + 2 * kPortRadius + 2, height() + 2);
}

QPointF StageNodeItem::inPortPos(int index) const
{
    return QPointF(0, kHeader + index * kRow + kRow / 2);
}

QPointF StageNodeItem::outPortPos(int index) const
{
    return QPointF(kWidth, kHeader + index * kRow + kRow / 2);
}

int StageNodeItem::inPortIndex(const QString &key) const
{
    for (int i = 0; i < m_view.inputs.size(); ++i)
        if (m_view.inputs[i].key == key || (!m_view.inputs[i].path.isEmpty() && m_view.inputs[i].path == key))
            return i;
    return -1;
}

int StageNodeItem::outPortIndex(const QString &path) const
{
    for (int i = 0; i < m_view.outputs.size(); ++i)
        if (m_view.outputs[i].path == path)
            return i;
    return -1;
}

std::pair<bool, int> StageNodeItem::portAt(QPointF scenePos) const
{
    const QPointF p = mapFromScene(scenePos);
    constexpr qreal tol = 9;
    for (int i = 0; i < m_view.inputs.size(); ++i)
        if (QLineF(p, inPortPos(i)).length() <= tol)
            return {true, i};
    for (int i = 0; i < m_view.outputs.size(); ++i)
        if (QLineF(p, outPortPos(i)).length() <= tol)
            return {false, i};
    return {false, -1};
}

QVariant StageNodeItem::itemChange(GraphicsItemChange change, const QVariant &value)
{
    if (change == ItemPositionHasChanged)
        if (auto *s = qobject_cast<PipelineScene *>(scene()))
            s->nodeItemMoved(this);
    return QGraphicsItem::itemChange(change, value);
}

void StageNodeItem::paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *)
{
    const qreal h = height();
    const QRectF card(0, 0, kWidth, h);
    const QColor accent = stateColor(m_view.state);
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(QPen(isSelected() ? QColor(0xff, 0xc1, 0x07) : QColor(0x55, 0x5f, 0x66), isSelected() ? 2.5 : 1));
    painter->setBrush(QColor(0x2b, 0x30, 0x35));
    painter->drawRoundedRect(card, 6, 6);
    painter->setPen(Qt::NoPen);
    painter->setBrush(accent);
    painter->drawRoundedRect(QRectF(0, 0, kWidth, 6), 3, 3);

    QFont f = painter->font();
    f.setPixelSize(13);
    f.setBold(true);
    painter->setFont(f);
    painter->setPen(Qt::white);
    painter->drawText(QRectF(10, 8, kWidth - 20, 16), Qt::AlignLeft | Qt::AlignVCenter,
                      QFontMetrics(f).elidedText(m_view.title, Qt::ElideRight, int(kWidth - 20)));
    f.setBold(false);
    f.setPixelSize(10);
    painter->setFont(f);
    painter->setPen(QColor(0xb0, 0xbe, 0xc5));
    painter->drawText(QRectF(10, 24, kWidth - 20, 13), Qt::AlignLeft | Qt::AlignVCenter, m_view.typeName);

    if (option->levelOfDetailFromTransform(painter->worldTransform()) < 0.35) {
        return; // far out: the card and its name are all a person can read
    }
    const QFontMetrics fm(f);
    for (int i = 0; i < m_view.inputs.size(); ++i) {
        const Port &p = m_view.inputs[i];
        const QPointF c = inPortPos(i);
        painter->setPen(QPen(QColor(0x20, 0x20, 0x20), 1));
        painter->setBrush(p.key == QLatin1String("add") ? QColor(0x60, 0x6a, 0x70) : portColor(p.type));
        painter->drawEllipse(c, kPortRadius, kPortRadius);
        painter->setPen(p.path.isEmpty() && p.key != QLatin1String("add") ? QColor(0xef, 0x9a, 0x9a) : QColor(0xdd, 0xdd, 0xdd));
        painter->drawText(QRectF(10, c.y() - kRow / 2, kWidth / 2 - 12, kRow), Qt::AlignLeft | Qt::AlignVCenter,
                          fm.elidedText(p.label, Qt::ElideMiddle, int(kWidth / 2 - 12)));
    }
    for (int i = 0; i < m_view.outputs.size(); ++i) {
        const Port &p = m_view.outputs[i];
        const QPointF c = outPortPos(i);
        painter->setPen(QPen(QColor(0x20, 0x20, 0x20), 1));
        painter->setBrush(portColor(p.type));
        painter->drawEllipse(c, kPortRadius, kPortRadius);
        painter->setPen(QColor(0xdd, 0xdd, 0xdd));
        painter->drawText(QRectF(kWidth / 2, c.y() - kRow / 2, kWidth / 2 - 10, kRow), Qt::AlignRight | Qt::AlignVCenter,
                          fm.elidedText(p.label, Qt::ElideMiddle, int(kWidth / 2 - 10)));
    }
    const int rows = int(qMax(m_view.inputs.size(), m_view.outputs.size()));
    qreal y = kHeader + rows * kRow + 2;
    if (m_view.state == NodeRunState::Running) {
        const QRectF track(10, y + 2, kWidth - 20, 4);
        painter->setPen(Qt::NoPen);
        painter->setBrush(QColor(0x44, 0x4c, 0x52));
        painter->drawRect(track);
        painter->setBrush(accent);
        if (m_view.percent >= 0) {
            painter->drawRect(QRectF(track.left(), track.top(), track.width() * qMin(m_view.percent, 100) / 100.0, track.height()));
        } else {
            const qreal w = track.width() / 4;
            const qreal x = track.left() + std::fmod(m_view.phase * 6.0, track.width() + w) - w;
            painter->drawRect(QRectF(x, track.top(), w, track.height()).intersected(track));
        }
    }
    painter->setPen(m_view.state == NodeRunState::Idle ? QColor(0x90, 0xa4, 0xae) : accent.lighter(130));
    painter->drawText(QRectF(10, y + 6, kWidth - 20, kFooter - 6), Qt::AlignLeft | Qt::AlignVCenter,
                      fm.elidedText(m_view.stateText, Qt::ElideRight, int(kWidth - 20)));
    y += kFooter;
    if (m_view.checkResult != 0) {
        painter->setPen(m_view.checkResult > 0 ? QColor(0x81, 0xc7, 0x84) : QColor(0xff, 0x8a, 0x65));
        painter->drawText(QRectF(10, y, kWidth - 20, kCheck), Qt::AlignLeft | Qt::AlignVCenter,
                          fm.elidedText(m_view.checkText, Qt::ElideRight, int(kWidth - 20)));
    }
}

} // namespace orrery::ui
