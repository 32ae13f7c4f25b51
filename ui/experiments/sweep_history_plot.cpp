#include "ui/experiments/sweep_history_plot.h"

#include "ui/experiments/sweep_plot.h"

#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace orrery::ui {

using tune::TrialState;

SweepHistoryPlot::SweepHistoryPlot(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("sweepHistoryPlot"));
    setMinimumSize(320, 180);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
}

void SweepHistoryPlot::setSnapshot(const SweepSnapshotPtr &snapshot)
{
    m_snapshot = snapshot;
    update();
}

QVector<QPointF> SweepHistoryPlot::bestSoFar() const
{
    return m_snapshot ? m_snapshot->bestSoFar : QVector<QPointF>();
}

void SweepHistoryPlot::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette pal = palette();
    const QFontMetrics fm(font());
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRectF(8, 4, width() - 16, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, tr("Trials and the best so far"));
    m_lastDots = 0;
    if (!m_snapshot || m_snapshot->trials.isEmpty()) {
        p.drawText(rect(), Qt::AlignCenter, tr("No trials yet"));
        return;
    }
    const auto &trials = m_snapshot->trials;
    double lo = INFINITY, hi = -INFINITY;
    for (const tune::Trial &t : trials)
        if (t.state == TrialState::Complete && t.value && std::isfinite(*t.value)) {
            lo = std::min(lo, *t.value);
            hi = std::max(hi, *t.value);
        }
    if (!std::isfinite(lo)) // nothing complete yet: the pruned trials' values set the range
        for (const tune::Trial &t : trials)
            if (t.value && std::isfinite(*t.value)) {
                lo = std::min(lo, *t.value);
                hi = std::max(hi, *t.value);
            }
    sweepplot::Axis x = sweepplot::Axis::fit(trials.first().number, trials.last().number, false);
    x.integral = true;
    const sweepplot::Axis y = sweepplot::Axis::fit(lo, hi, false);
    const double left = fm.horizontalAdvance(QStringLiteral("0.00000")) + fm.height() + 10, top = 12 + 2 * fm.height();
    const QRectF plot(left, top, std::max(10.0, width() - left - 12), std::max(10.0, height() - top - 2 * fm.height() - 10));
    sweepplot::drawFrame(p, plot, x, y, tr("trial"), m_snapshot->sweep.metric, pal);

    // The legend, on the line under the title, right-aligned over the plot.
    const QColor complete = sweepplot::completeColor(pal), pruned = sweepplot::prunedColor(), best = sweepplot::bestColor(pal);
    double lx = plot.right();
    const double ly = 4 + fm.height();
    auto legend = [&](const QString &text, const QColor &c, bool line) {
        const double w = fm.horizontalAdvance(text);
        lx -= w;
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRectF(lx, ly, w + 1, fm.height()), Qt::AlignVCenter, text);
        lx -= 16;
        if (line) {
            p.setPen(QPen(c, 2));
            p.drawLine(QPointF(lx, ly + fm.height() / 2.0), QPointF(lx + 12, ly + fm.height() / 2.0));
        } else {
            p.setPen(Qt::NoPen);
            p.setBrush(c);
            p.drawEllipse(QPointF(lx + 6, ly + fm.height() / 2.0), 3, 3);
        }
        lx -= 14;
    };
    legend(tr("best so far"), best, true);
    legend(tr("pruned (last value)"), pruned, false);
    legend(tr("complete"), complete, false);

    QVector<QPointF> completeDots, prunedDots;
    completeDots.reserve(trials.size());
    for (const tune::Trial &t : trials) {
        if (!t.value || !std::isfinite(*t.value))
            continue;
        const QPointF at(sweepplot::xAt(x, plot, t.number), sweepplot::yAt(y, plot, *t.value));
        if (t.state == TrialState::Complete)
            completeDots.append(at);
        else if (t.state == TrialState::Pruned)
            prunedDots.append(at);
    }
    p.setClipRect(plot);
    p.setRenderHint(QPainter::Antialiasing, true);
    QColor paler = pruned;
    paler.setAlphaF(0.55);
    m_lastDots += sweepplot::drawDots(p, plot, prunedDots, paler, 2.5);
    m_lastDots += sweepplot::drawDots(p, plot, completeDots, complete, 2.5);
    const QVector<QPointF> &steps = m_snapshot->bestSoFar;
    if (!steps.isEmpty()) {
        QPainterPath path;
        path.moveTo(sweepplot::xAt(x, plot, steps.first().x()), sweepplot::yAt(y, plot, steps.first().y()));
        for (int i = 1; i < steps.size(); ++i) {
            path.lineTo(sweepplot::xAt(x, plot, steps[i].x()), sweepplot::yAt(y, plot, steps[i - 1].y()));
            path.lineTo(sweepplot::xAt(x, plot, steps[i].x()), sweepplot::yAt(y, plot, steps[i].y()));
        }
        p.setPen(QPen(best, 2));
        p.setBrush(Qt::NoBrush);
        p.drawPath(path);
    }
}

} // namespace orrery::ui
