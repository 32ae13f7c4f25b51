#pragma once
// ColumnMenu: the Columns button's menu. Choosing columns means ticking several in a row, so a
// checkable action toggles without closing the menu (mouse release, Return or Space on it); any
// other action, a click outside or Escape closes it as a QMenu does.

#include <QMenu>

namespace orrery::ui {

class ColumnMenu : public QMenu {
    Q_OBJECT
public:
    explicit ColumnMenu(QWidget *parent = nullptr);

protected:
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
};

} // namespace orrery::ui
