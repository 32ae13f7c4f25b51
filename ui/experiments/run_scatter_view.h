#pragma once
// RunScatterView: one point per run — a param (x) against a metric (y), over the table's runs
// (RunPopulation: the first runs in table order, capped). Params that are not numbers are placed
// by category (their sorted distinct values at 0, 1, 2, … with the names in the tool tip). Runs
// brushed in the parallel coordinates are drawn highlighted.
//
// First axes (until the user picks from the boxes): x = the first param whose values vary among
// the runs (numbers before text), y = the preferred metric (the area's: the metric the table is
// sorted on, else the first val_ metric). A numeric x whose positive values span two decades or
// more (a learning rate) is drawn on a log axis.
//
// Threads: GUI thread.

#include "ui/experiments/run_population.h"

#include <QWidget>

class QComboBox;
class QLabel;
QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QLogValueAxis;
class QScatterSeries;
class QValueAxis;
QT_END_NAMESPACE

namespace orrery::ui {

class RunScatterView : public QWidget {
    Q_OBJECT
public:
    explicit RunScatterView(QWidget *parent = nullptr);
    ~RunScatterView() override;

    void setPopulation(const RunPopulation &population);
    // Axes chosen by hand: kept across populations (as a pick in the boxes is).
    void setAxes(const QString &paramKey, const QString &metricKey);
    // The metric y opens on while the user has not picked one; applies at once when not picked.
    void setPreferredMetric(const QString &metricKey);
    bool xLogScale() const;
    QString xTitle() const;
    QString yTitle() const;
    void setHighlighted(const QStringList &runIds);
    QComboBox *paramBox() const { return m_paramBox; }
    QComboBox *metricBox() const { return m_metricBox; }
    // The points drawn (all runs, then the highlighted ones).
    int pointCount() const;
    QVector<QPointF> points() const;
    QChartView *chartView() const { return m_view; }

private:
    void redraw();
    void chooseDefaultAxes();
    void useXAxis(bool log);

    RunPopulation m_population;
    QStringList m_highlighted;
    QComboBox *m_paramBox;
    QComboBox *m_metricBox;
    QLabel *m_note;
    QChart *m_chart;
    QChartView *m_view;
    QScatterSeries *m_all;
    QScatterSeries *m_brushed;
    QValueAxis *m_xValue;
    QLogValueAxis *m_xLog;
    QValueAxis *m_y;
    QString m_preferredMetric;
    bool m_axesChosen = false; // by the user (or setAxes): defaults no longer apply
};

} // namespace orrery::ui
