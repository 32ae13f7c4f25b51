#pragma once
// TimeSeriesChart: a few named series over wall-clock time (requests/s, p50 and p99 latency, a
// feature's drift effect with its threshold, accuracy per model version), each a line, a dashed
// line (a threshold) or markers (windows in alarm). Qt Charts stays behind this widget (it is
// deprecated from Qt 6.10): the snapshot hands it at most one point per bucket, and the buckets
// are about two pixels wide, so nothing here needs decimating.
//
// Threads: GUI thread.

#include <QColor>
#include <QHash>
#include <QPointF>
#include <QVector>
#include <QWidget>

class QChart;
class QChartView;
class QDateTimeAxis;
class QValueAxis;
class QXYSeries;

namespace orrery::ui {

class TimeSeriesChart : public QWidget {
    Q_OBJECT
public:
    enum class Style { Line, Dashed, Markers };

    explicit TimeSeriesChart(const QString &title, QWidget *parent = nullptr);

    // Replaces the series; points are (ms since the epoch, value); NaN values are left out.
    void setSeries(const QString &name, const QVector<QPointF> &points, const QColor &color, Style style = Style::Line);
    void clearSeries();
    // The x axis: [fromMs, toMs]. The y axis starts at 0 and fits the data (at least `minTop`).
    void setTimeRange(qint64 fromMs, qint64 toMs);
    void setMinimumTop(double minTop) { m_minTop = minTop; }
    // A fixed top (a share cannot pass 1); 0: fit the data.
    void setFixedTop(double top) { m_fixedTop = top; }
    // Where the legend goes (shown with two series or more): top by default; right for a short chart.
    void setLegendAlignment(Qt::Alignment alignment);
    void setValueFormat(const QString &format); // "%.1f"
    void setTitle(const QString &title);
    // Shown in the plot while there are no series.
    void setPlaceholder(const QString &text);

    QString title() const;
    QStringList seriesNames() const;
    QVector<QPointF> points(const QString &name) const;
    double top() const;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void rescale();
    void placePlaceholder();

    QChart *m_chart;
    QChartView *m_view;
    QDateTimeAxis *m_x;
    QValueAxis *m_y;
    QHash<QString, QXYSeries *> m_series;
    QStringList m_order;
    qint64 m_from = 0, m_to = 0;
    double m_minTop = 1;
    double m_fixedTop = 0;
};

} // namespace orrery::ui
