#include "ui/monitoring/time_series_chart.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QScatterSeries>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace orrery::ui {

TimeSeriesChart::TimeSeriesChart(const QString &title, QWidget *parent)
    : QWidget(parent), m_chart(new QChart), m_view(new QChartView(m_chart, this)), m_x(new QDateTimeAxis(m_chart)), m_y(new QValueAxis(m_chart))
{
    m_chart->setTitle(title);
    QFont titleFont = m_chart->titleFont();
    titleFont.setBold(true);
    m_chart->setTitleFont(titleFont);
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_chart->legend()->setVisible(false);
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->setBackgroundRoundness(0);
    QFont small = m_x->labelsFont();
    small.setPointSizeF(std::max(6.5, small.pointSizeF() * 0.85));
    m_x->setLabelsFont(small);
    m_y->setLabelsFont(small);
    m_x->setFormat(QStringLiteral("HH:mm"));
    m_x->setTickCount(5);
    m_y->setLabelFormat(QStringLiteral("%.1f"));
    m_y->setRange(0, 1);
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    // An axis with no series attached while the chart is shown loses its labels and grid for
    // good (Qt 6.4: they do not come back when series attach later, checked offscreen): an empty
    // series keeps both axes attached whatever series come and go.
    auto *anchor = new QLineSeries;
    m_chart->addSeries(anchor);
    anchor->attachAxis(m_x);
    anchor->attachAxis(m_y);
    for (QLegendMarker *marker : m_chart->legend()->markers(anchor))
        marker->setVisible(false);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(110);
    m_view->setMinimumWidth(180);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
}

void TimeSeriesChart::setTitle(const QString &title) { m_chart->setTitle(title); }
QString TimeSeriesChart::title() const { return m_chart->title(); }

void TimeSeriesChart::setPlaceholder(const QString &text)
{
    auto *label = m_view->findChild<QLabel *>(QStringLiteral("placeholder"));
    if (!label) {
        label = new QLabel(m_view);
        label->setObjectName(QStringLiteral("placeholder"));
        label->setAlignment(Qt::AlignCenter);
        label->setWordWrap(true);
        label->setAttribute(Qt::WA_TransparentForMouseEvents);
        label->setStyleSheet(QStringLiteral("color: palette(mid);"));
    }
    label->setText(text);
    placePlaceholder();
    label->setVisible(m_series.isEmpty() && !text.isEmpty());
}

void TimeSeriesChart::placePlaceholder()
{
    if (auto *label = m_view->findChild<QLabel *>(QStringLiteral("placeholder")))
        label->setGeometry(m_view->rect().adjusted(20, 30, -20, -20)); // below the title
}

void TimeSeriesChart::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    placePlaceholder();
}

void TimeSeriesChart::setLegendAlignment(Qt::Alignment alignment) { m_chart->legend()->setAlignment(alignment); }

void TimeSeriesChart::setValueFormat(const QString &format) { m_y->setLabelFormat(format); }

void TimeSeriesChart::clearSeries()
{
    for (QXYSeries *s : std::as_const(m_series)) {
        m_chart->removeSeries(s);
        delete s;
    }
    m_series.clear();
    m_order.clear();
    m_chart->legend()->setVisible(false);
    if (auto *label = m_view->findChild<QLabel *>(QStringLiteral("placeholder"))) {
        placePlaceholder();
        label->setVisible(!label->text().isEmpty());
    }
    rescale();
}

void TimeSeriesChart::setSeries(const QString &name, const QVector<QPointF> &points, const QColor &color, Style style)
{
    if (QXYSeries *old = m_series.take(name)) {
        m_chart->removeSeries(old);
        delete old;
        m_order.removeAll(name);
    }
    QXYSeries *s = nullptr;
    if (style == Style::Markers) {
        auto *scatter = new QScatterSeries;
        scatter->setMarkerSize(7);
        scatter->setBorderColor(color.darker(130));
        scatter->setColor(color);
        s = scatter;
    } else {
        auto *line = new QLineSeries;
        QPen pen(color);
        pen.setWidthF(style == Style::Dashed ? 1.3 : 1.6);
        if (style == Style::Dashed)
            pen.setStyle(Qt::DashLine);
        line->setPen(pen);
        s = line;
    }
    s->setName(name);
    QList<QPointF> finite;
    finite.reserve(points.size());
    for (const QPointF &p : points)
        if (std::isfinite(p.y()))
            finite.append(p);
    s->replace(finite);
    m_chart->addSeries(s);
    s->attachAxis(m_x);
    s->attachAxis(m_y);
    m_series.insert(name, s);
    m_order.append(name);
    m_chart->legend()->setVisible(m_series.size() > 1);
    if (auto *label = m_view->findChild<QLabel *>(QStringLiteral("placeholder")))
        label->setVisible(false);
    rescale();
}

void TimeSeriesChart::setTimeRange(qint64 fromMs, qint64 toMs)
{
    m_from = fromMs;
    m_to = std::max(toMs, fromMs + 1000);
    m_x->setRange(QDateTime::fromMSecsSinceEpoch(m_from), QDateTime::fromMSecsSinceEpoch(m_to));
    // Minutes within a day, the day beyond it.
    const qint64 span = m_to - m_from;
    m_x->setFormat(span > 2LL * 24 * 3600 * 1000 ? QStringLiteral("MMM d") : span > 20LL * 3600 * 1000 ? QStringLiteral("d HH:mm") : span < 10LL * 60 * 1000 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm"));
}

QStringList TimeSeriesChart::seriesNames() const { return m_order; }

QVector<QPointF> TimeSeriesChart::points(const QString &name) const
{
    const QXYSeries *s = m_series.value(name);
    return s ? QVector<QPointF>(s->points().cbegin(), s->points().cend()) : QVector<QPointF>();
}

double TimeSeriesChart::top() const { return m_y->max(); }

void TimeSeriesChart::rescale()
{
    if (m_fixedTop > 0) {
        m_y->setRange(0, m_fixedTop);
        m_y->setTickCount(5);
        return;
    }
    double top = m_minTop;
    for (const QXYSeries *s : std::as_const(m_series))
        for (const QPointF &p : s->points())
            top = std::max(top, p.y());
    m_y->setRange(0, top * 1.1);
    m_y->applyNiceNumbers(); // 0, 50, 100 rather than 0, 46.2, 92.4
}

} // namespace orrery::ui
