#pragma once
// DistributionChart: one feature's reference versus current distribution as paired bars — the
// share of each side's rows per bin (numeric: the reference's percentile bins merged to about 20,
// so each reference bar is ~5 %; categorical: the categories, the largest first). Shares, not
// counts, so a 1,000-row window compares with a 50,000-row reference. Hovering a bar names its
// bin and both shares. Qt Charts elides a bar's label below about 30 px a bar, however short or
// turned the label, so where the chart is narrow, neighbouring numeric bins are merged for the
// display (20 → 10 → 5 bars; shares add up). Qt Charts stays behind this widget.
//
// Threads: GUI thread.

#include "ui/monitoring/monitoring_snapshot.h"

#include <QWidget>

class QBarCategoryAxis;
class QBarSet;
class QChart;
class QChartView;
class QValueAxis;

namespace orrery::ui {

class DistributionChart : public QWidget {
    Q_OBJECT
public:
    explicit DistributionChart(QWidget *parent = nullptr);

    void setDistribution(const FeatureDistribution &distribution, const QString &title);
    void clear(const QString &title = QString());

    QString title() const;
    // The bins as given (the snapshot's), whatever the display merged.
    QStringList categories() const;
    QVector<double> referenceShares() const; // empty without a reference
    QVector<double> currentShares() const;
    // The bars drawn now.
    QStringList axisLabels() const;
    int mergedBy() const { return m_merge; }

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void rebuild();

    QChart *m_chart;
    QChartView *m_view;
    QBarCategoryAxis *m_x;
    QValueAxis *m_y;
    FeatureDistribution m_distribution;
    int m_merge = 0; // bins per bar drawn (0: nothing drawn yet)
};

} // namespace orrery::ui
