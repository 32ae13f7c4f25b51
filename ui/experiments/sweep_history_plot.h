#pragma once
// SweepHistoryPlot: a sweep's trials over their number — each complete trial's value as a dot,
// each pruned trial's last value as a paler one — with the best value so far as a step line: how
// fast the sweep found what it found, and whether it still improves.
//
// Painted (sweep_plot.h): at 100,000 trials it maps every trial to a pixel and draws at most one
// dot per cell; the best-so-far line has one corner per improvement.
//
// Threads: GUI thread.

#include "ui/experiments/sweep_snapshot.h"

#include <QWidget>

namespace orrery::ui {

class SweepHistoryPlot : public QWidget {
    Q_OBJECT
public:
    explicit SweepHistoryPlot(QWidget *parent = nullptr);

    void setSnapshot(const SweepSnapshotPtr &snapshot);
    // The best-so-far line as drawn: (trial number, best value) at each corner.
    QVector<QPointF> bestSoFar() const;
    // Dots drawn by the last paint (at most one per cell).
    int lastDotCount() const { return m_lastDots; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    SweepSnapshotPtr m_snapshot;
    int m_lastDots = 0;
};

} // namespace orrery::ui
