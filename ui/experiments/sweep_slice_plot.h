#pragma once
// SweepSlicePlot: one small scatter per parameter — the objective of each complete trial against
// that parameter's value — on the space's own scale: a log axis for a log parameter, the choices
// side by side (spread a little sideways, so that piles of trials show as piles) for a categorical
// one. Where a parameter's good values lie, and how sharply the objective depends on it; read
// beside the importance bars.
//
// Painted, one dot per occupied cell (sweep_plot.h): 100,000 trials × a few parameters.
//
// Threads: GUI thread.

#include "ui/experiments/sweep_snapshot.h"

#include <QWidget>

namespace orrery::ui {

class SweepSlicePlot : public QWidget {
    Q_OBJECT
public:
    explicit SweepSlicePlot(QWidget *parent = nullptr);

    void setSnapshot(const SweepSnapshotPtr &snapshot);
    // The parameters with a slice, in drawing order, and whether each has a log axis.
    QStringList slicedParams() const;
    bool isLogSlice(const QString &param) const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    SweepSnapshotPtr m_snapshot;
};

} // namespace orrery::ui
