#include "ui/pipeline/path_line_edit.h"

#include <QPainter>
#include <QStyle>
#include <QStyleOptionFrame>

namespace orrery::ui {

PathLineEdit::PathLineEdit(QWidget *parent) : QLineEdit(parent)
{
    connect(this, &QLineEdit::textChanged, this, [this](const QString &t) { setToolTip(t); });
}

QRect PathLineEdit::textArea() const
{
    QStyleOptionFrame opt;
    initStyleOption(&opt);
    const QMargins m = textMargins();
    return style()->subElementRect(QStyle::SE_LineEditContents, &opt, this).marginsRemoved(m).adjusted(2, 0, -2, 0);
}

QString PathLineEdit::shownText() const
{
    if (hasFocus())
        return text();
    return fontMetrics().elidedText(text(), Qt::ElideLeft, textArea().width());
}

void PathLineEdit::paintEvent(QPaintEvent *event)
{
    if (hasFocus() || text().isEmpty() || fontMetrics().horizontalAdvance(text()) <= textArea().width()) {
        QLineEdit::paintEvent(event);
        return;
    }
    // The frame as QLineEdit draws it, then the elided text in the text colour of its palette.
    QPainter p(this);
    QStyleOptionFrame opt;
    initStyleOption(&opt);
    style()->drawPrimitive(QStyle::PE_PanelLineEdit, &opt, &p, this);
    p.setPen(palette().color(isEnabled() ? QPalette::Active : QPalette::Disabled, QPalette::Text));
    p.drawText(textArea(), Qt::AlignLeft | Qt::AlignVCenter, shownText());
}

} // namespace orrery::ui
