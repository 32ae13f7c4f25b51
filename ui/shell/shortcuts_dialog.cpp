#include "ui/shell/shortcuts_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QKeySequence>
#include <QMenu>
#include <QMenuBar>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace orrery::ui {
namespace {

QString plainText(QString text)
{
    // "&Open" → "Open", "Save && Quit" → "Save & Quit".
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
    text.remove(QLatin1Char('&'));
    text.replace(QLatin1Char('\x01'), QLatin1Char('&'));
    return text;
}

void collectMenu(const QMenu *menu, const QString &group, QVector<ShortcutEntry> &out)
{
    for (QAction *action : menu->actions()) {
        if (action->isSeparator())
            continue;
        if (QMenu *sub = action->menu()) {
            collectMenu(sub, group, out);
            continue;
        }
        if (action->shortcuts().isEmpty())
            continue;
        QStringList keys;
        for (const QKeySequence &key : action->shortcuts())
            keys << key.toString(QKeySequence::NativeText);
        out.append({group, plainText(action->text()), keys.join(QStringLiteral(", "))});
    }
}

} // namespace

QVector<ShortcutEntry> ShortcutsDialog::collect(const QMenuBar *menuBar)
{
    QVector<ShortcutEntry> entries;
    for (QAction *action : menuBar->actions())
        if (QMenu *menu = action->menu())
            collectMenu(menu, plainText(menu->title()), entries);
    return entries;
}

ShortcutsDialog::ShortcutsDialog(const QMenuBar *menuBar, QWidget *parent)
    : QDialog(parent), m_entries(collect(menuBar))
{
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(tr("Keyboard Shortcuts"));

    auto *tree = new QTreeWidget(this);
    tree->setObjectName(QStringLiteral("shortcutsTree"));
    tree->setColumnCount(2);
    tree->setHeaderLabels({tr("Action"), tr("Shortcut")});
    tree->setRootIsDecorated(false);
    tree->setSelectionMode(QAbstractItemView::NoSelection);
    tree->setFocusPolicy(Qt::NoFocus);
    QTreeWidgetItem *group = nullptr;
    for (const ShortcutEntry &entry : m_entries) {
        if (!group || group->text(0) != entry.menu) {
            group = new QTreeWidgetItem(tree, {entry.menu});
            QFont bold = group->font(0);
            bold.setWeight(QFont::DemiBold);
            group->setFont(0, bold);
            group->setFirstColumnSpanned(true);
            group->setExpanded(true);
        }
        new QTreeWidgetItem(group, {entry.action, entry.keys});
    }
    tree->expandAll();
    tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    tree->header()->setStretchLastSection(false);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tree);
    layout->addWidget(buttons);
    resize(440, 520);
}

} // namespace orrery::ui
