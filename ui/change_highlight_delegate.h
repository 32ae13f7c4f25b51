#pragma once
// ChangeHighlightDelegate: gives cells a model marks as changed (a bool under `role`) a tinted
// background — the palette's highlight colour blended into the base colour — so changed figures
// stand out in a diff.
//
// The tint is derived from the cell's own palette, never a fixed colour: in a dark theme it is a
// dark, saturated tint under light text, in a light theme a pale one under dark text, and the
// text keeps its normal colour (and contrast) in both.

#include <QStyledItemDelegate>

namespace orrery::ui {

class ChangeHighlightDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit ChangeHighlightDelegate(int role, QObject *parent = nullptr);

    // The background of a changed cell in `palette`.
    static QColor highlightColor(const QPalette &palette);

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;

private:
    int m_role;
};

} // namespace orrery::ui
