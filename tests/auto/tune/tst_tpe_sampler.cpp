// TPE and its Parzen estimator. Independent oracles: Optuna 3.1's own _ParzenEstimator and
// truncated normal (Debian's python3-optuna, run by parzen_oracle.py through /usr/bin/python3)
// on fixed histories; numerical quadrature (the density integrates to 1 over its range); the
// estimator's samples against its own density (χ²); closed forms of gamma, the weights and the
// split; and behaviour a user relies on: reproducible suggestions, TPE beating random search.

#include "core/tune/parzen_estimator.h"
#include "core/tune/random_sampler.h"
#include "core/tune/search_space.h"
#include "tests/auto/tune/validated_space.h"
#include "core/tune/tpe_sampler.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

using namespace orrery;
using namespace orrery::tune;
using orrery::testing::run;
using orrery::testing::writeFile;

namespace {

const char *kPython = "/usr/bin/python3";

ParamSpec param(const QString &name, ParamKind kind, double low, double high, bool log = false, double step = 0)
{
    ParamSpec p;
    p.name = name;
    p.kind = kind;
    p.low = low;
    p.high = high;
    p.log = log;
    p.step = step;
    if (kind == ParamKind::Int && step == 0)
        p.step = 1;
    return p;
}

ParamSpec categorical(const QString &name, int choices)
{
    ParamSpec p;
    p.name = name;
    p.kind = ParamKind::Categorical;
    for (int c = 0; c < choices; ++c)
        p.choices << QJsonValue(QStringLiteral("c%1").arg(c));
    return p;
}

using orrery::tune::testing::validated;

// Runs `trials` trials of `objective` (minimised) with `sampler`, each told before the next is
// asked; returns the best value.
double optimize(const Sampler &sampler, const SearchSpace &space, int trials, const std::function<double(const Point &)> &objective,
                History *out = nullptr)
{
    History history;
    history.direction = Direction::Minimize;
    double best = qInf();
    for (int k = 0; k < trials; ++k) {
        auto p = sampler.suggest(space, history, k);
        if (!p.isOk())
            qFatal("suggest: %s", qPrintable(p.status().message()));
        const double v = objective(*p);
        best = std::min(best, v);
        history.trials.push_back({k, *p, TrialState::Complete, v, 0});
    }
    if (out)
        *out = history;
    return best;
}

History randomHistory(const SearchSpace &space, int n, quint64 seed, const std::function<double(const Point &)> &objective)
{
    History h;
    h.direction = Direction::Minimize;
    for (int k = 0; k < n; ++k) {
        const Point p = *RandomSampler(seed).suggest(space, h, k);
        h.trials.push_back({k, p, TrialState::Complete, objective(p), 0});
    }
    return h;
}

bool close(double ours, double theirs, double tolerance = 1e-9)
{
    if (std::isinf(ours) || std::isinf(theirs))
        return ours == theirs;
    return std::fabs(ours - theirs) <= tolerance * std::max(1.0, std::fabs(theirs));
}

// One estimator case for the oracle, and the estimator itself.
struct EstimatorCase {
    QString name;
    QVector<ParamSpec> params;
    bool multivariate = false;
    std::vector<double> observations; // rows of params.size()
    std::vector<double> points;

    ParzenEstimator make() const
    {
        std::vector<ParzenDimension> dims;
        for (const ParamSpec &p : params)
            dims.push_back(ParzenDimension::of(p));
        ParzenOptions options;
        options.multivariate = multivariate;
        return ParzenEstimator(dims, observations.data(), int(observations.size() / size_t(params.size())), options);
    }

    QJsonObject toJson() const
    {
        QJsonArray ps;
        for (const ParamSpec &p : params) {
            QJsonObject o;
            o.insert(QStringLiteral("kind"), p.kind == ParamKind::Categorical ? QStringLiteral("categorical") : p.kind == ParamKind::Int ? QStringLiteral("int") : QStringLiteral("float"));
            o.insert(QStringLiteral("low"), p.low);
            o.insert(QStringLiteral("high"), p.high);
            o.insert(QStringLiteral("log"), p.log);
            if (p.kind == ParamKind::Categorical)
                o.insert(QStringLiteral("choices"), int(p.choices.size()));
            else if (p.step > 0)
                o.insert(QStringLiteral("step"), p.step);
            ps.append(o);
        }
        auto rows = [&](const std::vector<double> &flat) {
            QJsonArray a;
            const size_t d = size_t(params.size());
            for (size_t r = 0; r * d < flat.size(); ++r) {
                QJsonArray row;
                for (size_t j = 0; j < d; ++j)
                    row.append(flat[r * d + j]);
                a.append(row);
            }
            return a;
        };
        return QJsonObject{{QStringLiteral("params"), ps},
                           {QStringLiteral("multivariate"), multivariate},
                           {QStringLiteral("observations"), rows(observations)},
                           {QStringLiteral("points"), rows(points)}};
    }
};

// Observations of parameter `spec` drawn at random (seeded), as Points hold them.
std::vector<double> randomValues(const ParamSpec &spec, int n, quint64 seed)
{
    common::Random random(seed);
    std::vector<double> v;
    for (int i = 0; i < n; ++i)
        v.push_back(RandomSampler::drawValue(spec, random));
    return v;
}

// Interleaves columns into rows.
std::vector<double> rowsOf(const std::vector<std::vector<double>> &columns)
{
    std::vector<double> rows;
    for (size_t r = 0; r < columns[0].size(); ++r)
        for (const auto &c : columns)
            rows.push_back(c[r]);
    return rows;
}

// The estimator's density integrated over the internal range of a one-dimensional continuous
// case (composite Simpson, in ln space for a log range), or summed over its values.
double totalMass(const ParzenEstimator &e, const ParamSpec &spec)
{
    const ParzenDimension d = ParzenDimension::of(spec);
    auto density = [&](double value) {
        double lp;
        e.logPdf(&value, 1, &lp);
        return std::exp(lp);
    };
    if (d.kind == ParzenDimension::Kind::Categorical || d.kind == ParzenDimension::Kind::Discrete) {
        double sum = 0;
        for (qint64 k = 0; k < d.points; ++k)
            sum += density(d.kind == ParzenDimension::Kind::Categorical ? double(k) : d.first + double(k) * d.q);
        return sum;
    }
    const int m = 20000; // even
    const double h = (d.high - d.low) / m;
    double sum = 0;
    for (int i = 0; i <= m; ++i) {
        const double x = d.low + i * h;
        const double w = (i == 0 || i == m) ? 1 : (i % 2 ? 4 : 2);
        sum += w * density(d.log ? std::exp(x) : x);
    }
    return sum * h / 3;
}

} // namespace

class TestTpeSampler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void gammaAndWeights();
    void splitRanksLikeOptuna();
    void reproducible();
    void startupIsRandomSearch();
    void ignoresRunningAndFailedTrials();
    void beatsRandomOnQuadratic();
    void valuesStayOnTheirGrids();
    void conditionalParameters();
    void densityIntegratesToOne();
    void samplesFollowTheDensity();
    void matchesOptunasEstimator();
    void rejectsHistoryOfAnotherSpace();
    void skipsValuesOutsideANarrowedRange();
};

void TestTpeSampler::gammaAndWeights()
{
    QCOMPARE(TpeSampler::gamma(1), 1);
    QCOMPARE(TpeSampler::gamma(10), 1);
    QCOMPARE(TpeSampler::gamma(11), 2);
    QCOMPARE(TpeSampler::gamma(30), 3);
    QCOMPARE(TpeSampler::gamma(31), 4);
    QCOMPARE(TpeSampler::gamma(240), 24);
    QCOMPARE(TpeSampler::gamma(10000), 25);

    std::vector<double> w(30);
    ParzenEstimator::defaultWeights(24, w.data());
    QVERIFY(std::all_of(w.begin(), w.begin() + 24, [](double x) { return x == 1.0; }));
    ParzenEstimator::defaultWeights(30, w.data());
    // numpy.linspace(1/30, 1, 5), then 25 ones.
    for (int i = 0; i < 5; ++i)
        QVERIFY(close(w[size_t(i)], 1.0 / 30 + i * (1 - 1.0 / 30) / 4, 1e-15));
    QVERIFY(std::all_of(w.begin() + 5, w.end(), [](double x) { return x == 1.0; }));
    ParzenEstimator::defaultWeights(26, w.data());
    QCOMPARE(w[0], 1.0 / 26); // a ramp of one is its start
}

void TestTpeSampler::splitRanksLikeOptuna()
{
    // Minimise. 10 complete trials (values 10 … 19, trial k has 19 − k), and pruned trials with
    // better last values: they rank after every complete trial.
    History h;
    h.direction = Direction::Minimize;
    for (int k = 0; k < 10; ++k)
        h.trials.push_back({k, Point{0}, TrialState::Complete, 19.0 - k, 0});
    for (int k = 10; k < 15; ++k)
        h.trials.push_back({k, Point{0}, TrialState::Pruned, -100.0, 3});
    QCOMPARE(TpeSampler::belowGroup(h), (std::vector<int>{8, 9})); // n = 15: γ = 2

    // Two complete; γ(11) = 2 with 9 pruned: the complete one first, then the pruned trial that
    // went furthest (step 5 beats step 3 whatever the value), ties by value, and those pruned
    // before any report last.
    History p;
    p.direction = Direction::Maximize;
    p.trials.push_back({0, Point{0}, TrialState::Complete, 0.1, 0});
    p.trials.push_back({1, Point{0}, TrialState::Pruned, 0.2, 3});
    p.trials.push_back({2, Point{0}, TrialState::Pruned, 0.9, 0}); // never reported
    p.trials.push_back({3, Point{0}, TrialState::Pruned, 0.3, 5});
    p.trials.push_back({4, Point{0}, TrialState::Pruned, 0.5, 5});
    for (int k = 5; k < 11; ++k)
        p.trials.push_back({k, Point{0}, TrialState::Pruned, 0.0, 1});
    QCOMPARE(TpeSampler::belowGroup(p), (std::vector<int>{0, 4}));
    // Running and failed trials are not in the count: γ(2) = 1.
    History r;
    r.direction = Direction::Maximize;
    r.trials.push_back({0, Point{0}, TrialState::Complete, 0.1, 0});
    r.trials.push_back({1, Point{0}, TrialState::Complete, 0.7, 0});
    for (int k = 2; k < 20; ++k)
        r.trials.push_back({k, Point{0}, k % 2 ? TrialState::Running : TrialState::Failed, 1.0, 0});
    QCOMPARE(TpeSampler::belowGroup(r), std::vector<int>{1});
    // Ties: the earlier trial first (Optuna's stable argsort), in any input order.
    History t;
    for (int k : {4, 2, 9, 0, 7, 1, 3, 5, 6, 8, 10})
        t.trials.push_back({k, Point{0}, TrialState::Complete, k >= 5 ? 1.0 : 2.0, 0});
    QCOMPARE(TpeSampler::belowGroup(t), (std::vector<int>{0, 1})); // maximise: the 2.0s, earliest first
    t.direction = Direction::Minimize;
    QCOMPARE(TpeSampler::belowGroup(t), (std::vector<int>{5, 6}));
}

void TestTpeSampler::reproducible()
{
    const SearchSpace space = validated({param(QStringLiteral("lr"), ParamKind::Float, 1e-5, 1e-1, true), param(QStringLiteral("units"), ParamKind::Int, 8, 512),
                                         categorical(QStringLiteral("act"), 3)});
    const auto objective = [](const Point &p) { return std::pow(std::log10(p[0]) + 2, 2) + std::pow((p[1] - 128) / 100, 2) + (p[2] == 0 ? 0 : 0.1); };
    const History h = randomHistory(space, 40, 9, objective);
    for (bool multivariate : {true, false}) {
        SamplerSpec spec;
        spec.seed = 77;
        spec.multivariate = multivariate;
        const TpeSampler a(spec), b(spec);
        const Point p = *a.suggest(space, h, 40);
        QCOMPARE(*b.suggest(space, h, 40), p);
        QCOMPARE(*a.suggest(space, h, 40), p);
        QVERIFY(*a.suggest(space, h, 41) != p);
        History shuffled = h;
        std::mt19937 g(3);
        std::shuffle(shuffled.trials.begin(), shuffled.trials.end(), g);
        QCOMPARE(*a.suggest(space, shuffled, 40), p);
        spec.seed = 78;
        QVERIFY(*TpeSampler(spec).suggest(space, h, 40) != p);
    }
}

void TestTpeSampler::startupIsRandomSearch()
{
    const SearchSpace space = validated({param(QStringLiteral("x"), ParamKind::Float, -5, 5), categorical(QStringLiteral("c"), 4)});
    SamplerSpec spec;
    spec.seed = 5;
    spec.startupTrials = 10;
    const TpeSampler tpe(spec);
    const RandomSampler random(5);
    History h;
    h.direction = Direction::Minimize;
    for (int k = 0; k < 10; ++k) {
        const Point p = *tpe.suggest(space, h, k);
        QCOMPARE(p, *random.suggest(space, h, k));
        h.trials.push_back({k, p, TrialState::Complete, p[0] * p[0], 0});
    }
    // The 11th trial is TPE's own.
    QVERIFY(*tpe.suggest(space, h, 10) != *random.suggest(space, h, 10));
}

void TestTpeSampler::ignoresRunningAndFailedTrials()
{
    const SearchSpace space = validated({param(QStringLiteral("x"), ParamKind::Float, -5, 5), param(QStringLiteral("n"), ParamKind::Int, 1, 9)});
    const auto objective = [](const Point &p) { return p[0] * p[0] + p[1]; };
    History h = randomHistory(space, 30, 4, objective);
    for (bool multivariate : {true, false}) {
        SamplerSpec spec;
        spec.multivariate = multivariate;
        const TpeSampler tpe(spec);
        const Point before = *tpe.suggest(space, h, 40);
        History more = h;
        more.trials.push_back({30, Point{4.9, 9}, TrialState::Running, 0, 0});
        more.trials.push_back({31, Point{-4.9, 1}, TrialState::Failed, 0, 0});
        more.trials.push_back({32, Point{0.1, 1}, TrialState::Queued, 0, 0});
        QCOMPARE(*tpe.suggest(space, more, 40), before);
    }
}

void TestTpeSampler::beatsRandomOnQuadratic()
{
    // 1-D quadratic on [−10, 10], minimum 0 at 2.7: 100 trials. Random search's best of 100 is
    // near (20/200)² ≈ 0.01 away; TPE narrows its kernels onto the minimum.
    const SearchSpace space = validated({param(QStringLiteral("x"), ParamKind::Float, -10, 10)});
    const auto objective = [](const Point &p) { return (p[0] - 2.7) * (p[0] - 2.7); };
    for (bool multivariate : {true, false}) {
        int wins = 0;
        QStringList figures;
        for (quint64 seed = 1; seed <= 10; ++seed) {
            SamplerSpec spec;
            spec.seed = seed;
            spec.multivariate = multivariate;
            const double tpe = optimize(TpeSampler(spec), space, 100, objective);
            const double random = optimize(RandomSampler(seed), space, 100, objective);
            wins += tpe < random;
            figures << QStringLiteral("%1 vs %2").arg(tpe, 0, 'g', 3).arg(random, 0, 'g', 3);
        }
        QVERIFY2(wins >= 8, qPrintable(QStringLiteral("TPE won %1 of 10 (multivariate %2): %3").arg(wins).arg(multivariate).arg(figures.join(QStringLiteral(", ")))));
    }
}

void TestTpeSampler::valuesStayOnTheirGrids()
{
    const SearchSpace space = validated({param(QStringLiteral("lr"), ParamKind::Float, 1e-5, 1e-1, true), param(QStringLiteral("units"), ParamKind::Int, 8, 512, false, 8),
                                         param(QStringLiteral("dropout"), ParamKind::Float, 0, 0.5, false, 0.1), param(QStringLiteral("layers"), ParamKind::Int, 1, 64, true),
                                         categorical(QStringLiteral("act"), 3), categorical(QStringLiteral("one"), 1)});
    const auto objective = [](const Point &p) { return std::fabs(std::log10(p[0]) + 3) + std::fabs(p[1] - 64) / 100 + p[2] + std::fabs(p[3] - 4) / 10 + p[4]; };
    for (bool multivariate : {true, false}) {
        SamplerSpec spec;
        spec.multivariate = multivariate;
        History h;
        optimize(TpeSampler(spec), space, 80, objective, &h);
        for (const HistoryTrial &t : h.trials) {
            const Point &p = t.x;
            QVERIFY(p[0] >= 1e-5 && p[0] <= 1e-1);
            QVERIFY(p[1] >= 8 && p[1] <= 512 && std::fmod(p[1], 8) == 0);
            QVERIFY2(p[2] >= 0 && p[2] <= 0.5 + 1e-12 && std::fabs(p[2] / 0.1 - std::round(p[2] / 0.1)) < 1e-9, qPrintable(QString::number(p[2])));
            QVERIFY(p[3] >= 1 && p[3] <= 64 && p[3] == std::round(p[3]));
            QVERIFY(p[4] == 0 || p[4] == 1 || p[4] == 2);
            QCOMPARE(p[5], 0.0);
            // Every trial's point is a valid configuration.
            QVERIFY(space.fromJson(space.toJson(p)).isOk());
        }
        // And it learned: the last 20 trials are better on average than the first 20.
        double first = 0, last = 0;
        for (int k = 0; k < 20; ++k) {
            first += h.trials[size_t(k)].value;
            last += h.trials[size_t(60 + k)].value;
        }
        QVERIFY2(last < first, qPrintable(QStringLiteral("first 20: %1, last 20: %2").arg(first).arg(last)));
    }
}

void TestTpeSampler::conditionalParameters()
{
    // momentum exists only for sgd; the best is sgd with momentum 0.9.
    ParamSpec momentum = param(QStringLiteral("momentum"), ParamKind::Float, 0.0, 0.99);
    momentum.parent = QStringLiteral("optimizer");
    momentum.parentValues << QJsonValue(QStringLiteral("c0"));
    const SearchSpace space = validated({categorical(QStringLiteral("optimizer"), 3), momentum, param(QStringLiteral("lr"), ParamKind::Float, 1e-4, 1, true)});
    const auto objective = [](const Point &p) {
        const double base = std::fabs(std::log10(p[2]) + 2);
        return p[0] == 0 ? base + std::fabs(p[1] - 0.9) : base + 0.6;
    };
    for (bool multivariate : {true, false}) {
        SamplerSpec spec;
        spec.multivariate = multivariate;
        History h;
        optimize(TpeSampler(spec), space, 100, objective, &h);
        int sgd = 0;
        double momentumError = 0;
        for (const HistoryTrial &t : h.trials) {
            QCOMPARE(std::isnan(t.x[1]), t.x[0] != 0);
            if (t.number >= 70 && t.x[0] == 0) {
                ++sgd;
                momentumError += std::fabs(t.x[1] - 0.9);
            }
        }
        QVERIFY2(sgd >= 15, qPrintable(QStringLiteral("sgd in %1 of the last 30 trials").arg(sgd)));
        QVERIFY2(momentumError / sgd < 0.15, qPrintable(QString::number(momentumError / sgd)));
    }
}

void TestTpeSampler::densityIntegratesToOne()
{
    const QVector<ParamSpec> specs{param(QStringLiteral("float"), ParamKind::Float, -3, 7),
                                   param(QStringLiteral("log"), ParamKind::Float, 1e-4, 10, true),
                                   param(QStringLiteral("int"), ParamKind::Int, -5, 40),
                                   param(QStringLiteral("int step"), ParamKind::Int, 8, 512, false, 8),
                                   param(QStringLiteral("int log"), ParamKind::Int, 1, 1000, true),
                                   param(QStringLiteral("float step"), ParamKind::Float, 0, 1, false, 0.05),
                                   categorical(QStringLiteral("categorical"), 5)};
    for (const ParamSpec &spec : specs) {
        for (int n : {0, 1, 7, 40, 200}) {
            for (bool multivariate : {false, true}) {
                const std::vector<double> obs = randomValues(spec, n, quint64(n) * 31 + 7);
                std::vector<ParzenDimension> dims{ParzenDimension::of(spec)};
                ParzenOptions options;
                options.multivariate = multivariate;
                const ParzenEstimator e(dims, obs.data(), n, options);
                const double mass = totalMass(e, spec);
                QVERIFY2(std::fabs(mass - 1) < 1e-6, qPrintable(QStringLiteral("%1, n = %2, multivariate %3: %4").arg(spec.name).arg(n).arg(multivariate).arg(mass, 0, 'g', 12)));
            }
        }
    }
    // Jointly: a float × int × categorical estimator, integrated over the float and summed over the rest.
    const ParamSpec f = param(QStringLiteral("f"), ParamKind::Float, 0, 1), i = param(QStringLiteral("i"), ParamKind::Int, 1, 6), c = categorical(QStringLiteral("c"), 3);
    const std::vector<double> obs = rowsOf({randomValues(f, 30, 1), randomValues(i, 30, 2), randomValues(c, 30, 3)});
    ParzenOptions options;
    options.multivariate = true;
    const ParzenEstimator joint({ParzenDimension::of(f), ParzenDimension::of(i), ParzenDimension::of(c)}, obs.data(), 30, options);
    double total = 0;
    const int m = 4000;
    for (int a = 0; a <= m; ++a)
        for (int b = 1; b <= 6; ++b)
            for (int k = 0; k < 3; ++k) {
                const double row[3] = {double(a) / m, double(b), double(k)};
                double lp;
                joint.logPdf(row, 1, &lp);
                total += ((a == 0 || a == m) ? 1 : (a % 2 ? 4 : 2)) * std::exp(lp);
            }
    total /= 3.0 * m;
    QVERIFY2(std::fabs(total - 1) < 1e-6, qPrintable(QString::number(total, 'g', 12)));
}

void TestTpeSampler::samplesFollowTheDensity()
{
    // 40,000 draws binned against the density's own mass per bin: χ² with bins − 1 degrees of
    // freedom, bound at P ≈ 1e-6.
    struct Case {
        ParamSpec spec;
        bool multivariate;
    };
    const QVector<Case> cases{{param(QStringLiteral("float"), ParamKind::Float, -3, 7), false},
                              {param(QStringLiteral("log"), ParamKind::Float, 1e-3, 10, true), true},
                              {param(QStringLiteral("int"), ParamKind::Int, 0, 19), false},
                              {param(QStringLiteral("int log"), ParamKind::Int, 1, 30, true), false},
                              {categorical(QStringLiteral("categorical"), 6), false}};
    for (const Case &c : cases) {
        const std::vector<double> obs = randomValues(c.spec, 12, 99);
        ParzenOptions options;
        options.multivariate = c.multivariate;
        const ParzenDimension dim = ParzenDimension::of(c.spec);
        const ParzenEstimator e({dim}, obs.data(), 12, options);
        const int n = 40000;
        std::vector<double> samples(n);
        common::Random random(12345);
        e.sample(random, n, samples.data());

        // Bins: each value of a discrete parameter; 20 equal bins of the internal range otherwise.
        const bool continuous = dim.kind == ParzenDimension::Kind::Continuous && !dim.roundToInt;
        std::vector<double> expected, observed;
        if (continuous) {
            const int bins = 20;
            expected.assign(bins, 0);
            observed.assign(bins, 0);
            const double w = (dim.high - dim.low) / bins;
            for (int b = 0; b < bins; ++b) {
                const int m = 200;
                for (int s = 0; s <= m; ++s) {
                    const double x = dim.low + w * (b + double(s) / m);
                    const double value = dim.log ? std::exp(x) : x;
                    double lp;
                    e.logPdf(&value, 1, &lp);
                    expected[size_t(b)] += ((s == 0 || s == m) ? 1 : (s % 2 ? 4 : 2)) * std::exp(lp) * w / (3.0 * m);
                }
            }
            for (double v : samples)
                observed[size_t(std::clamp(int((dim.toInternal(v) - dim.low) / w), 0, bins - 1))] += 1;
        } else {
            const int low = int(c.spec.kind == ParamKind::Categorical ? 0 : c.spec.low);
            const int values = int(c.spec.cardinality());
            expected.assign(size_t(values), 0);
            observed.assign(size_t(values), 0);
            for (int k = 0; k < values; ++k) {
                const double value = low + k;
                double lp;
                if (dim.roundToInt) {
                    // A log int is a continuous kernel over ln v, rounded: the mass of [v − ½, v + ½].
                    const int m = 200;
                    const double a = std::log(std::max(value - 0.5, 0.5)), b = std::log(value + 0.5);
                    for (int s = 0; s <= m; ++s) {
                        const double x = std::exp(a + (b - a) * s / m);
                        e.logPdf(&x, 1, &lp);
                        expected[size_t(k)] += ((s == 0 || s == m) ? 1 : (s % 2 ? 4 : 2)) * std::exp(lp) * (b - a) / (3.0 * m);
                    }
                } else {
                    e.logPdf(&value, 1, &lp);
                    expected[size_t(k)] = std::exp(lp);
                }
            }
            for (double v : samples) {
                QCOMPARE(v, std::round(v));
                observed[size_t(int(v) - low)] += 1;
            }
        }
        double chi2 = 0, total = 0;
        for (size_t b = 0; b < expected.size(); ++b) {
            total += expected[b];
            chi2 += (observed[b] - n * expected[b]) * (observed[b] - n * expected[b]) / (n * expected[b]);
        }
        QVERIFY2(std::fabs(total - 1) < 1e-3, qPrintable(QStringLiteral("%1: bins hold %2").arg(c.spec.name).arg(total)));
        // χ² quantiles at 1 − 1e-6: 19 df ≈ 64, 29 df ≈ 81.
        const double bound = expected.size() <= 20 ? 64 : 81;
        QVERIFY2(chi2 < bound, qPrintable(QStringLiteral("%1: χ² %2 over %3 bins").arg(c.spec.name).arg(chi2).arg(expected.size())));
    }
}

void TestTpeSampler::matchesOptunasEstimator()
{
    QVERIFY2(QFile::exists(QString::fromLatin1(kPython)), "no /usr/bin/python3: run packaging/setup.sh --test (python3-optuna)");
    std::vector<EstimatorCase> cases;
    const QVector<ParamSpec> specs{param(QStringLiteral("float"), ParamKind::Float, -3, 7),
                                   param(QStringLiteral("log"), ParamKind::Float, 1e-5, 1e-1, true),
                                   param(QStringLiteral("int"), ParamKind::Int, 8, 512),
                                   param(QStringLiteral("int step"), ParamKind::Int, 0, 100, false, 5),
                                   param(QStringLiteral("int log"), ParamKind::Int, 1, 1024, true),
                                   param(QStringLiteral("float step"), ParamKind::Float, 0.1, 0.9, false, 0.05),
                                   categorical(QStringLiteral("categorical"), 4)};
    // Each kind alone, univariate and multivariate, with no observations, one, a few with ties,
    // and 40 (past 25: the weights' ramp) or 120 (the discrete memo's path).
    for (const ParamSpec &spec : specs) {
        for (int n : {0, 1, 6, 40, 120}) {
            for (bool multivariate : {false, true}) {
                EstimatorCase c;
                c.name = QStringLiteral("%1 n=%2 mv=%3").arg(spec.name).arg(n).arg(multivariate);
                c.params = {spec};
                c.multivariate = multivariate;
                c.observations = randomValues(spec, n, quint64(n) + 100);
                if (n >= 6)
                    c.observations[1] = c.observations[4];
                c.points = randomValues(spec, 12, 555);
                // The range's ends.
                const ParzenDimension d = ParzenDimension::of(spec);
                c.points.push_back(d.kind == ParzenDimension::Kind::Categorical ? 0 : spec.low);
                c.points.push_back(d.kind == ParzenDimension::Kind::Categorical ? double(d.points - 1) : d.valueHigh);
                cases.push_back(c);
            }
        }
    }
    // Jointly: the peer's space (log float, int, categorical), and one with a step.
    for (int n : {0, 3, 30, 150}) {
        EstimatorCase c;
        c.name = QStringLiteral("joint n=%1").arg(n);
        c.params = {specs[1], specs[2], specs[6]};
        c.multivariate = true;
        c.observations = rowsOf({randomValues(specs[1], n, 1), randomValues(specs[2], n, 2), randomValues(specs[6], n, 3)});
        c.points = rowsOf({randomValues(specs[1], 10, 4), randomValues(specs[2], 10, 5), randomValues(specs[6], 10, 6)});
        cases.push_back(c);
        EstimatorCase s;
        s.name = QStringLiteral("joint steps n=%1").arg(n);
        s.params = {specs[0], specs[3], specs[5], specs[4]};
        s.multivariate = true;
        s.observations = rowsOf({randomValues(specs[0], n, 7), randomValues(specs[3], n, 8), randomValues(specs[5], n, 9), randomValues(specs[4], n, 10)});
        s.points = rowsOf({randomValues(specs[0], 10, 11), randomValues(specs[3], 10, 12), randomValues(specs[5], 10, 13), randomValues(specs[4], 10, 14)});
        cases.push_back(s);
    }
    QJsonArray input;
    for (const EstimatorCase &c : cases)
        input.append(c.toJson());
    // The truncated normal's mass and quantiles, central and far in both tails.
    QJsonArray gauss;
    const double rows[][3] = {{-1, 1, 0.5}, {-0.2, 30, 0.01}, {0.3, 8, 0.99}, {30, 31, 0.3}, {-40, -39, 0.9}, {-25, -24.5, 0.5},
                              {5, 7, 0.2}, {-7, -5, 0.7}, {-100, 100, 0.999999}, {-100, 0.5, 1e-9}, {-0.01, 0.01, 0.25}, {-12, 12, 0.5}};
    for (const auto &r : rows)
        gauss.append(QJsonArray{r[0], r[1], r[2]});
    input.append(QJsonObject{{QStringLiteral("gauss"), gauss}});

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = writeFile(dir, QStringLiteral("cases.json"), QJsonDocument(input).toJson(QJsonDocument::Compact));
    const auto r = run(QString::fromLatin1(kPython), {QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/tune/parzen_oracle.py"), path});
    QVERIFY2(r.ok(), qPrintable(r.describe()));
    const QJsonArray answers = QJsonDocument::fromJson(r.out.toUtf8()).array();
    QCOMPARE(answers.size(), input.size());

    for (size_t i = 0; i < cases.size(); ++i) {
        const EstimatorCase &c = cases[i];
        const ParzenEstimator e = c.make();
        const int count = int(c.points.size() / size_t(c.params.size()));
        std::vector<double> ours(static_cast<size_t>(count));
        e.logPdf(c.points.data(), count, ours.data());
        const QJsonArray theirs = answers[int(i)].toArray();
        QCOMPARE(theirs.size(), count);
        for (int k = 0; k < count; ++k)
            QVERIFY2(close(ours[size_t(k)], theirs[k].toDouble()),
                     qPrintable(QStringLiteral("%1, point %2: ours %3, Optuna's %4").arg(c.name).arg(k).arg(ours[size_t(k)], 0, 'g', 17).arg(theirs[k].toDouble(), 0, 'g', 17)));
    }
    const QJsonArray theirGauss = answers.last().toArray();
    for (int k = 0; k < int(std::size(rows)); ++k) {
        const double mass = gauss::logMass(rows[k][0], rows[k][1]);
        const double q = gauss::truncatedQuantile(rows[k][0], rows[k][1], rows[k][2]);
        QVERIFY2(close(mass, theirGauss[2 * k].toDouble(), 1e-12), qPrintable(QStringLiteral("log mass row %1: ours %2, Optuna's %3").arg(k).arg(mass, 0, 'g', 17).arg(theirGauss[2 * k].toDouble(), 0, 'g', 17)));
        // Optuna's quantile is a bisection (100 halvings of [−100, 100]): agree to 1e-9.
        QVERIFY2(close(q, theirGauss[2 * k + 1].toDouble(), 1e-9), qPrintable(QStringLiteral("quantile row %1: ours %2, Optuna's %3").arg(k).arg(q, 0, 'g', 17).arg(theirGauss[2 * k + 1].toDouble(), 0, 'g', 17)));
    }
}

void TestTpeSampler::rejectsHistoryOfAnotherSpace()
{
    const SearchSpace space = validated({param(QStringLiteral("x"), ParamKind::Float, 0, 1), param(QStringLiteral("y"), ParamKind::Float, 0, 1)});
    History h;
    for (int k = 0; k < 12; ++k)
        h.trials.push_back({k, Point{0.5, 0.5}, TrialState::Complete, 1.0, 0});
    h.trials.push_back({12, Point{0.5}, TrialState::Complete, 1.0, 0});
    const auto r = TpeSampler(SamplerSpec{}).suggest(space, h, 13);
    QVERIFY(!r.isOk());
    QCOMPARE(r.status().message(), QStringLiteral("trial 12 has 1 parameter values and the search space has 2 parameters (was the sweep's space changed?)"));
}

void TestTpeSampler::skipsValuesOutsideANarrowedRange()
{
    // A sweep resumed with x narrowed from [−10, 10] to [0, 5]: trials outside count in the split
    // but not in the estimators of x — the same suggestion as with those values inactive (NaN).
    const SearchSpace wide = validated({param(QStringLiteral("x"), ParamKind::Float, -10, 10), param(QStringLiteral("n"), ParamKind::Int, 1, 20)});
    const SearchSpace narrow = validated({param(QStringLiteral("x"), ParamKind::Float, 0, 5), param(QStringLiteral("n"), ParamKind::Int, 1, 20)});
    const History h = randomHistory(wide, 60, 17, [](const Point &p) { return std::fabs(p[0] - 1) + p[1] / 10; });
    History masked = h;
    int outside = 0;
    for (HistoryTrial &t : masked.trials)
        if (t.x[0] < 0 || t.x[0] > 5) {
            t.x[0] = std::nan("");
            ++outside;
        }
    QVERIFY(outside > 20);
    for (bool multivariate : {true, false}) {
        SamplerSpec spec;
        spec.multivariate = multivariate;
        for (int k = 60; k < 70; ++k) {
            const Point p = *TpeSampler(spec).suggest(narrow, h, k);
            QVERIFY2(p[0] >= 0 && p[0] <= 5, qPrintable(QString::number(p[0])));
            QCOMPARE(p, *TpeSampler(spec).suggest(narrow, masked, k));
        }
    }
}

QTEST_GUILESS_MAIN(TestTpeSampler)
#include "tst_tpe_sampler.moc"
