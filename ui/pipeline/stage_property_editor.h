#pragma once
// StagePropertyEditor: the form for the selected stage, built from its stage type's parameter
// descriptions (StageParamEditor::create per StageParamSpec) — or, for a command stage, its cmd,
// deps and outs as lists. A setting written as `${key}` in the command is backed by params.yaml:
// editing it changes params.yaml's value. Every valid change is an undo command on the document
// (consecutive keystrokes in one field merge into one); invalid input stays in the field with the
// reason under it and changes nothing.
//
// One undo history: the document's stack is the only one. Ctrl+Z / Ctrl+Shift+Z in a field undo
// and redo on it (a line edit's own undo would change the text behind the stack's back, and the
// toolbar's Undo would then undo a step the form no longer shows); a field edit is one command
// ("Change train.learning_rate to 0.001") from the first keystroke until the field loses focus or
// the stack moves under it; an edit back to the value it began with, or to the value already
// there, leaves no command. When the stack changes the stage, the fields take its values in
// place, so the field being typed in keeps the focus.

#include "core/pipeline/pipeline_model.h"

#include <QPointer>
#include <QVector>
#include <QWidget>

class QFormLayout;
class QLabel;
class QUndoCommand;

namespace orrery::ui {

class PipelineDocument;
class StageParamEditor;

class StagePropertyEditor : public QWidget {
    Q_OBJECT
public:
    explicit StagePropertyEditor(PipelineDocument *doc, QWidget *parent = nullptr);
    void setNode(pipeline::NodeId id); // 0: nothing selected
    pipeline::NodeId node() const { return m_node; }
    StageParamEditor *editor(const QString &name) const;
    // The fields whose text is not in the document because of a problem, for a person — "stage
    // split, field --seed: 'abc' is not a whole number; field …" — or empty. A save now would write
    // values the form does not show (the editor refuses to).
    QString problems() const;

Q_SIGNALS:
    void message(const QString &text);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Row;
    QVector<Row> rows(const pipeline::Stage &stage) const;
    QString headerText(const pipeline::Stage &stage) const;
    // The stage changed (an undo, a param): the form's values follow, in place when its fields
    // are the same ones; else it is built again.
    void refresh();
    void rebuild();
    void push(QUndoCommand *command);
    QString mergeKey(const QString &field) const;
    void commit(StageParamEditor *editor);
    void commitCommandStage(StageParamEditor *editor);

    PipelineDocument *m_doc;
    pipeline::NodeId m_node = 0;
    QWidget *m_form = nullptr;
    QLabel *m_header;
    bool m_committing = false;
    bool m_pushing = false;
    // Part of every merge key: a new edit of the same field starts a new command once the field
    // lost focus, or the stack moved (undo, redo, another edit) since the last keystroke.
    int m_editSession = 0;
};

} // namespace orrery::ui
