#include "core/tune/parzen_estimator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <tuple>

namespace orrery::tune {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kHalfLog2Pi = 0.91893853320467274178; // ½ ln 2π
constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kSqrt2Pi = 2.50662827463100050242;
// A discrete dimension memoises its kernels' masses only up to this many grid points (the
// tables hold 2 · points values per σ) and this many distinct σ.
constexpr qint64 kMemoPoints = 1 << 14;
constexpr int kMemoClasses = 16;
constexpr int kMemoMinKernels = 64;

// Indices 0 … keys.size()−1 ordered by their key in 0 … buckets−1, ties in index order (a
// counting sort: linear where std::sort would be K log K).
std::vector<int> countingOrder(const std::vector<int> &keys, int buckets)
{
    std::vector<int> start(size_t(buckets) + 1, 0);
    for (int key : keys)
        ++start[size_t(key) + 1];
    for (size_t b = 1; b < start.size(); ++b)
        start[b] += start[b - 1];
    std::vector<int> order(keys.size());
    for (size_t i = 0; i < keys.size(); ++i)
        order[size_t(start[size_t(keys[i])]++)] = int(i);
    return order;
}

// A discrete dimension's centres as twice their grid index (the prior's midpoint may fall
// half-way between two points), for counting sorts; empty when the grid is too fine for that.
std::vector<int> halfGridKeys(const ParzenDimension &s, const std::vector<double> &mu)
{
    if (s.kind != ParzenDimension::Kind::Discrete || s.points > kMemoPoints)
        return {};
    std::vector<int> keys(mu.size());
    for (size_t i = 0; i < mu.size(); ++i)
        keys[i] = std::clamp(int(std::lround(2 * (mu[i] - s.first) / s.q)), 0, int(2 * s.points));
    return keys;
}

double logDiff(double logP, double logQ)
{
    return logP + std::log1p(-std::exp(logQ - logP));
}

} // namespace

namespace gauss {

double ndtr(double a)
{
    const double x = a / kSqrt2;
    if (x < -1.0 / kSqrt2)
        return 0.5 * std::erfc(-x);
    if (x < 1.0 / kSqrt2)
        return 0.5 + 0.5 * std::erf(x);
    return 1.0 - 0.5 * std::erfc(x);
}

double logNdtr(double a)
{
    if (a > 6)
        return -ndtr(-a); // ln(1 − ε) = −ε to double precision
    if (a > -20)
        return std::log(ndtr(a));
    // The asymptotic series of Mills' ratio: ln φ(a)/(−a) + ln(1 − 1/a² + 3/a⁴ − 15/a⁶ …).
    const double logLhs = -0.5 * a * a - std::log(-a) - kHalfLog2Pi;
    double last = 0.0, rhs = 1.0, numerator = 1.0, denominator = 1.0;
    const double inv2 = 1.0 / (a * a);
    double sign = 1.0;
    for (int i = 1; std::fabs(last - rhs) > std::numeric_limits<double>::epsilon() && i < 100; ++i) {
        last = rhs;
        sign = -sign;
        denominator *= inv2;
        numerator *= 2 * i - 1;
        rhs += sign * numerator * denominator;
    }
    return logLhs + std::log(rhs);
}

double logMass(double a, double b)
{
    if (b <= 0)
        return logDiff(logNdtr(b), logNdtr(a));
    if (a > 0)
        return logDiff(logNdtr(-a), logNdtr(-b));
    // A tail beyond 9 holds under 1.2e-19: next to 1 it is below a double's precision, so its
    // erfc is skipped (both: ln 1 = 0).
    const double left = a < -9 ? 0.0 : ndtr(a);
    const double right = b > 9 ? 0.0 : ndtr(-b);
    if (left == 0.0 && right == 0.0)
        return 0.0;
    return std::log1p(-left - right);
}

double ndtri(double p)
{
    if (p <= 0)
        return -kInf;
    if (p >= 1)
        return kInf;
    // Acklam's rational approximation (relative error 1.15e-9), then one Halley step on Φ.
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                               1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                               6.680131188771972e+01, -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                               -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    constexpr double pLow = 0.02425;
    double x;
    if (p < pLow) {
        const double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p <= 1 - pLow) {
        const double q = p - 0.5;
        const double r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    } else {
        const double q = std::sqrt(-2 * std::log1p(-p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    // Halley: the error of Φ over its density. In the upper half the error is taken on the
    // complement, which keeps its digits there.
    const double e = x > 0 ? (p - 1.0) + 0.5 * std::erfc(x / kSqrt2) : 0.5 * std::erfc(-x / kSqrt2) - p;
    const double u = (x > 0 ? -e : e) * kSqrt2Pi * std::exp(0.5 * x * x);
    if (std::isfinite(u))
        x = x - u / (1 + 0.5 * x * u);
    return x;
}

// Φ⁻¹(exp(y)) for y = ln p, also where p underflows a double.
double ndtriExp(double y)
{
    if (y > -700)
        return ndtri(std::exp(y));
    // Newton on ln Φ(x) = y; its slope φ(x)/Φ(x) is about −x this far out.
    double x = -std::sqrt(-2 * y);
    for (int i = 0; i < 100; ++i) {
        const double l = logNdtr(x);
        const double step = (l - y) / std::exp(-0.5 * x * x - kHalfLog2Pi - l);
        x -= step;
        if (std::fabs(step) <= 1e-15 * std::fabs(x))
            break;
    }
    return x;
}

double truncatedQuantile(double a, double b, double u)
{
    if (!(a < b))
        return a;
    if (a >= 0) // the right tail by symmetry: Φ near 1 has no digits left
        return -truncatedQuantile(-b, -a, 1 - u);
    double z;
    if (b > -3) {
        const double pa = ndtr(a), pb = ndtr(b);
        z = ndtri(pa + u * (pb - pa));
    } else {
        // Deep in the left tail Φ(a) and Φ(b) may underflow: ln Φ(z) = ln(Φ(a) + u (Φ(b) − Φ(a))).
        const double la = logNdtr(a), lm = std::log(u) + logMass(a, b);
        const double hi = std::max(la, lm), lo = std::min(la, lm);
        z = ndtriExp(hi + std::log1p(std::exp(lo - hi)));
    }
    if (!std::isfinite(z))
        z = a + u * (b - a);
    return std::clamp(z, a, b);
}

} // namespace gauss

ParzenDimension ParzenDimension::of(const ParamSpec &spec)
{
    ParzenDimension d;
    d.valueLow = spec.low;
    d.valueHigh = spec.high;
    if (spec.kind == ParamKind::Categorical) {
        d.kind = Kind::Categorical;
        d.points = spec.choices.size();
        d.valueLow = 0;
        d.valueHigh = double(d.points - 1);
        return d;
    }
    if (spec.log) {
        d.kind = Kind::Continuous;
        d.log = true;
        if (spec.kind == ParamKind::Int) {
            d.roundToInt = true;
            d.low = std::log(spec.low - 0.5);
            d.high = std::log(spec.high + 0.5);
        } else {
            d.low = std::log(spec.low);
            d.high = std::log(spec.high);
        }
        return d;
    }
    const double q = spec.kind == ParamKind::Int ? std::max(spec.step, 1.0) : spec.step;
    if (q > 0) {
        d.kind = Kind::Discrete;
        d.q = q;
        d.first = spec.low;
        d.points = spec.cardinality();
        d.valueHigh = spec.low + double(d.points - 1) * q;
        d.low = d.first - 0.5 * q;
        d.high = d.valueHigh + 0.5 * q;
        return d;
    }
    d.kind = Kind::Continuous;
    d.low = spec.low;
    d.high = spec.high;
    return d;
}

double ParzenDimension::toInternal(double value) const
{
    return log ? std::log(value) : value;
}

double ParzenDimension::fromInternal(double x) const
{
    switch (kind) {
    case Kind::Categorical:
        return x;
    case Kind::Discrete: {
        const double k = std::clamp(std::round((x - first) / q), 0.0, double(points - 1));
        return first + k * q;
    }
    case Kind::Continuous:
        if (log) {
            const double v = std::exp(x);
            return std::clamp(roundToInt ? std::round(v) : v, valueLow, valueHigh);
        }
        return std::clamp(x, low, high);
    }
    return x;
}

void ParzenEstimator::defaultWeights(int n, double *out)
{
    if (n < 25) {
        std::fill(out, out + n, 1.0);
        return;
    }
    // numpy.linspace(1/n, 1, n − 25) for the oldest, then 25 ones.
    const int ramp = n - 25;
    const double start = 1.0 / n;
    if (ramp == 1)
        out[0] = start;
    else
        for (int i = 0; i < ramp; ++i)
            out[i] = start + double(i) * ((1.0 - start) / double(ramp - 1));
    std::fill(out + ramp, out + n, 1.0);
}

ParzenEstimator::ParzenEstimator(std::vector<ParzenDimension> dims, const double *observations, int n, const ParzenOptions &options)
{
    const int dimensionCount = int(dims.size());
    const int k = n + 1; // the prior is the last kernel
    std::vector<double> weights(static_cast<size_t>(k));
    defaultWeights(n, weights.data());
    weights[size_t(n)] = options.priorWeight;

    m_dim.resize(dims.size());
    const double sigma0 = 0.2 * std::pow(double(std::max(n, 1)), -1.0 / (dimensionCount + 4));
    for (int j = 0; j < dimensionCount; ++j) {
        Dim &d = m_dim[size_t(j)];
        d.spec = dims[size_t(j)];
        if (d.spec.kind == ParzenDimension::Kind::Categorical)
            fitCategorical(d, observations + j, n, dimensionCount, options);
        else
            fitNumeric(d, observations + j, n, dimensionCount, options, sigma0);
    }
    if (dimensionCount == 1 && m_dim[0].spec.kind != ParzenDimension::Kind::Continuous)
        mergeIdenticalKernels(weights);

    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    m_logWeight.resize(weights.size());
    m_cumWeight.resize(weights.size());
    double cum = 0.0;
    for (size_t i = 0; i < weights.size(); ++i) {
        m_logWeight[i] = std::log(weights[i] / total);
        cum += weights[i] / total;
        m_cumWeight[i] = cum;
    }
    for (Dim &d : m_dim)
        if (d.spec.kind != ParzenDimension::Kind::Categorical)
            prepareNumeric(d);
}

void ParzenEstimator::fitNumeric(Dim &d, const double *observations, int n, int stride, const ParzenOptions &options, double sigma0)
{
    const ParzenDimension &s = d.spec;
    const int k = n + 1;
    d.mu.resize(size_t(k));
    for (int i = 0; i < n; ++i)
        d.mu[size_t(i)] = s.toInternal(observations[size_t(i) * size_t(stride)]);
    d.mu[size_t(n)] = 0.5 * (s.low + s.high);
    d.sigma.resize(size_t(k));
    const double range = s.high - s.low;
    if (options.multivariate) {
        std::fill(d.sigma.begin(), d.sigma.end(), sigma0 * range);
    } else {
        // The larger gap to a neighbouring centre, the range's ends counting as neighbours —
        // except for the first and last centre, which take their inner gap.
        // Sorted by centre, ties by age (a stable sort; the index breaks ties). A grid's centres
        // sort by counting.
        std::vector<std::pair<double, int>> order(static_cast<size_t>(k));
        const std::vector<int> keys = halfGridKeys(s, d.mu);
        if (!keys.empty()) {
            const std::vector<int> byKey = countingOrder(keys, int(2 * s.points) + 1);
            for (int i = 0; i < k; ++i)
                order[size_t(i)] = {d.mu[size_t(byKey[size_t(i)])], byKey[size_t(i)]};
        } else {
            for (int i = 0; i < k; ++i)
                order[size_t(i)] = {d.mu[size_t(i)], i};
            std::sort(order.begin(), order.end());
        }
        auto at = [&](int i) { // the centres sorted, with the range's ends around them
            if (i == 0)
                return s.low;
            if (i == k + 1)
                return s.high;
            return order[size_t(i - 1)].first;
        };
        for (int i = 0; i < k; ++i) {
            double sigma = std::max(at(i + 1) - at(i), at(i + 2) - at(i + 1));
            if (k >= 2 && i == 0)
                sigma = at(2) - at(1);
            else if (k >= 2 && i == k - 1)
                sigma = at(k) - at(k - 1);
            d.sigma[size_t(order[size_t(i)].second)] = sigma;
        }
    }
    const double maxSigma = range;
    const double minSigma = options.magicClip ? range / std::min(100.0, 1.0 + k) : 1e-12;
    for (double &sigma : d.sigma)
        sigma = std::clamp(sigma, minSigma, maxSigma);
    d.sigma[size_t(n)] = range; // the prior
}

void ParzenEstimator::fitCategorical(Dim &d, const double *observations, int n, int stride, const ParzenOptions &options)
{
    const int c = int(d.spec.points);
    d.choice.resize(size_t(n + 1));
    for (int i = 0; i < n; ++i)
        d.choice[size_t(i)] = std::clamp(int(observations[size_t(i) * size_t(stride)]), 0, c - 1);
    d.choice[size_t(n)] = c; // the prior's row: uniform
    const double share = options.priorWeight / (n + 1);
    d.logProb.resize(size_t(c + 1) * size_t(c));
    d.cumProb.resize(d.logProb.size());
    for (int row = 0; row <= c; ++row) {
        double cum = 0.0;
        for (int j = 0; j < c; ++j) {
            const double p = row == c ? 1.0 / c : (share + (j == row ? 1.0 : 0.0)) / (1.0 + c * share);
            d.logProb[size_t(row * c + j)] = std::log(p);
            cum += p;
            d.cumProb[size_t(row * c + j)] = cum;
        }
    }
}

void ParzenEstimator::mergeIdenticalKernels(std::vector<double> &weights)
{
    // One dimension, discrete or categorical: kernels with the same centre and σ (the same
    // choice) are one kernel with their weights added — the mixture is unchanged. Grouped by
    // counting (choice, or grid point), then by σ within a group (a handful of values).
    Dim &d = m_dim[0];
    const bool categorical = d.spec.kind == ParzenDimension::Kind::Categorical;
    std::vector<int> keys = categorical ? d.choice : halfGridKeys(d.spec, d.mu);
    std::vector<int> order;
    if (keys.empty()) { // a grid too fine to count: sort by (centre, σ)
        order.resize(weights.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](int x, int y) {
            return std::make_tuple(d.mu[size_t(x)], d.sigma[size_t(x)], x) < std::make_tuple(d.mu[size_t(y)], d.sigma[size_t(y)], y);
        });
        keys.assign(weights.size(), 0);
        for (size_t i = 1; i < order.size(); ++i)
            keys[size_t(order[i])] = keys[size_t(order[i - 1])] + (d.mu[size_t(order[i])] != d.mu[size_t(order[i - 1])]);
    } else {
        order = countingOrder(keys, categorical ? int(d.spec.points) + 1 : int(2 * d.spec.points) + 1);
    }
    std::vector<double> w, mu, sigma;
    std::vector<int> choice;
    size_t groupStart = 0; // the first merged kernel of the current key
    for (size_t i = 0; i < order.size(); ++i) {
        const size_t o = size_t(order[i]);
        if (i == 0 || keys[o] != keys[size_t(order[i - 1])])
            groupStart = w.size();
        size_t into = w.size();
        for (size_t m = groupStart; m < w.size() && into == w.size(); ++m)
            if (categorical || (mu[m] == d.mu[o] && sigma[m] == d.sigma[o]))
                into = m;
        if (into < w.size()) {
            w[into] += weights[o];
            continue;
        }
        w.push_back(weights[o]);
        if (categorical) {
            choice.push_back(d.choice[o]);
        } else {
            mu.push_back(d.mu[o]);
            sigma.push_back(d.sigma[o]);
        }
    }
    weights = std::move(w);
    if (categorical) {
        d.choice = std::move(choice);
    } else {
        d.mu = std::move(mu);
        d.sigma = std::move(sigma);
    }
}

void ParzenEstimator::prepareNumeric(Dim &d)
{
    const ParzenDimension &s = d.spec;
    const size_t k = d.mu.size();
    d.invSigma.resize(k);
    d.logNorm.resize(k);
    const bool memo = s.kind == ParzenDimension::Kind::Discrete && s.points <= kMemoPoints && int(k) >= kMemoMinKernels;
    if (memo) {
        // A grid point's mass under a kernel on the grid depends only on their grid distance
        // and the kernel's σ: memoise it per distinct σ (the magic clip makes most of them one
        // value; multivariate, all but the prior's are one).
        d.gridIndex.assign(k, -1);
        d.sigmaClass.assign(k, -1);
        for (size_t i = 0; i < k; ++i) {
            const double g = std::round((d.mu[i] - s.first) / s.q);
            if (std::fabs(d.mu[i] - (s.first + g * s.q)) <= 1e-9 * s.q && g >= 0 && g < double(s.points))
                d.gridIndex[i] = int(g);
            else
                continue;
            auto it = std::find(d.classSigma.begin(), d.classSigma.end(), d.sigma[i]);
            if (it != d.classSigma.end()) {
                d.sigmaClass[i] = int(it - d.classSigma.begin());
            } else if (int(d.classSigma.size()) < kMemoClasses) {
                d.sigmaClass[i] = int(d.classSigma.size());
                d.classSigma.push_back(d.sigma[i]);
            }
        }
        d.memo.assign(d.classSigma.size(), std::vector<double>(size_t(2 * s.points - 1), std::nan("")));
    }
    // The mass of the range under each kernel: per (σ class, grid point) on a grid, once.
    std::vector<std::vector<double>> accept(memo ? d.classSigma.size() : 0);
    double lastSigma = std::nan(""), lastLogSigma = 0.0;
    for (size_t i = 0; i < k; ++i) {
        d.invSigma[i] = 1.0 / d.sigma[i];
        double mass;
        if (memo && d.sigmaClass[i] >= 0) {
            std::vector<double> &table = accept[size_t(d.sigmaClass[i])];
            if (table.empty())
                table.assign(size_t(s.points), std::nan(""));
            double &slot = table[size_t(d.gridIndex[i])];
            if (std::isnan(slot))
                slot = gauss::logMass((s.low - d.mu[i]) * d.invSigma[i], (s.high - d.mu[i]) * d.invSigma[i]);
            mass = slot;
        } else {
            mass = gauss::logMass((s.low - d.mu[i]) * d.invSigma[i], (s.high - d.mu[i]) * d.invSigma[i]);
        }
        if (s.kind == ParzenDimension::Kind::Continuous) {
            if (d.sigma[i] != lastSigma) { // multivariate σ are all one value but the prior's
                lastSigma = d.sigma[i];
                lastLogSigma = std::log(lastSigma);
            }
            d.logNorm[i] = lastLogSigma + kHalfLog2Pi + mass;
        } else {
            d.logNorm[i] = mass;
        }
    }
}

double ParzenEstimator::discreteTerm(const Dim &d, double x, int gridX, int k)
{
    const ParzenDimension &s = d.spec;
    const size_t i = size_t(k);
    if (gridX >= 0 && !d.sigmaClass.empty() && d.sigmaClass[i] >= 0) {
        const int distance = gridX - d.gridIndex[i];
        double &slot = d.memo[size_t(d.sigmaClass[i])][size_t(distance + int(s.points) - 1)];
        if (std::isnan(slot)) {
            const double h = s.q / d.classSigma[size_t(d.sigmaClass[i])];
            slot = gauss::logMass((distance - 0.5) * h, (distance + 0.5) * h);
        }
        return slot - d.logNorm[i];
    }
    const double lo = std::max(x - 0.5 * s.q, s.low);
    const double hi = std::min(x + 0.5 * s.q, s.high);
    return gauss::logMass((lo - d.mu[i]) * d.invSigma[i], (hi - d.mu[i]) * d.invSigma[i]) - d.logNorm[i];
}

void ParzenEstimator::sample(common::Random &random, int count, double *out) const
{
    const int dims = dimensions();
    const size_t k = m_cumWeight.size();
    for (int r = 0; r < count; ++r) {
        const double u = random.uniform() * m_cumWeight.back();
        const size_t kernel = std::min(size_t(std::upper_bound(m_cumWeight.begin(), m_cumWeight.end(), u) - m_cumWeight.begin()), k - 1);
        for (int j = 0; j < dims; ++j) {
            const Dim &d = m_dim[size_t(j)];
            double &value = out[size_t(r) * size_t(dims) + size_t(j)];
            if (d.spec.kind == ParzenDimension::Kind::Categorical) {
                const int c = int(d.spec.points);
                const double *cum = d.cumProb.data() + size_t(d.choice[kernel]) * size_t(c);
                const double v = random.uniform();
                // Optuna's rule: the number of cumulative probabilities below the draw.
                int index = 0;
                while (index < c && cum[index] < v)
                    ++index;
                value = double(std::min(index, c - 1));
                continue;
            }
            const double mu = d.mu[kernel], sigma = d.sigma[kernel];
            const double z = gauss::truncatedQuantile((d.spec.low - mu) / sigma, (d.spec.high - mu) / sigma, random.uniform());
            value = d.spec.fromInternal(mu + sigma * z);
        }
    }
}

void ParzenEstimator::logPdf(const double *rows, int count, double *out) const
{
    const int dims = dimensions();
    const size_t k = m_logWeight.size();
    m_buffer.resize(k);
    double *t = m_buffer.data();
    for (int r = 0; r < count; ++r) {
        const double *row = rows + size_t(r) * size_t(dims);
        std::copy(m_logWeight.begin(), m_logWeight.end(), t);
        bool outside = false;
        for (int j = 0; j < dims && !outside; ++j) {
            const Dim &d = m_dim[size_t(j)];
            const ParzenDimension &s = d.spec;
            switch (s.kind) {
            case ParzenDimension::Kind::Continuous: {
                const double x = s.toInternal(row[j]);
                if (!(x >= s.low && x <= s.high)) {
                    outside = true;
                    break;
                }
                const double *mu = d.mu.data(), *inv = d.invSigma.data(), *norm = d.logNorm.data();
                for (size_t i = 0; i < k; ++i) {
                    const double z = (x - mu[i]) * inv[i];
                    t[i] += -0.5 * z * z - norm[i];
                }
                break;
            }
            case ParzenDimension::Kind::Discrete: {
                const double x = row[j];
                if (!(x >= s.low && x <= s.high)) {
                    outside = true;
                    break;
                }
                int gridX = -1; // the memo's index of x (the memo exists only for small grids)
                if (!d.sigmaClass.empty()) {
                    const double g = std::round((x - s.first) / s.q);
                    if (std::fabs(x - (s.first + g * s.q)) <= 1e-9 * s.q && g >= 0 && g < double(s.points))
                        gridX = int(g);
                }
                if (gridX >= 0) {
                    // The memo's path: a kernel on the grid with a memoised σ looks its mass up.
                    const int *cls = d.sigmaClass.data(), *grid = d.gridIndex.data();
                    const double *norm = d.logNorm.data();
                    const int offset = gridX + int(s.points) - 1;
                    for (size_t i = 0; i < k; ++i) {
                        if (cls[i] < 0) {
                            t[i] += discreteTerm(d, x, gridX, int(i));
                            continue;
                        }
                        double &slot = d.memo[size_t(cls[i])][size_t(offset - grid[i])];
                        if (std::isnan(slot)) {
                            const double h = s.q / d.classSigma[size_t(cls[i])];
                            const int distance = gridX - grid[i];
                            slot = gauss::logMass((distance - 0.5) * h, (distance + 0.5) * h);
                        }
                        t[i] += slot - norm[i];
                    }
                } else {
                    for (size_t i = 0; i < k; ++i)
                        t[i] += discreteTerm(d, x, gridX, int(i));
                }
                break;
            }
            case ParzenDimension::Kind::Categorical: {
                const int c = int(s.points);
                const int v = int(row[j]);
                if (v < 0 || v >= c || double(v) != row[j]) {
                    outside = true;
                    break;
                }
                const double *table = d.logProb.data();
                const int *choice = d.choice.data();
                for (size_t i = 0; i < k; ++i)
                    t[i] += table[size_t(choice[i]) * size_t(c) + size_t(v)];
                break;
            }
            }
        }
        if (outside) {
            out[r] = -kInf;
            continue;
        }
        // log-sum-exp over the kernels.
        const double m = *std::max_element(t, t + k);
        if (!std::isfinite(m)) {
            out[r] = m;
            continue;
        }
        // Terms more than 50 below the largest add under e^-50 each (with 10,000 kernels, under
        // 2e-18 of the sum, below a double's precision): their exp is skipped.
        double sum = 0.0;
        const double floor = m - 50.0;
        for (size_t i = 0; i < k; ++i)
            if (t[i] > floor)
                sum += std::exp(t[i] - m);
        out[r] = m + std::log(sum);
    }
}

} // namespace orrery::tune
