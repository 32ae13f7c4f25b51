#include "ui/pipeline/undo_commands.h"

#include "core/pipeline/pipeline_file.h"
#include "ui/pipeline/pipeline_document.h"

#include <QObject>

namespace orrery::ui {

using namespace orrery::pipeline;

bool sameStage(const Stage &a, const Stage &b)
{
    // As dvc.yaml would have them: every field, options included, without a comparison per field
    // to keep in step with Stage.
    PipelineFile fa, fb;
    fa.setStage(a);
    fb.setStage(b);
    return a.name == b.name && fa.serialize() == fb.serialize();
}

QString undoTextValue(const QString &text)
{
    // Short enough for the toolbar's tool tip and an Edit menu.
    const QString oneLine = text.simplified();
    return oneLine.size() > 40 ? oneLine.left(39) + QChar(0x2026) : oneLine;
}

AddStageCommand::AddStageCommand(PipelineDocument *doc, Stage stage, QPointF pos, QVector<std::pair<QString, ParamValue>> newParams,
                                 Status *status, QUndoCommand *parent)
    : QUndoCommand(parent), m_doc(doc), m_stage(std::move(stage)), m_pos(pos), m_newParams(std::move(newParams)), m_status(status)
{
    setText(QObject::tr("Add stage %1").arg(m_stage.name));
}

void AddStageCommand::redo()
{
    auto id = m_doc->model()->addStage(m_stage, m_pos);
    if (m_status)
        *m_status = id.status();
    m_status = nullptr; // the caller's Status lives only through push()
    if (!id) {
        setObsolete(m_first);
        return;
    }
    m_first = false;
    m_oldParams.clear();
    for (const auto &[key, value] : m_newParams) {
        m_oldParams.append(m_doc->param(key));
        m_doc->setParam(key, value);
    }
}

void AddStageCommand::undo()
{
    for (int i = int(m_newParams.size()) - 1; i >= 0; --i)
        m_doc->setParam(m_newParams[i].first, m_oldParams.value(i));
    (void)m_doc->model()->removeStage(m_doc->model()->nodeByName(m_stage.name));
}

RemoveStageCommand::RemoveStageCommand(PipelineDocument *doc, const QString &name, QUndoCommand *parent)
    : QUndoCommand(parent), m_doc(doc)
{
    const NodeId id = doc->model()->nodeByName(name);
    if (const Stage *s = doc->model()->stage(id))
        m_stage = *s;
    m_pos = doc->model()->position(id);
    setText(QObject::tr("Delete stage %1").arg(name));
}

void RemoveStageCommand::redo()
{
    (void)m_doc->model()->removeStage(m_doc->model()->nodeByName(m_stage.name));
}

void RemoveStageCommand::undo()
{
    (void)m_doc->model()->addStage(m_stage, m_pos);
}

UpdateStageCommand::UpdateStageCommand(PipelineDocument *doc, const QString &name, Stage after, const QString &text, QString mergeKey,
                                       Status *status, QUndoCommand *parent)
    : QUndoCommand(text, parent), m_doc(doc), m_after(std::move(after)), m_mergeKey(std::move(mergeKey)), m_status(status)
{
    if (const Stage *s = doc->model()->stage(doc->model()->nodeByName(name)))
        m_before = *s;
}

void UpdateStageCommand::redo()
{
    const Status st = m_doc->model()->updateStage(m_doc->model()->nodeByName(m_before.name), m_after);
    if (m_status)
        *m_status = st;
    m_status = nullptr; // the caller's Status lives only through push()
    if (!st.isOk() && m_first)
        setObsolete(true);
    m_first = false;
}

void UpdateStageCommand::undo()
{
    (void)m_doc->model()->updateStage(m_doc->model()->nodeByName(m_after.name), m_before);
}

bool UpdateStageCommand::mergeWith(const QUndoCommand *other)
{
    const auto *o = static_cast<const UpdateStageCommand *>(other);
    if (o->m_mergeKey != m_mergeKey || o->m_before.name != m_after.name)
        return false;
    m_after = o->m_after;
    setText(o->text());
    setObsolete(sameStage(m_before, m_after)); // typed back to where it began: no step left
    return true;
}

MoveStagesCommand::MoveStagesCommand(PipelineDocument *doc, QHash<QString, std::pair<QPointF, QPointF>> moves, bool mergeable,
                                     QUndoCommand *parent)
    : QUndoCommand(parent), m_doc(doc), m_moves(std::move(moves)), m_mergeable(mergeable)
{
    setText(m_moves.size() == 1 ? QObject::tr("Move %1").arg(m_moves.begin().key()) : QObject::tr("Move %n stages", nullptr, int(m_moves.size())));
}

void MoveStagesCommand::apply(bool forward)
{
    for (auto it = m_moves.cbegin(); it != m_moves.cend(); ++it)
        (void)m_doc->model()->setPosition(m_doc->model()->nodeByName(it.key()), forward ? it.value().second : it.value().first);
}

void MoveStagesCommand::redo()
{
    apply(true);
}

void MoveStagesCommand::undo()
{
    apply(false);
}

bool MoveStagesCommand::mergeWith(const QUndoCommand *other)
{
    const auto *o = static_cast<const MoveStagesCommand *>(other);
    if (!o->m_mergeable || o->m_moves.keys().size() != m_moves.size())
        return false;
    for (auto it = o->m_moves.cbegin(); it != o->m_moves.cend(); ++it)
        if (!m_moves.contains(it.key()))
            return false;
    for (auto it = o->m_moves.cbegin(); it != o->m_moves.cend(); ++it)
        m_moves[it.key()].second = it.value().second;
    return true;
}

SetParamCommand::SetParamCommand(PipelineDocument *doc, const QString &key, std::optional<ParamValue> value, QUndoCommand *parent)
    : QUndoCommand(parent), m_doc(doc), m_key(key), m_before(doc->param(key)), m_after(std::move(value))
{
    setText(m_after ? QObject::tr("Change %1 to %2").arg(key, undoTextValue(m_after->interpolationText())) : QObject::tr("Remove %1").arg(key));
}

void SetParamCommand::redo()
{
    m_doc->setParam(m_key, m_after);
}

void SetParamCommand::undo()
{
    m_doc->setParam(m_key, m_before);
}

bool SetParamCommand::mergeWith(const QUndoCommand *other)
{
    const auto *o = static_cast<const SetParamCommand *>(other);
    if (o->m_key != m_key || o->m_mergeKey != m_mergeKey)
        return false;
    m_after = o->m_after;
    setText(o->text());
    setObsolete(m_before == m_after);
    return true;
}

} // namespace orrery::ui
