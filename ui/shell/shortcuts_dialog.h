#pragma once
// ShortcutsDialog: every keyboard shortcut of the window, grouped by menu.
//
// The list is read from the menu bar's actions each time the dialog opens, never written by hand,
// so it cannot go stale when an action or a shortcut changes.

#include <QDialog>
#include <QString>
#include <QVector>

class QMenuBar;

namespace orrery::ui {

struct ShortcutEntry {
    QString menu;   // "File", "View"
    QString action; // "Open Workspace…" (mnemonic ampersands removed)
    QString keys;   // "Ctrl+O", several joined with ", "
};

class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ShortcutsDialog(const QMenuBar *menuBar, QWidget *parent = nullptr);

    const QVector<ShortcutEntry> &entries() const { return m_entries; }

    // Every action with a shortcut in the menus (and their sub-menus), in menu order.
    static QVector<ShortcutEntry> collect(const QMenuBar *menuBar);

private:
    QVector<ShortcutEntry> m_entries;
};

} // namespace orrery::ui
