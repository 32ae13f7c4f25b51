#pragma once
// Shared helpers of the pipeline editor's GUI tests: a demo workspace, the editor shown on it,
// viewport points of ports and nodes, and a snapshot of everything an edit can change.

#include "core/demo/demo_workspace.h"
#include "core/pipeline/pipeline_file.h"
#include "ui/pipeline_document.h"
#include "ui/pipeline_editor.h"
#include "ui/pipeline_scene.h"
#include "ui/pipeline_view.h"
#include "ui/stage_node_item.h"

#include <QtTest>

#include <algorithm>
#include <initializer_list>

namespace orrery::ui::testing {

inline QString snapshot(const PipelineDocument &doc)
{
    pipeline::PipelineFile f;
    QString positions;
    for (pipeline::NodeId n : doc.model()->nodes()) {
        f.setStage(*doc.model()->stage(n));
        positions += QStringLiteral("%1@%2,%3;").arg(doc.model()->stage(n)->name).arg(doc.model()->position(n).x()).arg(doc.model()->position(n).y());
    }
    return QString::fromUtf8(f.serialize()) + positions + doc.params().canonical();
}

inline QPoint viewPoint(PipelineView *view, QPointF scenePos)
{
    return view->mapFromScene(scenePos);
}

inline QPoint outPort(PipelineEditor &e, const QString &stage, const QString &path)
{
    StageNodeItem *item = e.scene()->nodeItem(e.document()->model()->nodeByName(stage));
    return viewPoint(e.view(), item->mapToScene(item->outPortPos(item->outPortIndex(path))));
}

inline QPoint inPort(PipelineEditor &e, const QString &stage, const QString &key)
{
    StageNodeItem *item = e.scene()->nodeItem(e.document()->model()->nodeByName(stage));
    return viewPoint(e.view(), item->mapToScene(item->inPortPos(item->inPortIndex(key))));
}

// How many of the editor's stages show one of `states` (the canvas's run view of each node).
inline int nodesIn(PipelineEditor &e, std::initializer_list<NodeRunState> states)
{
    int n = 0;
    for (pipeline::NodeId id : e.document()->model()->nodes()) {
        const NodeRunState s = e.scene()->runView(e.document()->model()->stage(id)->name).state;
        n += std::find(states.begin(), states.end(), s) != states.end();
    }
    return n;
}

inline bool allNodesIn(PipelineEditor &e, std::initializer_list<NodeRunState> states)
{
    return nodesIn(e, states) == int(e.document()->model()->nodes().size());
}

inline QPoint nodeTitle(PipelineEditor &e, const QString &stage)
{
    StageNodeItem *item = e.scene()->nodeItem(e.document()->model()->nodeByName(stage));
    return viewPoint(e.view(), item->mapToScene(QPointF(StageNodeItem::kWidth / 2, 16)));
}

// A real press-move-release on the viewport (moves in a few steps, as a hand does).
inline void dragOnViewport(QWidget *viewport, QPoint from, QPoint to, Qt::MouseButton button = Qt::LeftButton)
{
    QTest::mousePress(viewport, button, {}, from);
    for (int i = 1; i <= 4; ++i)
        QTest::mouseMove(viewport, from + (to - from) * i / 4);
    QTest::mouseRelease(viewport, button, {}, to);
}

} // namespace orrery::ui::testing
