#pragma once
// RunParallelCoordinates: the table's runs as lines across parallel axes — the params that vary
// between runs, then the colouring metric as the last axis, so a line's colour and where it ends
// say the same thing — coloured low → high on a ramp chosen for the background (lineColor: on a
// light one it stops at dark orange, as yellow on white cannot be read). Until the user picks a
// colour the preferred metric (the area's: the sorted metric, else the first val_ one) colours.
// Custom painted: Qt Charts has no parallel coordinates.
//
// Brushing: drag along an axis to keep the runs whose value lies in that interval; brushes on
// several axes combine (AND); a click on an axis without dragging clears its brush. Runs outside
// the brush are drawn faint and brushedRunsChanged() names the ones inside (the area highlights
// them in the scatter).
//
// Threads: GUI thread.

#include "ui/experiments/run_population.h"

#include <QHash>
#include <QWidget>

#include <optional>

class QComboBox;

namespace orrery::ui {

class RunParallelCoordinates : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxParamAxes = 10;
    // Up to this many lines are drawn antialiased and translucent; more as aliased, opaque
    // one-pixel lines (fast: see paintEvent).
    static constexpr int kMaxSmoothLines = 300;

    explicit RunParallelCoordinates(QWidget *parent = nullptr);

    void setPopulation(const RunPopulation &population);
    void setColorMetric(const QString &key);
    // Colours by `key` while the user has not picked a colour metric.
    void setPreferredMetric(const QString &key);
    // A line's colour for t in [0, 1] (low → high) on `background`: at least 3:1 contrast.
    static QColor lineColor(double t, const QColor &background);
    QString colorMetric() const;
    QComboBox *colorBox() const { return m_colorBox; }

    // Axis names in drawing order ("params.lr", "metrics.loss").
    QStringList axisNames() const;
    // Whether axis `axis` is drawn on a log scale (a param spanning two decades or more).
    bool isLogAxis(int axis) const { return axis >= 0 && axis < m_axes.size() && m_axes[axis].log; }
    // Brushes axis `axis` to the values [lo, hi] (in the axis' units; category index for text).
    void setBrush(int axis, double lo, double hi);
    void clearBrushes();
    bool hasBrush() const { return !m_brushes.isEmpty(); }
    QStringList brushedRunIds() const;

Q_SIGNALS:
    // `active` is false when no brush is set (then every run passes).
    void brushedRunsChanged(const QStringList &runIds, bool active);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    struct Axis {
        QString name;
        int column = -1;        // in the population's values
        bool categorical = false;
        bool log = false;       // numbers spanning two decades or more, drawn on a log scale
        QStringList categories; // sorted, when categorical
        double lo = 0.0, hi = 1.0;
    };
    void buildAxes();
    std::optional<double> valueOf(const tracking::RunRow &row, const Axis &axis) const;
    // 0 (bottom) … 1 (top)
    double normalized(const Axis &axis, double value) const;
    QRectF plotRect() const;
    double axisX(int axis) const;
    int axisAt(double x) const;
    bool passes(int row) const;
    void emitBrushed();

    RunPopulation m_population;
    QVector<Axis> m_axes;
    QHash<int, std::pair<double, double>> m_brushes; // axis → normalized [lo, hi]
    QComboBox *m_colorBox;
    QString m_preferredMetric;
    bool m_colorChosen = false; // by the user: the preferred metric no longer applies
    int m_dragAxis = -1;
    double m_dragStart = 0.0;
    bool m_dragged = false;
};

} // namespace orrery::ui
