#include "ui/data/change_highlight_delegate.h"

#include <QPainter>

namespace orrery::ui {
namespace {
constexpr qreal kTint = 0.32; // enough to find the cell at a glance, little enough to read on
}

ChangeHighlightDelegate::ChangeHighlightDelegate(int role, QObject *parent) : QStyledItemDelegate(parent), m_role(role) {}

QColor ChangeHighlightDelegate::highlightColor(const QPalette &palette)
{
    const QColor base = palette.color(QPalette::Base);
    const QColor tint = palette.color(QPalette::Highlight);
    return QColor::fromRgbF(base.redF() + (tint.redF() - base.redF()) * kTint,
                            base.greenF() + (tint.greenF() - base.greenF()) * kTint,
                            base.blueF() + (tint.blueF() - base.blueF()) * kTint);
}

void ChangeHighlightDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    if (index.data(m_role).toBool())
        option->backgroundBrush = highlightColor(option->palette);
}

void ChangeHighlightDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QStyledItemDelegate::paint(painter, option, index);
    if (!m_groupStarts.contains(index.column()))
        return;
    QColor rule = option.palette.color(QPalette::Text);
    rule.setAlphaF(0.18);
    painter->save();
    painter->setPen(rule);
    painter->drawLine(option.rect.topLeft(), option.rect.bottomLeft());
    painter->restore();
}

} // namespace orrery::ui
