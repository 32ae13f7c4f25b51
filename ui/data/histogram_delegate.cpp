#include "ui/data/histogram_delegate.h"

#include <QApplication>
#include <QPainter>

#include <algorithm>

namespace orrery::ui {
namespace {
constexpr int kPreferredWidth = 120;
constexpr qreal kMinBarHeight = 1.0; // a non-empty bin never disappears
} // namespace

HistogramDelegate::HistogramDelegate(int role, QObject *parent) : QStyledItemDelegate(parent), m_role(role) {}

QVector<QRectF> HistogramDelegate::barRects(const QList<double> &heights, const QRectF &area)
{
    QVector<QRectF> rects;
    if (heights.isEmpty() || area.width() <= 0 || area.height() <= 0)
        return rects;
    const double top = *std::max_element(heights.begin(), heights.end());
    if (top <= 0)
        return rects;
    const qreal step = area.width() / heights.size();
    // A one-pixel gap separates bars while they are wide enough to keep one.
    const qreal gap = step >= 4 ? 1.0 : 0.0;
    for (int i = 0; i < heights.size(); ++i) {
        if (heights[i] <= 0)
            continue;
        const qreal h = std::max(kMinBarHeight, area.height() * heights[i] / top);
        rects.append(QRectF(area.left() + i * step, area.bottom() - h, step - gap, h));
    }
    return rects;
}

void HistogramDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    // The background, selection and focus as the style draws them for any cell, then the bars.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QList<double> heights = index.data(m_role).value<QList<double>>();
    if (heights.isEmpty())
        return;
    const QRectF area = QRectF(option.rect).adjusted(6, 4, -6, -4);
    const bool selected = option.state & QStyle::State_Selected;
    QColor bar = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Highlight);
    painter->save();
    painter->setPen(Qt::NoPen);
    painter->setBrush(bar);
    painter->setRenderHint(QPainter::Antialiasing, false); // crisp bars at any size
    for (const QRectF &r : barRects(heights, area))
        painter->drawRect(r);
    // A baseline, so a column whose values sit in one bin still reads as a chart.
    QColor base = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    base.setAlphaF(0.25);
    painter->setPen(base);
    painter->drawLine(QPointF(area.left(), area.bottom() + 0.5), QPointF(area.right(), area.bottom() + 0.5));
    painter->restore();
}

QSize HistogramDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setWidth(std::max(size.width(), kPreferredWidth));
    return size;
}

} // namespace orrery::ui
