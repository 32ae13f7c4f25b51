#pragma once
// MetricChart: one metric's curves for several runs, drawn by Qt Charts behind the project's own
// widget (Qt Charts is deprecated from Qt 6.10; only this class and the scatter know it).
//
// The chart keeps, per curve, the points it was given (already decimated by the database to about
// two per pixel column of the range asked for) and hands Qt Charts only what the plot can show:
// smoothed (EMA), cut to the visible x range and reduced to the minimum and maximum of each pixel
// column — at most 2 × plotColumns() points per curve at every zoom level.
//
// Zoom and pan: drag to zoom into an x range, the wheel zooms about the cursor, Shift+drag or the
// middle button pans, double-click shows everything. Each change emits viewRangeChanged() so the
// owner can fetch finer points for the new range (RunCompareView does); until they arrive the
// chart re-decimates what it has. Clicking a legend entry hides or shows its curve.
//
// Threads: GUI thread only.

#include "ui/experiments/chart_curve.h"

#include <QColor>
#include <QHash>
#include <QPair>
#include <QString>
#include <QVector>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QAbstractAxis;
class QChart;
class QChartView;
class QLineSeries;
class QRubberBand;
QT_END_NAMESPACE

namespace orrery::ui {

struct ChartCurveInput {
    QString id;              // the run id
    QString label;           // shown in the legend
    QColor color;
    QVector<QPointF> points; // sorted by x
};

class MetricChart : public QWidget {
    Q_OBJECT
public:
    explicit MetricChart(QWidget *parent = nullptr);
    ~MetricChart() override;

    void setTitle(const QString &title);
    QString title() const { return m_title; }
    void setXAxisKind(ChartXAxis kind);
    ChartXAxis xAxisKind() const { return m_xKind; }

    // Replaces every curve (the view stays where it is unless it was showing everything).
    void setCurves(const QVector<ChartCurveInput> &curves);
    // Replaces the points of every curve in one redraw when the ids are the same, in the same
    // order; otherwise setCurves().
    void updateCurves(const QVector<ChartCurveInput> &curves);
    // Replaces the points of one curve (finer points for a zoom, or new points of a live run).
    void updateCurvePoints(const QString &id, const QVector<QPointF> &points);
    QStringList curveIds() const;
    QVector<QPointF> curvePoints(const QString &id) const; // as given

    void setSmoothing(double weight); // 0 … 0.999
    double smoothing() const { return m_smoothing; }
    void setLogScale(bool on);
    bool logScale() const { return m_log; }

    void setViewRange(double xMin, double xMax);
    void resetView();
    bool isZoomed() const { return m_zoomed; }
    QPair<double, double> viewRange() const { return {m_xMin, m_xMax}; }
    QPair<double, double> dataRange() const;
    // Zooms by `factor` (< 1 in, > 1 out) about the x at fraction `at` (0 … 1) of the plot width.
    void zoomBy(double factor, double at = 0.5);
    // Moves the view by `fraction` of its width (positive: towards larger x).
    void panBy(double fraction);

    void setCurveVisible(const QString &id, bool visible);
    bool isCurveVisible(const QString &id) const;

    // The plot's width in pixels: the number of columns points are reduced to.
    int plotColumns() const;
    // What Qt Charts holds for a curve now, and the largest such count.
    QVector<QPointF> handedPoints(const QString &id) const;
    int maxHandedPointCount() const;

    bool exportPng(const QString &path) const;
    bool exportSvg(const QString &path) const;
    QChart *chart() const { return m_chart; }
    QChartView *chartView() const { return m_view; }

Q_SIGNALS:
    void viewRangeChanged(double xMin, double xMax);
    void curveVisibilityChanged(const QString &id, bool visible);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Curve {
        ChartCurveInput input;
        QLineSeries *series = nullptr;
        bool visible = true;
    };
    void rebuildAxes();
    void redraw();
    void applyRange(double xMin, double xMax, bool zoomed);
    void connectLegend();
    double xAtPixel(double px) const;

    QChart *m_chart;
    QChartView *m_view;
    QAbstractAxis *m_xAxis = nullptr;
    QAbstractAxis *m_yAxis = nullptr;
    QVector<Curve> m_curves;
    QString m_title;
    ChartXAxis m_xKind = ChartXAxis::Step;
    double m_smoothing = 0.0;
    bool m_log = false;
    bool m_zoomed = false;
    int m_drawnColumns = 0;
    double m_xMin = 0.0, m_xMax = 1.0;
    // Mouse interaction
    int m_dragStart = -1;
    bool m_panning = false;
    double m_panOrigin = 0.0;
    QRubberBand *m_band = nullptr;
};

} // namespace orrery::ui
