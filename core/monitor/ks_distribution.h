#pragma once
// The null distributions of the Kolmogorov–Smirnov statistics, computed exactly as SciPy 1.10
// computes them, so that `orrery-cli monitor drift` and scipy.stats.ks_2samp (default
// method='auto', two-sided) give the same p-value for the same data (tests/auto/monitor checks
// this to 1e-9 relative against /usr/bin/python3's SciPy).
//
// SciPy's method choice, followed here (scipy/stats/_stats_py.py, ks_2samp):
// - both samples of at most 10,000 values: exact. The statistic is first rounded to the lattice
//   h / lcm(n1, n2) (and reported rounded, as SciPy does); equal sizes count the paths outside the
//   square (_compute_prob_outside_square), unequal sizes use Hodges' "inside" recursion for
//   1 - p (_compute_outer_prob_inside_method, Viehmann's stable form). An exact result outside
//   [0, 1] falls back to the asymptotic method.
// - otherwise asymptotic: the one-sample two-sided distribution kstwo.sf(d, round(n1 n2 / (n1 + n2))),
//   itself Simard & L'Ecuyer's choice among Ruben–Gambino closed forms, the Durbin matrix (Marsaglia–
//   Tsang–Wang), Pomeranz's recursion, Pelz–Good's expansion and 2 × Smirnov's one-sided tail
//   (scipy/stats/_ksstats.py, _kolmogn).
//
// Smirnov's one-sided tail is summed in long double in log space (Birnbaum–Tingey); SciPy's C
// (cephes, double-double) sums the same series; both are accurate far below 1e-9.

#include <QtGlobal>

namespace orrery::monitor {

struct KsPValue {
    double statistic = 0.0; // as reported: rounded to h / lcm(n1, n2) when the method is exact
    double pValue = 1.0;
    bool exact = false;
};

// Two-sided p-value of the two-sample statistic `d` for sample sizes n1, n2 (both > 0), with
// ks_2samp's method='auto'.
KsPValue ksTwoSamplePValue(qint64 n1, qint64 n2, double d);

// P(D_n >= x) for the one-sample two-sided statistic (scipy.stats.kstwo.sf(x, n)).
double kolmogorovSf(qint64 n, double x);

// P(D_n^+ >= x), the one-sided statistic (scipy.special.smirnov(n, x)).
double smirnovSf(qint64 n, double x);

} // namespace orrery::monitor
