#pragma once
// DriftHeatmap: features (rows) × drift windows (columns, oldest left), each cell one feature's
// test in one window, coloured by what a person should do about it:
//   red    the feature is in alarm (monitor_features.alarm: the state after hysteresis — the
//          same verdict the alert rules and /metrics' orrery_feature_drift see)
//   amber  near: effect >= 80 % of its threshold, or this window drifted but hysteresis has not
//          raised the alarm yet
//   green  below that
//   grey   no verdict (no_data, insufficient rows) or no row for the feature in that window
// Hovering a cell shows its window's time, the test, statistic, p-value, effect and threshold;
// clicking one emits cellClicked (the area then shows that feature, in that window). Painted by
// hand: a few thousand rectangles are cheaper and crisper than a chart's series.
//
// Threads: GUI thread.

#include "ui/monitoring/monitoring_snapshot.h"

#include <QWidget>

namespace orrery::ui {

class DriftHeatmap : public QWidget {
    Q_OBJECT
public:
    enum class CellState { Below, Near, Alarm, NoData };
    static constexpr double kNearShare = 0.8;
    static constexpr int kMinCellWidth = 6;
    static constexpr int kMaxCellWidth = 40;

    explicit DriftHeatmap(QWidget *parent = nullptr);

    void setData(const DriftHeatmapData &data);
    void setSelection(const QString &feature, qint64 windowId);
    const DriftHeatmapData &data() const { return m_data; }

    static CellState stateOf(const DriftCell &cell);
    static QColor colorOf(CellState state);
    CellState cellState(int row, int column) const;
    // Where a cell is drawn (tests click its centre); empty when out of range.
    QRect cellRect(int row, int column) const;
    // The tooltip at `pos`; empty outside the cells.
    QString toolTipAt(const QPoint &pos) const;
    // How many windows fit the width at kMinCellWidth each (what the area asks the snapshot for).
    int columnsThatFit() const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void cellClicked(const QString &feature, qint64 windowId);

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Geometry {
        QRect grid;       // the cells
        int labelWidth = 0;
        double cellWidth = 0;
        double cellHeight = 0;
    };
    Geometry geometry() const;
    static QRect cellRect(const Geometry &g, int row, int column);
    bool cellAt(const QPoint &pos, int &row, int &column) const;
    void measureLabels();

    DriftHeatmapData m_data;
    int m_labelWidth = 0; // the widest feature name, measured once per data
    QString m_feature;
    qint64 m_windowId = 0;
    int m_hoverRow = -1;
    int m_hoverColumn = -1;
};

} // namespace orrery::ui
