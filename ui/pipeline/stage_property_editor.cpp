#include "ui/pipeline/stage_property_editor.h"

#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/stage_command.h"
#include "ui/pipeline/stage_param_editor.h"
#include "ui/pipeline/undo_commands.h"

#include <QFormLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QRegularExpression>
#include <QScrollArea>
#include <QUndoStack>
#include <QVBoxLayout>

#include <functional>

namespace orrery::ui {

using namespace orrery::pipeline;

// A row of the form: which field, how it is labelled, the value the document has, and how its
// editor is made. rows() is the one place that says what the form shows, for building the form
// and for refreshing its values in place.
struct StagePropertyEditor::Row {
    QString field;
    QString label;
    QString hint;
    QString value;
    std::function<StageParamEditor *(QWidget *)> make;
};

StagePropertyEditor::StagePropertyEditor(PipelineDocument *doc, QWidget *parent) : QWidget(parent), m_doc(doc), m_header(new QLabel(this))
{
    setObjectName(QStringLiteral("stagePropertyEditor"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::RichText);
    layout->addWidget(m_header);
    layout->addStretch(1);
    connect(doc->model(), &PipelineModel::nodeUpdated, this, [this](NodeId id) {
        if (id == m_node)
            refresh();
    });
    connect(doc->model(), &PipelineModel::nodeRemoved, this, [this](NodeId id) {
        if (id == m_node)
            setNode(0);
    });
    connect(doc->model(), &PipelineModel::modelReset, this, [this] { setNode(0); });
    connect(doc, &PipelineDocument::paramChanged, this, &StagePropertyEditor::refresh);
    // The stack moved by something else than this form's typing (an undo, another edit): the next
    // keystroke starts a new command instead of growing the one the stack has on top.
    connect(doc->undoStack(), &QUndoStack::indexChanged, this, [this] {
        if (!m_pushing)
            ++m_editSession;
    });
    rebuild();
}

void StagePropertyEditor::setNode(NodeId id)
{
    if (id == m_node && m_form)
        return;
    m_node = id;
    ++m_editSession;
    rebuild();
}

StageParamEditor *StagePropertyEditor::editor(const QString &name) const
{
    return m_form ? m_form->findChild<StageParamEditor *>(QStringLiteral("param.") + name) : nullptr;
}

QString StagePropertyEditor::problems() const
{
    const Stage *s = m_doc->model()->stage(m_node);
    if (!m_form || !s)
        return QString();
    auto *form = static_cast<QFormLayout *>(m_form->layout());
    QStringList found;
    for (StageParamEditor *e : m_form->findChildren<StageParamEditor *>()) { // in the form's order
        // A problem in a field that still shows the document's value (a required setting of a new
        // stage, left empty) is the pipeline's to report when it runs, not a lost edit.
        if (e->shownError().isEmpty() || e->isApplied())
            continue;
        // The field as the form labels it ("--seed", "name"), without the hint under it.
        auto *label = qobject_cast<QLabel *>(form->labelForField(e));
        const QString field = label ? label->text().section(QLatin1Char('\n'), 0, 0) : e->spec().name;
        found << tr("field %1: %2").arg(field, e->shownError());
    }
    return found.isEmpty() ? QString() : tr("stage %1, %2").arg(s->name, found.join(QStringLiteral("; ")));
}

QVector<StagePropertyEditor::Row> StagePropertyEditor::rows(const Stage &s) const
{
    QVector<Row> out;
    out.append({QStringLiteral("name"), tr("name"), QString(), s.name, [this](QWidget *p) {
                    return StageParamEditor::createText(QStringLiteral("name"), tr("the stage's name in dvc.yaml"), true, p);
                }});
    out.append({QStringLiteral("desc"), tr("description"), QString(), s.desc, [this](QWidget *p) {
                    return StageParamEditor::createText(QStringLiteral("desc"), tr("what the stage is for"), false, p);
                }});
    const StageType *type = m_doc->stageType(m_node);
    const auto call = type ? StageCommand::parse(s.cmd.front()) : std::nullopt;
    if (type && call) {
        for (const StageParamSpec &spec : type->params) {
            const QString raw = call->value(spec.name).value_or(QString());
            const QString ref = StageCommand::paramReference(raw);
            QString value = raw;
            if (!ref.isEmpty()) {
                const auto v = m_doc->param(ref);
                value = v ? v->interpolationText() : QString();
            }
            const QString kind = spec.kind == ParamKind::Input ? tr("input") : spec.kind == ParamKind::Output ? tr("output") : QString();
            const QString hint = ref.isEmpty() ? kind : QStringLiteral("params.yaml: %1").arg(ref);
            out.append({spec.name, QStringLiteral("--") + spec.name, hint, value,
                        [this, spec](QWidget *p) { return StageParamEditor::create(spec, m_doc->root(), p); }});
        }
        return out;
    }
    QStringList outs, metrics;
    for (const auto &o : s.outs)
        outs << o.path;
    for (const auto &o : s.metrics)
        metrics << o.path;
    out.append({QStringLiteral("cmd"), tr("cmd"), QString(), s.cmd.join(QLatin1Char('\n')), [this](QWidget *p) {
                    return StageParamEditor::createText(QStringLiteral("cmd"), tr("the command line"), true, p);
                }});
    out.append({QStringLiteral("deps"), tr("deps"), QString(), s.deps.join(QLatin1Char('\n')), [this](QWidget *p) {
                    return StageParamEditor::createList(QStringLiteral("deps"), tr("files the stage reads"), p);
                }});
    out.append({QStringLiteral("outs"), tr("outs"), QString(), outs.join(QLatin1Char('\n')), [this](QWidget *p) {
                    return StageParamEditor::createList(QStringLiteral("outs"), tr("files the stage writes"), p);
                }});
    out.append({QStringLiteral("metrics"), tr("metrics"), QString(), metrics.join(QLatin1Char('\n')), [this](QWidget *p) {
                    return StageParamEditor::createList(QStringLiteral("metrics"), tr("metrics files it writes"), p);
                }});
    return out;
}

QString StagePropertyEditor::headerText(const Stage &s) const
{
    const StageType *type = m_doc->stageType(m_node);
    return type ? tr("<b>%1</b> · %2<br><small>%3</small>").arg(s.name.toHtmlEscaped(), type->name, type->docs.toHtmlEscaped())
                : tr("<b>%1</b> · command stage").arg(s.name.toHtmlEscaped());
}

void StagePropertyEditor::refresh()
{
    if (m_committing)
        return; // the form made this change: its fields already show it
    const Stage *s = m_doc->model()->stage(m_node);
    if (!s || !m_form) {
        rebuild();
        return;
    }
    const QVector<Row> wanted = rows(*s);
    const QList<StageParamEditor *> fields = m_form->findChildren<StageParamEditor *>(Qt::FindDirectChildrenOnly);
    bool same = fields.size() == wanted.size();
    for (int i = 0; same && i < fields.size(); ++i)
        same = fields[i]->spec().name == wanted[i].field;
    if (!same) {
        rebuild();
        return;
    }
    // In place: rebuilding would delete the field the user is typing in (and Ctrl+Z there is
    // handled inside that field's own key event).
    m_header->setText(headerText(*s));
    for (int i = 0; i < fields.size(); ++i)
        if (fields[i]->text() != wanted[i].value || !fields[i]->isApplied())
            fields[i]->setText(wanted[i].value);
}

void StagePropertyEditor::rebuild()
{
    if (m_form) {
        // Later, not now: this may run inside a key event of one of its fields (Ctrl+Z there
        // undid the stage's creation). Out of the tree at once, so no lookup finds it.
        m_form->hide();
        m_form->setParent(nullptr);
        m_form->deleteLater();
    }
    m_form = nullptr;
    const Stage *s = m_doc->model()->stage(m_node);
    if (!s) {
        m_header->setText(tr("<i>Select a stage to edit it.</i>"));
        return;
    }
    const bool generated = m_doc->isGenerated(s->name);
    m_header->setText(headerText(*s));
    m_form = new QWidget(this);
    auto *form = new QFormLayout(m_form);
    form->setContentsMargins(0, 0, 0, 0);
    // Each field under its label, the column's whole width: beside labels such as "--test-fraction
    // (params.yaml: split.test_fraction)" the fields of the other rows were left a few letters wide
    // ("…v" for a path) in the column's usual width — long rows wrapped only once a field's
    // minimum no longer fitted, and a larger minimum pushed fields past the column's edge.
    form->setRowWrapPolicy(QFormLayout::WrapAllRows);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    static_cast<QVBoxLayout *>(layout())->insertWidget(1, m_form);

    for (const Row &row : rows(*s)) {
        StageParamEditor *e = row.make(m_form);
        e->setText(row.value);
        e->setEnabled(!generated);
        form->addRow(row.hint.isEmpty() ? row.label : QStringLiteral("%1\n(%2)").arg(row.label, row.hint), e);
        connect(e, &StageParamEditor::edited, this, [this, e] { commit(e); });
        e->field()->installEventFilter(this); // Ctrl+Z / Ctrl+Shift+Z go to the document's stack
    }
    if (generated)
        form->addRow(new QLabel(tr("Generated by foreach/matrix: edit the group in dvc.yaml."), m_form));
    m_form->show(); // now, not at the layout's queued show: the form is usable the moment it is built
}

bool StagePropertyEditor::eventFilter(QObject *watched, QEvent *event)
{
    const auto isUndo = [](const QKeyEvent *k) { return k->matches(QKeySequence::Undo); };
    const auto isRedo = [](const QKeyEvent *k) {
        // Ctrl+Shift+Z whatever the platform's key scheme says (some list only Ctrl+Y).
        return k->matches(QKeySequence::Redo) || (k->key() == Qt::Key_Z && k->modifiers() == (Qt::ControlModifier | Qt::ShiftModifier));
    };
    switch (event->type()) {
    case QEvent::ShortcutOverride: {
        // Claim the keys from the shortcut map (the editor's Undo action would fire as well as,
        // or instead of, this), so that they arrive here as a key press.
        auto *k = static_cast<QKeyEvent *>(event);
        if (isUndo(k) || isRedo(k)) {
            event->accept();
            return true;
        }
        break;
    }
    case QEvent::KeyPress: {
        // Never to the line edit: its private undo would change the text behind the stack's back.
        auto *k = static_cast<QKeyEvent *>(event);
        if (isUndo(k)) {
            m_doc->undoStack()->undo();
            return true;
        }
        if (isRedo(k)) {
            m_doc->undoStack()->redo();
            return true;
        }
        break;
    }
    case QEvent::FocusOut:
        ++m_editSession; // the next edit of this field is a new command
        break;
    default:
        break;
    }
    return QWidget::eventFilter(watched, event);
}

void StagePropertyEditor::push(QUndoCommand *command)
{
    m_pushing = true;
    m_doc->undoStack()->push(command);
    m_pushing = false;
}

QString StagePropertyEditor::mergeKey(const QString &field) const
{
    return QStringLiteral("%1/%2/%3").arg(m_node).arg(field).arg(m_editSession);
}

void StagePropertyEditor::commit(StageParamEditor *e)
{
    const Stage *current = m_doc->model()->stage(m_node);
    if (!current)
        return;
    const QString name = e->spec().name;
    QString error = e->validate();
    static const QRegularExpression nameRe(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]*$"));
    if (error.isEmpty() && name == QLatin1String("name") && !nameRe.match(e->text()).hasMatch())
        error = tr("letters, digits, '_', '-' and '.' only");
    if (error.isEmpty() && name == QLatin1String("name") && e->text() != current->name && m_doc->model()->nodeByName(e->text()))
        error = tr("another stage is named '%1'").arg(e->text());
    if (!error.isEmpty()) {
        e->showError(error);
        return;
    }
    Stage after = *current;
    QString text;
    if (name == QLatin1String("name")) {
        after.name = e->text();
        text = tr("Rename %1 to %2").arg(current->name, after.name);
    } else if (name == QLatin1String("desc")) {
        after.desc = e->text();
        text = tr("Change the description of %1").arg(current->name);
    } else if (const StageType *type = m_doc->stageType(m_node)) {
        auto call = StageCommand::parse(current->cmd.front());
        const StageParamSpec *spec = type->param(name);
        const QString raw = call->value(name).value_or(QString());
        const QString ref = StageCommand::paramReference(raw);
        if (!ref.isEmpty()) {
            const ParamValue value = StageCommand::typedValue(spec->type, e->text().trimmed());
            if (m_doc->param(ref) != std::optional<ParamValue>(value)) { // else nothing to undo
                m_committing = true;
                auto *cmd = new SetParamCommand(m_doc, ref, value);
                cmd->setMergeKey(mergeKey(name)); // one command per field edit, not per keystroke
                push(cmd);
                m_committing = false;
            }
            e->markApplied();
            return;
        }
        const QString value = e->text().trimmed();
        text = value.isEmpty() ? tr("Clear %1.%2").arg(current->name, name)
                               : tr("Change %1.%2 to %3").arg(current->name, name, undoTextValue(value));
        if (value.isEmpty())
            call->remove(name);
        else
            call->setValue(name, value);
        after.cmd = QStringList{call->toCommandLine()};
        // A path option is also the stage's dep or out, so the graph follows the edit.
        if (spec->kind == ParamKind::Input) {
            after.deps.removeAll(raw);
            if (!value.isEmpty() && !after.deps.contains(value))
                after.deps.append(value);
        } else if (spec->kind == ParamKind::Output) {
            bool replaced = false;
            for (auto *list : {&after.outs, &after.metrics, &after.plots})
                for (int i = int(list->size()) - 1; i >= 0; --i)
                    if ((*list)[i].path == raw && !raw.isEmpty()) {
                        if (value.isEmpty())
                            list->remove(i);
                        else
                            (*list)[i].path = value;
                        replaced = true;
                    }
            if (!replaced && !value.isEmpty()) {
                OutSpec o;
                o.path = value;
                after.outs.append(o);
            }
        }
    } else {
        commitCommandStage(e);
        return;
    }
    if (sameStage(after, *current)) { // typed to what it is: no command
        e->markApplied();
        return;
    }
    Status st;
    m_committing = true;
    push(new UpdateStageCommand(m_doc, current->name, after, text, mergeKey(name), &st));
    m_committing = false;
    if (!st.isOk()) {
        e->showError(st.message());
        Q_EMIT message(st.message());
        return;
    }
    e->markApplied();
}

void StagePropertyEditor::commitCommandStage(StageParamEditor *e)
{
    const Stage *current = m_doc->model()->stage(m_node);
    Stage after = *current;
    const QString name = e->spec().name;
    if (name == QLatin1String("cmd")) {
        after.cmd = e->lines().isEmpty() ? QStringList{e->text()} : e->lines();
    } else if (name == QLatin1String("deps")) {
        after.deps = e->lines();
    } else {
        QVector<OutSpec> &list = name == QLatin1String("outs") ? after.outs : after.metrics;
        QVector<OutSpec> next;
        for (const QString &p : e->lines()) {
            OutSpec o;
            for (const auto &old : list)
                if (old.path == p)
                    o = old;
            o.path = p;
            if (name == QLatin1String("metrics") && o.options.empty())
                o.cache = false;
            next.append(o);
        }
        list = next;
    }
    if (sameStage(after, *current)) {
        e->markApplied();
        return;
    }
    const QString text = name == QLatin1String("cmd") ? tr("Change %1.cmd to %2").arg(current->name, undoTextValue(after.cmd.join(QStringLiteral(" && "))))
                                                      : tr("Change %1.%2").arg(current->name, name);
    Status st;
    m_committing = true;
    push(new UpdateStageCommand(m_doc, current->name, after, text, mergeKey(name), &st));
    m_committing = false;
    if (!st.isOk()) {
        e->showError(st.message());
        Q_EMIT message(st.message());
        return;
    }
    e->markApplied();
}

} // namespace orrery::ui
