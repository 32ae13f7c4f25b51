#include "core/monitor/chi_squared_distribution.h"

#include <cmath>
#include <limits>

namespace orrery::monitor {

double regularizedUpperGamma(double a, double x)
{
    if (!(a > 0) || !(x >= 0))
        return std::numeric_limits<double>::quiet_NaN();
    if (x == 0)
        return 1.0;
    if (std::isinf(x))
        return 0.0;
    const long double la = a, lx = x;
    // x^a e^-x / Γ(a), in logs: every factor is large for large a.
    const long double logPrefix = la * std::log(lx) - lx - std::lgamma(la);
    if (x < a + 1) {
        // P(a, x) = prefix / a * sum x^n / ((a+1)…(a+n)); Q = 1 - P.
        long double term = 1.0L / la, sum = term;
        for (int n = 1; n < 100000; ++n) {
            term *= lx / (la + n);
            sum += term;
            if (std::fabs(term) < std::fabs(sum) * 1e-21L)
                break;
        }
        const long double p = std::exp(logPrefix) * sum;
        return double(1.0L - p);
    }
    // Q(a, x) = prefix * 1 / (x + 1 - a - 1(1-a)/(x + 3 - a - …)), modified Lentz.
    const long double tiny = 1e-300L;
    long double b = lx + 1 - la, c = 1.0L / tiny, d = 1.0L / b, h = d;
    for (int i = 1; i < 100000; ++i) {
        const long double an = -i * (i - la);
        b += 2;
        d = an * d + b;
        if (std::fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (std::fabs(c) < tiny)
            c = tiny;
        d = 1.0L / d;
        const long double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1.0L) < 1e-21L)
            break;
    }
    return double(std::exp(logPrefix) * h);
}

double chiSquaredSf(double df, double x)
{
    if (x <= 0)
        return 1.0;
    return regularizedUpperGamma(df / 2, x / 2);
}

} // namespace orrery::monitor
