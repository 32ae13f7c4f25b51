#include "ui/common/svg_icon_widget.h"

#include <QFile>
#include <QPainter>
#include <QSvgRenderer>

namespace orrery::ui {

namespace {
QByteArray loadSvg(const QString &path, qreal strokeWidth)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray svg = file.readAll();
    if (strokeWidth > 0)
        svg.replace("stroke-width=\"1.75\"", "stroke-width=\"" + QByteArray::number(strokeWidth) + '"');
    return svg;
}
} // namespace

SvgIconWidget::SvgIconWidget(const QString &svgPath, int logicalSize, QWidget *parent)
    : SvgIconWidget(svgPath, logicalSize, 0, parent)
{
}

SvgIconWidget::SvgIconWidget(const QString &svgPath, int logicalSize, qreal strokeWidth, QWidget *parent)
    : QWidget(parent), m_renderer(new QSvgRenderer(loadSvg(svgPath, strokeWidth), this)), m_size(logicalSize)
{
    setFixedSize(logicalSize, logicalSize);
    setAttribute(Qt::WA_TranslucentBackground);
}

QSize SvgIconWidget::sizeHint() const
{
    return {m_size, m_size};
}

bool SvgIconWidget::isValidIcon() const
{
    return m_renderer->isValid();
}

void SvgIconWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    if (!isEnabled())
        painter.setOpacity(0.5); // as QIcon's disabled mode does, without a second drawing
    m_renderer->render(&painter, QRectF(rect()));
}

} // namespace orrery::ui
