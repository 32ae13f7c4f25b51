#pragma once
// The batch drift statistics, each the same number SciPy computes for the same input (checked to
// 1e-9 relative in tests/auto/monitor/tst_drift_statistics.cpp against /usr/bin/python3):
//
// | function                | SciPy / formula                                                     |
// |-------------------------|---------------------------------------------------------------------|
// | ksTwoSample             | scipy.stats.ks_2samp(a, b) (two-sided, method='auto', see ks_distribution.h) |
// | wassersteinDistance     | scipy.stats.wasserstein_distance(a, b)                              |
// | chiSquare               | scipy.stats.chisquare(observed, expected)  (Pearson, df = cells - 1) |
// | chiSquareHomogeneity    | scipy.stats.chi2_contingency([a, b], correction=False)  (2 × k, df = k - 1) |
// | jensenShannonDistance   | scipy.spatial.distance.jensenshannon(p, q)  — natural log (SciPy's default base; Evidently's 0.1 threshold is on this scale; the maximum is sqrt(ln 2) ≈ 0.833) |
// | hellingerDistance       | sqrt(1/2 · Σ (√p − √q)²) on proportions (no SciPy function; NumPy formula, 0 to 1) |
// | populationStabilityIndex| Σ (q − p) ln(q / p) on proportions clipped below at 1e-6 (../shared/peers/drift_scipy.py's psi) |
//
// The ECDF statistics take *sorted* samples without NaN (value_sort.h), so a reference sorted once
// serves every comparison; the others take counts or proportions per cell (any scale: they are
// normalised here, as SciPy does).

#include "core/monitor/ks_distribution.h"

#include <vector>

namespace orrery::monitor {

// The KS statistic sup |F_a − F_b| with ks_2samp's p-value. Both samples non-empty.
KsPValue ksTwoSample(const std::vector<double> &sortedA, const std::vector<double> &sortedB);
// The statistic alone (before the exact method's rounding to the lattice).
double ksStatistic(const std::vector<double> &sortedA, const std::vector<double> &sortedB);

// ∫ |F_a − F_b| dx, the first Wasserstein distance. Both samples non-empty.
double wassersteinDistance(const std::vector<double> &sortedA, const std::vector<double> &sortedB);

struct ChiSquareResult {
    double statistic = 0.0;
    double pValue = 1.0;
    int degreesOfFreedom = 0;
};
// Σ (o − e)² / e with p = P(χ²_{k−1} >= statistic). An expected count of 0 with an observed count
// above 0 gives an infinite statistic and p = 0, as SciPy does; callers avoid it (see
// drift_report.h, "unseen categories").
ChiSquareResult chiSquare(const std::vector<double> &observed, const std::vector<double> &expected);

// The two-sample test of homogeneity on a 2 × k table of counts (reference row, current row):
// unlike chiSquare with the reference's shares as the expected ones, it counts the reference's own
// sampling noise, which doubles the statistic's variance when both samples have 1,000 rows (a
// goodness-of-fit test rejected 33 % of identical-distribution windows at p < 0.05 in
// tst_drift_report). Every cell must have a count in at least one row.
ChiSquareResult chiSquareHomogeneity(const std::vector<double> &a, const std::vector<double> &b);

double jensenShannonDistance(const std::vector<double> &p, const std::vector<double> &q);
double hellingerDistance(const std::vector<double> &p, const std::vector<double> &q);
constexpr double kPsiEpsilon = 1e-6;
// p: reference ("expected") shares, q: current ("actual") shares.
double populationStabilityIndex(const std::vector<double> &p, const std::vector<double> &q, double epsilon = kPsiEpsilon);

// Linear-interpolation quantile of a sorted sample (numpy.quantile's default method, same
// arithmetic).
double sortedQuantile(const std::vector<double> &sorted, double q);

} // namespace orrery::monitor
