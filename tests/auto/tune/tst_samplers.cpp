// Random and grid search, and makeSampler's errors. The random draws are checked against their
// closed-form distributions with bounds of 5 standard deviations or more (the seeds are fixed, so
// a run is deterministic anyway; the bounds keep an honest margin if a seed changes).

#include "core/tune/grid_sampler.h"
#include "core/tune/random_sampler.h"
#include "core/tune/sampler.h"
#include "core/tune/search_space.h"
#include "tests/auto/tune/validated_space.h"

#include <QSet>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <map>

using namespace orrery;
using namespace orrery::tune;

namespace {

ParamSpec param(const QString &name, ParamKind kind, double low, double high, bool log = false, double step = 0)
{
    ParamSpec p;
    p.name = name;
    p.kind = kind;
    p.low = low;
    p.high = high;
    p.log = log;
    p.step = step;
    return p;
}

ParamSpec categorical(const QString &name, const QStringList &choices, const QString &parent = QString(), const QStringList &parentValues = {})
{
    ParamSpec p;
    p.name = name;
    p.kind = ParamKind::Categorical;
    for (const QString &c : choices)
        p.choices << QJsonValue(c);
    p.parent = parent;
    for (const QString &v : parentValues)
        p.parentValues << QJsonValue(v);
    return p;
}

using orrery::tune::testing::validated;

// n points of one sampler, trial numbers 0 … n−1.
std::vector<Point> draws(const Sampler &sampler, const SearchSpace &space, int n)
{
    std::vector<Point> points;
    for (int k = 0; k < n; ++k) {
        auto p = sampler.suggest(space, History{}, k);
        if (!p.isOk())
            qFatal("suggest: %s", qPrintable(p.status().message()));
        points.push_back(*p);
    }
    return points;
}

// Pearson's chi-squared statistic of counts against expected shares.
double chiSquared(const std::map<double, int> &counts, const std::map<double, double> &shares, int n)
{
    double chi2 = 0;
    for (const auto &[value, share] : shares) {
        const auto it = counts.find(value);
        const double observed = it == counts.end() ? 0 : it->second;
        chi2 += (observed - n * share) * (observed - n * share) / (n * share);
    }
    return chi2;
}

QString pointText(const SearchSpace &space, const Point &p)
{
    QStringList parts;
    for (int i = 0; i < space.size(); ++i) {
        const QJsonValue v = space.valueOf(p, i);
        parts << (v.isNull() ? QStringLiteral("-") : v.isString() ? v.toString() : QString::number(v.toDouble()));
    }
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TestSamplers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void makeSamplerErrors();
    void randomLogUniformMedianIsGeometricMean();
    void randomUniformFloat();
    void randomIntHitsBothEnds();
    void randomIntLog();
    void randomStepsAndChoices();
    void randomConditionalsAreNaN();
    void randomIsReproduciblePerTrial();
    void gridCountsAndPoints();
    void gridOrderFollowsSeed();
    void gridExhausted();
    void gridTooLarge();
};

void TestSamplers::makeSamplerErrors()
{
    const SearchSpace space = validated({param(QStringLiteral("lr"), ParamKind::Float, 1e-5, 0.1, true)});
    SamplerSpec spec;
    spec.type = QStringLiteral("cmaes");
    auto r = makeSampler(spec, space);
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().message(), QStringLiteral("unknown sampler 'cmaes' (known: grid, random, tpe)"));

    spec.type = QStringLiteral("grid");
    r = makeSampler(spec, space);
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().message(), QStringLiteral("parameter 'lr': grid search needs a step for a float (a continuous range has no grid points); "
                                                  "give it a step, make it categorical, or use random or tpe"));

    spec.type = QStringLiteral("tpe");
    spec.candidates = 0;
    r = makeSampler(spec, space);
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().message(), QStringLiteral("sampler tpe: candidates must be 1 or more (got 0)"));

    spec.candidates = 24;
    for (const QString &type : {QStringLiteral("tpe"), QStringLiteral("random")}) {
        spec.type = type;
        r = makeSampler(spec, space);
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
        QCOMPARE((*r)->size(), qint64(0));
    }
}

void TestSamplers::randomLogUniformMedianIsGeometricMean()
{
    // ln x is uniform on [ln 1e-5, ln 1e-1]: x lies below the geometric mean 1e-3 with chance ½.
    const SearchSpace space = validated({param(QStringLiteral("lr"), ParamKind::Float, 1e-5, 0.1, true)});
    const int n = 4000;
    const auto points = draws(RandomSampler(11), space, n);
    int below = 0, lowestDecade = 0;
    for (const Point &p : points) {
        QVERIFY(p[0] >= 1e-5 && p[0] <= 0.1);
        below += p[0] < 1e-3;
        lowestDecade += p[0] < 1e-4;
    }
    // Binomial(4000, ½): σ ≈ 31.6; a uniform (not log) draw would put ~1 % below 1e-3.
    QVERIFY2(std::abs(below - n / 2) < 160, qPrintable(QString::number(below)));
    // Each decade holds a quarter: Binomial(4000, ¼), σ ≈ 27.4.
    QVERIFY2(std::abs(lowestDecade - n / 4) < 140, qPrintable(QString::number(lowestDecade)));
}

void TestSamplers::randomUniformFloat()
{
    const SearchSpace space = validated({param(QStringLiteral("dropout"), ParamKind::Float, 0.1, 0.6)});
    const int n = 4000;
    double sum = 0;
    for (const Point &p : draws(RandomSampler(3), space, n)) {
        QVERIFY(p[0] >= 0.1 && p[0] < 0.6);
        sum += p[0];
    }
    // Mean 0.35, σ of the mean 0.5/√12/√n ≈ 0.00228.
    QVERIFY2(std::fabs(sum / n - 0.35) < 0.0115, qPrintable(QString::number(sum / n)));
}

void TestSamplers::randomIntHitsBothEnds()
{
    const SearchSpace space = validated({param(QStringLiteral("layers"), ParamKind::Int, 1, 6)});
    const int n = 3000;
    std::map<double, int> counts;
    for (const Point &p : draws(RandomSampler(5), space, n)) {
        QCOMPARE(p[0], std::round(p[0]));
        QVERIFY(p[0] >= 1 && p[0] <= 6);
        ++counts[p[0]];
    }
    QVERIFY(counts[1] > 0 && counts[6] > 0);
    std::map<double, double> shares;
    for (int v = 1; v <= 6; ++v)
        shares[v] = 1.0 / 6;
    // χ² with 5 degrees of freedom: P(> 30) ≈ 1.5e-5.
    const double chi2 = chiSquared(counts, shares, n);
    QVERIFY2(chi2 < 30, qPrintable(QString::number(chi2)));
}

void TestSamplers::randomIntLog()
{
    // Optuna's log int: uniform on [ln 0.5, ln 100.5], rounded: P(v) = ln((v+½)/(v−½)) / ln 201.
    const SearchSpace space = validated({param(QStringLiteral("units"), ParamKind::Int, 1, 100, true)});
    const int n = 6000;
    std::map<double, int> counts;
    for (const Point &p : draws(RandomSampler(8), space, n)) {
        QCOMPARE(p[0], std::round(p[0]));
        QVERIFY(p[0] >= 1 && p[0] <= 100);
        ++counts[p[0]];
    }
    const double total = std::log(100.5 / 0.5);
    std::map<double, double> shares;
    double rest = 1.0;
    for (int v = 1; v <= 5; ++v) {
        shares[v] = std::log((v + 0.5) / (v - 0.5)) / total;
        rest -= shares[v];
    }
    std::map<double, int> grouped;
    int tail = 0;
    for (const auto &[v, c] : counts)
        if (v <= 5)
            grouped[v] = c;
        else
            tail += c;
    grouped[6] = tail;
    shares[6] = rest;
    // 6 cells, 5 degrees of freedom.
    const double chi2 = chiSquared(grouped, shares, n);
    QVERIFY2(chi2 < 30, qPrintable(QString::number(chi2)));
}

void TestSamplers::randomStepsAndChoices()
{
    const SearchSpace space = validated({param(QStringLiteral("dropout"), ParamKind::Float, 0, 1, false, 0.25),
                                         param(QStringLiteral("units"), ParamKind::Int, 8, 64, false, 8),
                                         categorical(QStringLiteral("act"), {QStringLiteral("relu"), QStringLiteral("tanh"), QStringLiteral("gelu")})});
    const int n = 3000;
    std::map<double, int> dropout, units, act;
    for (const Point &p : draws(RandomSampler(13), space, n)) {
        ++dropout[p[0]];
        ++units[p[1]];
        ++act[p[2]];
    }
    std::map<double, double> dropoutShares, unitShares, actShares;
    for (double v : {0.0, 0.25, 0.5, 0.75, 1.0})
        dropoutShares[v] = 0.2;
    for (int v = 8; v <= 64; v += 8)
        unitShares[v] = 1.0 / 8;
    for (int c = 0; c < 3; ++c)
        actShares[c] = 1.0 / 3;
    // Nothing off the grid: every value counted is one the shares list.
    QCOMPARE(dropout.size(), dropoutShares.size());
    QCOMPARE(units.size(), unitShares.size());
    QCOMPARE(act.size(), actShares.size());
    // χ² bounds at P ≈ 1e-5 for 4, 7 and 2 degrees of freedom.
    QVERIFY2(chiSquared(dropout, dropoutShares, n) < 28, "dropout grid points not equally likely");
    QVERIFY2(chiSquared(units, unitShares, n) < 33, "int steps not equally likely");
    QVERIFY2(chiSquared(act, actShares, n) < 23, "choices not equally likely");
}

void TestSamplers::randomConditionalsAreNaN()
{
    ParamSpec momentum = param(QStringLiteral("momentum"), ParamKind::Float, 0.5, 0.99);
    momentum.parent = QStringLiteral("optimizer");
    momentum.parentValues << QJsonValue(QStringLiteral("sgd"));
    const SearchSpace space = validated({categorical(QStringLiteral("optimizer"), {QStringLiteral("sgd"), QStringLiteral("adam")}), momentum});
    int sgd = 0;
    for (const Point &p : draws(RandomSampler(21), space, 400)) {
        if (p[0] == 0) {
            ++sgd;
            QVERIFY(p[1] >= 0.5 && p[1] <= 0.99);
        } else {
            QCOMPARE(p[0], 1.0);
            QVERIFY(std::isnan(p[1]));
        }
    }
    QVERIFY(sgd > 100 && sgd < 300);
}

void TestSamplers::randomIsReproduciblePerTrial()
{
    const SearchSpace space = validated({param(QStringLiteral("lr"), ParamKind::Float, 1e-5, 0.1, true),
                                         param(QStringLiteral("units"), ParamKind::Int, 8, 512)});
    const RandomSampler a(42), b(42), c(43);
    History some;
    some.trials.push_back({0, Point{0.01, 100}, TrialState::Complete, 1.0, 0});
    // Same seed and trial: the same point, whatever the history and whatever was asked before.
    const Point p7 = *a.suggest(space, History{}, 7);
    QCOMPARE(*b.suggest(space, some, 7), p7);
    QCOMPARE(*a.suggest(space, History{}, 7), p7);
    QVERIFY(*a.suggest(space, History{}, 8) != p7);
    QVERIFY(*c.suggest(space, History{}, 7) != p7);
}

void TestSamplers::gridCountsAndPoints()
{
    // units 3 values × (sgd with 2 momenta, or adam) = 9 points, no inactive duplicates.
    ParamSpec momentum = param(QStringLiteral("momentum"), ParamKind::Float, 0.5, 0.9, false, 0.4);
    momentum.parent = QStringLiteral("optimizer");
    momentum.parentValues << QJsonValue(QStringLiteral("sgd"));
    const SearchSpace space = validated({param(QStringLiteral("units"), ParamKind::Int, 16, 64, false, 24),
                                         categorical(QStringLiteral("optimizer"), {QStringLiteral("sgd"), QStringLiteral("adam")}),
                                         momentum});
    SamplerSpec spec;
    spec.type = QStringLiteral("grid");
    spec.seed = 5;
    auto sampler = makeSampler(spec, space);
    QVERIFY2(sampler.isOk(), qPrintable(sampler.status().message()));
    QCOMPARE((*sampler)->size(), qint64(9));
    QSet<QString> seen;
    for (int k = 0; k < 9; ++k)
        seen.insert(pointText(space, *(*sampler)->suggest(space, History{}, k)));
    const QSet<QString> expected{QStringLiteral("16 sgd 0.5"), QStringLiteral("16 sgd 0.9"), QStringLiteral("16 adam -"),
                                 QStringLiteral("40 sgd 0.5"), QStringLiteral("40 sgd 0.9"), QStringLiteral("40 adam -"),
                                 QStringLiteral("64 sgd 0.5"), QStringLiteral("64 sgd 0.9"), QStringLiteral("64 adam -")};
    QCOMPARE(seen, expected);

    // A grandchild under a child: a {x: b {u: c 2 values, v}, y} tree has 2 + 1 + 1 = 4 leaves.
    ParamSpec b = categorical(QStringLiteral("b"), {QStringLiteral("u"), QStringLiteral("v")}, QStringLiteral("a"), {QStringLiteral("x")});
    ParamSpec c = param(QStringLiteral("c"), ParamKind::Int, 1, 2);
    c.parent = QStringLiteral("b");
    c.parentValues << QJsonValue(QStringLiteral("u"));
    const SearchSpace tree = validated({categorical(QStringLiteral("a"), {QStringLiteral("x"), QStringLiteral("y")}), b, c});
    auto treeGrid = GridSampler::create(tree, 1);
    QVERIFY(treeGrid.isOk());
    QSet<QString> leaves;
    for (const Point &p : (*treeGrid)->points())
        leaves.insert(pointText(tree, p));
    QCOMPARE(leaves, (QSet<QString>{QStringLiteral("x u 1"), QStringLiteral("x u 2"), QStringLiteral("x v -"), QStringLiteral("y - -")}));
    QCOMPARE((*treeGrid)->size(), qint64(4));
}

void TestSamplers::gridOrderFollowsSeed()
{
    const SearchSpace space = validated({param(QStringLiteral("a"), ParamKind::Int, 1, 4), param(QStringLiteral("b"), ParamKind::Float, 0, 1, false, 0.5)});
    auto order = [&](quint64 seed) {
        QStringList texts;
        const auto grid = GridSampler::create(space, seed);
        for (const Point &p : (*grid)->points())
            texts << pointText(space, p);
        return texts;
    };
    QCOMPARE(order(3), order(3));
    QVERIFY(order(3) != order(4));
    QCOMPARE(order(3).size(), 12);
    // Shuffled, not enumeration order, for some seed of the first few.
    QStringList sorted = order(3);
    std::sort(sorted.begin(), sorted.end());
    QVERIFY(order(3) != sorted || order(4) != sorted);
}

void TestSamplers::gridExhausted()
{
    const SearchSpace space = validated({categorical(QStringLiteral("act"), {QStringLiteral("relu"), QStringLiteral("tanh")})});
    auto grid = GridSampler::create(space, 0);
    QVERIFY(grid.isOk());
    QVERIFY((*grid)->suggest(space, History{}, 1).isOk());
    const auto r = (*grid)->suggest(space, History{}, 2);
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().message(), QStringLiteral("grid exhausted: trial 2 asked for a point, and the grid has 2 (trials 0 … 1)"));
}

void TestSamplers::gridTooLarge()
{
    const SearchSpace space = validated({param(QStringLiteral("a"), ParamKind::Int, 1, 2000), param(QStringLiteral("b"), ParamKind::Int, 1, 1000)});
    const auto r = GridSampler::create(space, 0);
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().message(), QStringLiteral("the grid has more than 1000000 points; coarsen the steps, drop values, or use random or tpe"));
}

QTEST_GUILESS_MAIN(TestSamplers)
#include "tst_samplers.moc"
