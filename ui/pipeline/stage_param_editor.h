#pragma once
// StageParamEditor: the editor of one stage parameter, chosen by its description (factory:
// create()) — a number field checked against its range, a choice box, a check box, a path field
// with a file dialog, a text field, or a list (one item per line). The widget is made here, from
// the StageParamSpec's data: stage definitions hold no widgets. validate() says what is wrong in
// words as the user types; edited() fires on every change, valid or not.

#include "core/pipeline/stage_type.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

namespace orrery::ui {

class StageParamEditor : public QWidget {
    Q_OBJECT
public:
    enum class Kind { Text, Int, Float, Bool, Choice, Path, List };

    static StageParamEditor *create(const pipeline::StageParamSpec &spec, const QString &root, QWidget *parent = nullptr);
    static StageParamEditor *createList(const QString &name, const QString &doc, QWidget *parent = nullptr);
    static StageParamEditor *createText(const QString &name, const QString &doc, bool required, QWidget *parent = nullptr);

    QString text() const;
    void setText(const QString &text); // no edited() signal
    QStringList lines() const;         // for lists
    // Empty when valid; else the reason ("must be at least 1", "required", "not a number").
    QString validate() const;
    void showError(const QString &error);
    // The problem the field shows under it (empty: none) — validate()'s, or why the form could not
    // apply the value (a name taken, a refused edit).
    QString shownError() const;
    // Whether the field shows what the document has: the text setText() put there or the last
    // one marked applied (the form calls markApplied() once an edit of it is in the document).
    bool isApplied() const { return text() == m_applied; }
    void markApplied() { m_applied = text(); }
    Kind kind() const { return m_kind; }
    const pipeline::StageParamSpec &spec() const { return m_spec; }
    QWidget *field() const { return m_field; }

Q_SIGNALS:
    void edited();

private:
    StageParamEditor(Kind kind, const pipeline::StageParamSpec &spec, const QString &root, QWidget *parent);
    void build();
    void browse();

    Kind m_kind;
    pipeline::StageParamSpec m_spec;
    QString m_root;
    QWidget *m_field = nullptr;
    QLineEdit *m_line = nullptr;
    QComboBox *m_combo = nullptr;
    QCheckBox *m_check = nullptr;
    QPlainTextEdit *m_list = nullptr;
    QLabel *m_error = nullptr;
    bool m_setting = false;
    QString m_applied; // the text the document has for this field
};

} // namespace orrery::ui
