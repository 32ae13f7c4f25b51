#include "ui/experiments/metric_chart.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QPainter>
#include <QRubberBand>
#include <QSvgGenerator>
#include <QValueAxis>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace orrery::ui {

namespace {

// Ticks at round numbers (1, 2 or 5 × 10^n apart) without changing the range shown.
void niceTicks(QValueAxis *axis, double lo, double hi)
{
    const double raw = (hi - lo) / 5.0;
    if (!(raw > 0) || !std::isfinite(raw))
        return;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(std::ceil(lo / step) * step);
    axis->setTickInterval(step);
}

} // namespace

MetricChart::MetricChart(QWidget *parent) : QWidget(parent), m_chart(new QChart), m_view(new QChartView(m_chart, this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setRubberBand(QChartView::NoRubberBand);
    m_view->viewport()->installEventFilter(this);
    m_view->viewport()->setMouseTracking(false);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->legend()->setShowToolTips(true);
    QFont titleFont = font();
    titleFont.setBold(true);
    m_chart->setTitleFont(titleFont);
    m_band = new QRubberBand(QRubberBand::Rectangle, m_view->viewport());
    rebuildAxes();
    // A new plot width changes the number of columns; a range change that only moved the plot's
    // edge by a label's width redraws nothing more.
    connect(m_chart, &QChart::plotAreaChanged, this, [this] {
        if (plotColumns() != m_drawnColumns)
            redraw();
    });
    setMinimumSize(280, 200);
}

MetricChart::~MetricChart() = default;

void MetricChart::setTitle(const QString &title)
{
    m_title = title;
    m_chart->setTitle(title);
}

void MetricChart::setXAxisKind(ChartXAxis kind)
{
    if (kind == m_xKind)
        return;
    m_xKind = kind;
    m_zoomed = false;
    rebuildAxes();
}

void MetricChart::rebuildAxes()
{
    for (auto &c : m_curves) {
        if (m_xAxis)
            c.series->detachAxis(m_xAxis);
        if (m_yAxis)
            c.series->detachAxis(m_yAxis);
    }
    if (m_xAxis) {
        m_chart->removeAxis(m_xAxis);
        delete m_xAxis;
    }
    if (m_yAxis) {
        m_chart->removeAxis(m_yAxis);
        delete m_yAxis;
    }
    if (m_xKind == ChartXAxis::WallTime) {
        auto *axis = new QDateTimeAxis;
        axis->setFormat(QStringLiteral("HH:mm:ss"));
        axis->setTickCount(5);
        m_xAxis = axis;
    } else {
        auto *axis = new QValueAxis;
        axis->setLabelFormat(QStringLiteral("%g"));
        axis->setTickCount(5);
        axis->setTitleText(m_xKind == ChartXAxis::Step ? tr("step") : tr("seconds since start"));
        m_xAxis = axis;
    }
    if (m_log) {
        auto *axis = new QLogValueAxis;
        axis->setBase(10);
        axis->setLabelFormat(QStringLiteral("%g"));
        m_yAxis = axis;
    } else {
        auto *axis = new QValueAxis;
        axis->setLabelFormat(QStringLiteral("%.4g"));
        axis->setTickCount(5);
        m_yAxis = axis;
    }
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_xAxis->setLabelsFont(small);
    m_yAxis->setLabelsFont(small);
    m_chart->addAxis(m_xAxis, Qt::AlignBottom);
    m_chart->addAxis(m_yAxis, Qt::AlignLeft);
    for (auto &c : m_curves) {
        c.series->attachAxis(m_xAxis);
        c.series->attachAxis(m_yAxis);
    }
    if (!m_zoomed) {
        const auto r = dataRange();
        m_xMin = r.first;
        m_xMax = r.second;
    }
    redraw();
}

QPair<double, double> MetricChart::dataRange() const
{
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto &c : m_curves) {
        if (c.input.points.isEmpty())
            continue;
        lo = std::min(lo, c.input.points.first().x());
        hi = std::max(hi, c.input.points.last().x());
    }
    if (!std::isfinite(lo))
        return {0.0, 1.0};
    if (hi <= lo)
        hi = lo + 1.0;
    return {lo, hi};
}

void MetricChart::setCurves(const QVector<ChartCurveInput> &curves)
{
    QHash<QString, bool> visible;
    for (const auto &c : m_curves) {
        visible.insert(c.input.id, c.visible);
        m_chart->removeSeries(c.series);
        delete c.series;
    }
    m_curves.clear();
    for (const auto &input : curves) {
        Curve c;
        c.input = input;
        c.visible = visible.value(input.id, true);
        c.series = new QLineSeries;
        c.series->setName(input.label);
        // One pixel wide: the raster engine draws pens up to 1 px on its fast path, wider ones
        // through a stroker that took a third of a zoom's redraw of 10 curves.
        QPen pen(input.color);
        pen.setWidthF(1.0);
        c.series->setPen(pen);
        m_chart->addSeries(c.series);
        c.series->attachAxis(m_xAxis);
        c.series->attachAxis(m_yAxis);
        c.series->setVisible(c.visible);
        m_curves.append(c);
    }
    connectLegend();
    if (!m_zoomed) {
        const auto r = dataRange();
        m_xMin = r.first;
        m_xMax = r.second;
    }
    redraw();
}

void MetricChart::connectLegend()
{
    const auto markers = m_chart->legend()->markers();
    for (QLegendMarker *marker : markers) {
        marker->disconnect(this);
        connect(marker, &QLegendMarker::clicked, this, [this, marker] {
            for (const auto &c : m_curves)
                if (c.series == marker->series()) {
                    setCurveVisible(c.input.id, !c.visible);
                    return;
                }
        });
    }
}

void MetricChart::updateCurves(const QVector<ChartCurveInput> &curves)
{
    bool same = curves.size() == m_curves.size();
    for (int i = 0; same && i < curves.size(); ++i)
        same = curves[i].id == m_curves[i].input.id && curves[i].label == m_curves[i].input.label;
    if (!same) {
        setCurves(curves);
        return;
    }
    for (int i = 0; i < curves.size(); ++i)
        m_curves[i].input.points = curves[i].points;
    if (!m_zoomed) {
        const auto r = dataRange();
        m_xMin = r.first;
        m_xMax = r.second;
    }
    redraw();
}

void MetricChart::updateCurvePoints(const QString &id, const QVector<QPointF> &points)
{
    for (auto &c : m_curves)
        if (c.input.id == id) {
            c.input.points = points;
            if (!m_zoomed) {
                const auto r = dataRange();
                m_xMin = r.first;
                m_xMax = r.second;
            }
            redraw();
            return;
        }
}

QStringList MetricChart::curveIds() const
{
    QStringList ids;
    for (const auto &c : m_curves)
        ids << c.input.id;
    return ids;
}

QVector<QPointF> MetricChart::curvePoints(const QString &id) const
{
    for (const auto &c : m_curves)
        if (c.input.id == id)
            return c.input.points;
    return {};
}

void MetricChart::setSmoothing(double weight)
{
    m_smoothing = std::clamp(weight, 0.0, 0.999);
    redraw();
}

void MetricChart::setLogScale(bool on)
{
    if (on == m_log)
        return;
    m_log = on;
    rebuildAxes();
}

void MetricChart::setViewRange(double xMin, double xMax)
{
    if (!(xMax > xMin))
        return;
    const auto data = dataRange();
    const bool all = xMin <= data.first && xMax >= data.second;
    applyRange(xMin, xMax, !all);
}

void MetricChart::resetView()
{
    const auto r = dataRange();
    applyRange(r.first, r.second, false);
}

void MetricChart::applyRange(double xMin, double xMax, bool zoomed)
{
    m_xMin = xMin;
    m_xMax = xMax;
    m_zoomed = zoomed;
    redraw();
    Q_EMIT viewRangeChanged(xMin, xMax);
}

void MetricChart::zoomBy(double factor, double at)
{
    const double anchor = m_xMin + (m_xMax - m_xMin) * std::clamp(at, 0.0, 1.0);
    double lo = anchor - (anchor - m_xMin) * factor;
    double hi = anchor + (m_xMax - anchor) * factor;
    if (m_xKind == ChartXAxis::Step && hi - lo < 2.0)
        return; // closer than two steps shows nothing more
    const auto data = dataRange();
    lo = std::max(lo, data.first - (data.second - data.first));
    hi = std::min(hi, data.second + (data.second - data.first));
    setViewRange(lo, hi);
}

void MetricChart::panBy(double fraction)
{
    const double dx = (m_xMax - m_xMin) * fraction;
    applyRange(m_xMin + dx, m_xMax + dx, true);
}

void MetricChart::setCurveVisible(const QString &id, bool visible)
{
    for (auto &c : m_curves)
        if (c.input.id == id) {
            if (c.visible == visible)
                return;
            c.visible = visible;
            c.series->setVisible(visible);
            // A hidden series hides its legend entry too; keep it, dimmed, so it can come back.
            for (QLegendMarker *m : m_chart->legend()->markers(c.series)) {
                m->setVisible(true);
                QColor label = palette().color(QPalette::WindowText);
                label.setAlphaF(visible ? 1.0 : 0.4);
                m->setLabelBrush(label);
            }
            redraw();
            Q_EMIT curveVisibilityChanged(id, visible);
            return;
        }
}

bool MetricChart::isCurveVisible(const QString &id) const
{
    for (const auto &c : m_curves)
        if (c.input.id == id)
            return c.visible;
    return false;
}

int MetricChart::plotColumns() const
{
    const int w = int(m_chart->plotArea().width());
    return w > 10 ? w : std::max(100, width() - 80);
}

void MetricChart::redraw()
{
    // At most 2 × columns points per curve: columns − 1 buckets of two, plus one neighbour on each
    // side of the view.
    m_drawnColumns = plotColumns();
    const int columns = std::max(1, m_drawnColumns - 1);
    double yLo = std::numeric_limits<double>::infinity(), yHi = -yLo;
    for (auto &c : m_curves) {
        QVector<QPointF> pts = smoothEma(c.input.points, m_smoothing);
        pts = m_log ? positiveOnly(pts) : [&] {
            QVector<QPointF> finite;
            finite.reserve(pts.size());
            for (const QPointF &p : pts)
                if (std::isfinite(p.y()))
                    finite.append(p);
            return finite;
        }();
        const QVector<QPointF> shown = decimateToColumns(pts, m_xMin, m_xMax, columns);
        c.series->replace(QList<QPointF>(shown.begin(), shown.end()));
        if (!c.visible)
            continue;
        for (const QPointF &p : shown)
            if (p.x() >= m_xMin && p.x() <= m_xMax) {
                yLo = std::min(yLo, p.y());
                yHi = std::max(yHi, p.y());
            }
    }
    if (!std::isfinite(yLo)) {
        yLo = m_log ? 0.1 : 0.0;
        yHi = 1.0;
    }
    if (m_log) {
        yLo = std::pow(10.0, std::floor(std::log10(yLo)));
        yHi = std::pow(10.0, std::ceil(std::log10(yHi)));
        if (yHi <= yLo)
            yHi = yLo * 10.0;
    } else {
        const double pad = yHi > yLo ? (yHi - yLo) * 0.05 : std::max(std::abs(yLo) * 0.05, 0.5);
        yLo -= pad;
        yHi += pad;
    }
    m_yAxis->setRange(yLo, yHi);
    if (auto *y = qobject_cast<QValueAxis *>(m_yAxis))
        niceTicks(y, yLo, yHi);
    if (m_xKind == ChartXAxis::WallTime) {
        static_cast<QDateTimeAxis *>(m_xAxis)->setRange(QDateTime::fromMSecsSinceEpoch(qint64(m_xMin)), QDateTime::fromMSecsSinceEpoch(qint64(m_xMax)));
    } else {
        m_xAxis->setRange(m_xMin, m_xMax);
        niceTicks(static_cast<QValueAxis *>(m_xAxis), m_xMin, m_xMax);
    }
}

QVector<QPointF> MetricChart::handedPoints(const QString &id) const
{
    for (const auto &c : m_curves)
        if (c.input.id == id) {
            const QList<QPointF> pts = c.series->points();
            return QVector<QPointF>(pts.begin(), pts.end());
        }
    return {};
}

int MetricChart::maxHandedPointCount() const
{
    int most = 0;
    for (const auto &c : m_curves)
        most = std::max(most, int(c.series->count()));
    return most;
}

double MetricChart::xAtPixel(double px) const
{
    const QRectF plot = m_chart->plotArea();
    const double f = plot.width() > 0 ? (px - plot.left()) / plot.width() : 0.0;
    return m_xMin + std::clamp(f, 0.0, 1.0) * (m_xMax - m_xMin);
}

bool MetricChart::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_view->viewport())
        return QWidget::eventFilter(watched, event);
    switch (event->type()) {
    case QEvent::MouseButtonPress: {
        auto *e = static_cast<QMouseEvent *>(event);
        const QPointF scene = m_view->mapToScene(e->position().toPoint());
        if (e->button() == Qt::MiddleButton || (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ShiftModifier))) {
            m_panning = true;
            m_panOrigin = scene.x();
            return true;
        }
        if (e->button() == Qt::LeftButton && m_chart->plotArea().contains(scene)) {
            m_dragStart = e->position().toPoint().x();
            m_band->setGeometry(QRect(m_dragStart, int(m_chart->plotArea().top()), 0, int(m_chart->plotArea().height())));
            m_band->show();
            return true;
        }
        break;
    }
    case QEvent::MouseMove: {
        auto *e = static_cast<QMouseEvent *>(event);
        if (m_panning) {
            const double x = m_view->mapToScene(e->position().toPoint()).x();
            const double width = m_chart->plotArea().width();
            if (width > 0) {
                panBy((m_panOrigin - x) / width);
                m_panOrigin = x;
            }
            return true;
        }
        if (m_dragStart >= 0) {
            const int x = e->position().toPoint().x();
            m_band->setGeometry(QRect(std::min(x, m_dragStart), int(m_chart->plotArea().top()), std::abs(x - m_dragStart),
                                      int(m_chart->plotArea().height())));
            return true;
        }
        break;
    }
    case QEvent::MouseButtonRelease: {
        auto *e = static_cast<QMouseEvent *>(event);
        if (m_panning) {
            m_panning = false;
            return true;
        }
        if (m_dragStart >= 0) {
            m_band->hide();
            const int x = e->position().toPoint().x();
            const double a = xAtPixel(m_view->mapToScene(QPoint(std::min(x, m_dragStart), 0)).x());
            const double b = xAtPixel(m_view->mapToScene(QPoint(std::max(x, m_dragStart), 0)).x());
            const int start = std::exchange(m_dragStart, -1);
            if (std::abs(x - start) >= 4 && b > a) // a click is not a zoom
                setViewRange(a, b);
            return true;
        }
        break;
    }
    case QEvent::MouseButtonDblClick:
        resetView();
        return true;
    case QEvent::Wheel: {
        auto *e = static_cast<QWheelEvent *>(event);
        const QRectF plot = m_chart->plotArea();
        const double at = plot.width() > 0 ? (m_view->mapToScene(e->position().toPoint()).x() - plot.left()) / plot.width() : 0.5;
        zoomBy(e->angleDelta().y() > 0 ? 0.8 : 1.25, at);
        return true;
    }
    default:
        break;
    }
    return QWidget::eventFilter(watched, event);
}

bool MetricChart::exportPng(const QString &path) const
{
    return m_view->grab().save(path, "PNG");
}

bool MetricChart::exportSvg(const QString &path) const
{
    QSvgGenerator generator;
    generator.setFileName(path);
    generator.setSize(m_view->size());
    generator.setViewBox(QRect(QPoint(0, 0), m_view->size()));
    generator.setTitle(m_title);
    generator.setDescription(tr("Orrery metric chart"));
    QPainter painter;
    if (!painter.begin(&generator))
        return false;
    m_view->render(&painter);
    return painter.end();
}

} // namespace orrery::ui
