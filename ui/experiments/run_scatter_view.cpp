#include "ui/experiments/run_scatter_view.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QScatterSeries>
#include <QSet>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace orrery::ui {

RunScatterView::RunScatterView(QWidget *parent)
    : QWidget(parent),
      m_paramBox(new QComboBox(this)),
      m_metricBox(new QComboBox(this)),
      m_note(new QLabel(this)),
      m_chart(new QChart),
      m_view(new QChartView(m_chart, this)),
      m_all(new QScatterSeries),
      m_brushed(new QScatterSeries)
{
    setObjectName(QStringLiteral("runScatterView"));
    m_paramBox->setObjectName(QStringLiteral("scatterParamBox"));
    m_metricBox->setObjectName(QStringLiteral("scatterMetricBox"));
    m_all->setName(tr("runs"));
    m_all->setMarkerSize(7);
    m_all->setColor(QColor(0x1f, 0x77, 0xb4, 150));
    m_all->setBorderColor(Qt::transparent);
    m_brushed->setName(tr("brushed in parallel coordinates"));
    m_brushed->setMarkerSize(9);
    m_brushed->setColor(QColor(0xff, 0x7f, 0x0e));
    m_brushed->setBorderColor(Qt::transparent);
    m_chart->addSeries(m_all);
    m_chart->addSeries(m_brushed);
    m_chart->createDefaultAxes();
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_view->setRenderHint(QPainter::Antialiasing);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Param (x)"), this));
    bar->addWidget(m_paramBox);
    bar->addSpacing(12);
    bar->addWidget(new QLabel(tr("Metric (y)"), this));
    bar->addWidget(m_metricBox);
    bar->addStretch(1);
    bar->addWidget(m_note);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    connect(m_paramBox, &QComboBox::currentIndexChanged, this, &RunScatterView::redraw);
    connect(m_metricBox, &QComboBox::currentIndexChanged, this, &RunScatterView::redraw);
}

void RunScatterView::setPopulation(const RunPopulation &population)
{
    const QString param = m_paramBox->currentText(), metric = m_metricBox->currentText();
    m_population = population;
    {
        QSignalBlocker a(m_paramBox), b(m_metricBox);
        m_paramBox->clear();
        m_paramBox->addItems(population.paramKeys);
        m_metricBox->clear();
        m_metricBox->addItems(population.metricKeys);
        if (population.paramKeys.contains(param))
            m_paramBox->setCurrentText(param);
        if (population.metricKeys.contains(metric))
            m_metricBox->setCurrentText(metric);
    }
    redraw();
}

void RunScatterView::setAxes(const QString &paramKey, const QString &metricKey)
{
    QSignalBlocker a(m_paramBox), b(m_metricBox);
    m_paramBox->setCurrentText(paramKey);
    m_metricBox->setCurrentText(metricKey);
    redraw();
}

void RunScatterView::setHighlighted(const QStringList &runIds)
{
    m_highlighted = runIds;
    redraw();
}

void RunScatterView::redraw()
{
    const int pc = m_population.paramColumn(m_paramBox->currentText());
    const int mc = m_population.metricColumn(m_metricBox->currentText());
    QList<QPointF> all, brushed;
    QStringList categories;
    bool numeric = true;
    if (pc >= 0) {
        QSet<QString> distinct;
        for (const auto &r : m_population.rows) {
            const QVariant v = r.values.value(pc);
            if (!v.isValid())
                continue;
            distinct.insert(v.toString());
            if (!RunPopulation::number(v))
                numeric = false;
        }
        if (!numeric) {
            categories = QStringList(distinct.begin(), distinct.end());
            categories.sort();
        }
    }
    const QSet<QString> highlighted(m_highlighted.begin(), m_highlighted.end());
    double xLo = std::numeric_limits<double>::infinity(), xHi = -xLo, yLo = xLo, yHi = -xLo;
    if (pc >= 0 && mc >= 0)
        for (const auto &r : m_population.rows) {
            const QVariant pv = r.values.value(pc);
            const auto y = RunPopulation::number(r.values.value(mc));
            if (!pv.isValid() || !y || !std::isfinite(*y))
                continue;
            const std::optional<double> x = numeric ? RunPopulation::number(pv) : std::optional<double>(categories.indexOf(pv.toString()));
            if (!x)
                continue;
            all.append(QPointF(*x, *y));
            if (highlighted.contains(r.info.runId))
                brushed.append(QPointF(*x, *y));
            xLo = std::min(xLo, *x);
            xHi = std::max(xHi, *x);
            yLo = std::min(yLo, *y);
            yHi = std::max(yHi, *y);
        }
    m_all->replace(all);
    m_brushed->replace(brushed);
    auto pad = [](double &lo, double &hi) {
        if (!std::isfinite(lo)) {
            lo = 0;
            hi = 1;
        }
        const double p = hi > lo ? (hi - lo) * 0.06 : 0.5;
        lo -= p;
        hi += p;
    };
    pad(xLo, xHi);
    pad(yLo, yHi);
    auto *xAxis = qobject_cast<QValueAxis *>(m_chart->axes(Qt::Horizontal).value(0));
    auto *yAxis = qobject_cast<QValueAxis *>(m_chart->axes(Qt::Vertical).value(0));
    if (xAxis && yAxis) {
        xAxis->setRange(xLo, xHi);
        yAxis->setRange(yLo, yHi);
        xAxis->setTitleText(m_paramBox->currentText() + (numeric ? QString() : tr(" (categories: %1)").arg(categories.join(QStringLiteral(", ")).left(120))));
        yAxis->setTitleText(m_metricBox->currentText());
        xAxis->setLabelFormat(QStringLiteral("%g"));
        yAxis->setLabelFormat(QStringLiteral("%.4g"));
    }
    m_chart->setTitle(pc >= 0 && mc >= 0 ? tr("%1 against %2").arg(m_metricBox->currentText(), m_paramBox->currentText()) : QString());
    m_note->setText(m_population.rows.size() < m_population.totalRuns
                        ? tr("%1 of %2 runs (the first in table order)").arg(all.size()).arg(m_population.totalRuns)
                        : tr("%n run(s)", nullptr, int(all.size())));
}

int RunScatterView::pointCount() const
{
    return int(m_all->count());
}

QVector<QPointF> RunScatterView::points() const
{
    const QList<QPointF> p = m_all->points();
    return QVector<QPointF>(p.begin(), p.end());
}

} // namespace orrery::ui
