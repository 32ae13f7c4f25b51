#pragma once
// PipelineEdgeItem: one edge of the model (a file one stage writes and another reads), drawn from
// the writer's out port to the reader's in port along the route the scene gives it (edge_router.h:
// around the other cards); it knows only its EdgeId and the path it carries (for its tooltip).

#include "core/pipeline/pipeline_model.h"

#include <QGraphicsPathItem>

namespace orrery::ui {

class PipelineEdgeItem : public QGraphicsPathItem {
public:
    enum { Type = UserType + 702 };
    PipelineEdgeItem(pipeline::EdgeId id, const QString &path);
    int type() const override { return Type; }
    pipeline::EdgeId edgeId() const { return m_id; }
    // The S-curve of a link being drawn with the mouse (its end follows the pointer).
    static QPainterPath curve(QPointF from, QPointF to);

private:
    pipeline::EdgeId m_id;
};

} // namespace orrery::ui
