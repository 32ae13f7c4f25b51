#pragma once
// EmptyState: what an area shows while it has nothing to show — a large icon, a title, a sentence
// on what will appear there and a sentence on how to start. No area is ever a blank pane: a blank
// pane reads as "broken", an empty state reads as "not yet, and here is how".
//
// Text in backticks in `howToStart` is shown as code and can be selected and copied, because it
// is usually a command to paste into a terminal.

#include <QWidget>

class QLabel;

namespace orrery::ui {

class EmptyState : public QWidget {
    Q_OBJECT
public:
    EmptyState(const QString &iconPath, const QString &title, const QString &description,
               const QString &howToStart, QWidget *parent = nullptr);

    QString title() const { return m_title; }
    QString description() const { return m_description; }
    QString howToStart() const { return m_howToStart; }

    // HTML for `text`: escapes markup and turns `code` spans into <code>.
    static QString backticksToHtml(const QString &text);

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateFonts();

    QString m_title;
    QString m_description;
    QString m_howToStart;
    QLabel *m_titleLabel;
    QLabel *m_descriptionLabel;
    QLabel *m_hintLabel;
};

} // namespace orrery::ui
