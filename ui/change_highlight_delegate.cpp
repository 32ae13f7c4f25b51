#include "ui/change_highlight_delegate.h"

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

} // namespace orrery::ui
