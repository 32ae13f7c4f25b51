#pragma once
// Shared helpers of the pipeline editor's GUI tests: a demo workspace, the editor shown on it,
// viewport points of ports and nodes, a snapshot of everything an edit can change, a drop from
// the palette, and a hand that answers the modal questions the editor asks.

#include "core/demo/demo_workspace.h"
#include "core/pipeline/pipeline_file.h"
#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_editor.h"
#include "ui/pipeline/pipeline_scene.h"
#include "ui/pipeline/pipeline_view.h"
#include "ui/pipeline/stage_node_item.h"
#include "ui/pipeline/stage_palette.h"

#include <QAbstractButton>
#include <QApplication>
#include <QListWidget>
#include <QMessageBox>
#include <QMimeData>
#include <QTimer>
#include <QtTest>

#include <algorithm>
#include <initializer_list>
#include <memory>

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

// Picks `type` in the palette with a click and drops it on the canvas at `at` (viewport
// coordinates) with the drag's own mime data, as a drag from the palette ends.
inline void dropFromPalette(PipelineEditor &e, const QString &type, QPoint at)
{
    QListWidget *list = e.palette()->list();
    e.palette()->setFilter(type);
    QListWidgetItem *item = nullptr;
    for (int i = 0; i < list->count(); ++i)
        if (!list->item(i)->isHidden() && list->item(i)->data(StagePalette::kTypeRole).toString() == type)
            item = list->item(i);
    QVERIFY(item);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(item).center());
    QCOMPARE(list->currentItem(), item);
    std::unique_ptr<QMimeData> mime(e.palette()->mimeDataForCurrent());
    QWidget *vp = e.view()->viewport();
    QDragEnterEvent enter(at, Qt::CopyAction, mime.get(), Qt::LeftButton, {});
    QApplication::sendEvent(vp, &enter);
    QVERIFY(enter.isAccepted());
    QDragMoveEvent move(at, Qt::CopyAction, mime.get(), Qt::LeftButton, {});
    QApplication::sendEvent(vp, &move);
    QDropEvent drop(at, Qt::CopyAction, mime.get(), Qt::LeftButton, {});
    QApplication::sendEvent(vp, &drop);
    QVERIFY(drop.isAccepted());
    e.palette()->setFilter(QString());
}

// Answers the next modal QMessageBox by clicking `button` once the box is shown (a question left
// open would hang the test in its exec()). Keeps the question's text, a picture of the box as it
// was shown (and where, in global coordinates) and counts the answers.
class MessageBoxAnswerer : public QObject {
public:
    explicit MessageBoxAnswerer(QMessageBox::StandardButton button) : m_button(button)
    {
        m_poll.setInterval(10);
        QObject::connect(&m_poll, &QTimer::timeout, this, [this] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box || !box->isVisible() || !box->button(m_button))
                return;
            text = box->text() + QLatin1Char('\n') + box->informativeText();
            shot = box->grab().toImage();
            shotAt = box->mapToGlobal(QPoint(0, 0));
            ++answered;
            m_poll.stop(); // one question, one answer
            box->button(m_button)->click();
        });
        m_poll.start();
    }
    QString text;
    QImage shot;
    QPoint shotAt;
    int answered = 0;

private:
    QMessageBox::StandardButton m_button;
    QTimer m_poll;
};

} // namespace orrery::ui::testing
