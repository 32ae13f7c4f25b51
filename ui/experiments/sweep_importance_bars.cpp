#include "ui/experiments/sweep_importance_bars.h"

#include "ui/common/stat_format.h"
#include "ui/experiments/sweep_plot.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

namespace orrery::ui {

SweepImportanceBars::SweepImportanceBars(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("sweepImportanceBars"));
    setMinimumSize(240, 140);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
}

void SweepImportanceBars::setImportance(const tune::ImportanceResult &importance)
{
    m_importance = importance;
    update();
}

QStringList SweepImportanceBars::rankedNames() const
{
    QStringList names;
    for (int i : m_importance.ranking())
        names << m_importance.params[i].name;
    return names;
}

double SweepImportanceBars::sumOfIndices() const
{
    double sum = 0.0;
    for (const tune::ParamImportance &p : m_importance.params)
        sum += p.importance;
    return sum;
}

QRectF SweepImportanceBars::barRow(int rank) const
{
    const QFontMetrics fm(font());
    const double rowH = fm.height() + 8;
    return QRectF(8, m_barsTop + rank * rowH, width() - 16, rowH);
}

void SweepImportanceBars::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const QPalette pal = palette();
    const QFontMetrics fm(font());
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QRectF(8, 4, width() - 16, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, tr("Parameter importance"));
    const int n = m_importance.trials;
    tune::ImportanceOptions defaults;
    QString note;
    if (m_importance.params.isEmpty())
        note = tr("No sweep");
    else if (n < defaults.minTrials)
        note = tr("Needs %1 complete trials (%2 so far)").arg(defaults.minTrials).arg(n);
    else if (m_importance.explained <= 0)
        note = tr("No parameter's effect stands out from the noise over %1 complete trials").arg(statformat::count(n));
    else if (sumOfIndices() > 1.0)
        // Indices that add up past 1: the trials' parameters are not independent (a sampler such
        // as TPE chooses them together), so their main effects overlap.
        note = tr("%1 complete trials; the effects overlap (the sampler chose the parameters together)%2")
                   .arg(statformat::count(n), n < kFewTrials ? tr("; few trials: a rough estimate") : QString());
    else
        note = tr("Main effects explain %1 of the variance over %2 complete trials%3")
                   .arg(statformat::percent(m_importance.explained), statformat::count(n),
                       n < kFewTrials ? tr(" (few: a rough estimate)") : QString());
    QColor dim = pal.color(QPalette::Text);
    dim.setAlphaF(0.7);
    p.setPen(dim);
    // The note wraps to the width; the bars start under it.
    const QRect noteRect = fm.boundingRect(
        QRect(8, 4 + fm.height(), std::max(40, width() - 16), 10 * fm.height()), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, note);
    p.drawText(noteRect, Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, note);
    m_barsTop = noteRect.bottom() + 8;
    if (n < defaults.minTrials)
        return;
    int nameWidth = 0;
    for (const auto &param : m_importance.params)
        nameWidth = std::max(nameWidth, fm.horizontalAdvance(param.name));
    nameWidth = std::min(nameWidth, width() / 2);
    const int pctWidth = fm.horizontalAdvance(QStringLiteral("100 %")) + 8;
    const QColor bar = sweepplot::completeColor(pal);
    int rank = 0;
    for (int i : m_importance.ranking()) {
        const tune::ParamImportance &param = m_importance.params[i];
        const QRectF row = barRow(rank++);
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRectF(row.left(), row.top(), nameWidth, row.height()), Qt::AlignLeft | Qt::AlignVCenter,
            fm.elidedText(param.name, Qt::ElideMiddle, nameWidth));
        const double x0 = row.left() + nameWidth + 8, full = std::max(10.0, row.width() - nameWidth - 8 - pctWidth);
        p.setPen(Qt::NoPen);
        p.setBrush(bar);
        p.drawRect(QRectF(x0, row.top() + 3, std::max(1.0, full * param.share), row.height() - 6));
        p.setPen(pal.color(QPalette::Text));
        p.drawText(QRectF(x0 + full * param.share + 6, row.top(), pctWidth, row.height()), Qt::AlignLeft | Qt::AlignVCenter,
            statformat::percent(param.share));
    }
}

bool SweepImportanceBars::event(QEvent *e)
{
    if (e->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(e);
        const QVector<int> order = m_importance.ranking();
        for (int rank = 0; rank < order.size() && m_importance.trials >= tune::ImportanceOptions().minTrials; ++rank) {
            if (!barRow(rank).contains(help->pos()))
                continue;
            const tune::ParamImportance &param = m_importance.params[order[rank]];
            QToolTip::showText(help->globalPos(),
                tr("%1: %2 of the objective's variance is its main effect (first-order Sobol index, ε² = %3; η² = %4 before "
                   "the correction for %5 bins over %6 trials)")
                    .arg(param.name, statformat::percent(param.importance), QString::number(param.importance, 'g', 3),
                        QString::number(param.etaSquared, 'g', 3))
                    .arg(param.bins)
                    .arg(m_importance.trials),
                this);
            return true;
        }
        QToolTip::hideText();
        e->ignore();
        return true;
    }
    return QWidget::event(e);
}

} // namespace orrery::ui
