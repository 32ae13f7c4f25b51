#include "ui/pipeline/stage_property_editor.h"

#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/stage_command.h"
#include "ui/pipeline/stage_param_editor.h"
#include "ui/pipeline/undo_commands.h"

#include <QFormLayout>
#include <QLabel>
#include <QRegularExpression>
#include <QScrollArea>
#include <QUndoStack>
#include <QVBoxLayout>

namespace orrery::ui {

using namespace orrery::pipeline;

StagePropertyEditor::StagePropertyEditor(PipelineDocument *doc, QWidget *parent) : QWidget(parent), m_doc(doc), m_header(new QLabel(this))
{
    setObjectName(QStringLiteral("stagePropertyEditor"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_header->setWordWrap(true);
    m_header->setTextFormat(Qt::RichText);
    layout->addWidget(m_header);
    layout->addStretch(1);
    auto refresh = [this] {
        if (!m_committing)
            rebuild();
    };
    connect(doc->model(), &PipelineModel::nodeUpdated, this, [this, refresh](NodeId id) {
        if (id == m_node)
            refresh();
    });
    connect(doc->model(), &PipelineModel::nodeRemoved, this, [this](NodeId id) {
        if (id == m_node)
            setNode(0);
    });
    connect(doc->model(), &PipelineModel::modelReset, this, [this] { setNode(0); });
    connect(doc, &PipelineDocument::paramChanged, this, refresh);
    rebuild();
}

void StagePropertyEditor::setNode(NodeId id)
{
    if (id == m_node && m_form)
        return;
    m_node = id;
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

void StagePropertyEditor::rebuild()
{
    delete m_form;
    m_form = nullptr;
    const Stage *s = m_doc->model()->stage(m_node);
    if (!s) {
        m_header->setText(tr("<i>Select a stage to edit it.</i>"));
        return;
    }
    const StageType *type = m_doc->stageType(m_node);
    const bool generated = m_doc->isGenerated(s->name);
    m_header->setText(type ? tr("<b>%1</b> · %2<br><small>%3</small>").arg(s->name.toHtmlEscaped(), type->name, type->docs.toHtmlEscaped())
                           : tr("<b>%1</b> · command stage").arg(s->name.toHtmlEscaped()));
    m_form = new QWidget(this);
    auto *form = new QFormLayout(m_form);
    form->setContentsMargins(0, 0, 0, 0);
    // Labels such as "--test-fraction (params.yaml: split.test_fraction)" would leave a narrow
    // column a field a few pixels wide: a long label puts its field on the next line instead.
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    static_cast<QVBoxLayout *>(layout())->insertWidget(1, m_form);

    auto add = [&](StageParamEditor *e, const QString &label, const QString &value, const QString &hint = QString()) {
        e->setText(value);
        e->setEnabled(!generated);
        form->addRow(hint.isEmpty() ? label : QStringLiteral("%1\n(%2)").arg(label, hint), e);
        connect(e, &StageParamEditor::edited, this, [this, e] { commit(e); });
    };
    add(StageParamEditor::createText(QStringLiteral("name"), tr("the stage's name in dvc.yaml"), true, m_form), tr("name"), s->name);
    add(StageParamEditor::createText(QStringLiteral("desc"), tr("what the stage is for"), false, m_form), tr("description"), s->desc);
    const auto call = type ? StageCommand::parse(s->cmd.front()) : std::nullopt;
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
            QString hint = ref.isEmpty() ? kind : QStringLiteral("params.yaml: %1").arg(ref);
            add(StageParamEditor::create(spec, m_doc->root(), m_form), QStringLiteral("--") + spec.name, value, hint);
        }
    } else {
        add(StageParamEditor::createText(QStringLiteral("cmd"), tr("the command line"), true, m_form), tr("cmd"), s->cmd.join(QLatin1Char('\n')));
        add(StageParamEditor::createList(QStringLiteral("deps"), tr("files the stage reads"), m_form), tr("deps"), s->deps.join(QLatin1Char('\n')));
        QStringList outs, metrics;
        for (const auto &o : s->outs)
            outs << o.path;
        for (const auto &o : s->metrics)
            metrics << o.path;
        add(StageParamEditor::createList(QStringLiteral("outs"), tr("files the stage writes"), m_form), tr("outs"), outs.join(QLatin1Char('\n')));
        add(StageParamEditor::createList(QStringLiteral("metrics"), tr("metrics files it writes"), m_form), tr("metrics"), metrics.join(QLatin1Char('\n')));
    }
    if (generated)
        form->addRow(new QLabel(tr("Generated by foreach/matrix: edit the group in dvc.yaml."), m_form));
    m_form->show(); // now, not at the layout's queued show: the form is usable the moment it is built
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
    QString mergeKey = QStringLiteral("%1/%2").arg(m_node).arg(name);
    m_committing = true;
    Status st;
    if (name == QLatin1String("name")) {
        after.name = e->text();
    } else if (name == QLatin1String("desc")) {
        after.desc = e->text();
    } else if (const StageType *type = m_doc->stageType(m_node)) {
        auto call = StageCommand::parse(current->cmd.front());
        const StageParamSpec *spec = type->param(name);
        const QString raw = call->value(name).value_or(QString());
        const QString ref = StageCommand::paramReference(raw);
        if (!ref.isEmpty()) {
            m_doc->undoStack()->push(new SetParamCommand(m_doc, ref, StageCommand::typedValue(spec->type, e->text().trimmed())));
            m_committing = false;
            e->markApplied();
            return;
        }
        const QString value = e->text().trimmed();
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
        m_committing = false;
        return;
    }
    m_doc->undoStack()->push(new UpdateStageCommand(m_doc, current->name, after, tr("Edit %1 of %2").arg(name, current->name), mergeKey, &st));
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
    Status st;
    m_doc->undoStack()->push(new UpdateStageCommand(m_doc, current->name, after, tr("Edit %1 of %2").arg(name, current->name),
                                                    QStringLiteral("%1/%2").arg(m_node).arg(name), &st));
    if (!st.isOk()) {
        e->showError(st.message());
        Q_EMIT message(st.message());
        return;
    }
    e->markApplied();
}

} // namespace orrery::ui
