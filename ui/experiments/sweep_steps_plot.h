#pragma once
// SweepStepsPlot: the intermediate values the pruner saw — one line per trial, step → value — with
// each pruned trial's end marked by a cross where it was stopped. Complete trials are drawn faint,
// running ones in the highlight colour, the best trial bold, the trial selected in the table
// thicker still. Which trials: the snapshot's curves (SweepReader: the newest and the best).
//
// Threads: GUI thread.

#include "ui/experiments/sweep_snapshot.h"

#include <QWidget>

namespace orrery::ui {

class SweepStepsPlot : public QWidget {
    Q_OBJECT
public:
    struct PrunedMark {
        int number = 0;
        QPointF at; // (step, value) where the trial was stopped
    };

    explicit SweepStepsPlot(QWidget *parent = nullptr);

    void setSnapshot(const SweepSnapshotPtr &snapshot);
    // -1: none.
    void setSelectedTrial(int number);
    int selectedTrial() const { return m_selected; }
    // The crosses drawn at pruned trials' last steps.
    QVector<PrunedMark> prunedMarks() const;
    // The trials with a line.
    QVector<int> drawnTrials() const;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    SweepSnapshotPtr m_snapshot;
    int m_selected = -1;
};

} // namespace orrery::ui
