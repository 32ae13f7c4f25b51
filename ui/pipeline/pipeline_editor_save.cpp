// PipelineEditor, the saving half: Save, refused while the property form shows a problem, and
// the Save / Discard / Cancel question before the pipeline is closed.
#include "ui/pipeline/pipeline_editor.h"

#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/stage_property_editor.h"

#include <QFileInfo>
#include <QMessageBox>
#include <QUndoStack>

namespace orrery::ui {

bool PipelineEditor::save()
{
    // A field with a problem holds text the document does not have (the last value it could
    // apply may be a half-typed one): saving now would write what the form does not show.
    const QString problems = m_props->problems();
    if (!problems.isEmpty()) {
        showMessage(tr("Not saved: %1. Correct the field (or undo the edit), then save again.").arg(problems), true);
        return false;
    }
    const Status st = m_doc->save();
    if (!st.isOk()) {
        showMessage(tr("Not saved: %1").arg(st.message()), true);
        return false;
    }
    watchFiles();
    showMessage(tr("Saved dvc.yaml, params.yaml and .orrery/layout.json"));
    updateActions();
    return true;
}

bool PipelineEditor::hasUnsavedEdits() const
{
    return m_doc->isLoaded() && (m_doc->isModified() || !m_props->problems().isEmpty());
}

bool PipelineEditor::mayClose(QWidget *parent)
{
    if (!hasUnsavedEdits())
        return true;
    // What would be lost, as the Undo button names it ("Change split.seed to 7"): a person
    // decides on those, not on "edits". The steps since the last save, or the saved ones undone.
    const QUndoStack *u = m_doc->undoStack();
    QStringList edits;
    const int clean = u->cleanIndex();
    if (clean >= 0 && clean <= u->index()) {
        for (int i = clean; i < u->index(); ++i)
            edits << u->text(i);
    } else if (clean > u->index()) {
        for (int i = clean - 1; i >= u->index(); --i)
            edits << tr("Undone: %1").arg(u->text(i));
    }
    if (const QString problems = m_props->problems(); !problems.isEmpty())
        edits << tr("Not applied (a problem): %1").arg(problems);
    constexpr int kShown = 6;
    if (edits.size() > kShown) {
        const int more = int(edits.size()) - (kShown - 1);
        edits = edits.mid(0, kShown - 1);
        edits << tr("… and %n more", nullptr, more);
    }
    QString text = tr("The pipeline of %1 has edits that are not saved.").arg(QFileInfo(m_root).fileName());
    if (!edits.isEmpty())
        text += QStringLiteral("\n\n• ") + edits.join(QStringLiteral("\n• "));
    // exec(), not open(): the caller (a close event, a workspace switch) needs the answer now.
    QMessageBox box(QMessageBox::Warning, tr("Unsaved Pipeline Edits"), text,
                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, parent);
    box.setTextFormat(Qt::PlainText); // stage names and values are not markup
    box.setObjectName(QStringLiteral("unsavedEditsBox"));
    box.setInformativeText(tr("Save them to dvc.yaml and params.yaml before closing, or discard them?"));
    box.setDefaultButton(QMessageBox::Save);
    switch (box.exec()) {
    case QMessageBox::Save:
        return save(); // refused or failed: the message says why, and nothing closes
    case QMessageBox::Discard:
        return true;
    default:
        return false;
    }
}

} // namespace orrery::ui
