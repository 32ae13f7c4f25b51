#include "core/monitor/drift_statistics.h"

#include "core/monitor/chi_squared_distribution.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace orrery::monitor {

namespace {

// Walks the distinct values of the union of two sorted samples in order; at each one calls
// f(value, nextValue, countA <= value, countB <= value). nextValue is +inf after the last.
// One element is consumed per step without a data-dependent branch (the merge's comparison is
// a coin flip for two samples of one distribution, and a mispredicted branch per element cost
// more than the rest of the walk); f is called when the next value differs from the consumed one,
// which is nearly always for continuous data, so that branch predicts well.
template<typename F>
void walkUnion(const std::vector<double> &a, const std::vector<double> &b, F &&f)
{
    const double inf = std::numeric_limits<double>::infinity();
    const size_t na = a.size(), nb = b.size();
    const double *pa = a.data(), *pb = b.data();
    size_t i = 0, j = 0;
    double x = na ? pa[0] : inf, y = nb ? pb[0] : inf;
    for (size_t step = 0, steps = na + nb; step < steps; ++step) {
        const bool takeA = x <= y;
        const double current = takeA ? x : y;
        i += takeA;
        j += !takeA;
        x = i < na ? pa[i] : inf;
        y = j < nb ? pb[j] : inf;
        const double next = x < y ? x : y;
        if (next != current)
            f(current, next, i, j);
    }
}

std::vector<double> normalised(const std::vector<double> &x)
{
    long double total = 0;
    for (double v : x)
        total += v;
    std::vector<double> out(x.size());
    for (size_t i = 0; i < x.size(); ++i)
        out[i] = double(x[i] / total);
    return out;
}

// scipy.special.rel_entr
double relEntr(double x, double y)
{
    if (x > 0 && y > 0)
        return x * std::log(x / y);
    if (x == 0 && y >= 0)
        return 0.0;
    return std::numeric_limits<double>::infinity();
}

} // namespace

double ksStatistic(const std::vector<double> &sortedA, const std::vector<double> &sortedB)
{
    const double n1 = double(sortedA.size()), n2 = double(sortedB.size());
    double maxS = -std::numeric_limits<double>::infinity(), minDiff = std::numeric_limits<double>::infinity();
    walkUnion(sortedA, sortedB, [&](double, double, size_t i, size_t j) {
        const double diff = double(i) / n1 - double(j) / n2; // as numpy: each cdf divided, then subtracted
        maxS = std::max(maxS, diff);
        minDiff = std::min(minDiff, diff);
    });
    const double minS = std::min(1.0, std::max(0.0, -minDiff));
    return minS > maxS ? minS : maxS;
}

KsPValue ksTwoSample(const std::vector<double> &sortedA, const std::vector<double> &sortedB)
{
    return ksTwoSamplePValue(qint64(sortedA.size()), qint64(sortedB.size()), ksStatistic(sortedA, sortedB));
}

double wassersteinDistance(const std::vector<double> &sortedA, const std::vector<double> &sortedB)
{
    const double na = double(sortedA.size()), nb = double(sortedB.size());
    long double sum = 0;
    walkUnion(sortedA, sortedB, [&](double v, double next, size_t i, size_t j) {
        if (std::isinf(next))
            return; // after the last value both CDFs are 1
        sum += std::fabs(double(i) / na - double(j) / nb) * (next - v);
    });
    return double(sum);
}

ChiSquareResult chiSquare(const std::vector<double> &observed, const std::vector<double> &expected)
{
    ChiSquareResult r;
    long double stat = 0;
    for (size_t k = 0; k < observed.size(); ++k) {
        const double d = observed[k] - expected[k];
        stat += (d * d) / expected[k];
    }
    r.statistic = double(stat);
    r.degreesOfFreedom = int(observed.size()) - 1;
    if (std::isnan(r.statistic))
        r.pValue = std::numeric_limits<double>::quiet_NaN();
    else if (r.degreesOfFreedom < 1)
        r.pValue = std::numeric_limits<double>::quiet_NaN(); // SciPy: chi2.sf(x, 0) is nan
    else
        r.pValue = chiSquaredSf(r.degreesOfFreedom, r.statistic);
    return r;
}

ChiSquareResult chiSquareHomogeneity(const std::vector<double> &a, const std::vector<double> &b)
{
    long double ta = 0, tb = 0;
    for (size_t k = 0; k < a.size(); ++k) {
        ta += a[k];
        tb += b[k];
    }
    const double rowA = double(ta), rowB = double(tb), total = double(ta + tb);
    ChiSquareResult r;
    long double stat = 0;
    for (size_t k = 0; k < a.size(); ++k) {
        const double column = a[k] + b[k];
        const double ea = rowA * column / total, eb = rowB * column / total;
        stat += (a[k] - ea) * (a[k] - ea) / ea + (b[k] - eb) * (b[k] - eb) / eb;
    }
    r.statistic = double(stat);
    r.degreesOfFreedom = int(a.size()) - 1;
    r.pValue = r.degreesOfFreedom < 1 ? 1.0 : chiSquaredSf(r.degreesOfFreedom, r.statistic);
    return r;
}

double jensenShannonDistance(const std::vector<double> &pIn, const std::vector<double> &qIn)
{
    const std::vector<double> p = normalised(pIn), q = normalised(qIn);
    long double left = 0, right = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        const double m = (p[i] + q[i]) / 2.0;
        left += relEntr(p[i], m);
        right += relEntr(q[i], m);
    }
    return std::sqrt(double(left + right) / 2.0);
}

double hellingerDistance(const std::vector<double> &pIn, const std::vector<double> &qIn)
{
    const std::vector<double> p = normalised(pIn), q = normalised(qIn);
    long double sum = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        const double d = std::sqrt(p[i]) - std::sqrt(q[i]);
        sum += d * d;
    }
    return std::sqrt(0.5 * double(sum));
}

double populationStabilityIndex(const std::vector<double> &pIn, const std::vector<double> &qIn, double epsilon)
{
    const std::vector<double> p = normalised(pIn), q = normalised(qIn);
    long double sum = 0;
    for (size_t i = 0; i < p.size(); ++i) {
        const double a = std::max(p[i], epsilon), b = std::max(q[i], epsilon);
        sum += (b - a) * std::log(b / a);
    }
    return double(sum);
}

double sortedQuantile(const std::vector<double> &sorted, double q)
{
    const size_t n = sorted.size();
    const double virtualIndex = double(n - 1) * q;
    const double previousIndex = std::floor(virtualIndex);
    size_t prev = size_t(previousIndex), next = prev + 1;
    if (prev > n - 1)
        prev = n - 1;
    if (next > n - 1)
        next = n - 1;
    const double gamma = virtualIndex - previousIndex;
    const double a = sorted[prev], b = sorted[next];
    const double diff = b - a;
    return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

} // namespace orrery::monitor
