#pragma once
// StagePropertyEditor: the form for the selected stage, built from its stage type's parameter
// descriptions (StageParamEditor::create per StageParamSpec) — or, for a command stage, its cmd,
// deps and outs as lists. A setting written as `${key}` in the command is backed by params.yaml:
// editing it changes params.yaml's value. Every valid change is an undo command on the document
// (consecutive keystrokes in one field merge into one); invalid input stays in the field with the
// reason under it and changes nothing.

#include "core/pipeline/pipeline_model.h"

#include <QPointer>
#include <QWidget>

class QFormLayout;
class QLabel;

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

private:
    void rebuild();
    void commit(StageParamEditor *editor);
    void commitCommandStage(StageParamEditor *editor);

    PipelineDocument *m_doc;
    pipeline::NodeId m_node = 0;
    QWidget *m_form = nullptr;
    QLabel *m_header;
    bool m_committing = false;
};

} // namespace orrery::ui
