#include "ui/experiments/sweep_plot.h"

#include <QFontMetrics>
#include <QPainter>
#include <QPalette>

#include <algorithm>
#include <cmath>
#include <vector>

namespace orrery::ui::sweepplot {

Axis Axis::fit(double min, double max, bool log)
{
    Axis a;
    a.log = log && min > 0;
    if (!std::isfinite(min) || !std::isfinite(max)) {
        min = 0;
        max = 1;
    }
    if (a.log) {
        if (max <= min)
            max = min * 10;
        a.lo = min / std::pow(max / min, 0.04);
        a.hi = max * std::pow(max / min, 0.04);
        return a;
    }
    if (max <= min) {
        const double pad = min == 0 ? 1.0 : std::abs(min) * 0.1;
        min -= pad;
        max += pad;
    }
    const double pad = (max - min) * 0.04;
    a.lo = min - pad;
    a.hi = max + pad;
    return a;
}

Axis Axis::categorical(const QStringList &names)
{
    Axis a;
    a.categories = names;
    a.lo = -0.5;
    a.hi = std::max<double>(0.5, names.size() - 0.5);
    return a;
}

double Axis::fraction(double v) const
{
    if (log)
        return v > 0 ? (std::log(v) - std::log(lo)) / (std::log(hi) - std::log(lo)) : 0.0;
    return (v - lo) / (hi - lo);
}

QVector<double> Axis::ticks(int count) const
{
    QVector<double> out;
    if (!categories.isEmpty()) {
        for (int i = 0; i < categories.size(); ++i)
            out.append(i);
        return out;
    }
    if (log) {
        for (double e = std::ceil(std::log10(lo)); e <= std::floor(std::log10(hi)); e += 1)
            out.append(std::pow(10.0, e));
        if (out.size() >= 2)
            return out;
        out.clear(); // less than two decades: round values in between, as on a linear axis
    }
    const double raw = integral ? std::max(1.0, (hi - lo) / std::max(1, count)) : (hi - lo) / std::max(1, count);
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (raw <= m * magnitude) {
            step = m * magnitude;
            break;
        }
    for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
        out.append(std::abs(v) < step * 1e-9 ? 0.0 : v);
    return out;
}

QString Axis::label(double v) const
{
    if (!categories.isEmpty()) {
        const int i = int(std::lround(v));
        return i >= 0 && i < categories.size() ? categories[i] : QString();
    }
    if (log && std::abs(std::log10(v) - std::round(std::log10(v))) < 1e-9 && (v < 1e-3 || v >= 1e4))
        return QStringLiteral("1e%1").arg(int(std::round(std::log10(v))));
    return QString::number(v, 'g', 4);
}

void drawFrame(
    QPainter &p, const QRectF &plot, const Axis &x, const Axis &y, const QString &xTitle, const QString &yTitle, const QPalette &palette)
{
    p.save();
    const QColor text = palette.color(QPalette::Text);
    QColor grid = palette.color(QPalette::Mid);
    grid.setAlphaF(0.35);
    const QFontMetrics fm(p.font());
    p.setPen(QPen(grid, 1));
    for (double v : y.ticks(std::max(3, int(plot.height() / 32)))) {
        const double py = yAt(y, plot, v);
        if (py < plot.top() - 0.5 || py > plot.bottom() + 0.5)
            continue;
        p.setPen(QPen(grid, 1));
        p.drawLine(QPointF(plot.left(), py), QPointF(plot.right(), py));
        p.setPen(text);
        const QString l = y.label(v);
        p.drawText(QRectF(plot.left() - 6 - fm.horizontalAdvance(l), py - fm.height() / 2.0, fm.horizontalAdvance(l) + 1, fm.height()),
            Qt::AlignRight | Qt::AlignVCenter, l);
    }
    const int xCount = std::max(2, int(plot.width() / 60));
    for (double v : x.ticks(xCount)) {
        const double px = xAt(x, plot, v);
        if (px < plot.left() - 0.5 || px > plot.right() + 0.5)
            continue;
        p.setPen(QPen(grid, 1));
        p.drawLine(QPointF(px, plot.top()), QPointF(px, plot.bottom()));
        p.setPen(text);
        QString l = x.label(v);
        if (!x.categories.isEmpty())
            l = fm.elidedText(l, Qt::ElideRight, int(plot.width() / std::max<qsizetype>(1, x.categories.size())) - 4);
        const double w = fm.horizontalAdvance(l);
        p.drawText(QRectF(px - w / 2, plot.bottom() + 3, w + 1, fm.height()), Qt::AlignCenter, l);
    }
    p.setPen(QPen(palette.color(QPalette::Mid), 1));
    p.setBrush(Qt::NoBrush);
    p.drawRect(plot);
    p.setPen(text);
    if (!xTitle.isEmpty())
        p.drawText(QRectF(plot.left(), plot.bottom() + 3 + fm.height(), plot.width(), fm.height()), Qt::AlignCenter, xTitle);
    if (!yTitle.isEmpty()) {
        p.translate(plot.left() - 6 - fm.horizontalAdvance(QStringLiteral("0.0000")) - fm.height(), plot.center().y());
        p.rotate(-90);
        p.drawText(QRectF(-plot.height() / 2, -fm.height() / 2.0, plot.height(), fm.height()), Qt::AlignCenter,
            fm.elidedText(yTitle, Qt::ElideRight, int(plot.height())));
    }
    p.restore();
}

int drawDots(QPainter &p, const QRectF &plot, const QVector<QPointF> &pixels, const QColor &color, double radius)
{
    const double cell = std::max(1.0, 2 * radius);
    const int cols = int(plot.width() / cell) + 1, rows = int(plot.height() / cell) + 1;
    std::vector<bool> taken(size_t(cols) * size_t(rows), false);
    QVector<QPointF> centres;
    for (const QPointF &pt : pixels) {
        if (!std::isfinite(pt.x()) || !std::isfinite(pt.y()))
            continue;
        const int c = int((pt.x() - plot.left()) / cell), r = int((pt.y() - plot.top()) / cell);
        if (c < 0 || r < 0 || c >= cols || r >= rows)
            continue;
        const size_t at = size_t(r) * size_t(cols) + size_t(c);
        if (taken[at])
            continue;
        taken[at] = true;
        centres.append(pt); // the first point of its cell, where it is: small sweeps look as they are
    }
    p.save();
    p.setPen(Qt::NoPen);
    p.setBrush(color);
    for (const QPointF &c : std::as_const(centres))
        p.drawEllipse(c, radius, radius);
    p.restore();
    return int(centres.size());
}

QColor completeColor(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightnessF() >= 0.5 ? QColor(0x3b, 0x52, 0x8b) : QColor(0x7a, 0x9c, 0xe0);
}

QColor prunedColor()
{
    return QColor(0xd0, 0x80, 0x10);
}

QColor bestColor(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightnessF() >= 0.5 ? QColor(0x1b, 0x7a, 0x3a) : QColor(0x5d, 0xc8, 0x63);
}

} // namespace orrery::ui::sweepplot
