#pragma once
// ModeBar: the vertical strip of large icon-over-text buttons on the left of the window that
// switches between the workbench's areas, as Qt Creator's mode selector does.
//
// Each mode is a checkable action in one exclusive group, so the same actions can sit in the View
// menu (with their Ctrl+N shortcuts) and the buttons and menu items can never disagree about which
// area is current.

#include <QToolBar>

class QActionGroup;
class QToolButton;

namespace orrery::ui {

class ModeBar : public QToolBar {
    Q_OBJECT
public:
    explicit ModeBar(QWidget *parent = nullptr);

    // Appends a mode; the first one added becomes current. The action is owned by the bar.
    QAction *addMode(const QString &svgPath, const QString &text, const QString &id);

    QList<QAction *> modeActions() const { return m_actions; }
    // The button showing mode `index` (for focus handling and tests).
    QToolButton *buttonAt(int index) const;
    int count() const { return int(m_actions.size()); }

    int currentIndex() const;
    void setCurrentIndex(int index);
    // Disables every mode (no workspace open) or enables them again.
    void setModesEnabled(bool enabled);

Q_SIGNALS:
    void currentIndexChanged(int index);

private:
    QActionGroup *m_group;
    QList<QAction *> m_actions;
};

} // namespace orrery::ui
