#pragma once
// RequestRateChart: requests per second per serving version over the last two minutes at most, one line
// each ("fraud v1", "fraud v2"), fed once a second by LiveMetricsPanel. Qt Charts stays behind
// this widget (it is deprecated from Qt 6.10): at most kWindow points per line, far fewer than
// the chart has pixels, so nothing needs decimating.
//
// Threads: GUI thread.

#include <QHash>
#include <QWidget>

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;

namespace orrery::ui {

class RequestRateChart : public QWidget {
    Q_OBJECT
public:
    static constexpr int kWindowSeconds = 120;
    explicit RequestRateChart(QWidget *parent = nullptr);

    // One point per series at `seconds` (since the panel's first scrape).
    void addPoint(const QString &series, double seconds, double requestsPerSecond);
    void clear();
    QStringList seriesNames() const { return m_series.keys(); }
    int pointCount(const QString &series) const;

private:
    QChart *m_chart;
    QChartView *m_view;
    QValueAxis *m_x;
    QValueAxis *m_y;
    QHash<QString, QLineSeries *> m_series;
    double m_latest = 0;
};

} // namespace orrery::ui
