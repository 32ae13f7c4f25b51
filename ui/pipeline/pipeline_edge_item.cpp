#include "ui/pipeline/pipeline_edge_item.h"

#include <QPen>

namespace orrery::ui {

PipelineEdgeItem::PipelineEdgeItem(pipeline::EdgeId id, const QString &path) : m_id(id)
{
    setPen(QPen(QColor(0x90, 0xa4, 0xae), 2));
    setZValue(0);
    setToolTip(path);
}

QPainterPath PipelineEdgeItem::curve(QPointF from, QPointF to)
{
    QPainterPath p(from);
    const qreal dx = qMax(40.0, std::abs(to.x() - from.x()) / 2);
    p.cubicTo(from + QPointF(dx, 0), to - QPointF(dx, 0), to);
    return p;
}

} // namespace orrery::ui
