#pragma once
// SweepImportanceBars: the parameters' importance as horizontal bars, most important first — each
// parameter's share of what the main effects explain (core/tune/parameter_importance.h: first-order
// Sobol indices estimated by binning, bias-corrected), with how much of the objective's variance
// the main effects explain at all. A bar's tooltip gives the index itself, before and after the
// correction, and the bins it was estimated over.
//
// Threads: GUI thread.

#include "core/tune/parameter_importance.h"

#include <QWidget>

namespace orrery::ui {

class SweepImportanceBars : public QWidget {
    Q_OBJECT
public:
    // Below this many complete trials the note says the estimate is rough.
    static constexpr int kFewTrials = 30;

    explicit SweepImportanceBars(QWidget *parent = nullptr);

    void setImportance(const tune::ImportanceResult &importance);
    const tune::ImportanceResult &importance() const { return m_importance; }
    // The parameters in the order drawn (most important first).
    QStringList rankedNames() const;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    QRectF barRow(int rank) const;
    double sumOfIndices() const; // before parameter_importance's cap at 1

    tune::ImportanceResult m_importance;
    double m_barsTop = 0.0; // under the note, as last painted
};

} // namespace orrery::ui
