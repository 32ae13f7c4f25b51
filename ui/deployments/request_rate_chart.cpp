#include "ui/deployments/request_rate_chart.h"

#include <QChart>
#include <QChartView>
#include <QGraphicsLayout>
#include <QLineSeries>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>

namespace orrery::ui {

RequestRateChart::RequestRateChart(QWidget *parent)
    : QWidget(parent), m_chart(new QChart), m_view(new QChartView(m_chart, this)), m_x(new QValueAxis(m_chart)), m_y(new QValueAxis(m_chart))
{
    setObjectName(QStringLiteral("requestRateChart"));
    m_chart->setTitle(tr("Requests per second"));
    m_chart->legend()->setAlignment(Qt::AlignRight);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_x->setTitleText(tr("seconds"));
    m_x->setLabelFormat(QStringLiteral("%.0f"));
    m_x->setTickType(QValueAxis::TicksDynamic);
    m_x->setTickAnchor(0);
    m_x->setTickInterval(2);
    m_x->setRange(0, 10);
    m_y->setLabelFormat(QStringLiteral("%.1f"));
    m_y->setRange(0, 1);
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(120);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
}

void RequestRateChart::clear()
{
    for (QLineSeries *s : std::as_const(m_series)) {
        m_chart->removeSeries(s);
        delete s;
    }
    m_series.clear();
    m_latest = 0;
    m_x->setRange(0, 10);
    m_x->setTickInterval(2);
    m_y->setRange(0, 1);
}

int RequestRateChart::pointCount(const QString &series) const
{
    const QLineSeries *s = m_series.value(series);
    return s ? int(s->count()) : 0;
}

void RequestRateChart::addPoint(const QString &name, double seconds, double requestsPerSecond)
{
    QLineSeries *s = m_series.value(name);
    if (!s) {
        s = new QLineSeries;
        s->setName(name);
        m_chart->addSeries(s);
        s->attachAxis(m_x);
        s->attachAxis(m_y);
        m_series.insert(name, s);
    }
    s->append(seconds, requestsPerSecond);
    m_latest = std::max(m_latest, seconds);
    const double from = std::max(0.0, m_latest - kWindowSeconds);
    double top = 1;
    for (QLineSeries *line : std::as_const(m_series)) {
        int old = 0;
        while (old < line->count() && line->at(old).x() < from - 1)
            ++old;
        if (old)
            line->removePoints(0, old);
        for (const QPointF &p : line->points())
            top = std::max(top, p.y());
    }
    // The axis grows with the data up to the window, then slides: the first seconds are not a
    // dot at the left edge of an empty two minutes.
    m_x->setRange(from, std::max(from + 10.0, m_latest));
    // Ticks on whole, round seconds (2, 4, 6 … or 30, 60, 90) whatever the span.
    const double span = m_x->max() - m_x->min();
    double step = 1;
    for (double s : {1.0, 2.0, 5.0, 10.0, 15.0, 20.0, 30.0, 60.0})
        if (span / s <= 6) {
            step = s;
            break;
        }
    m_x->setTickInterval(step);
    m_y->setRange(0, top * 1.15);
    m_y->applyNiceNumbers(); // round ticks: 0, 50, 100 rather than 0, 46.2, 92.4
    m_y->setLabelFormat(m_y->max() >= 10 ? QStringLiteral("%.0f") : QStringLiteral("%.1f"));
}

} // namespace orrery::ui
