#include "ui/common/empty_state.h"

#include "ui/common/svg_icon_widget.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace orrery::ui {
namespace {
constexpr int kIconSize = 80;
constexpr qreal kIconStroke = 1.1; // in the icon's 24-unit grid: ~3.7 px at 80 px
constexpr int kTextWidth = 520; // long lines are hard to read; this keeps ~70 characters a line

QLabel *makeLabel(const QString &text, Qt::TextFormat format, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setTextFormat(format);
    label->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    label->setWordWrap(true);
    return label;
}
} // namespace

EmptyState::EmptyState(const QString &iconPath, const QString &title, const QString &description,
                       const QString &howToStart, QWidget *parent)
    : QWidget(parent), m_title(title), m_description(description), m_howToStart(howToStart)
{
    auto *icon = new SvgIconWidget(iconPath, kIconSize, kIconStroke, this);
    m_titleLabel = makeLabel(title, Qt::PlainText, this);
    m_titleLabel->setAccessibleName(title);
    m_descriptionLabel = makeLabel(description, Qt::PlainText, this);
    m_hintLabel = makeLabel(backticksToHtml(howToStart), Qt::RichText, this);
    m_hintLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A palette role, not a colour: secondary text follows light and dark themes.
    m_hintLabel->setForegroundRole(QPalette::PlaceholderText);

    auto *column = new QWidget(this);
    column->setMaximumWidth(kTextWidth);
    auto *columnLayout = new QVBoxLayout(column);
    columnLayout->setContentsMargins(0, 0, 0, 0);
    columnLayout->setSpacing(10);
    columnLayout->addWidget(icon, 0, Qt::AlignHCenter);
    columnLayout->addSpacing(14);
    columnLayout->addWidget(m_titleLabel);
    columnLayout->addWidget(m_descriptionLabel);
    columnLayout->addSpacing(4);
    columnLayout->addWidget(m_hintLabel);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(32, 32, 32, 32);
    layout->addStretch(2);
    // Stretches on both sides centre the column; without an alignment flag it still takes the
    // full width up to its maximum, which gives the word-wrapped labels a real width to wrap at.
    // (A bare addWidget() left it at its maximum width against the left margin.)
    auto *row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(column, 100);
    row->addStretch(1);
    layout->addLayout(row);
    layout->addStretch(3); // a little above centre, where the eye expects content
    updateFonts();
}

QString EmptyState::backticksToHtml(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char('`'));
    QString html;
    for (int i = 0; i < parts.size(); ++i) {
        const QString escaped = parts[i].toHtmlEscaped();
        // Odd parts were between backticks; an unpaired trailing backtick stays literal text.
        if (i % 2 == 1 && i + 1 < parts.size())
            html += QStringLiteral("<code>%1</code>").arg(escaped);
        else
            html += (i % 2 == 1 ? QStringLiteral("`") : QString()) + escaped;
    }
    return html;
}

void EmptyState::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange || event->type() == QEvent::ApplicationFontChange)
        updateFonts();
    QWidget::changeEvent(event);
}

void EmptyState::updateFonts()
{
    // Derived from the widget's font, so the user's font size setting scales the whole state.
    QFont titleFont = font();
    if (font().pointSizeF() > 0)
        titleFont.setPointSizeF(font().pointSizeF() * 1.45);
    else
        titleFont.setPixelSize(qRound(font().pixelSize() * 1.45));
    titleFont.setWeight(QFont::DemiBold);
    m_titleLabel->setFont(titleFont);
}

} // namespace orrery::ui
