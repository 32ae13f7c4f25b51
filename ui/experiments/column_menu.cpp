#include "ui/experiments/column_menu.h"

#include <QKeyEvent>
#include <QMouseEvent>

namespace orrery::ui {

ColumnMenu::ColumnMenu(QWidget *parent) : QMenu(parent)
{
}

void ColumnMenu::mouseReleaseEvent(QMouseEvent *event)
{
    QAction *action = actionAt(event->position().toPoint());
    if (action && action->isCheckable() && action->isEnabled() && event->button() == Qt::LeftButton) {
        // QMenu would trigger and then close every popup up the chain: trigger only.
        action->trigger();
        event->accept();
        return;
    }
    QMenu::mouseReleaseEvent(event);
}

void ColumnMenu::keyPressEvent(QKeyEvent *event)
{
    QAction *action = activeAction();
    if (action && action->isCheckable() && action->isEnabled()
        && (event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter || event->key() == Qt::Key_Space)) {
        action->trigger();
        event->accept();
        return;
    }
    QMenu::keyPressEvent(event);
}

} // namespace orrery::ui
