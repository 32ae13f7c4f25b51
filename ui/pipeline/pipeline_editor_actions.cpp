// PipelineEditor's actions: the toolbar and its shortcuts (editor-wide: WidgetWithChildrenShortcut,
// so two editors in one window never fight over a key), and when each action is enabled. Kept
// apart from the gestures so that the list of what the toolbar offers reads in one place.
#include "ui/pipeline/pipeline_editor.h"

#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_runner.h"
#include "ui/pipeline/pipeline_scene.h"
#include "ui/pipeline/pipeline_view.h"
#include "ui/pipeline/stage_palette.h"

#include <QAction>
#include <QToolBar>
#include <QUndoStack>

namespace orrery::ui {

using namespace orrery::pipeline;

void PipelineEditor::createActions()
{
    m_toolBar->setObjectName(QStringLiteral("pipelineToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto make = [this](const QString &name, const QString &text, const QKeySequence &key, auto slot) {
        auto *a = new QAction(text, this);
        a->setObjectName(QStringLiteral("pipeline.") + name);
        if (!key.isEmpty()) {
            a->setShortcut(key);
            a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        m_actions.insert(name, a);
        return a;
    };
    QUndoStack *undo = m_doc->undoStack();
    m_toolBar->addAction(make(QStringLiteral("save"), tr("Save"), QKeySequence::Save, [this] { save(); }));
    m_toolBar->addSeparator();
    m_toolBar->addAction(make(QStringLiteral("undo"), tr("Undo"), QKeySequence::Undo, [undo] { undo->undo(); }));
    m_toolBar->addAction(make(QStringLiteral("redo"), tr("Redo"), QKeySequence::Redo, [undo] { undo->redo(); }));
    m_toolBar->addSeparator();
    m_toolBar->addAction(make(QStringLiteral("delete"), tr("Delete"), QKeySequence::Delete, [this] { deleteSelected(); }));
    m_toolBar->addAction(make(QStringLiteral("copy"), tr("Copy"), QKeySequence::Copy, [this] { copySelected(); }));
    m_toolBar->addAction(make(QStringLiteral("paste"), tr("Paste"), QKeySequence::Paste, [this] { paste(); }));
    m_toolBar->addSeparator();
    m_toolBar->addAction(make(QStringLiteral("layout"), tr("Lay out"), QKeySequence(Qt::CTRL | Qt::Key_L), [this] { autoLayout(); }));
    m_toolBar->addAction(make(QStringLiteral("fit"), tr("Fit"), QKeySequence(Qt::CTRL | Qt::Key_0), [this] { m_view->fitAll(); }));
    m_toolBar->addAction(make(QStringLiteral("zoomIn"), tr("Zoom in"), QKeySequence::ZoomIn, [this] { m_view->zoomBy(1.25, m_view->viewport()->rect().center()); }));
    m_toolBar->addAction(make(QStringLiteral("zoomOut"), tr("Zoom out"), QKeySequence::ZoomOut, [this] { m_view->zoomBy(0.8, m_view->viewport()->rect().center()); }));
    m_toolBar->addSeparator();
    // Collapsible panels, so the canvas can have the width.
    QAction *palette = make(QStringLiteral("togglePalette"), tr("Stages"), QKeySequence(), [this](bool on) {
        m_palette->setVisible(on);
        saveSplitter();
    });
    palette->setCheckable(true);
    palette->setChecked(true);
    palette->setToolTip(tr("Show or hide the stage palette"));
    QAction *props = make(QStringLiteral("toggleProperties"), tr("Properties"), QKeySequence(), [this](bool on) {
        m_sidePanel->setVisible(on);
        saveSplitter();
    });
    props->setCheckable(true);
    props->setChecked(true);
    props->setToolTip(tr("Show or hide the properties, log and metrics"));
    m_toolBar->addAction(palette);
    m_toolBar->addAction(props);
    m_toolBar->addSeparator();
    m_toolBar->addAction(make(QStringLiteral("runAll"), tr("▶ Run all"), QKeySequence(Qt::CTRL | Qt::Key_R), [this] { runAll(); }));
    m_toolBar->addAction(make(QStringLiteral("runSelected"), tr("Run selected"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), [this] { runSelected(); }));
    m_toolBar->addAction(make(QStringLiteral("cancel"), tr("■ Cancel"), {}, [this] { cancelRun(); }));
}

void PipelineEditor::updateActions()
{
    if (!m_runner)
        return;
    QUndoStack *u = m_doc->undoStack();
    const bool open = m_doc->isLoaded();
    const bool running = m_runner->isRunning();
    m_actions[QStringLiteral("undo")]->setEnabled(u->canUndo());
    m_actions[QStringLiteral("undo")]->setToolTip(u->undoText());
    m_actions[QStringLiteral("redo")]->setEnabled(u->canRedo());
    m_actions[QStringLiteral("redo")]->setToolTip(u->redoText());
    m_actions[QStringLiteral("save")]->setEnabled(open);
    m_actions[QStringLiteral("save")]->setText(m_doc->isModified() ? tr("Save*") : tr("Save"));
    const bool selected = !m_scene->selectedNodes().isEmpty();
    m_actions[QStringLiteral("delete")]->setEnabled(selected);
    m_actions[QStringLiteral("copy")]->setEnabled(selected);
    m_actions[QStringLiteral("paste")]->setEnabled(open && !m_clipboard.isEmpty());
    m_actions[QStringLiteral("runAll")]->setEnabled(open && !running);
    m_actions[QStringLiteral("runSelected")]->setEnabled(open && !running && selected);
    m_actions[QStringLiteral("cancel")]->setEnabled(running);
}

} // namespace orrery::ui
