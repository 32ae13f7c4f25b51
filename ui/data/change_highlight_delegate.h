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
    // Columns that start a group (a "before | after" pair): a faint rule on their left edge
    // keeps the pairs apart when the figures run together.
    void setGroupStarts(const QList<int> &columns) { m_groupStarts = columns; }

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;

private:
    int m_role;
    QList<int> m_groupStarts;
};

} // namespace orrery::ui
