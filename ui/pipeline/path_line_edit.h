#pragma once
// PathLineEdit: a line edit for a file path that, while it is not being edited, shows the end of
// the path in full and elides the start ("…/work/transactions.csv"): a path's file name is what
// tells two fields apart, and a plain QLineEdit in a narrow form shows a cut-off middle
// ("ions.csv", "work/spl"). While it has focus it is an ordinary QLineEdit. The whole path is
// its tooltip.

#include <QLineEdit>

namespace orrery::ui {

class PathLineEdit : public QLineEdit {
    Q_OBJECT
public:
    explicit PathLineEdit(QWidget *parent = nullptr);
    // What is drawn while not editing: the text, elided on the left to the field's width.
    QString shownText() const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QRect textArea() const;
};

} // namespace orrery::ui
