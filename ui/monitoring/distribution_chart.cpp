#include "ui/monitoring/distribution_chart.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QGraphicsLayout>
#include <QToolTip>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace orrery::ui {
namespace {

constexpr int kMinBarPixels = 32; // below this Qt Charts elides every label to "…"
constexpr int kFewestBars = 5;

QString share(double v) { return std::isfinite(v) ? QStringLiteral("%1 %").arg(100.0 * v, 0, 'f', 1) : QStringLiteral("—"); }

bool hasReference(const FeatureDistribution &d)
{
    return std::any_of(d.bins.cbegin(), d.bins.cend(), [](const DistributionBin &b) { return std::isfinite(b.reference); });
}

// `merge` neighbouring bins into one bar (numeric bins only; the last bar may hold fewer).
QVector<DistributionBin> merged(const QVector<DistributionBin> &bins, int merge)
{
    if (merge <= 1)
        return bins;
    QVector<DistributionBin> out;
    for (int first = 0; first < bins.size(); first += merge) {
        const int last = std::min<int>(int(bins.size()), first + merge) - 1;
        DistributionBin b;
        b.lower = bins[first].lower;
        b.upper = bins[last].upper;
        b.label = bins[first].lower.startsWith(QLatin1Char('p')) ? QStringLiteral("%1–%2").arg(b.lower, b.upper.mid(1))
                                                                  : QStringLiteral("%1 … %2").arg(b.lower, b.upper);
        b.reference = 0;
        for (int i = first; i <= last; ++i) {
            b.reference += bins[i].reference; // NaN stays NaN: no reference
            b.current += bins[i].current;
        }
        out.append(b);
    }
    return out;
}

} // namespace

DistributionChart::DistributionChart(QWidget *parent)
    : QWidget(parent), m_chart(new QChart), m_view(new QChartView(m_chart, this)), m_x(new QBarCategoryAxis(m_chart)), m_y(new QValueAxis(m_chart))
{
    QFont titleFont = m_chart->titleFont();
    titleFont.setBold(true);
    m_chart->setTitleFont(titleFont);
    m_chart->legend()->setAlignment(Qt::AlignTop);
    m_chart->setMargins(QMargins(2, 2, 2, 2));
    m_chart->layout()->setContentsMargins(0, 0, 0, 0);
    m_chart->setBackgroundRoundness(0);
    QFont small = m_x->labelsFont();
    small.setPointSizeF(std::max(6.5, small.pointSizeF() * 0.8));
    m_x->setLabelsFont(small);
    m_y->setLabelsFont(small);
    m_y->setLabelFormat(QStringLiteral("%.0f %%"));
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(150);
    m_view->setMinimumWidth(200);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    clear();
}

QString DistributionChart::title() const { return m_chart->title(); }

void DistributionChart::clear(const QString &title)
{
    m_chart->removeAllSeries();
    m_x->clear();
    m_y->setRange(0, 10);
    m_distribution = {};
    m_merge = 0;
    m_chart->setTitle(title);
}

void DistributionChart::setDistribution(const FeatureDistribution &d, const QString &title)
{
    clear(title);
    m_distribution = d;
    rebuild();
}

void DistributionChart::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (!m_distribution.bins.isEmpty())
        rebuild();
}

void DistributionChart::rebuild()
{
    const FeatureDistribution &d = m_distribution;
    const int n = int(d.bins.size());
    int merge = 1;
    if (d.kind == QLatin1String("numeric"))
        while (n / merge > kFewestBars && width() / std::max(1, (n + merge - 1) / merge) < kMinBarPixels)
            merge *= 2;
    if (merge == m_merge)
        return;
    m_merge = merge;
    m_chart->removeAllSeries();
    m_x->clear();
    const QVector<DistributionBin> bars = merged(d.bins, merge);
    const bool withReference = hasReference(d);
    auto *series = new QBarSeries;
    QBarSet *reference = nullptr;
    if (withReference) {
        reference = new QBarSet(tr("reference (%L1 rows)").arg(d.referenceRows));
        reference->setColor(QColor(0x8a, 0xa4, 0xc8));
        reference->setBorderColor(QColor(0x8a, 0xa4, 0xc8));
    }
    auto *current = new QBarSet(tr("current window (%L1 rows)").arg(d.currentRows));
    current->setColor(QColor(0xe0, 0x7b, 0x39));
    current->setBorderColor(QColor(0xe0, 0x7b, 0x39));
    QStringList labels;
    double top = 1;
    for (const DistributionBin &b : bars) {
        QString label = b.label;
        while (labels.contains(label)) // the axis drops a repeated category (tied percentile edges repeat)
            label += QChar(0x200B);
        labels << label;
        if (reference)
            reference->append(std::isfinite(b.reference) ? 100.0 * b.reference : 0.0);
        current->append(100.0 * b.current);
        top = std::max({top, 100.0 * b.current, std::isfinite(b.reference) ? 100.0 * b.reference : 0.0});
    }
    if (reference)
        series->append(reference);
    series->append(current);
    series->setBarWidth(0.85);
    m_chart->addSeries(series);
    m_x->append(labels);
    m_x->setLabelsAngle(bars.size() > 8 ? -90 : 0); // many "a … b" labels read only upright
    series->attachAxis(m_x);
    series->attachAxis(m_y);
    m_y->setRange(0, top * 1.1);
    m_y->applyNiceNumbers();
    m_y->setLabelFormat(m_y->max() < 5 ? QStringLiteral("%.1f %%") : QStringLiteral("%.0f %%"));
    connect(series, &QBarSeries::hovered, this, [this, bars](bool on, int index, QBarSet *) {
        if (!on || index < 0 || index >= bars.size()) {
            QToolTip::hideText();
            return;
        }
        const DistributionBin &b = bars[index];
        QToolTip::showText(QCursor::pos(), tr("<b>%1</b><br>reference %2 · current %3").arg(b.label.toHtmlEscaped(), share(b.reference), share(b.current)), this);
    });
}

QStringList DistributionChart::categories() const
{
    QStringList out;
    for (const DistributionBin &b : m_distribution.bins)
        out << b.label;
    return out;
}

QStringList DistributionChart::axisLabels() const { return m_x->categories(); }

QVector<double> DistributionChart::referenceShares() const
{
    QVector<double> out;
    if (hasReference(m_distribution))
        for (const DistributionBin &b : m_distribution.bins)
            out.append(b.reference);
    return out;
}

QVector<double> DistributionChart::currentShares() const
{
    QVector<double> out;
    for (const DistributionBin &b : m_distribution.bins)
        out.append(b.current);
    return out;
}

} // namespace orrery::ui
