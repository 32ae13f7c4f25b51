#pragma once
// Live drift: one window's sketches (window_sketch.h) compared with the reference's, feature by
// feature, with the batch report's tests, thresholds, default choice and Bonferroni correction
// (drift_report.h) — computed from counts on the reference's percentile grid, never by re-reading
// rows.
//
// Exact from the counts: chi-squared, Jensen–Shannon, Hellinger and PSI (categories, or the grid's
// deciles, which are the batch report's bins). Bounded, from the grid (F, G: the two ECDFs; p_i,
// q_i: the shares of bin i in reference and window; w_i: its width, the outer bins closed at the
// smaller minimum and larger maximum of both sides):
// - KS: the statistic is read at the 99 edges, D_grid = max_k |F(e_k) − G(e_k)|. The true D is at
//   least that and at most D_grid + max_i max(p_i, q_i) (inside a bin each ECDF rises by its share
//   only). The p-value uses D_grid, so it is conservative (never more significant than exact).
// - Wasserstein: ∫|F − G|, bin by bin. With each bin's count and sum of values on both sides,
//   ∫(F − G) over the bin is exact (∫_a^b F = F(a)(b − a) + (c·b − S)/n). Inside bin i, F − G
//   stays within [d − q_i, d + p_i] (d: its value at the left edge); when that interval has one
//   sign, ∫|F − G| = |∫(F − G)| exactly. Otherwise it lies between |∫(F − G)| and
//   min(∫(F − G) + 2 w_i |d − q_i|, −∫(F − G) + 2 w_i (d + p_i)) (|h| = h + 2h⁻ = −h + 2h⁺); the
//   estimate is the integral of a linear F − G across the bin, clamped into that interval, and
//   the bound adds its larger distance to the interval's ends. Only bins where the two ECDFs may
//   cross add error: the bound is small and tst_live_drift checks it against the exact figure on
//   the same values. In units of the reference's std, as the statistic.
// FeatureDrift::errorBound carries the bound of the headline statistic (0 when exact).
//
// A window with fewer than minRows values of a feature is "insufficient": no verdict, no test in
// the correction. Hysteresis (DriftHysteresis): a feature's alarm turns on with a window that
// drifts and off only after `clearAfter` windows in a row without drift, so a shift near the
// threshold does not flap; insufficient windows leave it as it was.

#include "core/monitor/drift_report.h"
#include "core/monitor/window_sketch.h"

#include <vector>

namespace orrery::monitor {

struct LiveDriftOptions {
    DriftOptions drift;
    qint64 minRows = 200;
    int clearAfter = 3;
};

struct SketchInput {
    const FeatureProfile *grid = nullptr;   // the model version's profile: kind, edges, categories
    const FeatureSketch *reference = nullptr;
    const FeatureSketch *current = nullptr;
};

// One feature before the correction.
FeatureDrift compareSketch(const SketchInput &input, const LiveDriftOptions &options);
// Every feature of one window, corrected.
DriftReport compareSketches(const std::vector<SketchInput> &inputs, const LiveDriftOptions &options);

class DriftHysteresis {
public:
    explicit DriftHysteresis(int clearAfter = 3) : m_clearAfter(clearAfter) {}
    // Feeds one window's verdict; returns the alarm after it.
    bool update(const FeatureDrift &window);
    bool on() const { return m_on; }
    void restore(bool on) { m_on = on; m_clean = 0; } // after a restart, from the last stored window

private:
    int m_clearAfter;
    bool m_on = false;
    int m_clean = 0;
};

} // namespace orrery::monitor
