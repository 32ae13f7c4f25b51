#pragma once
// What the Sweep view's painted plots share: an axis (linear or log, nice ticks), the frame with
// its ticks and titles, and a scatter that draws each occupied dot once.
//
// The plots are painted rather than handed to Qt Charts: a sweep may have 100,000 trials, and a
// scatter of them needs at most one dot per cell of the plot (drawDots keeps a bitmap of the cells
// drawn), which Qt Charts' series cannot do without being handed every point first.
//
// Threads: GUI thread (painting).

#include <QColor>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

class QPainter;
class QPalette;

namespace orrery::ui::sweepplot {

struct Axis {
    double lo = 0.0, hi = 1.0;
    bool log = false; // lo > 0
    QStringList categories; // a categorical axis: positions 0 … n−1, labelled
    bool integral = false; // whole numbers only (trial numbers, steps): ticks 1 apart at least

    // lo … hi over the finite values seen (a margin of 4 % on a linear axis; a degenerate range widened).
    static Axis fit(double min, double max, bool log);
    static Axis categorical(const QStringList &names);
    // 0 at lo … 1 at hi (on a log axis, in log space).
    double fraction(double v) const;
    // About `count` round values within lo … hi: 1-2-5 steps, or decades on a log axis.
    QVector<double> ticks(int count) const;
    QString label(double v) const;
};

// Pixel position of v on a horizontal (x) or vertical (y) axis over `plot`.
inline double xAt(const Axis &a, const QRectF &plot, double v)
{
    return plot.left() + a.fraction(v) * plot.width();
}
inline double yAt(const Axis &a, const QRectF &plot, double v)
{
    return plot.bottom() - a.fraction(v) * plot.height();
}

// The plot's frame, its ticks with labels and the axes' titles, in the palette's text colours.
void drawFrame(
    QPainter &p, const QRectF &plot, const Axis &x, const Axis &y, const QString &xTitle, const QString &yTitle, const QPalette &palette);

// A dot of `radius` at each point, at most one per (2·radius)² cell: n points cost n lookups and
// at most (plot area / cell) dots drawn. Returns how many dots were drawn.
int drawDots(QPainter &p, const QRectF &plot, const QVector<QPointF> &pixels, const QColor &color, double radius);

// The plots' colours: complete trials, pruned ones, the best-so-far line, failed ones.
QColor completeColor(const QPalette &palette);
QColor prunedColor();
QColor bestColor(const QPalette &palette);

} // namespace orrery::ui::sweepplot
