#include "ui/pipeline/stage_param_editor.h"

#include "ui/pipeline/path_line_edit.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QToolButton>
#include <QVBoxLayout>

namespace orrery::ui {

using pipeline::ParamKind;
using pipeline::ParamType;

StageParamEditor *StageParamEditor::create(const pipeline::StageParamSpec &spec, const QString &root, QWidget *parent)
{
    Kind k = Kind::Text;
    switch (spec.type) {
    case ParamType::Int: k = Kind::Int; break;
    case ParamType::Float: k = Kind::Float; break;
    case ParamType::Bool: k = Kind::Bool; break;
    case ParamType::Choice: k = Kind::Choice; break;
    case ParamType::Path: k = Kind::Path; break;
    case ParamType::String: k = Kind::Text; break;
    }
    return new StageParamEditor(k, spec, root, parent);
}

StageParamEditor *StageParamEditor::createList(const QString &name, const QString &doc, QWidget *parent)
{
    pipeline::StageParamSpec spec;
    spec.name = name;
    spec.doc = doc;
    return new StageParamEditor(Kind::List, spec, QString(), parent);
}

StageParamEditor *StageParamEditor::createText(const QString &name, const QString &doc, bool required, QWidget *parent)
{
    pipeline::StageParamSpec spec;
    spec.name = name;
    spec.doc = doc;
    spec.required = required;
    return new StageParamEditor(Kind::Text, spec, QString(), parent);
}

StageParamEditor::StageParamEditor(Kind kind, const pipeline::StageParamSpec &spec, const QString &root, QWidget *parent)
    : QWidget(parent), m_kind(kind), m_spec(spec), m_root(root)
{
    setObjectName(QStringLiteral("param.") + spec.name);
    build();
}

void StageParamEditor::build()
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->setSpacing(1);
    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    auto changed = [this] {
        if (!m_setting) {
            showError(validate());
            Q_EMIT edited();
        }
    };
    switch (m_kind) {
    case Kind::Bool:
        m_check = new QCheckBox(this);
        connect(m_check, &QCheckBox::toggled, this, changed);
        m_field = m_check;
        break;
    case Kind::Choice:
        m_combo = new QComboBox(this);
        if (!m_spec.required)
            m_combo->addItem(QString());
        m_combo->addItems(m_spec.choices);
        connect(m_combo, &QComboBox::currentTextChanged, this, changed);
        m_field = m_combo;
        break;
    case Kind::List:
        m_list = new QPlainTextEdit(this);
        m_list->setPlaceholderText(tr("one per line"));
        m_list->setFixedHeight(70);
        connect(m_list, &QPlainTextEdit::textChanged, this, changed);
        m_field = m_list;
        break;
    default:
        m_line = m_kind == Kind::Path ? new PathLineEdit(this) : new QLineEdit(this);
        if (m_kind == Kind::Int || m_kind == Kind::Float) {
            QStringList range;
            if (m_spec.min)
                range << QStringLiteral("≥ %1").arg(*m_spec.min);
            if (m_spec.max)
                range << QStringLiteral("≤ %1").arg(*m_spec.max);
            m_line->setPlaceholderText((m_kind == Kind::Int ? tr("integer") : tr("number")) + (range.isEmpty() ? QString() : QStringLiteral(" ") + range.join(QStringLiteral(", "))));
        } else if (!m_spec.defaultValue.isEmpty()) {
            m_line->setPlaceholderText(tr("default: %1").arg(m_spec.defaultValue));
        }
        connect(m_line, &QLineEdit::textChanged, this, changed);
        m_field = m_line;
        break;
    }
    m_field->setObjectName(QStringLiteral("field.") + m_spec.name);
    m_field->setToolTip(m_spec.doc);
    row->addWidget(m_field, 1);
    if (m_kind == Kind::Path) {
        auto *b = new QToolButton(this);
        b->setText(QStringLiteral("…"));
        b->setObjectName(QStringLiteral("browse.") + m_spec.name);
        b->setToolTip(m_spec.kind == ParamKind::Output ? tr("Choose where it is written") : tr("Choose a file"));
        connect(b, &QToolButton::clicked, this, &StageParamEditor::browse);
        row->addWidget(b);
    }
    outer->addLayout(row);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("error.") + m_spec.name);
    m_error->setStyleSheet(QStringLiteral("color: #e57373;"));
    m_error->setWordWrap(true);
    m_error->hide();
    outer->addWidget(m_error);
}

void StageParamEditor::browse()
{
    const QString start = m_root.isEmpty() ? QDir::currentPath() : m_root;
    const QString file = m_spec.kind == ParamKind::Output ? QFileDialog::getSaveFileName(this, tr("Output of --%1").arg(m_spec.name), start)
                                                          : QFileDialog::getOpenFileName(this, tr("Input of --%1").arg(m_spec.name), start);
    if (file.isEmpty())
        return;
    // Paths in dvc.yaml are relative to the workspace.
    const QString rel = m_root.isEmpty() ? file : QDir(m_root).relativeFilePath(file);
    m_line->setText(rel);
}

QString StageParamEditor::text() const
{
    if (m_check)
        return m_check->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
    if (m_combo)
        return m_combo->currentText();
    if (m_list)
        return m_list->toPlainText();
    return m_line->text();
}

QStringList StageParamEditor::lines() const
{
    QStringList out;
    for (const QString &l : text().split(QLatin1Char('\n')))
        if (!l.trimmed().isEmpty())
            out << l.trimmed();
    return out;
}

void StageParamEditor::setText(const QString &text)
{
    m_setting = true;
    if (m_check)
        m_check->setChecked(text == QLatin1String("true"));
    else if (m_combo) {
        if (m_combo->findText(text) < 0)
            m_combo->addItem(text);
        m_combo->setCurrentText(text);
    } else if (m_list) {
        if (m_list->toPlainText() != text)
            m_list->setPlainText(text);
    } else if (m_line->text() != text)
        m_line->setText(text);
    m_setting = false;
    m_applied = this->text(); // as the field shows it (a combo box may add it, a list trims nothing)
    showError(validate());
}

QString StageParamEditor::validate() const
{
    const QString t = text().trimmed();
    if (t.isEmpty())
        return m_spec.required ? tr("required") : QString();
    bool ok = false;
    double v = 0;
    if (m_kind == Kind::Int) {
        v = double(t.toLongLong(&ok));
        if (!ok)
            return tr("'%1' is not a whole number").arg(t);
    } else if (m_kind == Kind::Float) {
        v = t.toDouble(&ok);
        if (!ok)
            return tr("'%1' is not a number").arg(t);
    } else if (m_kind == Kind::Choice) {
        if (!m_spec.choices.contains(t))
            return tr("choose one of %1").arg(m_spec.choices.join(QStringLiteral(", ")));
        return QString();
    } else if (m_kind == Kind::Path) {
        if (QDir::isAbsolutePath(t) || t.startsWith(QLatin1String("../")))
            return tr("a path inside the workspace, relative to it");
        return QString();
    } else {
        return QString();
    }
    if (m_spec.min && v < *m_spec.min)
        return tr("must be at least %1").arg(*m_spec.min);
    if (m_spec.max && v > *m_spec.max)
        return tr("must be at most %1").arg(*m_spec.max);
    return QString();
}

void StageParamEditor::showError(const QString &error)
{
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
    m_field->setStyleSheet(error.isEmpty() ? QString() : QStringLiteral("border: 1px solid #e57373;"));
}

QString StageParamEditor::shownError() const
{
    return m_error->text();
}

} // namespace orrery::ui
