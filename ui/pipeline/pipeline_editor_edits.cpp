// PipelineEditor's edit gestures: each one becomes undo commands on the document (a macro when it
// touches several stages), so the toolbar's Undo takes back exactly what the gesture did. The
// scene follows the model; nothing here touches a graphics item's state.
#include "ui/pipeline/pipeline_editor.h"

#include "core/pipeline/pipeline_file.h"
#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_scene.h"
#include "ui/pipeline/stage_command.h"
#include "ui/pipeline/stage_node_item.h"
#include "ui/pipeline/stage_palette.h"
#include "ui/pipeline/stage_ports.h"
#include "ui/pipeline/undo_commands.h"

#include <QApplication>
#include <QClipboard>
#include <QFileInfo>
#include <QSet>
#include <QUndoStack>

namespace orrery::ui {

using namespace orrery::pipeline;

void PipelineEditor::addStageOfType(const QString &typeName, QPointF scenePos)
{
    if (!m_doc->isLoaded())
        return;
    const StageType *type = m_doc->registry().type(typeName);
    if (!type && typeName != StagePalette::kCommandType) {
        showMessage(tr("Unknown stage type '%1'").arg(typeName), true);
        return;
    }
    const QString name = m_doc->uniqueName(typeName);
    QVector<std::pair<QString, ParamValue>> params;
    const Stage stage = type ? StageCommand::newStage(*type, name, &params) : StageCommand::newCommandStage(name);
    Status st;
    m_doc->undoStack()->push(new AddStageCommand(m_doc, stage, scenePos - QPointF(StageNodeItem::kWidth / 2, 20), params, &st));
    if (!st.isOk()) {
        showMessage(tr("Cannot add %1: %2").arg(name, st.message()), true);
        return;
    }
    m_scene->selectNodes({m_doc->model()->nodeByName(name)});
    showMessage(tr("Added %1 — connect its ports, then set its parameters on the right").arg(name));
}

bool PipelineEditor::connectPorts(NodeId from, const QString &outPath, NodeId to, const QString &inKey)
{
    auto after = StagePorts::connect(*m_doc->model(), from, outPath, to, inKey, m_doc->stageType(to));
    if (!after) {
        showMessage(tr("Refused: %1").arg(after.status().message()), true);
        return false;
    }
    const QString target = m_doc->model()->stage(to)->name;
    Status st;
    m_doc->undoStack()->push(new UpdateStageCommand(m_doc, target, *after,
                                                    tr("Connect %1 → %2").arg(m_doc->model()->stage(from)->name, target), {}, &st));
    if (!st.isOk()) {
        showMessage(tr("Refused: %1").arg(st.message()), true);
        return false;
    }
    showMessage(tr("%1 now reads %2").arg(target, outPath));
    return true;
}

void PipelineEditor::deleteSelected()
{
    const QList<NodeId> sel = m_scene->selectedNodes();
    if (sel.isEmpty())
        return;
    m_doc->undoStack()->beginMacro(tr("Delete %n stage(s)", nullptr, int(sel.size())));
    for (NodeId id : sel)
        m_doc->undoStack()->push(new RemoveStageCommand(m_doc, m_doc->model()->stage(id)->name));
    m_doc->undoStack()->endMacro();
}

void PipelineEditor::copySelected()
{
    m_clipboard.clear();
    PipelineFile text;
    for (NodeId id : m_scene->selectedNodes()) {
        m_clipboard.append({*m_doc->model()->stage(id), m_doc->model()->position(id)});
        text.setStage(*m_doc->model()->stage(id));
    }
    QApplication::clipboard()->setText(QString::fromUtf8(text.serialize())); // a dvc.yaml fragment, for a text editor
    showMessage(tr("Copied %n stage(s)", nullptr, int(m_clipboard.size())));
    updateActions();
}

void PipelineEditor::paste()
{
    if (m_clipboard.isEmpty() || !m_doc->isLoaded())
        return;
    // New names, and new paths for what the copies write (two stages may not write one file);
    // copies that read each other's outputs read the copies' outputs.
    QHash<QString, QString> pathMap;
    QVector<Stage> copies;
    QSet<QString> taken;
    for (const auto &[stage, pos] : m_clipboard) {
        Stage s = stage;
        QString name = m_doc->uniqueName(stage.name);
        for (int i = 2; taken.contains(name); ++i)
            name = m_doc->uniqueName(stage.name + QStringLiteral("_") + QString::number(i));
        taken.insert(name);
        s.name = name;
        for (auto *list : {&s.outs, &s.metrics, &s.plots})
            for (auto &o : *list) {
                const QFileInfo fi(o.path);
                const QString dir = fi.path() == QLatin1String(".") ? QString() : fi.path() + QLatin1Char('/');
                const QString next = dir + fi.completeBaseName() + QLatin1Char('_') + name + (fi.suffix().isEmpty() ? QString() : QLatin1Char('.') + fi.suffix());
                pathMap.insert(o.path, next);
                o.path = next;
            }
        copies.append(s);
    }
    for (Stage &s : copies) {
        for (QString &d : s.deps)
            d = pathMap.value(d, d);
        for (QString &c : s.cmd)
            for (auto it = pathMap.cbegin(); it != pathMap.cend(); ++it)
                c.replace(it.key(), it.value());
    }
    m_doc->undoStack()->beginMacro(tr("Paste %n stage(s)", nullptr, int(copies.size())));
    QList<NodeId> added;
    for (int i = 0; i < copies.size(); ++i) {
        Status st;
        m_doc->undoStack()->push(new AddStageCommand(m_doc, copies[i], m_clipboard[i].second + QPointF(40, 40), {}, &st));
        if (!st.isOk())
            showMessage(tr("Cannot paste %1: %2").arg(copies[i].name, st.message()), true);
        else
            added << m_doc->model()->nodeByName(copies[i].name);
    }
    m_doc->undoStack()->endMacro();
    m_scene->selectNodes(added);
}

} // namespace orrery::ui
