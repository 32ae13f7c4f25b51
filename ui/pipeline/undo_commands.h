#pragma once
// The pipeline editor's undo commands: one QUndoCommand per edit, each acting on the
// PipelineDocument's model and params — never on graphics items; the scene follows the model's
// signals. Commands name stages by name, not NodeId: an undone add and its redo make a new node
// id, while the stack's linear order guarantees the name refers to the same stage each time.
//
// A command whose first redo() the model refuses marks itself obsolete (QUndoStack drops it)
// and reports the error through `status` when given. Compound edits (delete several, paste,
// layout) are macros of these. Consecutive moves of the same stages merge, and so do
// consecutive keystrokes in one property field (same merge key).

#include "core/common/status.h"
#include "core/pipeline/param_value.h"
#include "core/pipeline/stage.h"

#include <QHash>
#include <QPointF>
#include <QUndoCommand>
#include <QVector>

#include <optional>
#include <utility>

namespace orrery::ui {

class PipelineDocument;

enum UndoCommandId { MoveStagesId = 1701, SetParamId, UpdateStageId };

// Whether two stages would write the same dvc.yaml entry: an update from one to the other changes
// nothing a person can see, so the form pushes no command for it.
bool sameStage(const pipeline::Stage &a, const pipeline::Stage &b);
// A value as a command's text shows it: one line, elided past 40 characters.
QString undoTextValue(const QString &text);

class AddStageCommand : public QUndoCommand {
public:
    AddStageCommand(PipelineDocument *doc, pipeline::Stage stage, QPointF pos,
                    QVector<std::pair<QString, pipeline::ParamValue>> newParams = {}, Status *status = nullptr,
                    QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;

private:
    PipelineDocument *m_doc;
    pipeline::Stage m_stage;
    QPointF m_pos;
    QVector<std::pair<QString, pipeline::ParamValue>> m_newParams;
    QVector<std::optional<pipeline::ParamValue>> m_oldParams;
    Status *m_status;
    bool m_first = true;
};

class RemoveStageCommand : public QUndoCommand {
public:
    RemoveStageCommand(PipelineDocument *doc, const QString &name, QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;

private:
    PipelineDocument *m_doc;
    pipeline::Stage m_stage;
    QPointF m_pos;
};

class UpdateStageCommand : public QUndoCommand {
public:
    // mergeKey: consecutive updates with the same non-empty key merge ("name", "param:seed"); the
    // merged command takes the last one's text, and one that ends where it began is dropped.
    UpdateStageCommand(PipelineDocument *doc, const QString &name, pipeline::Stage after, const QString &text,
                       QString mergeKey = {}, Status *status = nullptr, QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;
    int id() const override { return m_mergeKey.isEmpty() ? -1 : UpdateStageId; }
    bool mergeWith(const QUndoCommand *other) override;

private:
    PipelineDocument *m_doc;
    pipeline::Stage m_before, m_after;
    QString m_mergeKey;
    Status *m_status;
    bool m_first = true;
};

class MoveStagesCommand : public QUndoCommand {
public:
    // name → (from, to)
    MoveStagesCommand(PipelineDocument *doc, QHash<QString, std::pair<QPointF, QPointF>> moves, bool mergeable = true,
                      QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;
    int id() const override { return m_mergeable ? MoveStagesId : -1; }
    bool mergeWith(const QUndoCommand *other) override;

private:
    void apply(bool forward);
    PipelineDocument *m_doc;
    QHash<QString, std::pair<QPointF, QPointF>> m_moves;
    bool m_mergeable;
};

// Sets one params.yaml value; its text says which and to what ("Change train.lr to 0.001").
// Consecutive sets of one key merge (one per field edit), and a merge that ends on the value it
// began with is dropped: the toolbar's Undo never undoes a step nobody can see.
class SetParamCommand : public QUndoCommand {
public:
    SetParamCommand(PipelineDocument *doc, const QString &key, std::optional<pipeline::ParamValue> value, QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;
    int id() const override { return SetParamId; }
    bool mergeWith(const QUndoCommand *other) override;
    // Sets of the same key merge only when their merge keys are equal too (the form's: one per
    // field edit); empty by default.
    void setMergeKey(const QString &mergeKey) { m_mergeKey = mergeKey; }

private:
    PipelineDocument *m_doc;
    QString m_key;
    QString m_mergeKey;
    std::optional<pipeline::ParamValue> m_before, m_after;
};

} // namespace orrery::ui
