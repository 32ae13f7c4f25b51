#include "ui/experiments/run_parallel_coordinates.h"

#include "ui/common/stat_format.h"

#include <QComboBox>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace orrery::ui {
namespace {

// Ramps low → high. On a light background viridis' last stop (yellow) vanishes, so it ends in
// dark orange; on a dark one its first stop (near-black purple) vanishes, so it starts lighter.
QColor ramp(double t, const QColor (&stops)[5])
{
    t = std::clamp(t, 0.0, 1.0) * 4.0;
    const int i = std::min(3, int(t));
    const double f = t - i;
    const QColor &a = stops[i], &b = stops[i + 1];
    return QColor::fromRgbF(a.redF() + (b.redF() - a.redF()) * f, a.greenF() + (b.greenF() - a.greenF()) * f,
                            a.blueF() + (b.blueF() - a.blueF()) * f);
}

} // namespace

QColor RunParallelCoordinates::lineColor(double t, const QColor &background)
{
    static const QColor light[] = {QColor(0x44, 0x01, 0x54), QColor(0x3b, 0x52, 0x8b), QColor(0x1d, 0x7f, 0x7c),
                                   QColor(0x2e, 0x7d, 0x32), QColor(0xb8, 0x54, 0x00)};
    static const QColor dark[] = {QColor(0x7a, 0x8c, 0xe0), QColor(0x4f, 0xa8, 0xd8), QColor(0x21, 0xb0, 0xa8),
                                  QColor(0x5d, 0xc8, 0x63), QColor(0xfd, 0xe7, 0x25)};
    return background.lightnessF() >= 0.5 ? ramp(t, light) : ramp(t, dark);
}

RunParallelCoordinates::RunParallelCoordinates(QWidget *parent) : QWidget(parent), m_colorBox(new QComboBox(this))
{
    setObjectName(QStringLiteral("runParallelCoordinates"));
    m_colorBox->setObjectName(QStringLiteral("parallelColorBox"));
    m_colorBox->setToolTip(tr("The metric that colours the lines"));
    setMinimumSize(400, 240);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    connect(m_colorBox, &QComboBox::currentIndexChanged, this, [this] {
        // The colouring metric is the last axis: a new one rebuilds them.
        const QStringList before = axisNames();
        buildAxes();
        if (axisNames() != before) {
            m_brushes.clear();
            emitBrushed();
        }
        update();
    });
    connect(m_colorBox, &QComboBox::activated, this, [this] { m_colorChosen = true; });
}

void RunParallelCoordinates::setPopulation(const RunPopulation &population)
{
    const QString color = colorMetric();
    const QStringList before = axisNames();
    m_population = population;
    {
        QSignalBlocker block(m_colorBox);
        m_colorBox->clear();
        m_colorBox->addItems(population.metricKeys);
        QString want = color;
        if (!m_colorChosen || !population.metricKeys.contains(want)) {
            want = population.metricKeys.contains(m_preferredMetric) ? m_preferredMetric : QString();
            for (int i = 0; want.isEmpty() && i < population.metricKeys.size(); ++i)
                if (population.metricKeys[i].startsWith(QLatin1String("val_")))
                    want = population.metricKeys[i];
        }
        if (population.metricKeys.contains(want))
            m_colorBox->setCurrentText(want);
    }
    buildAxes();
    if (axisNames() != before)
        m_brushes.clear();
    emitBrushed();
    update();
}

void RunParallelCoordinates::setColorMetric(const QString &key)
{
    m_colorChosen = true;
    m_colorBox->setCurrentText(key);
}

void RunParallelCoordinates::setPreferredMetric(const QString &key)
{
    m_preferredMetric = key;
    if (!m_colorChosen && m_population.metricKeys.contains(key) && colorMetric() != key) {
        m_colorBox->setCurrentText(key);
    }
}

QString RunParallelCoordinates::colorMetric() const
{
    return m_colorBox->currentText();
}

void RunParallelCoordinates::buildAxes()
{
    m_axes.clear();
    int params = 0;
    for (const QString &key : std::as_const(m_population.paramKeys)) {
        Axis a;
        a.name = QStringLiteral("params.") + key;
        a.column = m_population.paramColumn(key);
        QSet<QString> distinct;
        bool numeric = true;
        for (const auto &r : m_population.rows) {
            const QVariant v = r.values.value(a.column);
            if (!v.isValid())
                continue;
            distinct.insert(v.toString());
            numeric = numeric && RunPopulation::number(v).has_value();
        }
        if (distinct.size() < 2)
            continue; // a param every run shares tells nothing apart
        if (++params > kMaxParamAxes)
            break;
        a.categorical = !numeric;
        if (a.categorical) {
            a.categories = QStringList(distinct.begin(), distinct.end());
            a.categories.sort();
        }
        m_axes.append(a);
    }
    // One metric axis, the colouring one, last: more metric axes crowd out the params that vary.
    const QStringList metrics = m_population.metricKeys.contains(colorMetric()) ? QStringList{colorMetric()} : QStringList();
    for (const QString &key : metrics) {
        Axis a;
        a.name = QStringLiteral("metrics.") + key;
        a.column = m_population.metricColumn(key);
        m_axes.append(a);
    }
    for (Axis &a : m_axes) {
        if (a.categorical) {
            a.lo = 0;
            a.hi = std::max<double>(1, a.categories.size() - 1);
            continue;
        }
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (const auto &r : m_population.rows)
            if (const auto v = valueOf(r, a); v && std::isfinite(*v)) {
                lo = std::min(lo, *v);
                hi = std::max(hi, *v);
            }
        if (!std::isfinite(lo)) {
            lo = 0;
            hi = 1;
        }
        if (hi <= lo)
            hi = lo + 1;
        a.lo = lo;
        a.hi = hi;
        // A param spanning two decades or more (lr) is spread on a log scale, as in the scatter.
        a.log = a.name.startsWith(QLatin1String("params.")) && lo > 0 && hi / lo >= 100.0;
    }
}

QStringList RunParallelCoordinates::axisNames() const
{
    QStringList names;
    for (const Axis &a : m_axes)
        names << a.name;
    return names;
}

std::optional<double> RunParallelCoordinates::valueOf(const tracking::RunRow &row, const Axis &axis) const
{
    const QVariant v = row.values.value(axis.column);
    if (!v.isValid())
        return std::nullopt;
    if (axis.categorical) {
        const int i = int(axis.categories.indexOf(v.toString()));
        return i < 0 ? std::nullopt : std::optional<double>(i);
    }
    return RunPopulation::number(v);
}

double RunParallelCoordinates::normalized(const Axis &axis, double value) const
{
    if (axis.log && value > 0)
        return (std::log10(value) - std::log10(axis.lo)) / (std::log10(axis.hi) - std::log10(axis.lo));
    return (value - axis.lo) / (axis.hi - axis.lo);
}

QRectF RunParallelCoordinates::plotRect() const
{
    return QRectF(60, 76, std::max(10, width() - 120), std::max(10, height() - 76 - 24));
}

double RunParallelCoordinates::axisX(int axis) const
{
    const QRectF r = plotRect();
    return m_axes.size() <= 1 ? r.center().x() : r.left() + r.width() * axis / (m_axes.size() - 1);
}

int RunParallelCoordinates::axisAt(double x) const
{
    for (int i = 0; i < m_axes.size(); ++i)
        if (std::abs(axisX(i) - x) <= 12)
            return i;
    return -1;
}

bool RunParallelCoordinates::passes(int row) const
{
    for (auto it = m_brushes.begin(); it != m_brushes.end(); ++it) {
        const auto v = valueOf(m_population.rows[row], m_axes[it.key()]);
        if (!v)
            return false;
        const double n = normalized(m_axes[it.key()], *v);
        if (n < it->first - 1e-9 || n > it->second + 1e-9)
            return false;
    }
    return true;
}

void RunParallelCoordinates::setBrush(int axis, double lo, double hi)
{
    if (axis < 0 || axis >= m_axes.size())
        return;
    const Axis &a = m_axes[axis];
    m_brushes.insert(axis, {normalized(a, std::min(lo, hi)), normalized(a, std::max(lo, hi))});
    emitBrushed();
    update();
}

void RunParallelCoordinates::clearBrushes()
{
    m_brushes.clear();
    emitBrushed();
    update();
}

QStringList RunParallelCoordinates::brushedRunIds() const
{
    QStringList ids;
    for (int i = 0; i < m_population.rows.size(); ++i)
        if (passes(i))
            ids << m_population.rows[i].info.runId;
    return ids;
}

void RunParallelCoordinates::emitBrushed()
{
    Q_EMIT brushedRunsChanged(brushedRunIds(), !m_brushes.isEmpty());
}

void RunParallelCoordinates::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    m_colorBox->adjustSize();
    m_colorBox->move(width() - m_colorBox->width() - 8, 6);
}

void RunParallelCoordinates::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = plotRect();
    const QColor text = palette().color(QPalette::Text);
    p.setPen(text);
    p.drawText(QRectF(8, 6, width() - m_colorBox->width() - 24, 24), Qt::AlignLeft | Qt::AlignVCenter,
               m_axes.isEmpty() ? tr("No params or metrics to draw yet.")
                                : tr("%1 runs%2 — drag along an axis to brush, click it to clear; colour:")
                                      .arg(m_population.rows.size())
                                      .arg(m_brushes.isEmpty() ? QString() : tr(", %1 in the brush").arg(brushedRunIds().size())));
    if (m_axes.isEmpty())
        return;
    const int colorColumn = m_population.metricColumn(colorMetric());
    double cLo = std::numeric_limits<double>::infinity(), cHi = -cLo;
    for (const auto &row : m_population.rows)
        if (const auto v = RunPopulation::number(row.values.value(colorColumn)); v && std::isfinite(*v)) {
            cLo = std::min(cLo, *v);
            cHi = std::max(cHi, *v);
        }
    // Past a few hundred lines, translucent antialiased strokes cost milliseconds each in the raster
    // engine (2,000 lines: 5 s per paint here; aliased but translucent still 0.5 s). Many lines are
    // drawn aliased, one pixel wide and opaque — their colour mixed with the background as the
    // translucent one would look over it — which the raster engine draws directly (~45 ms).
    const bool many = m_population.rows.size() > kMaxSmoothLines;
    const QColor base = palette().color(QPalette::Base);
    auto flatten = [&base](const QColor &c) {
        const double a = c.alphaF();
        return QColor::fromRgbF(base.redF() * (1 - a) + c.redF() * a, base.greenF() * (1 - a) + c.greenF() * a, base.blueF() * (1 - a) + c.blueF() * a);
    };
    p.setRenderHint(QPainter::Antialiasing, !many);
    // Faint lines first, then the brushed ones on top.
    for (int pass = 0; pass < 2; ++pass) {
        for (int i = 0; i < m_population.rows.size(); ++i) {
            const bool in = passes(i);
            if ((pass == 0) == in && !m_brushes.isEmpty())
                continue;
            if (pass == 1 && m_brushes.isEmpty())
                continue;
            const auto &row = m_population.rows[i];
            QPainterPath path;
            bool started = false;
            for (int a = 0; a < m_axes.size(); ++a) {
                const auto v = valueOf(row, m_axes[a]);
                if (!v || !std::isfinite(*v)) {
                    started = false;
                    continue;
                }
                const QPointF pt(axisX(a), r.bottom() - normalized(m_axes[a], *v) * r.height());
                if (started)
                    path.lineTo(pt);
                else
                    path.moveTo(pt);
                started = true;
            }
            QColor c(0xb0, 0xb0, 0xb0, 60);
            if (in) {
                const auto cv = RunPopulation::number(row.values.value(colorColumn));
                c = cv && cHi > cLo ? lineColor((*cv - cLo) / (cHi - cLo), palette().color(QPalette::Base)) : QColor(0x1f, 0x77, 0xb4);
                c.setAlpha(m_population.rows.size() > 300 ? 110 : 200);
            }
            p.setPen(many ? QPen(flatten(c), 0.0) : QPen(c, 1.2));
            if (many) {
                // One polyline per stretch of values (a missing value breaks the line).
                for (int e = 0; e < path.elementCount();) {
                    QPolygonF stretch;
                    do {
                        stretch << QPointF(path.elementAt(e).x, path.elementAt(e).y);
                        ++e;
                    } while (e < path.elementCount() && path.elementAt(e).isLineTo());
                    p.drawPolyline(stretch);
                }
            } else {
                p.drawPath(path);
            }
        }
    }
    p.setRenderHint(QPainter::Antialiasing);
    // Axes, their names, ranges and brushes.
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    p.setFont(small);
    for (int a = 0; a < m_axes.size(); ++a) {
        const Axis &axis = m_axes[a];
        const double x = axisX(a);
        p.setPen(QPen(text, 1.4));
        p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()));
        const QString name = axis.name.section(QLatin1Char('.'), 1) + (axis.log ? tr(" (log)") : QString());
        p.drawText(QRectF(x - 60, r.top() - 20, 120, 16), Qt::AlignCenter, name);
        auto label = [&axis](double v) { return axis.categorical ? axis.categories.value(int(v)) : statformat::number(v); };
        p.drawText(QRectF(x - 60, r.bottom() + 4, 120, 14), Qt::AlignCenter, label(axis.lo));
        p.drawText(QRectF(x - 60, r.top() - 36, 120, 14), Qt::AlignCenter, label(axis.hi));
        if (axis.categorical)
            for (int c = 1; c + 1 < axis.categories.size(); ++c)
                p.drawText(QRectF(x + 4, r.bottom() - normalized(axis, c) * r.height() - 7, 80, 14), Qt::AlignLeft | Qt::AlignVCenter, axis.categories[c]);
        if (auto it = m_brushes.constFind(a); it != m_brushes.constEnd()) {
            const QRectF band(x - 6, r.bottom() - it->second * r.height(), 12, (it->second - it->first) * r.height());
            p.fillRect(band, QColor(0xff, 0x7f, 0x0e, 110));
            p.setPen(QPen(QColor(0xff, 0x7f, 0x0e), 1));
            p.drawRect(band);
        }
    }
}

void RunParallelCoordinates::mousePressEvent(QMouseEvent *event)
{
    m_dragAxis = axisAt(event->position().x());
    if (m_dragAxis < 0)
        return;
    const QRectF r = plotRect();
    m_dragStart = std::clamp((r.bottom() - event->position().y()) / r.height(), 0.0, 1.0);
    m_dragged = false;
}

void RunParallelCoordinates::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragAxis < 0)
        return;
    const QRectF r = plotRect();
    const double now = std::clamp((r.bottom() - event->position().y()) / r.height(), 0.0, 1.0);
    if (std::abs(now - m_dragStart) * r.height() < 3 && !m_dragged)
        return;
    m_dragged = true;
    m_brushes.insert(m_dragAxis, {std::min(now, m_dragStart), std::max(now, m_dragStart)});
    update();
}

void RunParallelCoordinates::mouseReleaseEvent(QMouseEvent *)
{
    if (m_dragAxis < 0)
        return;
    if (!m_dragged)
        m_brushes.remove(m_dragAxis);
    m_dragAxis = -1;
    emitBrushed();
    update();
}

} // namespace orrery::ui
