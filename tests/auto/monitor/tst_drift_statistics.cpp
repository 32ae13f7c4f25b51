// The batch drift statistics against SciPy (/usr/bin/python3, Debian's python3-scipy) as the
// oracle, on seeded fixtures generated here and written to a temporary file that
// drift_oracle.py reads: every value must agree to 1e-9 relative. The cases reach each branch of
// SciPy's KS method choice (exact equal and unequal sizes; asymptotic with round(n1 n2/(n1+n2))
// <= 140 and above, which selects Ruben–Gambino, Durbin's matrix, Pomeranz, Pelz–Good and
// Smirnov), ties, tiny samples, constant columns and Cauchy tails. Closed forms that need no
// oracle follow.

#include "core/monitor/chi_squared_distribution.h"
#include "core/monitor/drift_statistics.h"
#include "core/monitor/feature_sample.h"
#include "core/monitor/ks_distribution.h"
#include "core/monitor/value_sort.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

using namespace orrery::monitor;
using orrery::testing::run;
using orrery::testing::writeFile;

namespace {

const char *kPython = "/usr/bin/python3";

struct Case {
    QString kind, name;
    std::vector<double> a, b;
    std::function<std::vector<double>()> ours;
};

QByteArray numbers(const std::vector<double> &v)
{
    QByteArray line;
    line.reserve(int(v.size() * 24));
    char buffer[40];
    for (double x : v) {
        const int n = std::snprintf(buffer, sizeof buffer, "%.17g ", x);
        line.append(buffer, n);
    }
    return line;
}

std::vector<double> normal(std::mt19937_64 &rng, size_t n, double mean = 0, double sd = 1)
{
    std::normal_distribution<double> d(mean, sd);
    std::vector<double> v(n);
    for (double &x : v)
        x = d(rng);
    return v;
}

std::vector<double> sortedCopy(std::vector<double> v)
{
    sortValues(v);
    return v;
}

bool close(double ours, double theirs, double rel = 1e-9)
{
    if (std::isnan(ours) || std::isnan(theirs))
        return std::isnan(ours) && std::isnan(theirs);
    if (std::isinf(ours) || std::isinf(theirs))
        return ours == theirs;
    return std::fabs(ours - theirs) <= rel * std::fabs(theirs) + 1e-300;
}

} // namespace

class TestDriftStatistics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesScipy();
    void sortsLikeStdSort();
    void ksClosedForms();
    void wassersteinClosedForms();
    void binnedClosedForms();
    void chiSquareClosedForms();
    void missingValuesAreCountedNotTested();
};

void TestDriftStatistics::matchesScipy()
{
    QVERIFY2(QFile::exists(QString::fromLatin1(kPython)), "no /usr/bin/python3: run packaging/setup.sh --test (python3-scipy)");
    std::mt19937_64 rng(20260117);
    std::vector<Case> cases;
    auto addKs = [&](const QString &name, std::vector<double> a, std::vector<double> b) {
        cases.push_back({QStringLiteral("ks"), name, a, b, [a, b] {
                             const KsPValue r = ksTwoSample(sortedCopy(a), sortedCopy(b));
                             return std::vector<double>{r.statistic, r.pValue};
                         }});
        cases.push_back({QStringLiteral("wasserstein"), QStringLiteral("w_") + name, a, b,
                         [a, b] { return std::vector<double>{wassersteinDistance(sortedCopy(a), sortedCopy(b))}; }});
    };
    // Exact method: equal and unequal sizes, with and without a shift.
    addKs(QStringLiteral("exact_equal"), normal(rng, 50), normal(rng, 50, 0.3));
    addKs(QStringLiteral("exact_equal_null"), normal(rng, 1000), normal(rng, 1000));
    addKs(QStringLiteral("exact_unequal"), normal(rng, 300), normal(rng, 170, 0.2, 1.3));
    addKs(QStringLiteral("exact_unequal_large"), normal(rng, 1000), normal(rng, 999));
    addKs(QStringLiteral("exact_coprime"), normal(rng, 97), normal(rng, 89, 0.5));
    // Ties: values rounded to one decimal (many equal values on both sides).
    {
        auto a = normal(rng, 400), b = normal(rng, 350, 0.1);
        for (double &x : a)
            x = std::round(x * 10) / 10;
        for (double &x : b)
            x = std::round(x * 10) / 10;
        addKs(QStringLiteral("ties"), a, b);
        std::vector<double> c(600), e(500);
        std::uniform_int_distribution<int> small(0, 3);
        for (double &x : c)
            x = small(rng);
        for (double &x : e)
            x = small(rng);
        addKs(QStringLiteral("ties_four_values"), c, e);
    }
    // Tiny samples.
    addKs(QStringLiteral("tiny_1_1"), {0.5}, {1.5});
    addKs(QStringLiteral("tiny_1_2"), {0.5}, {0.2, 1.5});
    addKs(QStringLiteral("tiny_2_3"), {0.5, 2.0}, {0.2, 1.5, 3.0});
    addKs(QStringLiteral("tiny_equal_values"), {1.0, 1.0}, {1.0});
    // Constant columns.
    addKs(QStringLiteral("constant_same"), std::vector<double>(30, 5.0), std::vector<double>(40, 5.0));
    addKs(QStringLiteral("constant_moved"), std::vector<double>(30, 5.0), std::vector<double>(40, 6.0));
    // Cauchy tails.
    {
        std::cauchy_distribution<double> cauchy(0, 1), shifted(0.2, 1);
        std::vector<double> a(800), b(700), c(12000), d(11000);
        for (double &x : a) x = cauchy(rng);
        for (double &x : b) x = shifted(rng);
        for (double &x : c) x = cauchy(rng);
        for (double &x : d) x = cauchy(rng);
        addKs(QStringLiteral("cauchy_exact"), a, b);
        addKs(QStringLiteral("cauchy_asymp"), c, d);
    }
    // Asymptotic method: en = round(n1 n2 / (n1 + n2)) large (Pelz–Good, Durbin, Smirnov, 0) and
    // small (<= 140: Durbin, Pomeranz, Smirnov).
    addKs(QStringLiteral("asymp_null"), normal(rng, 20000), normal(rng, 15000));
    addKs(QStringLiteral("asymp_small_shift"), normal(rng, 20000), normal(rng, 15000, 0.03));
    addKs(QStringLiteral("asymp_shift"), normal(rng, 12000), normal(rng, 12000, 0.05));
    addKs(QStringLiteral("asymp_big_shift"), normal(rng, 12000), normal(rng, 12000, 0.5));
    addKs(QStringLiteral("asymp_en_50"), normal(rng, 20000), normal(rng, 50));
    addKs(QStringLiteral("asymp_en_50_shift"), normal(rng, 20000), normal(rng, 50, 0.4));
    addKs(QStringLiteral("asymp_en_100_shift"), normal(rng, 20000), normal(rng, 100, 0.9));
    addKs(QStringLiteral("asymp_en_200"), normal(rng, 30000), normal(rng, 200, 0.1));
    addKs(QStringLiteral("asymp_en_1"), normal(rng, 20000), {0.3});

    // The one-sample distribution directly, across SciPy's branches.
    for (qint64 n : {1LL, 2LL, 5LL, 10LL, 50LL, 140LL, 141LL, 1000LL, 10000LL, 100000LL, 100001LL, 500000LL}) {
        for (double z : {0.3, 0.6, 0.8, 1.0, 1.3, 1.8, 2.5, 4.0}) {
            const double x = std::min(0.999, z / std::sqrt(double(n)));
            const QString name = QStringLiteral("kstwo_%1_%2").arg(n).arg(z);
            cases.push_back({QStringLiteral("kstwo"), name, {double(n)}, {x}, [n, x] { return std::vector<double>{kolmogorovSf(n, x)}; }});
        }
        for (double x : {0.51, 0.75}) // x >= 0.5: 2 × Smirnov
            cases.push_back({QStringLiteral("kstwo"), QStringLiteral("kstwo_%1_big%2").arg(n).arg(x), {double(n)}, {x},
                             [n, x] { return std::vector<double>{kolmogorovSf(n, x)}; }});
    }
    for (qint64 n : {1LL, 7LL, 100LL, 1012LL, 1013LL, 50000LL})
        for (double x : {0.001, 0.05, 0.2, 0.6})
            cases.push_back({QStringLiteral("smirnov"), QStringLiteral("smirnov_%1_%2").arg(n).arg(x), {double(n)}, {x},
                             [n, x] { return std::vector<double>{smirnovSf(n, x)}; }});
    for (double df : {1.0, 2.0, 9.0, 50.0, 999.0})
        for (double x : {0.01, 1.0, 8.0, 60.0, 1100.0})
            cases.push_back({QStringLiteral("chi2sf"), QStringLiteral("chi2sf_%1_%2").arg(df).arg(x), {df}, {x},
                             [df, x] { return std::vector<double>{chiSquaredSf(df, x)}; }});

    // Frequencies: counts with zeros on either side (vanished, unseen), and proportions.
    auto counts = [&](size_t k, int zeroAt) {
        std::vector<double> v(k);
        std::uniform_int_distribution<int> d(1, 500);
        for (double &x : v)
            x = d(rng);
        if (zeroAt >= 0)
            v[size_t(zeroAt)] = 0;
        return v;
    };
    for (int t = 0; t < 4; ++t) {
        const size_t k = t == 3 ? 300 : 2 + size_t(t) * 5;
        const auto p = counts(k, t == 1 ? 0 : -1), q = counts(k, t == 2 ? 1 : -1);
        const QString tag = QString::number(t);
        std::vector<double> expected(k);
        double ps = 0, qs = 0;
        for (size_t i = 0; i < k; ++i) {
            ps += p[i];
            qs += q[i];
        }
        for (size_t i = 0; i < k; ++i)
            expected[i] = (p[i] == 0 ? 0.5 : p[i]) / (ps + (p[i] == 0 ? 0.5 : 0)) * qs;
        // expected sums to qs up to rounding only when p had no zero; rescale exactly like the report.
        double es = 0;
        for (double e : expected)
            es += e;
        for (double &e : expected)
            e = e / es * qs;
        cases.push_back({QStringLiteral("chisquare"), QStringLiteral("chisquare_") + tag, q, expected, [q, expected] {
                             const ChiSquareResult r = chiSquare(q, expected);
                             return std::vector<double>{r.statistic, r.pValue};
                         }});
        cases.push_back({QStringLiteral("homogeneity"), QStringLiteral("homogeneity_") + tag, p, q, [p, q] {
                             const ChiSquareResult r = chiSquareHomogeneity(p, q);
                             return std::vector<double>{r.statistic, r.pValue};
                         }});
        cases.push_back({QStringLiteral("jensenshannon"), QStringLiteral("js_") + tag, p, q,
                         [p, q] { return std::vector<double>{jensenShannonDistance(p, q)}; }});
        cases.push_back({QStringLiteral("hellinger"), QStringLiteral("hellinger_") + tag, p, q,
                         [p, q] { return std::vector<double>{hellingerDistance(p, q)}; }});
        cases.push_back({QStringLiteral("psi"), QStringLiteral("psi_") + tag, p, q,
                         [p, q] { return std::vector<double>{populationStabilityIndex(p, q)}; }});
    }
    // The reference's decile bins and the standard deviation the Wasserstein norm uses.
    for (size_t n : {size_t(1), size_t(2), size_t(11), size_t(1000), size_t(5001)}) {
        auto ref = normal(rng, n), cur = normal(rng, 2000, 0.2, 1.5);
        if (n == 1000)
            for (double &x : ref)
                x = std::round(x * 4) / 4; // ties on the edges
        const QString tag = QString::number(n);
        cases.push_back({QStringLiteral("bins"), QStringLiteral("bins_") + tag, ref, cur, [ref, cur] {
                             const FeatureSample r = FeatureSample::numeric(ref), c = FeatureSample::numeric(cur);
                             return c.binCounts(r.binEdges());
                         }});
        cases.push_back({QStringLiteral("std"), QStringLiteral("std_") + tag, ref, {0.0},
                         [ref] { return std::vector<double>{FeatureSample::numeric(ref).standardDeviation()}; }});
        cases.push_back({QStringLiteral("quantile"), QStringLiteral("quantile_") + tag, ref, {0.1, 0.25, 0.5, 0.7, 0.9},
                         [ref] {
                             const auto s = sortedCopy(ref);
                             std::vector<double> out;
                             for (double q : {0.1, 0.25, 0.5, 0.7, 0.9})
                                 out.push_back(sortedQuantile(s, q));
                             return out;
                         }});
    }

    QTemporaryDir dir;
    QByteArray text;
    for (const Case &c : cases)
        text += c.kind.toLatin1() + ' ' + c.name.toLatin1() + '\n' + numbers(c.a) + '\n' + numbers(c.b) + '\n';
    const QString input = writeFile(dir, QStringLiteral("cases.txt"), text);
    const auto r = run(QString::fromLatin1(kPython), {QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/monitor/drift_oracle.py"), input});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QJsonObject scipy = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(scipy.size(), int(cases.size()));
    int compared = 0;
    for (const Case &c : cases) {
        const QJsonArray expected = scipy.value(c.name).toArray();
        const std::vector<double> ours = c.ours();
        QVERIFY2(expected.size() == int(ours.size()), qPrintable(c.name));
        for (int i = 0; i < expected.size(); ++i) {
            const double theirs = expected[i].isNull() ? std::nan("") : expected[i].toDouble();
            QVERIFY2(close(ours[size_t(i)], theirs),
                     qPrintable(QStringLiteral("%1[%2]: ours %3, SciPy %4").arg(c.name).arg(i).arg(ours[size_t(i)], 0, 'g', 17).arg(theirs, 0, 'g', 17)));
            ++compared;
        }
    }
    qInfo("%d values from %d cases agree with SciPy to 1e-9 relative", compared, int(cases.size()));
}

void TestDriftStatistics::sortsLikeStdSort()
{
    std::mt19937_64 rng(3);
    auto v = normal(rng, 100000);
    v[7] = -0.0;
    v[8] = 0.0;
    v[9] = -std::numeric_limits<double>::infinity();
    v[10] = std::numeric_limits<double>::infinity();
    v[11] = 1e-310; // subnormal
    v[12] = -1e300;
    auto expected = v;
    std::sort(expected.begin(), expected.end());
    sortValues(v);
    for (size_t i = 0; i < v.size(); ++i)
        QVERIFY2(v[i] == expected[i], qPrintable(QStringLiteral("position %1").arg(i)));
}

void TestDriftStatistics::ksClosedForms()
{
    // Disjoint samples: D = 1. n = m = 1: the exact p-value is 1 (both orders of two values are
    // equally likely, and both give D = 1).
    KsPValue r = ksTwoSample({0.0}, {1.0});
    QCOMPARE(r.statistic, 1.0);
    QCOMPARE(r.pValue, 1.0);
    // n = m = 2, disjoint: P(D = 1) = 2 / C(4, 2) = 1/3.
    r = ksTwoSample({0.0, 1.0}, {2.0, 3.0});
    QCOMPARE(r.statistic, 1.0);
    QVERIFY(std::fabs(r.pValue - 1.0 / 3.0) < 1e-15);
    // Identical samples, ties included: D = 0, p = 1.
    r = ksTwoSample({1.0, 1.0, 2.0}, {1.0, 1.0, 2.0});
    QCOMPARE(r.statistic, 0.0);
    QCOMPARE(r.pValue, 1.0);
    // Constant columns that moved: D = 1 whatever the sizes.
    r = ksTwoSample(std::vector<double>(20, 3.0), std::vector<double>(30, 4.0));
    QCOMPARE(r.statistic, 1.0);
    QVERIFY(r.pValue < 1e-10);
    // Ties across the samples count on both sides at once: F_a(1) = 2/3, F_b(1) = 1/3.
    QVERIFY(std::fabs(ksStatistic({1.0, 1.0, 2.0}, {1.0, 2.0, 2.0}) - 1.0 / 3.0) < 1e-15);
}

void TestDriftStatistics::wassersteinClosedForms()
{
    // A shift by c moves every unit of mass by c.
    QVERIFY(std::fabs(wassersteinDistance({0.0, 1.0, 2.0}, {0.5, 1.5, 2.5}) - 0.5) < 1e-15);
    // Point masses: |a - b|.
    QCOMPARE(wassersteinDistance({3.0}, {-1.0}), 4.0);
    QCOMPARE(wassersteinDistance(std::vector<double>(5, 2.0), std::vector<double>(7, 2.0)), 0.0);
    // Half the mass moves by 10: 5.
    QVERIFY(std::fabs(wassersteinDistance({0.0, 0.0}, {0.0, 10.0}) - 5.0) < 1e-15);
}

void TestDriftStatistics::binnedClosedForms()
{
    // Identical shares: every distance is 0.
    const std::vector<double> p{1, 2, 3, 4};
    QCOMPARE(jensenShannonDistance(p, {2, 4, 6, 8}), 0.0);
    QCOMPARE(hellingerDistance(p, {10, 20, 30, 40}), 0.0);
    QCOMPARE(populationStabilityIndex(p, p), 0.0);
    // Disjoint supports: Hellinger 1, Jensen–Shannon sqrt(ln 2) (natural log).
    QVERIFY(std::fabs(hellingerDistance({1, 0}, {0, 1}) - 1.0) < 1e-15);
    QVERIFY(std::fabs(jensenShannonDistance({1, 0}, {0, 1}) - std::sqrt(std::log(2.0))) < 1e-15);
    // PSI of an emptied bin uses the epsilon: (1e-6 - 0.5) ln(1e-6 / 0.5) + (1 - 0.5) ln(1 / 0.5).
    const double expected = (1e-6 - 0.5) * std::log(1e-6 / 0.5) + 0.5 * std::log(2.0);
    QVERIFY(std::fabs(populationStabilityIndex({1, 1}, {0, 2}) - expected) < 1e-12);
    // A constant reference: all nine inner edges equal; its values land in the last bin (x >= edge).
    const FeatureSample c = FeatureSample::numeric(std::vector<double>(10, 7.0));
    for (double e : c.binEdges())
        QCOMPARE(e, 7.0);
    const auto counts = c.binCounts(c.binEdges());
    QCOMPARE(counts.back(), 10.0);
    QCOMPARE(counts.front(), 0.0);
}

void TestDriftStatistics::chiSquareClosedForms()
{
    // (10-5)²/5 + (0-5)²/5 = 10, df 1: p = erfc(sqrt(5)).
    const ChiSquareResult r = chiSquare({10, 0}, {5, 5});
    QCOMPARE(r.statistic, 10.0);
    QCOMPARE(r.degreesOfFreedom, 1);
    QVERIFY(std::fabs(r.pValue - std::erfc(std::sqrt(5.0))) < 1e-15);
    // df 2: the survival function is exp(-x/2).
    QVERIFY(std::fabs(chiSquaredSf(2, 7.0) - std::exp(-3.5)) < 1e-16);
    // An expected 0 with an observed count: infinite statistic, p = 0 (SciPy's answer too).
    const ChiSquareResult inf = chiSquare({1, 9}, {0, 10});
    QVERIFY(std::isinf(inf.statistic));
    QCOMPARE(inf.pValue, 0.0);
}

void TestDriftStatistics::missingValuesAreCountedNotTested()
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const FeatureSample s = FeatureSample::numeric({1.0, nan, 3.0, nan, 2.0});
    QCOMPARE(s.count(), qint64(3));
    QCOMPARE(s.missing(), qint64(2));
    QCOMPARE(s.missingShare(), 0.4);
    QCOMPARE(s.sorted(), (std::vector<double>{1.0, 2.0, 3.0}));
    // The same values without the NaNs give the same statistics.
    const FeatureSample clean = FeatureSample::numeric({3.0, 2.0, 1.0});
    QCOMPARE(ksTwoSample(s.sorted(), {1.5, 2.5}).pValue, ksTwoSample(clean.sorted(), {1.5, 2.5}).pValue);
    const FeatureSample empty = FeatureSample::numeric({nan, nan});
    QCOMPARE(empty.count(), qint64(0));
    QCOMPARE(empty.missingShare(), 1.0);
}

QTEST_GUILESS_MAIN(TestDriftStatistics)
#include "tst_drift_statistics.moc"
