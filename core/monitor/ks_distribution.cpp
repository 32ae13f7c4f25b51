#include "core/monitor/ks_distribution.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

// Each function below follows the SciPy function named beside it, branch for branch and in the
// same order of floating-point operations where that order matters, so that the results agree to
// rounding. Names of SciPy's locals are kept to make the comparison easy.

namespace orrery::monitor {

namespace {

constexpr double kPi = 3.14159265358979323846;
const long double kEp128 = std::ldexp(1.0L, 128);
const long double kEm128 = std::ldexp(1.0L, -128);
constexpr int kE128 = 128;

double clip01(double p) { return std::min(1.0, std::max(0.0, p)); }

// _log_nfactorial_div_n_pow_n: log(n!/n^n) by Stirling's series.
double logFactorialOverPower(double n)
{
    static const double coeffs[] = {-2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
                                    8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
                                    -2.7777777777777777778e-3, 8.3333333333333333333e-2};
    const double rn = 1.0 / n;
    const double t = rn / n;
    double poly = 0.0;
    for (double c : coeffs)
        poly = poly * t + c;
    return std::log(n) / 2 - n + std::log(2 * kPi) / 2 + rn * poly;
}

// _kolmogn_DMTW: Pr(D_n <= d) by the Durbin matrix, powered by squaring with rescaling.
double kolmogornDurbinCdf(qint64 n, double d)
{
    if (d >= 1.0)
        return 1.0;
    const double nd = double(n) * d;
    if (nd <= 0.5)
        return 0.0;
    const int k = int(std::ceil(nd));
    const double h = k - nd;
    const int m = 2 * k - 1;
    std::vector<double> v(static_cast<size_t>(m)), w(static_cast<size_t>(m));
    for (int j = 1; j <= m; ++j)
        v[size_t(j - 1)] = 1.0 - std::pow(h, double(j));
    double fac = 1.0;
    for (int j = 1; j <= m; ++j) {
        w[size_t(j - 1)] = fac;
        fac /= j;
        v[size_t(j - 1)] *= fac;
    }
    const double tt = std::pow(std::max(2 * h - 1.0, 0.0), double(m)) - 2 * std::pow(h, double(m));
    v[size_t(m - 1)] = (1.0 + tt) * fac;

    using Matrix = std::vector<double>; // row-major m x m
    Matrix H(size_t(m) * size_t(m), 0.0);
    auto at = [m](Matrix &a, int r, int c) -> double & { return a[size_t(r) * size_t(m) + size_t(c)]; };
    for (int i = 1; i < m; ++i)
        for (int r = i - 1; r < m; ++r)
            at(H, r, i) = w[size_t(r - (i - 1))];
    for (int r = 0; r < m; ++r)
        at(H, r, 0) = v[size_t(r)];
    for (int c = 0; c < m; ++c)
        at(H, m - 1, c) = v[size_t(m - 1 - c)];

    auto multiply = [m](const Matrix &a, const Matrix &b) {
        Matrix c(size_t(m) * size_t(m), 0.0);
        for (int i = 0; i < m; ++i)
            for (int l = 0; l < m; ++l) {
                const double ail = a[size_t(i) * size_t(m) + size_t(l)];
                if (ail == 0.0)
                    continue;
                const double *brow = &b[size_t(l) * size_t(m)];
                double *crow = &c[size_t(i) * size_t(m)];
                for (int j = 0; j < m; ++j)
                    crow[j] += ail * brow[j];
            }
        return c;
    };
    Matrix Hpwr(size_t(m) * size_t(m), 0.0);
    for (int i = 0; i < m; ++i)
        at(Hpwr, i, i) = 1.0;
    qint64 nn = n;
    qint64 expnt = 0, Hexpnt = 0;
    while (nn > 0) {
        if (nn % 2) {
            Hpwr = multiply(Hpwr, H);
            expnt += Hexpnt;
        }
        H = multiply(H, H);
        Hexpnt *= 2;
        if (std::fabs(at(H, k - 1, k - 1)) > double(kEp128)) {
            for (double &x : H)
                x = double(x / kEp128);
            Hexpnt += kE128;
        }
        nn /= 2;
    }
    // SciPy's p turns into a long double at its first rescale; long double throughout here.
    long double p = at(Hpwr, k - 1, k - 1);
    for (qint64 i = 1; i <= n; ++i) {
        p = (long double)(i) * p / (long double)(n);
        if (std::fabs(p) < kEm128) {
            p *= kEp128;
            expnt -= kE128;
        }
    }
    if (expnt != 0)
        p = std::ldexp(p, int(expnt));
    return clip01(double(p));
}

// _pomeranz_compute_j1j2
void pomeranzJ1J2(qint64 i, qint64 n, qint64 ll, qint64 ceilf, qint64 roundf, qint64 *j1out, qint64 *j2out)
{
    qint64 j1, j2;
    if (i == 0) {
        j1 = -ll - ceilf - 1;
        j2 = ll + ceilf - 1;
    } else {
        const qint64 ip1div2 = (i + 1) / 2, ip1mod2 = (i + 1) % 2;
        if (ip1mod2 == 0) {
            if (ip1div2 == n + 1) {
                j1 = n - ll - ceilf - 1;
                j2 = n + ll + ceilf - 1;
            } else {
                j1 = ip1div2 - 1 - ll - roundf - 1;
                j2 = ip1div2 + ll - 1 + ceilf - 1;
            }
        } else {
            j1 = ip1div2 - 1 - ll - 1;
            j2 = ip1div2 + ll + roundf - 1;
        }
    }
    *j1out = std::max<qint64>(j1 + 2, 0);
    *j2out = std::min<qint64>(j2, n);
}

// _kolmogn_Pomeranz: Pr(D_n <= x), used by SciPy for n <= 140.
double kolmogornPomeranzCdf(qint64 n, double x)
{
    const double t = double(n) * x;
    const qint64 ll = qint64(std::floor(t));
    const double f = 1.0 * (t - double(ll));
    const double g = std::min(f, 1.0 - f);
    const qint64 ceilf = f > 0 ? 1 : 0;
    const qint64 roundf = f > 0.5 ? 1 : 0;
    const qint64 npwrs = 2 * (ll + 1);
    std::vector<double> gpower(static_cast<size_t>(npwrs)), twogpower(static_cast<size_t>(npwrs)), onem2gpower(static_cast<size_t>(npwrs));
    gpower[0] = twogpower[0] = onem2gpower[0] = 1.0;
    qint64 expnt = 0;
    const double g_over_n = g / double(n), two_g_over_n = 2 * g / double(n), one_minus_two_g_over_n = (1 - 2 * g) / double(n);
    for (qint64 m = 1; m < npwrs; ++m) {
        gpower[size_t(m)] = gpower[size_t(m - 1)] * g_over_n / double(m);
        twogpower[size_t(m)] = twogpower[size_t(m - 1)] * two_g_over_n / double(m);
        onem2gpower[size_t(m)] = onem2gpower[size_t(m - 1)] * one_minus_two_g_over_n / double(m);
    }
    std::vector<double> V0(size_t(npwrs), 0.0), V1(size_t(npwrs), 0.0);
    V1[0] = 1;
    qint64 V0s = 0, V1s = 0;
    qint64 j1, j2;
    pomeranzJ1J2(0, n, ll, ceilf, roundf, &j1, &j2);
    std::vector<double> conv;
    for (qint64 i = 1; i < 2 * n + 2; ++i) {
        const qint64 k1 = j1;
        std::swap(V0, V1);
        std::swap(V0s, V1s);
        std::fill(V1.begin(), V1.end(), 0.0);
        pomeranzJ1J2(i, n, ll, ceilf, roundf, &j1, &j2);
        const std::vector<double> &pwrs = (i == 1 || i == 2 * n + 1) ? gpower : (i % 2 ? twogpower : onem2gpower);
        const qint64 ln2 = j2 - k1 + 1;
        if (ln2 > 0) {
            // np.convolve(a, b) of two length-ln2 vectors (a: V0 from k1 - V0s, clipped to V0's end).
            const qint64 aStart = k1 - V0s;
            const qint64 aLen = std::min<qint64>(ln2, qint64(V0.size()) - aStart);
            const qint64 bLen = std::min<qint64>(ln2, npwrs);
            conv.assign(size_t(aLen + bLen - 1), 0.0);
            for (qint64 a = 0; a < aLen; ++a)
                for (qint64 b = 0; b < bLen; ++b)
                    conv[size_t(a + b)] += V0[size_t(aStart + a)] * pwrs[size_t(b)];
            const qint64 conv_start = j1 - k1;
            const qint64 conv_len = j2 - j1 + 1;
            for (qint64 c = 0; c < conv_len; ++c)
                V1[size_t(c)] = conv[size_t(conv_start + c)];
            const double vmax = *std::max_element(V1.begin(), V1.end());
            if (0 < vmax && vmax < double(kEm128)) {
                for (double &value : V1)
                    value = double(value * kEp128);
                expnt -= kE128;
            }
            V1s = V0s + j1 - k1;
        }
    }
    long double ans = V1[size_t(n - V1s)];
    for (qint64 m = 1; m <= n; ++m) {
        if (std::fabs(ans) > kEp128) {
            ans *= kEm128;
            expnt += kE128;
        }
        ans *= m;
    }
    if (expnt != 0)
        ans = std::ldexp(ans, int(expnt));
    return clip01(double(ans));
}

// _kolmogn_PelzGood: the Pelz–Good approximation of Pr(D_n <= x).
double kolmogornPelzGoodCdf(qint64 n, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    const double pi2 = kPi * kPi, pi4 = pi2 * pi2, pi6 = pi4 * pi2;
    const double sqrt2pi = std::sqrt(2 * kPi);
    const double z = std::sqrt(double(n)) * x;
    const double zsquared = z * z, zthree = z * z * z, zfour = std::pow(z, 4), zsix = std::pow(z, 6);
    const double qlog = -pi2 / 8 / zsquared;
    if (qlog < -708)
        return 0.0;
    double q = std::exp(qlog);
    const double k1a = -zsquared, k1b = pi2 / 4;
    const double k2a = 6 * zsix + 2 * zfour, k2b = (2 * zfour - 5 * zsquared) * pi2 / 4, k2c = pi4 * (1 - 2 * zsquared) / 16;
    const double k3d = pi6 * (5 - 30 * zsquared) / 64, k3c = pi4 * (-60 * zsquared + 212 * zfour) / 16;
    const double k3b = pi2 * (135 * zfour - 96 * zsix) / 4, k3a = -30 * zsix - 90 * std::pow(z, 8);
    double K[4] = {0, 0, 0, 0};
    const int maxk = int(std::ceil(16 * z / kPi));
    for (int k = maxk; k > 0; --k) {
        const double m = 2.0 * k - 1;
        const double msquared = m * m, mfour = std::pow(m, 4), msix = std::pow(m, 6);
        const double qpower = std::pow(q, 8.0 * k);
        const double coeffs[4] = {1.0, k1a + k1b * msquared, k2a + k2b * msquared + k2c * mfour,
                                  k3a + k3b * msquared + k3c * mfour + k3d * msix};
        for (int i = 0; i < 4; ++i)
            K[i] = K[i] * qpower + coeffs[i];
    }
    const double div[4] = {z, 6 * zfour, 72 * std::pow(z, 7), 6480 * std::pow(z, 10)};
    for (int i = 0; i < 4; ++i)
        K[i] = K[i] * q * sqrt2pi / div[i];
    q = std::exp(-pi2 / 2 / zsquared);
    const double sqrt3z = std::sqrt(3.0) * z;
    double k2extra = 0.0, k3extra = 0.0;
    for (int k = maxk; k > 0; --k) {
        const double ksquared = double(k) * k;
        const double kspi = kPi * k;
        const double qpwers = std::pow(q, ksquared);
        k2extra += ksquared * qpwers;
        k3extra += (sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qpwers;
    }
    K[2] += k2extra * (pi2 * sqrt2pi / (-36 * zthree));
    K[3] += k3extra * (pi2 * sqrt2pi / (216 * zsix));
    double sum = 0.0;
    for (int i = 0; i < 4; ++i)
        sum += K[i] / std::pow(double(n), i / 2.0);
    return sum;
}

// Viehmann's form of Hodges' inside method: 1 - Pr(paths stay strictly inside), m != n
// (scipy/stats/_stats_pythran.py, _compute_outer_prob_inside_method).
double outerProbInside(qint64 m, qint64 n, qint64 g, qint64 h)
{
    if (m < n)
        std::swap(m, n);
    const qint64 mg = m / g, ng = n / g;
    qint64 minj = 0;
    qint64 maxj = std::min<qint64>(qint64(std::ceil(double(h) / double(mg))), n + 1);
    qint64 curlen = maxj - minj;
    const qint64 lenA = std::min<qint64>(2 * maxj + 2, n + 1);
    std::vector<double> A(size_t(lenA), 1.0);
    for (qint64 j = minj; j < maxj; ++j)
        A[size_t(j)] = 0.0;
    for (qint64 i = 1; i <= m; ++i) {
        const qint64 lastminj = minj, lastlen = curlen;
        minj = std::max<qint64>(qint64(std::floor(double(ng * i - h) / double(mg))) + 1, 0);
        minj = std::min(minj, n);
        maxj = std::min<qint64>(qint64(std::ceil(double(ng * i + h) / double(mg))), n + 1);
        if (maxj <= minj)
            return 1.0;
        double val = minj == 0 ? 0.0 : 1.0;
        for (qint64 jj = 0; jj < maxj - minj; ++jj) {
            const qint64 j = jj + minj;
            val = (A[size_t(jj + minj - lastminj)] * double(i) + val * double(j)) / double(i + j);
            A[size_t(jj)] = val;
        }
        curlen = maxj - minj;
        if (lastlen > curlen)
            for (qint64 r = maxj - minj; r < maxj - minj + (lastlen - curlen) && r < lenA; ++r)
                A[size_t(r)] = 1;
    }
    return A[size_t(maxj - minj - 1)];
}

// _compute_prob_outside_square: Pr(D_{n,n} >= h/n) by a Horner-like alternating sum.
double probOutsideSquare(qint64 n, qint64 h)
{
    double P = 0.0;
    qint64 k = qint64(std::floor(double(n) / double(h)));
    while (k >= 0) {
        double p1 = 1.0;
        for (qint64 j = 0; j < h; ++j)
            p1 = double(n - k * h - j) * p1 / double(n + k * h + j + 1);
        P = p1 * (1.0 - P);
        --k;
    }
    return 2 * P;
}

} // namespace

double smirnovSf(qint64 n, double x)
{
    if (!(n > 0 && x >= 0.0 && x <= 1.0))
        return std::nan("");
    if (x == 0.0)
        return 1.0;
    if (x == 1.0)
        return 0.0;
    // Birnbaum–Tingey: sum over v = 0..floor(n(1-x)) of C(n,v) x (x+v/n)^(v-1) (1-x-v/n)^(n-v),
    // each term in log space in long double (lgamma of n near 1e6 is ~1e7: double would leave
    // 1e-9 of relative error in every term).
    const qint64 nn = qint64(std::floor(double(n) * (1.0 - x)));
    const long double ln = (long double)(n);
    const long double lgn1 = std::lgamma(ln + 1);
    const long double logx = std::log((long double)(x));
    long double sum = 0.0L, previous = 0.0L;
    for (qint64 v = 0; v <= nn; ++v) {
        const long double evn = (long double)(x) + (long double)(v) / ln;
        const long double omevn = 1.0L - evn;
        if (omevn <= 0.0L && n - v > 0)
            continue;
        long double logTerm = lgn1 - std::lgamma((long double)(v) + 1) - std::lgamma((long double)(n - v) + 1) + logx
                              + (long double)(v - 1) * std::log(evn);
        if (n - v > 0)
            logTerm += (long double)(n - v) * std::log(omevn);
        const long double term = std::exp(logTerm);
        sum += term;
        // The terms rise then fall; once falling and negligible, the rest cannot matter.
        if (v > 0 && term < previous && term < sum * 1e-22L)
            break;
        previous = term;
    }
    return clip01(double(sum));
}

double kolmogorovSf(qint64 n, double x)
{
    if (n <= 0 || std::isnan(x))
        return std::nan("");
    if (x >= 1.0)
        return 0.0;
    if (x <= 0.0)
        return 1.0;
    const double t = double(n) * x;
    if (t <= 1.0) { // Ruben–Gambino: 1/2n <= x <= 1/n
        if (t <= 0.5)
            return 1.0;
        double prob;
        if (n <= 140) {
            prob = 1.0;
            for (qint64 i = 1; i <= n; ++i)
                prob *= double(i) * (1.0 / double(n)) * (2 * t - 1);
        } else {
            prob = std::exp(logFactorialOverPower(double(n)) + double(n) * std::log(2 * t - 1));
        }
        return clip01(1.0 - prob);
    }
    if (t >= double(n - 1)) // Ruben–Gambino
        return clip01(2 * std::pow(1.0 - x, double(n)));
    if (x >= 0.5)
        return clip01(2 * smirnovSf(n, x));
    const double nxsquared = t * x;
    if (n <= 140) {
        if (nxsquared <= 0.754693)
            return clip01(1.0 - kolmogornDurbinCdf(n, x));
        if (nxsquared <= 4)
            return clip01(1.0 - kolmogornPomeranzCdf(n, x));
        return clip01(2 * smirnovSf(n, x));
    }
    if (nxsquared >= 370.0)
        return 0.0;
    if (nxsquared >= 2.2)
        return clip01(2 * smirnovSf(n, x));
    double cdf;
    if (n <= 100000 && double(n) * std::pow(x, 1.5) <= 1.4)
        cdf = kolmogornDurbinCdf(n, x);
    else
        cdf = kolmogornPelzGoodCdf(n, x);
    return clip01(1.0 - cdf);
}

KsPValue ksTwoSamplePValue(qint64 n1, qint64 n2, double d)
{
    KsPValue r;
    r.statistic = d;
    const qint64 g = std::gcd(n1, n2);
    if (std::max(n1, n2) <= 10000) {
        // _attempt_exact_2kssamp, two-sided.
        const qint64 lcm = (n1 / g) * n2;
        const qint64 h = qint64(std::nearbyint(d * double(lcm))); // np.round: half to even
        const double dr = double(h) * 1.0 / double(lcm);
        r.statistic = dr;
        if (h == 0) {
            r.pValue = 1.0;
            r.exact = true;
            return r;
        }
        const double prob = n1 == n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
        if (prob >= 0 && prob <= 1) {
            r.pValue = prob;
            r.exact = true;
            return r;
        }
        d = dr; // SciPy goes on with the rounded statistic
    }
    const double m = double(std::max(n1, n2)), n = double(std::min(n1, n2));
    const double en = m * n / (m + n);
    r.pValue = clip01(kolmogorovSf(qint64(std::nearbyint(en)), d));
    r.exact = false;
    return r;
}

} // namespace orrery::monitor
