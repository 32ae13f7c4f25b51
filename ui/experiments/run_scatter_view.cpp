#include "ui/experiments/run_scatter_view.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLogValueAxis>
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
      m_brushed(new QScatterSeries),
      m_xValue(new QValueAxis),
      m_xLog(new QLogValueAxis),
      m_y(new QValueAxis)
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
    m_xLog->setBase(10.0);
    m_xLog->setLabelFormat(QStringLiteral("%g"));
    m_xLog->setMinorTickCount(-1);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    m_all->attachAxis(m_y);
    m_brushed->attachAxis(m_y);
    useXAxis(false);
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
    // A pick in a box (a user's, not ours) keeps its axes from then on.
    connect(m_paramBox, &QComboBox::activated, this, [this] { m_axesChosen = true; });
    connect(m_metricBox, &QComboBox::activated, this, [this] { m_axesChosen = true; });
}

RunScatterView::~RunScatterView()
{
    // The chart owns the x axis attached to it; the other one is ours.
    if (m_chart->axes(Qt::Horizontal).contains(m_xLog))
        delete m_xValue;
    else
        delete m_xLog;
}

void RunScatterView::useXAxis(bool log)
{
    QAbstractAxis *want = log ? static_cast<QAbstractAxis *>(m_xLog) : m_xValue;
    const auto current = m_chart->axes(Qt::Horizontal);
    if (current.size() == 1 && current.first() == want)
        return;
    for (QAbstractAxis *old : current) {
        m_all->detachAxis(old);
        m_brushed->detachAxis(old);
        m_chart->removeAxis(old);
    }
    m_chart->addAxis(want, Qt::AlignBottom);
    m_all->attachAxis(want);
    m_brushed->attachAxis(want);
}

bool RunScatterView::xLogScale() const
{
    return m_chart->axes(Qt::Horizontal).contains(m_xLog);
}

QString RunScatterView::xTitle() const
{
    return xLogScale() ? m_xLog->titleText() : m_xValue->titleText();
}

QString RunScatterView::yTitle() const
{
    return m_y->titleText();
}

void RunScatterView::setPreferredMetric(const QString &metricKey)
{
    if (m_preferredMetric == metricKey)
        return;
    m_preferredMetric = metricKey;
    if (!m_axesChosen && m_population.metricKeys.contains(metricKey)) {
        QSignalBlocker b(m_metricBox);
        m_metricBox->setCurrentText(metricKey);
        redraw();
    }
}

void RunScatterView::chooseDefaultAxes()
{
    // x: the param whose values vary most (a swept lr over a batch size tried twice), numbers
    // first (a category axis says less); the first in key order on a tie.
    QString numericParam, textParam;
    qsizetype numericDistinct = 1, textDistinct = 1;
    for (const QString &key : std::as_const(m_population.paramKeys)) {
        const int c = m_population.paramColumn(key);
        QSet<QString> distinct;
        bool numeric = true;
        for (const auto &r : m_population.rows)
            if (const QVariant v = r.values.value(c); v.isValid()) {
                distinct.insert(v.toString());
                numeric = numeric && RunPopulation::number(v).has_value();
            }
        if (numeric && distinct.size() > numericDistinct) {
            numericParam = key;
            numericDistinct = distinct.size();
        }
        if (!numeric && distinct.size() > textDistinct) {
            textParam = key;
            textDistinct = distinct.size();
        }
    }
    const QString x = !numericParam.isEmpty() ? numericParam : textParam;
    if (!x.isEmpty())
        m_paramBox->setCurrentText(x);
    QString y = m_population.metricKeys.contains(m_preferredMetric) ? m_preferredMetric : QString();
    for (int i = 0; y.isEmpty() && i < m_population.metricKeys.size(); ++i)
        if (m_population.metricKeys[i].startsWith(QLatin1String("val_")))
            y = m_population.metricKeys[i];
    if (!y.isEmpty())
        m_metricBox->setCurrentText(y);
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
        if (!m_axesChosen) {
            chooseDefaultAxes();
        } else {
            if (population.paramKeys.contains(param))
                m_paramBox->setCurrentText(param);
            if (population.metricKeys.contains(metric))
                m_metricBox->setCurrentText(metric);
        }
    }
    redraw();
}

void RunScatterView::setAxes(const QString &paramKey, const QString &metricKey)
{
    QSignalBlocker a(m_paramBox), b(m_metricBox);
    m_axesChosen = true;
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
    // Two decades or more of positive values (learning rates, weight decays) read on a log axis:
    // on a linear one every point but the largest crowds at zero.
    const bool log = numeric && pc >= 0 && !all.isEmpty() && xLo > 0 && xHi / xLo >= 100.0;
    useXAxis(log);
    if (log) {
        m_xLog->setRange(xLo / 1.5, xHi * 1.5);
    } else {
        pad(xLo, xHi);
        m_xValue->setRange(xLo, xHi);
        m_xValue->setLabelFormat(QStringLiteral("%g"));
    }
    pad(yLo, yHi);
    m_y->setRange(yLo, yHi);
    const QString xTitle = m_paramBox->currentText() + (numeric ? QString() : tr(" (categories: %1)").arg(categories.join(QStringLiteral(", ")).left(120)));
    m_xValue->setTitleText(xTitle);
    m_xLog->setTitleText(xTitle + (log ? tr(" (log scale)") : QString()));
    m_y->setTitleText(m_metricBox->currentText());
    m_y->setLabelFormat(QStringLiteral("%.4g"));
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
