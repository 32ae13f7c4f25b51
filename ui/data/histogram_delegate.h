#pragma once
// HistogramDelegate: paints a column's distribution as a small bar chart inside a table cell
// (a sparkline), from the bar heights a model gives under `role`.
//
// Custom painting rather than a Qt Charts view per row: a chart is a whole QGraphicsView, far too
// heavy for one cell of a table that may have hundreds of columns, and Qt Charts is on its way
// out (Qt 6.10). Colours come from the cell's palette (the highlight colour for bars, the
// highlighted-text colour on a selected row), so light and dark themes both work.

#include <QStyledItemDelegate>

namespace orrery::ui {

class HistogramDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    explicit HistogramDelegate(int role, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // The bar rectangles for `heights` in `area`, for painting and for tests.
    static QVector<QRectF> barRects(const QList<double> &heights, const QRectF &area);

private:
    int m_role;
};

} // namespace orrery::ui
