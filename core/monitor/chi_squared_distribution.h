#pragma once
// The chi-squared distribution's upper tail, for chisquare's p-value (scipy.special.chdtrc, which
// is cephes' igamc(df/2, x/2)): the regularized upper incomplete gamma function Q(a, x), by its
// power series below x = a + 1 and by Lentz's continued fraction above, in long double so that
// the result is good far below the 1e-9 the tests ask of it.

namespace orrery::monitor {

// Q(a, x) = Γ(a, x) / Γ(a), a > 0, x >= 0.
double regularizedUpperGamma(double a, double x);

// P(χ²_df >= x).
double chiSquaredSf(double df, double x);

} // namespace orrery::monitor
