#pragma once
// RunScatterView: one point per run — a param (x) against a metric (y), over the table's runs
// (RunPopulation: the first runs in table order, capped). Params that are not numbers are placed
// by category (their sorted distinct values at 0, 1, 2, … with the names in the tool tip). Runs
// brushed in the parallel coordinates are drawn highlighted.
//
// Threads: GUI thread.

#include "ui/experiments/run_population.h"

#include <QWidget>

class QComboBox;
class QLabel;
QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QScatterSeries;
QT_END_NAMESPACE

namespace orrery::ui {

class RunScatterView : public QWidget {
    Q_OBJECT
public:
    explicit RunScatterView(QWidget *parent = nullptr);

    void setPopulation(const RunPopulation &population);
    void setAxes(const QString &paramKey, const QString &metricKey);
    void setHighlighted(const QStringList &runIds);
    QComboBox *paramBox() const { return m_paramBox; }
    QComboBox *metricBox() const { return m_metricBox; }
    // The points drawn (all runs, then the highlighted ones).
    int pointCount() const;
    QVector<QPointF> points() const;
    QChartView *chartView() const { return m_view; }

private:
    void redraw();

    RunPopulation m_population;
    QStringList m_highlighted;
    QComboBox *m_paramBox;
    QComboBox *m_metricBox;
    QLabel *m_note;
    QChart *m_chart;
    QChartView *m_view;
    QScatterSeries *m_all;
    QScatterSeries *m_brushed;
};

} // namespace orrery::ui
