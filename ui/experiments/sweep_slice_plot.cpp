#include "ui/experiments/sweep_slice_plot.h"

#include "ui/experiments/sweep_plot.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPainter>

#include <cmath>

namespace orrery::ui {

using tune::ParamKind;
using tune::TrialState;

namespace {

QString choiceText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 6);
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
}

// A fixed sideways offset per trial (−0.3 … 0.3 of a category's width): the same trial lands in the
// same place at every repaint.
double jitter(int number)
{
    quint32 h = quint32(number) * 2654435761u;
    h ^= h >> 16;
    return (double(h % 1000) / 999.0 - 0.5) * 0.6;
}

} // namespace

SweepSlicePlot::SweepSlicePlot(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("sweepSlicePlot"));
    setMinimumSize(320, 180);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
}

void SweepSlicePlot::setSnapshot(const SweepSnapshotPtr &snapshot)
{
    m_snapshot = snapshot;
    update();
}

QStringList SweepSlicePlot::slicedParams() const
{
    QStringList names;
    if (m_snapshot)
        for (const tune::ParamSpec &p : m_snapshot->sweep.spec.space.params())
            names << p.name;
    return names;
}

bool SweepSlicePlot::isLogSlice(const QString &param) const
{
    if (!m_snapshot)
        return false;
    const auto &space = m_snapshot->sweep.spec.space;
    const int i = space.indexOf(param);
    return i >= 0 && space.params()[i].kind != ParamKind::Categorical && space.params()[i].log;
}

void SweepSlicePlot::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette pal = palette();
    const QFontMetrics fm(font());
    p.setPen(pal.color(QPalette::Text));
    if (!m_snapshot || m_snapshot->sweep.spec.space.size() == 0) {
        p.drawText(rect(), Qt::AlignCenter, tr("No sweep"));
        return;
    }
    const auto &params = m_snapshot->sweep.spec.space.params();
    const auto &trials = m_snapshot->trials;
    double lo = INFINITY, hi = -INFINITY;
    for (const tune::Trial &t : trials)
        if (t.state == TrialState::Complete && t.value && std::isfinite(*t.value)) {
            lo = std::min(lo, *t.value);
            hi = std::max(hi, *t.value);
        }
    if (!std::isfinite(lo)) {
        p.drawText(rect(), Qt::AlignCenter, tr("No complete trial yet"));
        return;
    }
    const sweepplot::Axis y = sweepplot::Axis::fit(lo, hi, false);
    const int n = int(params.size());
    const int columns = n <= 3 ? n : n == 4 ? 2 : 3;
    const int rows = (n + columns - 1) / columns;
    const double cellW = double(width()) / columns, cellH = double(height()) / rows;
    const QColor dot = sweepplot::completeColor(pal);
    for (int i = 0; i < n; ++i) {
        const tune::ParamSpec &spec = params[i];
        const QRectF cell((i % columns) * cellW, (i / columns) * cellH, cellW, cellH);
        const double left = fm.horizontalAdvance(QStringLiteral("0.00000")) + fm.height() + 10;
        const QRectF plot(cell.left() + left, cell.top() + 8 + 1.5 * fm.height(), std::max(10.0, cell.width() - left - 12),
            std::max(10.0, cell.height() - 2.5 * fm.height() - 24));
        sweepplot::Axis x;
        if (spec.kind == ParamKind::Categorical) {
            QStringList names;
            for (const QJsonValue &c : spec.choices)
                names << choiceText(c);
            x = sweepplot::Axis::categorical(names);
        } else {
            x = sweepplot::Axis::fit(spec.low, spec.high, spec.log);
        }
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRectF(cell.left() + 8, cell.top() + 4, cell.width() - 16, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
            spec.log ? tr("%1 (log)").arg(spec.name) : spec.name);
        sweepplot::drawFrame(p, plot, x, y, QString(), i % columns == 0 ? m_snapshot->sweep.metric : QString(), pal);
        QVector<QPointF> dots;
        dots.reserve(trials.size());
        for (const tune::Trial &t : trials) {
            if (t.state != TrialState::Complete || !t.value || !std::isfinite(*t.value) || size_t(i) >= t.point.size())
                continue;
            double v = t.point[size_t(i)];
            if (std::isnan(v))
                continue; // inactive: nothing to place on this axis
            if (spec.kind == ParamKind::Categorical)
                v += jitter(t.number);
            dots.append(QPointF(sweepplot::xAt(x, plot, v), sweepplot::yAt(y, plot, *t.value)));
        }
        p.save();
        p.setClipRect(plot);
        p.setRenderHint(QPainter::Antialiasing, true);
        QColor c = dot;
        c.setAlphaF(0.8);
        sweepplot::drawDots(p, plot, dots, c, 2.2);
        p.restore();
    }
}

} // namespace orrery::ui
