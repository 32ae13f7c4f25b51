// The pruners (core/tune): hand-worked cases of each documented rule, makePruner's refusals, and
// an oracle — Optuna 3.1 itself (/usr/bin/python3, Debian's python3-optuna) fed the same reports
// and ends in the same order, every prune decision compared.

#include "core/common/random.h"
#include "core/tune/hyperband_pruner.h"
#include "core/tune/median_pruner.h"
#include "core/tune/pruner.h"
#include "core/tune/successive_halving_pruner.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QHash>
#include <QTextStream>
#include <QtTest>

#include <cmath>
#include <limits>

Q_DECLARE_METATYPE(orrery::tune::PrunerSpec)

using namespace orrery;
using namespace orrery::tune;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

std::unique_ptr<Pruner> make(const PrunerSpec &spec, Direction direction)
{
    auto pruner = makePruner(spec, direction);
    if (!pruner.isOk())
        qFatal("makePruner(%s) failed: %s", qPrintable(spec.type), qPrintable(pruner.status().toString()));
    return std::move(pruner).value();
}

PrunerSpec medianSpec(int startupTrials = 5, int warmupSteps = 0)
{
    PrunerSpec spec;
    spec.type = QStringLiteral("median");
    spec.startupTrials = startupTrials;
    spec.warmupSteps = warmupSteps;
    return spec;
}

PrunerSpec ashaSpec(int minResource = 1, int factor = 3, int rate = 0)
{
    PrunerSpec spec;
    spec.type = QStringLiteral("asha");
    spec.minResource = minResource;
    spec.reductionFactor = factor;
    spec.minEarlyStoppingRate = rate;
    return spec;
}

// Runs a trial as the sweep's controller does: reports `curve` at steps 1, 2, … and asks after
// each report; stops at the first prune (the trial ends Pruned) or ends it `end` after the last
// step. Returns the step it was pruned at, 0 when it was not.
int runTrial(Pruner &pruner, int trial, const QVector<double> &curve, TrialState end = TrialState::Complete)
{
    for (int i = 0; i < curve.size(); ++i) {
        const int step = i + 1;
        pruner.report(trial, step, curve[i]);
        if (pruner.shouldPrune(trial, step)) {
            pruner.finished(trial, TrialState::Pruned);
            return step;
        }
    }
    pruner.finished(trial, end);
    return 0;
}

// Reports one step and asks.
bool reportAndAsk(Pruner &pruner, int trial, int step, double value)
{
    pruner.report(trial, step, value);
    return pruner.shouldPrune(trial, step);
}

// Five Complete trials (0 … 4), maximizing, five steps each: the medians are 0.30, 0.40, 0.50,
// 0.55 and 0.60 at steps 1 … 5.
const QVector<QVector<double>> kFiveCurves = {
    {0.50, 0.60, 0.70, 0.75, 0.80},
    {0.40, 0.50, 0.60, 0.65, 0.70},
    {0.30, 0.40, 0.50, 0.55, 0.60},
    {0.20, 0.30, 0.40, 0.45, 0.50},
    {0.10, 0.20, 0.30, 0.35, 0.40},
};

// The same as losses (minimizing): medians 0.70, 0.60, 0.50, 0.45, 0.40.
const QVector<QVector<double>> kFiveLosses = {
    {0.50, 0.40, 0.30, 0.25, 0.20},
    {0.60, 0.50, 0.40, 0.35, 0.30},
    {0.70, 0.60, 0.50, 0.45, 0.40},
    {0.80, 0.70, 0.60, 0.55, 0.50},
    {0.90, 0.80, 0.70, 0.65, 0.60},
};

void completeAll(Pruner &pruner, const QVector<QVector<double>> &curves, int firstTrial = 0)
{
    for (int i = 0; i < curves.size(); ++i) {
        if (const int at = runTrial(pruner, firstTrial + i, curves[i]); at != 0)
            qFatal("set-up trial %d was pruned at step %d", firstTrial + i, at);
    }
}

// ---- the oracle ------------------------------------------------------------------------------

struct OracleCase {
    QString name;
    PrunerSpec spec;
    Direction direction = Direction::Maximize;
    int trials = 60;
    int parallel = 3;
    int steps = 12;
    quint64 seed = 1;
    double grid = 0.0; // > 0: values rounded to multiples of it, for ties
};

struct Simulation {
    QStringList script; // the lines for the Python side
    QString decisions; // ours, one '0' or '1' per report
    QStringList reports; // "trial T step S value V", per report, for messages
    int prunes = 0;
    int completes = 0;
    int failures = 0;
    int ranToTheEnd = 0; // trials that reported their last step
};

QString number(double v)
{
    return std::isnan(v) ? QStringLiteral("nan") : QString::number(v, 'g', 17);
}

// A sweep of `c.trials` trials, `c.parallel` at a time, each reporting a noisy learning curve; the
// next report comes from a running trial chosen at random, so trials interleave as parallel ones
// do. Some trials fail part-way, some diverge (NaN from a step on, then end Failed, as a trial
// returning NaN does). Our pruner decides; the same history is written for Optuna.
Simulation simulate(const OracleCase &c, Pruner &pruner)
{
    common::Random rng(c.seed);
    struct Plan {
        QVector<double> curve;
        int failAt = 0; // ends Failed instead of reporting this step
        int nanFrom = 0; // reports NaN from this step on
        int next = 1;
    };
    QVector<Plan> plans(c.trials);
    for (Plan &p : plans) {
        const double quality = rng.uniform();
        const double pace = rng.uniform(1.0, 6.0);
        for (int s = 1; s <= c.steps; ++s) {
            double v = quality * (1.0 - std::exp(-s / pace)) + 0.03 * rng.normal();
            if (c.direction == Direction::Minimize)
                v = 1.0 - v;
            if (c.grid > 0.0)
                v = std::round(v / c.grid) * c.grid;
            p.curve.push_back(v);
        }
        if (rng.bernoulli(0.08))
            p.failAt = 1 + int(rng.below(quint64(c.steps)));
        else if (rng.bernoulli(0.08))
            p.nanFrom = 1 + int(rng.below(quint64(c.steps)));
    }

    Simulation sim;
    auto end = [&](int trial, TrialState state, double value) {
        pruner.finished(trial, state);
        switch (state) {
        case TrialState::Complete:
            sim.script << QStringLiteral("e %1 complete %2").arg(trial).arg(number(value));
            ++sim.completes;
            break;
        case TrialState::Pruned: sim.script << QStringLiteral("e %1 pruned").arg(trial); break;
        default:
            sim.script << QStringLiteral("e %1 failed").arg(trial);
            ++sim.failures;
            break;
        }
    };

    int nextTrial = 0;
    QVector<int> running;
    while (nextTrial < c.trials || !running.isEmpty()) {
        if (nextTrial < c.trials && running.size() < c.parallel) {
            sim.script << QStringLiteral("s %1").arg(nextTrial);
            running.push_back(nextTrial++);
            continue;
        }
        const int index = int(rng.below(quint64(running.size())));
        const int trial = running[index];
        Plan &p = plans[trial];
        const int step = p.next++;
        if (p.failAt == step) {
            running.remove(index);
            end(trial, TrialState::Failed, 0.0);
            continue;
        }
        const double value = (p.nanFrom != 0 && step >= p.nanFrom) ? kNaN : p.curve[step - 1];
        pruner.report(trial, step, value);
        const bool prune = pruner.shouldPrune(trial, step);
        sim.script << QStringLiteral("r %1 %2 %3").arg(trial).arg(step).arg(number(value));
        sim.reports << QStringLiteral("trial %1 step %2 value %3").arg(trial).arg(step).arg(number(value));
        sim.decisions += prune ? QLatin1Char('1') : QLatin1Char('0');
        if (prune) {
            ++sim.prunes;
            running.remove(index);
            end(trial, TrialState::Pruned, value);
        } else if (step == c.steps) {
            ++sim.ranToTheEnd;
            running.remove(index);
            end(trial, p.nanFrom != 0 ? TrialState::Failed : TrialState::Complete, value);
        }
    }
    return sim;
}

QString caseLine(const OracleCase &c)
{
    const QString direction = c.direction == Direction::Maximize ? QStringLiteral("maximize") : QStringLiteral("minimize");
    QString params;
    if (c.spec.type == QLatin1String("median"))
        params = QStringLiteral("startup=%1 warmup=%2").arg(c.spec.startupTrials).arg(c.spec.warmupSteps);
    else if (c.spec.type == QLatin1String("asha"))
        params = QStringLiteral("min=%1 factor=%2 rate=%3")
                     .arg(c.spec.minResource)
                     .arg(c.spec.reductionFactor)
                     .arg(c.spec.minEarlyStoppingRate);
    else
        params = QStringLiteral("min=%1 max=%2 factor=%3").arg(c.spec.minResource).arg(c.spec.maxResource).arg(c.spec.reductionFactor);
    return QStringLiteral("case %1 %2 %3 %4").arg(c.name, c.spec.type, direction, params);
}

// Replays the script on Optuna's own pruners: one study per case (named "trial", so that
// Hyperband's crc32("{study}_{number}") is ours), trials made with ask(), each report followed by
// should_prune(), ends told as they happened. Optuna's median counts steps from 0 (its warm-up
// rule is step < n_warmup_steps), so the median case reports our step s as s − 1; ASHA and
// Hyperband take the step as the resource and get it unchanged.
const char *kOptunaOracle = R"PY(
import sys, warnings
warnings.simplefilter("ignore")
import optuna
from optuna.trial import TrialState
optuna.logging.set_verbosity(optuna.logging.ERROR)

for line in sys.stdin:
    f = line.split()
    if not f:
        continue
    if f[0] == "case":
        name, kind, direction = f[1], f[2], f[3]
        p = {k: int(v) for k, v in (kv.split("=") for kv in f[4:])}
        if kind == "median":
            pruner = optuna.pruners.MedianPruner(n_startup_trials=p["startup"], n_warmup_steps=p["warmup"])
            offset = 1
        elif kind == "asha":
            pruner = optuna.pruners.SuccessiveHalvingPruner(
                min_resource=p["min"], reduction_factor=p["factor"], min_early_stopping_rate=p["rate"])
            offset = 0
        else:
            pruner = optuna.pruners.HyperbandPruner(
                min_resource=p["min"], max_resource=p["max"], reduction_factor=p["factor"])
            offset = 0
        study = optuna.create_study(study_name="trial", direction=direction, pruner=pruner,
                                    sampler=optuna.samplers.RandomSampler(seed=0))
        trials, decisions = {}, []
    elif f[0] == "s":
        t = study.ask()
        assert t.number == int(f[1]), (t.number, f[1])
        trials[int(f[1])] = t
    elif f[0] == "r":
        t = trials[int(f[1])]
        t.report(float(f[3]), int(f[2]) - offset)
        decisions.append("1" if t.should_prune() else "0")
    elif f[0] == "e":
        t = trials.pop(int(f[1]))
        if f[2] == "complete":
            study.tell(t, float(f[3]))
        elif f[2] == "pruned":
            study.tell(t, state=TrialState.PRUNED)
        else:
            study.tell(t, state=TrialState.FAIL)
    elif f[0] == "end":
        print("decisions", name, "".join(decisions) or "-")
        if kind == "hyperband":
            print("brackets", name, " ".join(str(pruner._get_bracket_id(study, t)) for t in study.trials))
)PY";

} // namespace

class TestPruners : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // ---- median ----
    void medianPrunesBelowTheMedianAtTheStep();
    void medianJudgesTheBestSoFarAndKeepsTies();
    void medianOfAnEvenCountInterpolates();
    void medianWaitsForStartupTrials();
    void medianCountsOnlyCompleteTrials();
    void medianWarmupStepsAreNeverPruned();
    void medianFollowsTheDirection();
    void medianNaNIsTheWorstValue();
    void medianKeepsATrialNoCompleteTrialReachedTheStepOf();

    // ---- ASHA ----
    void ashaRungsAtPowersOfTheFactor();
    void ashaJudgesOnlyAtRungs();
    void ashaFewerThanFactorAtARungPromotesOnlyTheBest();
    void ashaTopThirdWorkedByHand();
    void ashaMinimizeMirrorsMaximize();
    void ashaNaNAtARungIsPruned();
    void ashaAJumpPassesSeveralRungs();
    void ashaAResumedSweepRebuildsTheRungs();

    // ---- Hyperband ----
    void hyperbandBracketCount_data();
    void hyperbandBracketCount();
    void hyperbandBudgets();
    void hyperbandCrc32IsZlibs();
    void hyperbandAssignmentIsDeterministicAndWeighted();
    void hyperbandComparesOnlyWithinABracket();

    // ---- makePruner ----
    void noneNeverPrunes();
    void makePrunerRefusesBadInput_data();
    void makePrunerRefusesBadInput();

    // ---- Optuna ----
    void everyDecisionAgreesWithOptuna();
};

// ---- median ----------------------------------------------------------------------------------

void TestPruners::medianPrunesBelowTheMedianAtTheStep()
{
    MedianPruner pruner(Direction::Maximize, 5, 0);
    completeAll(pruner, kFiveCurves);
    QCOMPARE(pruner.completeTrials(), 5);
    QCOMPARE(pruner.medianAt(1), 0.30);
    QCOMPARE(pruner.medianAt(2), 0.40);
    QCOMPARE(pruner.medianAt(3), 0.50);

    // Above the median at steps 1 and 2, below it at step 3 (0.48 < 0.50): pruned there.
    QCOMPARE(runTrial(pruner, 5, {0.35, 0.45, 0.48, 0.60, 0.70}), 3);
    // Below at step 1 already.
    QCOMPARE(runTrial(pruner, 6, {0.25, 0.90}), 1);
    // Above it at every step: runs to its end.
    QCOMPARE(runTrial(pruner, 7, {0.35, 0.45, 0.55, 0.60, 0.65}), 0);
}

void TestPruners::medianJudgesTheBestSoFarAndKeepsTies()
{
    // Peaks at step 1 (0.60) and collapses: its best stays above the medians of steps 1 … 4
    // (0.30 … 0.55) and equals the median at step 5 (0.60), which keeps it: only strictly worse
    // is pruned.
    MedianPruner kept(Direction::Maximize, 5, 0);
    completeAll(kept, kFiveCurves);
    QCOMPARE(runTrial(kept, 5, {0.60, 0.10, 0.10, 0.10, 0.10}), 0);

    // A peak of 0.59 is below the step-5 median: pruned there, not before.
    MedianPruner pruned(Direction::Maximize, 5, 0);
    completeAll(pruned, kFiveCurves);
    QCOMPARE(runTrial(pruned, 5, {0.59, 0.10, 0.10, 0.10, 0.10}), 5);
}

void TestPruners::medianOfAnEvenCountInterpolates()
{
    MedianPruner pruner(Direction::Maximize, 4, 0);
    completeAll(pruner, {{0.25}, {0.5}, {0.75}, {1.0}});
    QCOMPARE(pruner.medianAt(1), 0.625); // between the two middle values
    QVERIFY(reportAndAsk(pruner, 4, 1, 0.62));
    QVERIFY(!reportAndAsk(pruner, 5, 1, 0.625));
}

void TestPruners::medianWaitsForStartupTrials()
{
    auto pruner = make(medianSpec(5), Direction::Maximize);
    completeAll(*pruner, kFiveCurves.mid(0, 4));
    // Four Complete of five: even a trial of zeros runs to its end.
    QCOMPARE(runTrial(*pruner, 10, {0.0, 0.0, 0.0, 0.0, 0.0}, TrialState::Failed), 0);
    // A trial that starts now, while the fifth runs, is judged once the fifth is Complete.
    QVERIFY(!reportAndAsk(*pruner, 11, 1, 0.0));
    completeAll(*pruner, kFiveCurves.mid(4, 1), 4);
    QVERIFY(reportAndAsk(*pruner, 11, 2, 0.0));
    QCOMPARE(runTrial(*pruner, 12, {0.0}), 1);
}

void TestPruners::medianCountsOnlyCompleteTrials()
{
    auto pruner = make(medianSpec(5), Direction::Maximize);
    completeAll(*pruner, kFiveCurves.mid(0, 4));
    // A Failed and a Pruned trial with good curves, and a Failed one of zeros: none counts toward
    // the five (the zeros would be pruned) nor moves the medians.
    QCOMPARE(runTrial(*pruner, 4, {0.9, 0.9, 0.9}, TrialState::Failed), 0);
    for (int s = 1; s <= 3; ++s)
        pruner->report(5, s, 0.95);
    pruner->finished(5, TrialState::Pruned);
    QCOMPARE(runTrial(*pruner, 6, {0.0, 0.0, 0.0}, TrialState::Failed), 0);

    completeAll(*pruner, kFiveCurves.mid(4, 1), 7);
    // Now five Complete: the step-1 median is the five curves' 0.30 (with trials 4, 5 and 6 it
    // would be 0.35).
    QVERIFY(!reportAndAsk(*pruner, 8, 1, 0.30));
    QVERIFY(reportAndAsk(*pruner, 9, 1, 0.29));
}

void TestPruners::medianWarmupStepsAreNeverPruned()
{
    auto withWarmup = make(medianSpec(5, 2), Direction::Maximize);
    completeAll(*withWarmup, kFiveCurves);
    QCOMPARE(runTrial(*withWarmup, 5, {0.0, 0.0, 0.0, 0.0}), 3);

    auto without = make(medianSpec(5, 0), Direction::Maximize);
    completeAll(*without, kFiveCurves);
    QCOMPARE(runTrial(*without, 5, {0.0, 0.0, 0.0, 0.0}), 1);
}

void TestPruners::medianFollowsTheDirection()
{
    auto minimize = make(medianSpec(), Direction::Minimize);
    completeAll(*minimize, kFiveLosses);
    // Medians 0.70, 0.60, 0.50: a loss above the median at step 3 (0.52 > 0.50) is pruned.
    QCOMPARE(runTrial(*minimize, 5, {0.65, 0.55, 0.52, 0.40}), 3);
    QCOMPARE(runTrial(*minimize, 6, {0.65, 0.55, 0.45, 0.40}), 0);

    // The same numbers read as scores to maximize: 0.65 is below the step-1 median of 0.70.
    auto maximize = make(medianSpec(), Direction::Maximize);
    completeAll(*maximize, kFiveLosses);
    QCOMPARE(runTrial(*maximize, 5, {0.65, 0.55, 0.45, 0.40}), 1);
}

void TestPruners::medianNaNIsTheWorstValue()
{
    {
        auto pruner = make(medianSpec(), Direction::Maximize);
        completeAll(*pruner, kFiveCurves);
        // Nothing but NaN so far: pruned at its first report.
        QCOMPARE(runTrial(*pruner, 5, {kNaN, 0.9}), 1);
        // NaN after a number: judged by its best (0.45 ≥ 0.40 at step 2, < 0.50 at step 3).
        QCOMPARE(runTrial(*pruner, 6, {0.45, kNaN, kNaN}), 3);
    }
    {
        // Two Complete trials reported NaN at step 1: there they are −∞, so the median of
        // {0.5, −∞, −∞, 0.3, 0.1} is 0.1 (Optuna, which leaves NaN out, would say 0.3).
        MedianPruner pruner(Direction::Maximize, 5, 0);
        completeAll(pruner, {{0.5}, {kNaN}, {kNaN}, {0.3}, {0.1}});
        QCOMPARE(pruner.medianAt(1), 0.1);
        QVERIFY(!reportAndAsk(pruner, 5, 1, 0.2));
        QVERIFY(reportAndAsk(pruner, 6, 1, 0.05));
    }
    {
        // Minimizing, NaN is +∞: the median of {0.5, +∞, +∞, 0.3, 0.1} is 0.5.
        MedianPruner pruner(Direction::Minimize, 5, 0);
        completeAll(pruner, {{0.5}, {kNaN}, {kNaN}, {0.3}, {0.1}});
        QCOMPARE(pruner.medianAt(1), 0.5);
        QVERIFY(!reportAndAsk(pruner, 5, 1, 0.45));
        QVERIFY(reportAndAsk(pruner, 6, 1, 0.55));
    }
    {
        // Half of an even count NaN: the median is −∞ itself; any number is kept, NaN is not.
        MedianPruner pruner(Direction::Maximize, 4, 0);
        completeAll(pruner, {{0.5}, {kNaN}, {kNaN}, {0.3}});
        QCOMPARE(pruner.medianAt(1), -std::numeric_limits<double>::infinity());
        QVERIFY(!reportAndAsk(pruner, 4, 1, -1e300));
        QVERIFY(reportAndAsk(pruner, 5, 1, kNaN));
    }
}

void TestPruners::medianKeepsATrialNoCompleteTrialReachedTheStepOf()
{
    MedianPruner pruner(Direction::Maximize, 5, 0);
    completeAll(pruner, kFiveCurves);
    QVERIFY(std::isnan(pruner.medianAt(6)));
    QCOMPARE(runTrial(pruner, 5, {0.9, 0.9, 0.9, 0.9, 0.9, 0.0, 0.0}), 0);
}

// ---- ASHA ------------------------------------------------------------------------------------

void TestPruners::ashaRungsAtPowersOfTheFactor()
{
    SuccessiveHalvingPruner three(Direction::Maximize, 1, 3, 0);
    QCOMPARE(three.rungStep(0), qint64(1));
    QCOMPARE(three.rungStep(1), qint64(3));
    QCOMPARE(three.rungStep(2), qint64(9));
    QCOMPARE(three.rungStep(3), qint64(27));

    SuccessiveHalvingPruner shifted(Direction::Maximize, 2, 2, 1); // 2 · 2^(1 + k)
    QCOMPARE(shifted.rungStep(0), qint64(4));
    QCOMPARE(shifted.rungStep(1), qint64(8));
    QCOMPARE(shifted.rungStep(2), qint64(16));

    SuccessiveHalvingPruner huge(Direction::Maximize, 1000, 1000, 0);
    QCOMPARE(huge.rungStep(10), std::numeric_limits<qint64>::max()); // saturates, never reached
}

void TestPruners::ashaJudgesOnlyAtRungs()
{
    // Factor 3 from 1: rungs at steps 1, 3 and 9. The leader, alone at each, is promoted.
    SuccessiveHalvingPruner pruner(Direction::Maximize, 1, 3, 0);
    QCOMPARE(runTrial(pruner, 0, QVector<double>(9, 0.5)), 0);
    QCOMPARE(pruner.recordedAt(0), 1);
    QCOMPARE(pruner.recordedAt(1), 1);
    QCOMPARE(pruner.recordedAt(2), 1);

    // The second trial is best at steps 1 and 3 and worst everywhere between them: the steps
    // between rungs judge nothing. At step 9 it is below the leader: pruned there.
    const QVector<double> curve = {0.6, 0.1, 0.6, 0.1, 0.1, 0.1, 0.1, 0.1, 0.4};
    for (int s = 1; s <= 8; ++s)
        QVERIFY2(!reportAndAsk(pruner, 1, s, curve[s - 1]), qPrintable(QStringLiteral("step %1").arg(s)));
    QVERIFY(reportAndAsk(pruner, 1, 9, curve[8]));
    QCOMPARE(pruner.recordedAt(1), 2);
    QCOMPARE(pruner.recordedAt(2), 2); // the losing value is recorded too, as Optuna does

    // With minEarlyStoppingRate 1 the first rung is at step 3: a terrible step 1 is not judged.
    auto rate1 = make(ashaSpec(1, 3, 1), Direction::Maximize);
    QCOMPARE(runTrial(*rate1, 0, {0.5, 0.5, 0.5}), 0);
    QVERIFY(!reportAndAsk(*rate1, 1, 1, 0.0));
    QVERIFY(!reportAndAsk(*rate1, 1, 2, 0.0));
    QVERIFY(reportAndAsk(*rate1, 1, 3, 0.0));
}

void TestPruners::ashaFewerThanFactorAtARungPromotesOnlyTheBest()
{
    auto pruner = make(ashaSpec(), Direction::Maximize);
    QVERIFY(!reportAndAsk(*pruner, 0, 1, 0.1)); // the first at the rung: alone, so the best
    QVERIFY(reportAndAsk(*pruner, 1, 1, 0.05)); // 2 values < factor: only the best goes on
    QVERIFY(!reportAndAsk(*pruner, 2, 1, 0.1)); // a tie with the best is promoted
    QVERIFY(!reportAndAsk(*pruner, 3, 1, 0.2));
}

void TestPruners::ashaTopThirdWorkedByHand()
{
    // One value per trial at rung 0 (step 1), factor 3. Trial i is promoted when its value is at
    // least the k-th best of the n values there (its own included, pruned trials' too), with
    // k = max(1, ⌊n/3⌋):
    //   n=1 0.50 alone            promoted       n=6 0.70 vs 2nd best 0.60   promoted
    //   n=2 0.40 vs best 0.50     pruned         n=7 0.58 vs 2nd best 0.60   pruned
    //   n=3 0.60 vs best 0.60     promoted       n=8 0.60 vs 2nd best 0.60   promoted (tie)
    //   n=4 0.55 vs best 0.60     pruned         n=9 0.59 vs 3rd best 0.60   pruned
    //   n=5 0.45 vs best 0.60     pruned         n=10 0.65 vs 3rd best 0.60  promoted
    const QVector<double> values = {0.50, 0.40, 0.60, 0.55, 0.45, 0.70, 0.58, 0.60, 0.59, 0.65};
    const QVector<bool> pruned = {false, true, false, true, true, false, true, false, true, false};
    auto pruner = make(ashaSpec(), Direction::Maximize);
    for (int i = 0; i < values.size(); ++i) {
        const bool decision = reportAndAsk(*pruner, i, 1, values[i]);
        QVERIFY2(decision == pruned[i], qPrintable(QStringLiteral("trial %1 (%2): %3").arg(i).arg(values[i]).arg(decision)));
        if (decision)
            pruner->finished(i, TrialState::Pruned);
    }
}

void TestPruners::ashaMinimizeMirrorsMaximize()
{
    const QVector<double> values = {0.50, 0.40, 0.60, 0.55, 0.45, 0.70, 0.58, 0.60, 0.59, 0.65};
    auto maximize = make(ashaSpec(), Direction::Maximize);
    auto minimize = make(ashaSpec(), Direction::Minimize);
    QString maxDecisions, minDecisions;
    for (int i = 0; i < values.size(); ++i) {
        maxDecisions += reportAndAsk(*maximize, i, 1, values[i]) ? QLatin1Char('1') : QLatin1Char('0');
        minDecisions += reportAndAsk(*minimize, i, 1, -values[i]) ? QLatin1Char('1') : QLatin1Char('0');
    }
    QCOMPARE(maxDecisions, QStringLiteral("0101101010"));
    QCOMPARE(minDecisions, maxDecisions);
    // And the plain values minimized: the low ones go on.
    auto plain = make(ashaSpec(), Direction::Minimize);
    QVERIFY(!reportAndAsk(*plain, 0, 1, 0.5));
    QVERIFY(!reportAndAsk(*plain, 1, 1, 0.4));
    QVERIFY(reportAndAsk(*plain, 2, 1, 0.6));
}

void TestPruners::ashaNaNAtARungIsPruned()
{
    SuccessiveHalvingPruner pruner(Direction::Maximize, 1, 3, 0);
    QVERIFY(!reportAndAsk(pruner, 0, 1, 0.5));
    // At a rung, NaN is the worst value: pruned, and not recorded there.
    QVERIFY(reportAndAsk(pruner, 1, 1, kNaN));
    QCOMPARE(pruner.recordedAt(0), 1);
    // Off a rung NaN is not judged (step 2), at the next rung it is.
    QVERIFY(!reportAndAsk(pruner, 0, 2, kNaN));
    QVERIFY(reportAndAsk(pruner, 0, 3, kNaN));
    QCOMPARE(pruner.recordedAt(1), 0);
}

void TestPruners::ashaAJumpPassesSeveralRungs()
{
    // A trial whose first report is at step 4 passes rungs 1 and 3 with that one value.
    SuccessiveHalvingPruner pruner(Direction::Maximize, 1, 3, 0);
    QCOMPARE(runTrial(pruner, 0, {0.5, 0.5, 0.5}), 0);
    QVERIFY(!reportAndAsk(pruner, 1, 4, 0.6));
    QCOMPARE(pruner.recordedAt(0), 2);
    QCOMPARE(pruner.recordedAt(1), 2);
    // Losing at the first rung stops there: the second is not recorded.
    QVERIFY(reportAndAsk(pruner, 2, 4, 0.4));
    QCOMPARE(pruner.recordedAt(0), 3);
    QCOMPARE(pruner.recordedAt(1), 2);
}

void TestPruners::ashaAResumedSweepRebuildsTheRungs()
{
    // A sweep asks after every report; after a restart its controller feeds the recorded reports
    // and ends again without asking, then goes on. The next decisions must be the same.
    struct Report {
        int trial;
        int step;
        double value;
    };
    common::Random rng(7);
    QVector<Report> history;
    auto live = make(ashaSpec(), Direction::Maximize);
    auto resumed = make(ashaSpec(), Direction::Maximize);
    QVector<int> ended;
    for (int trial = 0; trial < 30; ++trial) {
        for (int step = 1; step <= 9; ++step) {
            const double v = rng.uniform();
            live->report(trial, step, v);
            history.push_back({trial, step, v});
            if (live->shouldPrune(trial, step) || step == 9) {
                live->finished(trial, TrialState::Pruned);
                history.push_back({trial, -1, 0.0});
                break;
            }
        }
    }
    for (const Report &r : history) {
        if (r.step < 0)
            resumed->finished(r.trial, TrialState::Pruned);
        else
            resumed->report(r.trial, r.step, r.value);
    }
    int prunes = 0;
    for (int trial = 30; trial < 60; ++trial) {
        for (int step = 1; step <= 9; ++step) {
            const double v = rng.uniform();
            const bool a = reportAndAsk(*live, trial, step, v);
            const bool b = reportAndAsk(*resumed, trial, step, v);
            QVERIFY2(a == b, qPrintable(QStringLiteral("trial %1 step %2").arg(trial).arg(step)));
            if (a) {
                ++prunes;
                live->finished(trial, TrialState::Pruned);
                resumed->finished(trial, TrialState::Pruned);
                break;
            }
        }
    }
    QVERIFY(prunes > 5); // the rungs were full enough to prune
}

// ---- Hyperband -------------------------------------------------------------------------------

void TestPruners::hyperbandBracketCount_data()
{
    QTest::addColumn<int>("minResource");
    QTest::addColumn<int>("maxResource");
    QTest::addColumn<int>("factor");
    QTest::addColumn<int>("brackets");
    QTest::newRow("1..9 by 3") << 1 << 9 << 3 << 3; // 1, 3, 9
    QTest::newRow("1..26 by 3") << 1 << 26 << 3 << 3;
    QTest::newRow("1..27 by 3") << 1 << 27 << 3 << 4;
    QTest::newRow("2..18 by 3") << 2 << 18 << 3 << 3;
    QTest::newRow("2..17 by 3") << 2 << 17 << 3 << 2;
    QTest::newRow("1..243 by 3") << 1 << 243 << 3 << 6; // Optuna's float log says 5
    QTest::newRow("1..100 by 2") << 1 << 100 << 2 << 7; // 64 ≤ 100 < 128
    QTest::newRow("5..5 by 3") << 5 << 5 << 3 << 1;
    QTest::newRow("1..2 by 3") << 1 << 2 << 3 << 1;
}

void TestPruners::hyperbandBracketCount()
{
    QFETCH(int, minResource);
    QFETCH(int, maxResource);
    QFETCH(int, factor);
    QFETCH(int, brackets);
    QCOMPARE(HyperbandPruner::bracketCount(minResource, maxResource, factor), brackets);
    QCOMPARE(HyperbandPruner(Direction::Maximize, minResource, maxResource, factor).bracketCount(), brackets);
}

void TestPruners::hyperbandBudgets()
{
    // ⌈n · η^s / (s + 1)⌉ for s = n−1 … 0.
    QCOMPARE(HyperbandPruner(Direction::Maximize, 1, 9, 3).budgets(), (std::vector<qint64>{9, 5, 3}));
    QCOMPARE(HyperbandPruner(Direction::Maximize, 1, 27, 3).budgets(), (std::vector<qint64>{27, 12, 6, 4}));
    QCOMPARE(HyperbandPruner(Direction::Maximize, 1, 8, 2).budgets(), (std::vector<qint64>{8, 6, 4, 4}));
    QCOMPARE(HyperbandPruner(Direction::Maximize, 3, 3, 3).budgets(), (std::vector<qint64>{1}));
}

void TestPruners::hyperbandCrc32IsZlibs()
{
    QCOMPARE(HyperbandPruner::crc32("123456789"), 0xCBF43926u); // the standard check value
    QCOMPARE(HyperbandPruner::crc32(""), 0u);
    QCOMPARE(HyperbandPruner::crc32("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
}

void TestPruners::hyperbandAssignmentIsDeterministicAndWeighted()
{
    const HyperbandPruner a(Direction::Maximize, 1, 9, 3);
    const HyperbandPruner b(Direction::Minimize, 1, 9, 3);
    // The bracket is crc32("trial_N") mod 17 walked through the weights 9, 5, 3.
    for (int n : {0, 1, 2, 41, 1000}) {
        const quint32 r = HyperbandPruner::crc32(QByteArray("trial_") + QByteArray::number(n)) % 17u;
        QCOMPARE(a.bracketOf(n), r < 9 ? 0 : r < 14 ? 1 : 2);
    }
    QVector<int> counts(3, 0);
    const int trials = 17000;
    for (int n = 0; n < trials; ++n) {
        const int bracket = a.bracketOf(n);
        QCOMPARE(b.bracketOf(n), bracket); // from the number alone
        ++counts[bracket];
    }
    // Roughly 9/17, 5/17 and 3/17 of the trials (CRC-32 spreads the numbers nearly evenly).
    const double expected[] = {9.0 / 17, 5.0 / 17, 3.0 / 17};
    for (int i = 0; i < 3; ++i) {
        const double share = double(counts[i]) / trials;
        QVERIFY2(std::abs(share - expected[i]) < 0.02,
            qPrintable(QStringLiteral("bracket %1: %2 of the trials, expected about %3").arg(i).arg(share).arg(expected[i])));
    }
}

void TestPruners::hyperbandComparesOnlyWithinABracket()
{
    HyperbandPruner hyperband(Direction::Maximize, 1, 9, 3); // brackets judge first at 1, 3, 9
    QVector<int> inBracket[3];
    for (int n = 0; inBracket[0].size() < 2 || inBracket[1].size() < 1; ++n)
        inBracket[hyperband.bracketOf(n)].push_back(n);
    const int leader = inBracket[0][0], follower = inBracket[0][1], other = inBracket[1][0];

    // The leader (bracket 0) is best at steps 1 … 3.
    for (int s = 1; s <= 3; ++s)
        QVERIFY(!reportAndAsk(hyperband, leader, s, 0.9));
    // A much worse trial of bracket 1 is judged first at step 3, and there it is alone in its
    // bracket: promoted, whatever bracket 0 holds.
    for (int s = 1; s <= 3; ++s)
        QVERIFY2(!reportAndAsk(hyperband, other, s, 0.1), qPrintable(QStringLiteral("step %1").arg(s)));
    // A trial of bracket 0 worse than the leader is pruned at step 1.
    QVERIFY(reportAndAsk(hyperband, follower, 1, 0.5));

    // One ASHA over all three would have pruned the bracket-1 trial at step 1.
    SuccessiveHalvingPruner single(Direction::Maximize, 1, 3, 0);
    QVERIFY(!reportAndAsk(single, leader, 1, 0.9));
    QVERIFY(reportAndAsk(single, other, 1, 0.1));
}

// ---- makePruner ------------------------------------------------------------------------------

void TestPruners::noneNeverPrunes()
{
    PrunerSpec spec;
    spec.type = QStringLiteral("none");
    auto pruner = make(spec, Direction::Maximize);
    completeAll(*pruner, kFiveCurves);
    QCOMPARE(runTrial(*pruner, 5, {kNaN, 0.0, -1.0, 0.0, 0.0}), 0);
}

void TestPruners::makePrunerRefusesBadInput_data()
{
    QTest::addColumn<PrunerSpec>("spec");
    QTest::addColumn<QStringList>("mentions");

    PrunerSpec unknown;
    unknown.type = QStringLiteral("mediam");
    QTest::newRow("unknown type") << unknown
                                  << QStringList{QStringLiteral("mediam"), QStringLiteral("none"), QStringLiteral("median"),
                                         QStringLiteral("asha"), QStringLiteral("hyperband")};
    PrunerSpec upper = unknown;
    upper.type = QStringLiteral("ASHA");
    QTest::newRow("type in capitals") << upper << QStringList{QStringLiteral("ASHA"), QStringLiteral("asha")};

    PrunerSpec factor = ashaSpec(1, 1);
    QTest::newRow("asha factor 1") << factor << QStringList{QStringLiteral("reduction_factor"), QStringLiteral("at least 2")};
    PrunerSpec hbFactor = factor;
    hbFactor.type = QStringLiteral("hyperband");
    hbFactor.maxResource = 9;
    QTest::newRow("hyperband factor 1") << hbFactor << QStringList{QStringLiteral("reduction_factor"), QStringLiteral("hyperband")};

    PrunerSpec minResource = ashaSpec(0);
    QTest::newRow("asha min_resource 0") << minResource << QStringList{QStringLiteral("min_resource"), QStringLiteral("at least 1")};
    PrunerSpec hbMin = minResource;
    hbMin.type = QStringLiteral("hyperband");
    hbMin.maxResource = 9;
    QTest::newRow("hyperband min_resource 0") << hbMin << QStringList{QStringLiteral("min_resource")};

    PrunerSpec rate = ashaSpec(1, 3, -1);
    QTest::newRow("asha negative rate") << rate << QStringList{QStringLiteral("min_early_stopping_rate")};

    PrunerSpec noMax;
    noMax.type = QStringLiteral("hyperband");
    QTest::newRow("hyperband without max_resource") << noMax << QStringList{QStringLiteral("max_resource"), QStringLiteral("epochs")};
    PrunerSpec belowMin = noMax;
    belowMin.minResource = 4;
    belowMin.maxResource = 3;
    QTest::newRow("hyperband max_resource below min_resource")
        << belowMin << QStringList{QStringLiteral("max_resource 3"), QStringLiteral("min_resource 4")};

    QTest::newRow("median negative startup_trials") << medianSpec(-1) << QStringList{QStringLiteral("startup_trials")};
    QTest::newRow("median negative warmup_steps") << medianSpec(5, -2) << QStringList{QStringLiteral("warmup_steps")};
}

void TestPruners::makePrunerRefusesBadInput()
{
    QFETCH(PrunerSpec, spec);
    QFETCH(QStringList, mentions);
    const auto pruner = makePruner(spec, Direction::Maximize);
    QVERIFY(!pruner.isOk());
    QCOMPARE(pruner.status().code(), ErrorCode::InvalidArgument);
    for (const QString &m : mentions)
        QVERIFY2(pruner.status().message().contains(m), qPrintable(pruner.status().message() + QStringLiteral(" lacks ") + m));
}

// ---- Optuna ----------------------------------------------------------------------------------

void TestPruners::everyDecisionAgreesWithOptuna()
{
    auto hyperbandSpec = [](int minResource, int maxResource, int factor) {
        PrunerSpec spec;
        spec.type = QStringLiteral("hyperband");
        spec.minResource = minResource;
        spec.maxResource = maxResource;
        spec.reductionFactor = factor;
        return spec;
    };
    QVector<OracleCase> cases;
    cases.push_back({QStringLiteral("median-max"), medianSpec(5, 0), Direction::Maximize, 60, 3, 12, 11, 0.0});
    cases.push_back({QStringLiteral("median-min-warmup-ties"), medianSpec(3, 2), Direction::Minimize, 60, 4, 10, 12, 0.1});
    cases.push_back({QStringLiteral("median-max-ties"), medianSpec(4, 0), Direction::Maximize, 80, 6, 8, 18, 0.1});
    cases.push_back({QStringLiteral("asha-max"), ashaSpec(1, 3, 0), Direction::Maximize, 150, 3, 12, 13, 0.0});
    cases.push_back({QStringLiteral("asha-min-ties"), ashaSpec(2, 2, 1), Direction::Minimize, 120, 4, 16, 14, 0.05});
    cases.push_back({QStringLiteral("asha-factor4-ties"), ashaSpec(1, 4, 0), Direction::Maximize, 60, 2, 16, 15, 0.05});
    cases.push_back({QStringLiteral("hyperband-max"), hyperbandSpec(1, 27, 3), Direction::Maximize, 120, 4, 27, 16, 0.0});
    cases.push_back({QStringLiteral("hyperband-min-ties"), hyperbandSpec(1, 9, 3), Direction::Minimize, 80, 3, 9, 17, 0.05});

    QStringList script;
    QVector<Simulation> sims;
    for (const OracleCase &c : cases) {
        auto pruner = make(c.spec, c.direction);
        Simulation sim = simulate(c, *pruner);
        script << caseLine(c) << sim.script << QStringLiteral("end");
        sims.push_back(std::move(sim));
    }

    testing::ProcessOptions options;
    options.input = script.join(QLatin1Char('\n')).toUtf8() + '\n';
    const auto r = testing::run(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), QString::fromLatin1(kOptunaOracle)}, options);
    QVERIFY2(r.ok(), qPrintable(r.describe() + QStringLiteral("\n(packaging/setup.sh --test installs python3-optuna)")));

    QHash<QString, QString> optunaDecisions, optunaBrackets;
    for (const QString &line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList f = line.split(QLatin1Char(' '));
        if (f.value(0) == QLatin1String("decisions"))
            optunaDecisions.insert(f.value(1), f.value(2));
        else if (f.value(0) == QLatin1String("brackets"))
            optunaBrackets.insert(f.value(1), f.mid(2).join(QLatin1Char(' ')));
    }

    int failures = 0;
    for (int i = 0; i < cases.size(); ++i) {
        const OracleCase &c = cases[i];
        const Simulation &sim = sims[i];
        QVERIFY2(optunaDecisions.contains(c.name), qPrintable(c.name + QStringLiteral(": no answer from Optuna\n") + r.describe()));
        const QString theirs = optunaDecisions.value(c.name);
        QCOMPARE(theirs.size(), sim.decisions.size());
        int mismatches = 0;
        QString first;
        for (int k = 0; k < theirs.size(); ++k) {
            if (theirs[k] == sim.decisions[k])
                continue;
            if (mismatches++ == 0)
                first = QStringLiteral("report %1 (%2): ours %3, Optuna %4")
                            .arg(k)
                            .arg(sim.reports[k], QString(sim.decisions[k]), QString(theirs[k]));
        }
        QVERIFY2(mismatches == 0,
            qPrintable(
                QStringLiteral("%1: %2 of %3 decisions differ; first at %4").arg(c.name).arg(mismatches).arg(theirs.size()).arg(first)));

        // Each case must say both answers often and let some trial through every rung, or it
        // compares nothing worth comparing.
        const int kept = int(sim.decisions.count(QLatin1Char('0')));
        const QString counts = QStringLiteral("%1: %2 reports (%3 kept), %4 pruned, %5 complete, %6 failed, %7 ran every step")
                                   .arg(c.name)
                                   .arg(sim.decisions.size())
                                   .arg(kept)
                                   .arg(sim.prunes)
                                   .arg(sim.completes)
                                   .arg(sim.failures)
                                   .arg(sim.ranToTheEnd);
        qInfo("%s", qPrintable(counts));
        QVERIFY2(sim.prunes >= 5 && kept >= 20 && sim.ranToTheEnd >= 1, qPrintable(counts));
        failures += sim.failures;

        if (c.spec.type == QLatin1String("hyperband")) {
            const HyperbandPruner ours(c.direction, c.spec.minResource, c.spec.maxResource, c.spec.reductionFactor);
            QStringList brackets;
            for (int n = 0; n < c.trials; ++n)
                brackets << QString::number(ours.bracketOf(n));
            QCOMPARE(brackets.join(QLatin1Char(' ')), optunaBrackets.value(c.name));
        }
    }
    QVERIFY2(failures >= 3, qPrintable(QStringLiteral("only %1 trials failed in all the cases").arg(failures)));
}

QTEST_GUILESS_MAIN(TestPruners)
#include "tst_pruners.moc"
