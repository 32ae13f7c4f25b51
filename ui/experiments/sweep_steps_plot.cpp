#include "ui/experiments/sweep_steps_plot.h"

#include "ui/experiments/sweep_plot.h"

#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace orrery::ui {

using tune::TrialState;

SweepStepsPlot::SweepStepsPlot(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("sweepStepsPlot"));
    setMinimumSize(320, 180);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
}

void SweepStepsPlot::setSnapshot(const SweepSnapshotPtr &snapshot)
{
    m_snapshot = snapshot;
    update();
}

void SweepStepsPlot::setSelectedTrial(int number)
{
    if (number == m_selected)
        return;
    m_selected = number;
    update();
}

QVector<SweepStepsPlot::PrunedMark> SweepStepsPlot::prunedMarks() const
{
    QVector<PrunedMark> marks;
    if (m_snapshot)
        for (const SweepStepCurve &c : m_snapshot->curves)
            if (c.state == TrialState::Pruned && !c.points.isEmpty())
                marks.append({c.number, c.points.last()});
    return marks;
}

QVector<int> SweepStepsPlot::drawnTrials() const
{
    QVector<int> numbers;
    if (m_snapshot)
        for (const SweepStepCurve &c : m_snapshot->curves)
            if (!c.points.isEmpty())
                numbers.append(c.number);
    return numbers;
}

void SweepStepsPlot::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette pal = palette();
    const QFontMetrics fm(font());
    p.setPen(pal.color(QPalette::Text));
    const int total = m_snapshot ? int(m_snapshot->trials.size()) : 0;
    const int drawn = int(drawnTrials().size());
    p.drawText(QRectF(8, 4, width() - 16, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
        drawn < total
            ? tr("Intermediate values of the newest %1 and the best %2 trials (%3 drawn of %4); × where the pruner stopped a trial")
                  .arg(SweepReader::kRecentCurves)
                  .arg(SweepReader::kBestCurves)
                  .arg(drawn)
                  .arg(total)
            : tr("Intermediate values per trial; × where the pruner stopped a trial"));
    if (!m_snapshot || drawn == 0) {
        p.drawText(rect(), Qt::AlignCenter, tr("No trial has reported a value yet"));
        return;
    }
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (const SweepStepCurve &c : m_snapshot->curves)
        for (const QPointF &pt : c.points) {
            if (!std::isfinite(pt.y()))
                continue;
            xlo = std::min(xlo, pt.x());
            xhi = std::max(xhi, pt.x());
            ylo = std::min(ylo, pt.y());
            yhi = std::max(yhi, pt.y());
        }
    sweepplot::Axis x = sweepplot::Axis::fit(xlo, xhi, false);
    x.integral = true; // epochs
    const sweepplot::Axis y = sweepplot::Axis::fit(ylo, yhi, false);
    const double left = fm.horizontalAdvance(QStringLiteral("0.00000")) + fm.height() + 10, top = 8 + 2 * fm.height();
    const QRectF plot(left, top, std::max(10.0, width() - left - 12), std::max(10.0, height() - top - 2 * fm.height() - 10));
    sweepplot::drawFrame(p, plot, x, y, tr("step (epoch)"), m_snapshot->sweep.metric, pal);

    const int best = m_snapshot->summary.bestTrial.value_or(-1);
    QColor complete = sweepplot::completeColor(pal);
    complete.setAlphaF(0.35);
    QColor pruned = sweepplot::prunedColor();
    pruned.setAlphaF(0.75);
    const QColor running = pal.color(QPalette::Highlight);
    auto pathOf = [&](const SweepStepCurve &c) {
        QPainterPath path;
        bool first = true;
        for (const QPointF &pt : c.points) {
            const QPointF at(sweepplot::xAt(x, plot, pt.x()), sweepplot::yAt(y, plot, pt.y()));
            if (first)
                path.moveTo(at);
            else
                path.lineTo(at);
            first = false;
        }
        return path;
    };
    p.setClipRect(plot.adjusted(-4, -4, 4, 4));
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setBrush(Qt::NoBrush);
    // Faint ones first, so the marked ones stay on top.
    for (int pass = 0; pass < 3; ++pass) {
        for (const SweepStepCurve &c : m_snapshot->curves) {
            if (c.points.isEmpty())
                continue;
            const bool emphasised = c.number == best || c.number == m_selected;
            const int layer = emphasised ? 2 : c.state == TrialState::Complete ? 0 : 1;
            if (layer != pass)
                continue;
            QPen pen(c.state == TrialState::Pruned ? pruned : c.state == TrialState::Running ? running : complete, 1.2);
            if (c.number == best)
                pen = QPen(sweepplot::bestColor(pal), 2.2);
            if (c.number == m_selected)
                pen.setWidthF(3.0);
            p.setPen(pen);
            if (c.points.size() == 1)
                p.drawEllipse(QPointF(sweepplot::xAt(x, plot, c.points[0].x()), sweepplot::yAt(y, plot, c.points[0].y())), 1.5, 1.5);
            else
                p.drawPath(pathOf(c));
            if (c.state == TrialState::Pruned) {
                const QPointF end(sweepplot::xAt(x, plot, c.points.last().x()), sweepplot::yAt(y, plot, c.points.last().y()));
                p.setPen(QPen(sweepplot::prunedColor(), 1.8));
                p.drawLine(end + QPointF(-4, -4), end + QPointF(4, 4));
                p.drawLine(end + QPointF(-4, 4), end + QPointF(4, -4));
            }
        }
    }
}

} // namespace orrery::ui
