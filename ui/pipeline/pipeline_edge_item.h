#pragma once
// PipelineEdgeItem: one edge of the model (a file one stage writes and another reads), drawn as a
// curve from the writer's out port to the reader's in port. The scene sets its end points; it
// knows only its EdgeId and the path it carries (for its tooltip).

#include "core/pipeline/pipeline_model.h"

#include <QGraphicsPathItem>

namespace orrery::ui {

class PipelineEdgeItem : public QGraphicsPathItem {
public:
    enum { Type = UserType + 702 };
    PipelineEdgeItem(pipeline::EdgeId id, const QString &path);
    int type() const override { return Type; }
    pipeline::EdgeId edgeId() const { return m_id; }
    void setEnds(QPointF from, QPointF to);
    static QPainterPath curve(QPointF from, QPointF to);

private:
    pipeline::EdgeId m_id;
};

} // namespace orrery::ui
