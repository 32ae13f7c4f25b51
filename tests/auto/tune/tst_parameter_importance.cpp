// Parameter importance (core/tune/parameter_importance.h) against closed forms — the first-order
// Sobol index of an objective whose variance decomposition is known — and against Optuna 3.1's
// fANOVA (importance_oracle.py on Debian's python3-optuna and python3-sklearn) on one study.
// Seeds are fixed; the bounds leave room for the estimate's own spread at each sample size.

#include "core/tune/parameter_importance.h"
#include "core/tune/search_space.h"
#include "core/tune/sweep_store.h"

#include "tests/support/test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <random>

using namespace orrery;
using namespace orrery::tune;

namespace {

const char *kPython = "/usr/bin/python3";

ParamSpec number(const QString &name, double low, double high, bool log = false, ParamKind kind = ParamKind::Float, double step = 0)
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

ParamSpec categorical(
    const QString &name, const QStringList &choices, const QString &parent = QString(), const QString &parentValue = QString())
{
    ParamSpec p;
    p.name = name;
    p.kind = ParamKind::Categorical;
    for (const QString &c : choices)
        p.choices << QJsonValue(c);
    p.parent = parent;
    if (!parentValue.isEmpty())
        p.parentValues << QJsonValue(parentValue);
    return p;
}

SearchSpace validated(QVector<ParamSpec> params)
{
    SearchSpace space(std::move(params));
    const Status s = space.validate();
    if (!s.isOk())
        qFatal("test space: %s", qPrintable(s.message()));
    return space;
}

struct Study {
    std::vector<Point> points;
    std::vector<double> values;
};

// n points drawn uniformly over the space (log-uniformly for log parameters; choices uniformly),
// valued by f.
template <typename F> Study sample(const SearchSpace &space, int n, quint64 seed, F f)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Study s;
    for (int t = 0; t < n; ++t) {
        Point p;
        for (const ParamSpec &spec : space.params()) {
            if (spec.kind == ParamKind::Categorical)
                p.push_back(std::floor(u(rng) * spec.choices.size()));
            else if (spec.log)
                p.push_back(std::exp(std::log(spec.low) + u(rng) * (std::log(spec.high) - std::log(spec.low))));
            else
                p.push_back(spec.snap(spec.low + u(rng) * (spec.high - spec.low)));
        }
        for (int i = 0; i < space.size(); ++i)
            if (!space.isActive(p, i))
                p[size_t(i)] = std::nan("");
        s.values.push_back(f(p, rng));
        s.points.push_back(std::move(p));
    }
    return s;
}

const ParamImportance &byName(const ImportanceResult &r, const QString &name)
{
    for (const ParamImportance &p : r.params)
        if (p.name == name)
            return p;
    qFatal("no parameter %s in the result", qPrintable(name));
}

} // namespace

class TstParameterImportance : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // y = f(x1), x2 does nothing: x1 explains (almost) everything, x2 nothing.
    void oneParameterDrives()
    {
        const SearchSpace space = validated({number(QStringLiteral("x1"), 0, 1), number(QStringLiteral("x2"), 0, 1)});
        const Study s = sample(space, 5000, 1, [](const Point &p, auto &) { return std::sin(2 * M_PI * p[0]) + p[0]; });
        const ImportanceResult r = parameterImportance(space, s.points, s.values);
        QCOMPARE(r.trials, 5000);
        QVERIFY2(r.params[0].importance > 0.97, qPrintable(QString::number(r.params[0].importance)));
        QVERIFY2(r.params[1].importance < 0.005, qPrintable(QString::number(r.params[1].importance)));
        QVERIFY(r.params[0].share > 0.99);
        QCOMPARE(r.ranking(), (QVector<int>{0, 1}));
        QCOMPARE(r.params[0].bins, 17); // round(5000^(1/3))
    }

    // y = a·x1 + b·x2, x1 and x2 independent uniform: S_1 : S_2 = a² : b², so the shares are
    // a²/(a²+b²) and b²/(a²+b²); with no noise and no interaction they explain everything but the
    // binning's loss within each bin (1/K² of each).
    void linearSum_data()
    {
        QTest::addColumn<double>("a");
        QTest::addColumn<double>("b");
        QTest::newRow("2:1") << 2.0 << 1.0;
        QTest::newRow("1:1") << 1.0 << 1.0;
        QTest::newRow("3:-1") << 3.0 << -1.0;
        QTest::newRow("1:4") << 1.0 << 4.0;
    }
    void linearSum()
    {
        QFETCH(double, a);
        QFETCH(double, b);
        const SearchSpace space = validated({number(QStringLiteral("x1"), 0, 1), number(QStringLiteral("x2"), -5, 5)});
        // x2 spans 10 where x1 spans 1: scale b so that the effects are a·u1 + b·u2 with u uniform on [0, 1].
        const Study s = sample(space, 20000, 7, [a, b](const Point &p, auto &) { return a * p[0] + b * (p[1] + 5) / 10; });
        const ImportanceResult r = parameterImportance(space, s.points, s.values);
        const double expected = a * a / (a * a + b * b);
        QVERIFY2(
            std::abs(r.params[0].share - expected) < 0.01, qPrintable(QStringLiteral("%1 vs %2").arg(r.params[0].share).arg(expected)));
        QVERIFY2(std::abs(r.params[1].share - (1 - expected)) < 0.01, qPrintable(QString::number(r.params[1].share)));
        const int k = r.params[0].bins;
        QVERIFY2(std::abs(r.explained - (1 - 1.0 / (k * k))) < 0.01, qPrintable(QString::number(r.explained)));
    }

    // A parameter that does nothing: η² alone averages (K − 1)/(n − 1) (every bin mean fits noise);
    // the corrected estimate is centred on 0, so about half the draws clamp to exactly 0 and its
    // average is a fraction of η²'s.
    void noiseIsCorrectedForBins()
    {
        const SearchSpace space = validated({number(QStringLiteral("x"), 0, 1)});
        const int n = 200, reps = 400;
        double etaSum = 0, epsSum = 0;
        int zeros = 0, k = 0;
        std::normal_distribution<double> noise(0.0, 1.0);
        for (int rep = 0; rep < reps; ++rep) {
            const Study s = sample(space, n, 1000 + rep, [&noise](const Point &, auto &rng) { return noise(rng); });
            const ImportanceResult r = parameterImportance(space, s.points, s.values);
            etaSum += r.params[0].etaSquared;
            epsSum += r.params[0].importance;
            zeros += r.params[0].importance == 0.0;
            k = std::max(k, r.params[0].bins);
        }
        QCOMPARE(k, 6); // round(200^(1/3))
        const double bias = (k - 1.0) / (n - 1.0);
        QVERIFY2(std::abs(etaSum / reps - bias) < 0.2 * bias,
            qPrintable(QStringLiteral("mean η² %1, expected %2").arg(etaSum / reps).arg(bias)));
        QVERIFY2(epsSum / reps < 0.35 * bias, qPrintable(QStringLiteral("mean ε² %1").arg(epsSum / reps)));
        QVERIFY2(zeros > reps * 4 / 10 && zeros < reps * 8 / 10, qPrintable(QString::number(zeros)));
    }

    // A log parameter is binned over its decades: y = log10(lr) is explained as a linear effect is.
    // Binned linearly, nine tenths of 1e-4 … 1e-1 would fall into one bin.
    void logParameterBinnedInLogSpace()
    {
        const ParamSpec lr = number(QStringLiteral("lr"), 1e-4, 1e-1, true);
        QCOMPARE(importanceBin(lr, 1e-4, 6), 0);
        QCOMPARE(importanceBin(lr, 1e-1, 6), 5);
        QCOMPARE(importanceBin(lr, std::pow(10.0, -2.49), 6), 3);
        QCOMPARE(importanceBin(lr, std::pow(10.0, -2.51), 6), 2);
        QCOMPARE(importanceBin(lr, std::nan(""), 6), 6);
        const SearchSpace space = validated({lr});
        const Study s = sample(space, 1000, 3, [](const Point &p, auto &) { return std::log10(p[0]); });
        const ImportanceResult r = parameterImportance(space, s.points, s.values);
        QCOMPARE(r.params[0].bins, 10);
        QVERIFY2(r.params[0].importance > 0.98, qPrintable(QString::number(r.params[0].importance)));
    }

    // A categorical parameter by choice: effects 0, 1, 2, 3 of four equally likely choices have
    // variance 1.25; with noise of variance 0.25 the index is 1.25 / 1.5.
    void categoricalByChoice()
    {
        const SearchSpace space
            = validated({categorical(QStringLiteral("act"),
                             {QStringLiteral("relu"), QStringLiteral("tanh"), QStringLiteral("gelu"), QStringLiteral("elu")}),
                number(QStringLiteral("unused"), 0, 1)});
        std::normal_distribution<double> noise(0.0, 0.5);
        const Study s = sample(space, 20000, 11, [&noise](const Point &p, auto &rng) { return p[0] + noise(rng); });
        const ImportanceResult r = parameterImportance(space, s.points, s.values);
        QCOMPARE(r.params[0].bins, 4);
        QVERIFY2(std::abs(r.params[0].importance - 1.25 / 1.5) < 0.015, qPrintable(QString::number(r.params[0].importance)));
        QVERIFY2(r.params[1].importance < 0.003, qPrintable(QString::number(r.params[1].importance)));
        QCOMPARE(r.ranking().first(), 0);
    }

    // A conditional parameter's inactive trials form a bin of their own: when being active is what
    // matters (sgd instead of adam), momentum carries that effect as much as the optimizer does.
    // Effect 2 on half the trials: variance 1; noise 0.25: index 0.8 for both.
    void inactiveIsItsOwnBin()
    {
        const SearchSpace space = validated({categorical(QStringLiteral("optimizer"), {QStringLiteral("adam"), QStringLiteral("sgd")}), [] {
                                                 ParamSpec m = number(QStringLiteral("momentum"), 0.5, 0.99);
                                                 m.parent = QStringLiteral("optimizer");
                                                 m.parentValues << QJsonValue(QStringLiteral("sgd"));
                                                 return m;
                                             }()});
        std::normal_distribution<double> noise(0.0, 0.5);
        const Study s
            = sample(space, 20000, 5, [&noise](const Point &p, auto &rng) { return (std::isnan(p[1]) ? 0.0 : 2.0) + noise(rng); });
        const ImportanceResult r = parameterImportance(space, s.points, s.values);
        QVERIFY2(
            std::abs(byName(r, QStringLiteral("optimizer")).importance - 0.8) < 0.015, qPrintable(QString::number(r.params[0].importance)));
        QVERIFY2(
            std::abs(byName(r, QStringLiteral("momentum")).importance - 0.8) < 0.015, qPrintable(QString::number(r.params[1].importance)));
        QCOMPARE(byName(r, QStringLiteral("momentum")).bins, 20 + 1); // maxBins active bins and the inactive one
    }

    // An int or stepped float with few values is binned by value once there are enough trials to
    // tell them apart; otherwise in equal-width bins like a continuous range.
    void gridValues()
    {
        const ParamSpec layers = number(QStringLiteral("layers"), 1, 4, false, ParamKind::Int, 1);
        QCOMPARE(importanceBinCount(layers, 5), 5);
        QCOMPARE(importanceBin(layers, 3, 5), 2);
        QCOMPARE(importanceBinCount(layers, 3), 4); // 3 equal-width bins and the inactive one
        const ParamSpec dropout = number(QStringLiteral("dropout"), 0, 0.5, false, ParamKind::Float, 0.05);
        QCOMPARE(importanceBinCount(dropout, 20), 12);
        QCOMPARE(importanceBin(dropout, 0.35, 20), 7);
        QCOMPARE(importanceBin(dropout, 0.35, 4), 2);

        const SearchSpace space = validated({layers});
        const Study s = sample(space, 400, 2, [](const Point &p, auto &) { return p[0] == 3 ? 1.0 : 0.0; });
        const ImportanceResult r = parameterImportance(space, s.points, s.values);
        QCOMPARE(r.params[0].bins, 4);
        QVERIFY2(r.params[0].importance > 0.99, qPrintable(QString::number(r.params[0].importance)));
    }

    // Nothing to separate from noise: too few trials, or an objective that never changes. NaN
    // values (failed trials) are not observations.
    void degenerate()
    {
        const SearchSpace space = validated({number(QStringLiteral("x"), 0, 1), number(QStringLiteral("y"), 0, 1)});
        ImportanceResult r = parameterImportance(space, {{0.1, 0.2}, {0.5, 0.6}, {0.9, 0.1}}, {1, 2, 3});
        QCOMPARE(r.trials, 3);
        QCOMPARE(r.params.size(), 2);
        QCOMPARE(r.params[0].importance, 0.0);
        QCOMPARE(r.explained, 0.0);
        const Study flat = sample(space, 100, 4, [](const Point &, auto &) { return 0.5; });
        r = parameterImportance(space, flat.points, flat.values);
        QCOMPARE(r.params[0].importance, 0.0);
        QCOMPARE(r.params[0].share, 0.0);
        Study withNan = sample(space, 100, 4, [](const Point &p, auto &) { return p[0]; });
        for (int t = 0; t < 100; t += 2)
            withNan.values[size_t(t)] = std::nan("");
        r = parameterImportance(space, withNan.points, withNan.values);
        QCOMPARE(r.trials, 50);
        QVERIFY(r.params[0].importance > 0.8);
    }

    // From a sweep's trials: only complete ones with a value count (pruned trials' values are
    // intermediate, failed ones have none).
    void fromTrials()
    {
        const SearchSpace space = validated({number(QStringLiteral("x"), 0, 1)});
        QVector<Trial> trials;
        for (int t = 0; t < 60; ++t) {
            Trial trial;
            trial.number = t;
            trial.point = {t / 60.0};
            trial.state = t % 3 == 0 ? TrialState::Pruned : t % 3 == 1 ? TrialState::Failed : TrialState::Complete;
            if (trial.state != TrialState::Failed)
                trial.value = trial.state == TrialState::Pruned ? 100.0 : t / 60.0;
            trials << trial;
        }
        const ImportanceResult r = parameterImportance(space, trials);
        QCOMPARE(r.trials, 20);
        QVERIFY2(r.params[0].importance > 0.8, qPrintable(QString::number(r.params[0].importance)));
    }

    // Optuna 3.1's default importance — fANOVA on a random forest (FanovaImportanceEvaluator, seed
    // 0) — on the same 600 trials of a mixed space: the same ranking, and shares within 0.1 of
    // Optuna's and within 0.05 of the closed form. The objective is additive (so fANOVA's marginals
    // and the bins estimate the same indices): closed form shares 0.485 (x), 0.273 (lr: 0.5·log10
    // over three decades), 0.242 (act), 0 (seed). (Over seeds 21–24 of this study ours stayed within
    // 0.035 of the closed form; the forest's within 0.095 — it puts act at 0.15–0.19.)
    // Optuna's fANOVA weighs a log parameter's range linearly (transform_log=False: 1e-3 … 1 is
    // then 99.9 % top decade, and lr's share falls to ~0.08); Orrery weighs each decade alike, as
    // the sampler draws them. So the oracle is handed lr as log10(lr), a plain float: the same
    // measure, and the comparison is of the estimators.
    void agreesWithOptunaFanova()
    {
        QVERIFY2(QFile::exists(QString::fromLatin1(kPython)),
            "no /usr/bin/python3: run packaging/setup.sh --test (python3-optuna, python3-sklearn)");
        const SearchSpace space = validated({number(QStringLiteral("x"), 0, 1), number(QStringLiteral("lr"), 1e-3, 1, true),
            categorical(QStringLiteral("act"), {QStringLiteral("relu"), QStringLiteral("tanh"), QStringLiteral("gelu")}),
            number(QStringLiteral("seed"), 1, 10, false, ParamKind::Int, 1)});
        const double effect[] = {0.0, 0.5, -0.5};
        std::normal_distribution<double> noise(0.0, 0.1);
        const Study s = sample(
            space, 600, 21, [&](const Point &p, auto &rng) { return 2 * p[0] + 0.5 * std::log10(p[1]) + effect[int(p[2])] + noise(rng); });
        const ImportanceResult ours = parameterImportance(space, s.points, s.values);

        QJsonArray params, points, values;
        for (const ParamSpec &p : space.params()) {
            QJsonObject o{{QStringLiteral("name"), p.name}, {QStringLiteral("low"), p.low}, {QStringLiteral("high"), p.high},
                {QStringLiteral("log"), p.log}};
            o.insert(QStringLiteral("kind"),
                p.kind == ParamKind::Categorical ? QStringLiteral("categorical")
                    : p.kind == ParamKind::Int   ? QStringLiteral("int")
                                                 : QStringLiteral("float"));
            QJsonArray choices;
            for (const QJsonValue &c : p.choices)
                choices.append(c);
            o.insert(QStringLiteral("choices"), choices);
            o.insert(QStringLiteral("as_log10"), p.log);
            params.append(o);
        }
        for (size_t t = 0; t < s.points.size(); ++t) {
            QJsonArray point;
            for (double v : s.points[t])
                point.append(v);
            points.append(point);
            values.append(s.values[t]);
        }
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("study.json"));
        testing::writeFile(path,
            QJsonDocument(
                QJsonObject{{QStringLiteral("params"), params}, {QStringLiteral("points"), points}, {QStringLiteral("values"), values}})
                .toJson());
        const testing::ProcessResult r
            = testing::run(QString::fromLatin1(kPython), {QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/tune/importance_oracle.py"), path});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QJsonObject optuna = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(optuna.size(), 4);

        qInfo("shares (ours / Optuna's fANOVA): x %.3f / %.3f, lr %.3f / %.3f, act %.3f / %.3f, seed %.3f / %.3f",
            byName(ours, QStringLiteral("x")).share, optuna[QStringLiteral("x")].toDouble(), byName(ours, QStringLiteral("lr")).share,
            optuna[QStringLiteral("lr")].toDouble(), byName(ours, QStringLiteral("act")).share, optuna[QStringLiteral("act")].toDouble(),
            byName(ours, QStringLiteral("seed")).share, optuna[QStringLiteral("seed")].toDouble());
        QStringList ourOrder, theirOrder;
        for (int i : ours.ranking())
            ourOrder << ours.params[i].name;
        theirOrder = optuna.keys();
        std::sort(theirOrder.begin(), theirOrder.end(),
            [&](const QString &a, const QString &b) { return optuna[a].toDouble() > optuna[b].toDouble(); });
        QCOMPARE(ourOrder, theirOrder);
        QCOMPARE(ourOrder, (QStringList{QStringLiteral("x"), QStringLiteral("lr"), QStringLiteral("act"), QStringLiteral("seed")}));
        const double closedForm[]
            = {1.0 / 3 / (1.0 / 3 + 0.1875 + 1.0 / 6), 0.1875 / (1.0 / 3 + 0.1875 + 1.0 / 6), 1.0 / 6 / (1.0 / 3 + 0.1875 + 1.0 / 6), 0.0};
        for (int i = 0; i < 4; ++i)
            QVERIFY2(std::abs(ours.params[i].share - closedForm[i]) < 0.05,
                qPrintable(QStringLiteral("%1: %2, closed form %3").arg(ours.params[i].name).arg(ours.params[i].share).arg(closedForm[i])));
        for (const ParamImportance &p : ours.params) {
            const double theirs = optuna[p.name].toDouble();
            QVERIFY2(std::abs(p.share - theirs) < 0.1,
                qPrintable(QStringLiteral("%1: ours %2, Optuna's %3").arg(p.name).arg(p.share).arg(theirs)));
        }
    }
};

QTEST_GUILESS_MAIN(TstParameterImportance)
#include "tst_parameter_importance.moc"
