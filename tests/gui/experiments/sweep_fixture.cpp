#include "sweep_fixture.h"

#include "core/common/clock.h"
#include "core/store/database.h"
#include "core/tracking/tracking_store.h"
#include "core/tune/sweep_runner.h"
#include "core/tune/sweep_store.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>

#include <cmath>
#include <random>

namespace orrery::testing {

using tune::Trial;
using tune::TrialState;

namespace {

tune::ParamSpec param(const QString &name, double low, double high, bool log, double step)
{
    tune::ParamSpec p;
    p.name = name;
    p.low = low;
    p.high = high;
    p.log = log;
    p.step = step;
    return p;
}

// Step s of E climbs to the final value.
double stepValue(double final, int step, int epochs)
{
    return final - 0.12 * double(epochs - step) / epochs;
}

} // namespace

tune::SweepSpec sweepFixtureSpec(const QString &name, int trials)
{
    tune::SweepSpec spec;
    spec.name = name;
    spec.file = QStringLiteral("/fixture/sweep.yaml");
    spec.trainConfig = QStringLiteral("/fixture/train.yaml");
    spec.metric = QStringLiteral("val_pr_auc");
    spec.direction = tune::Direction::Maximize;
    spec.trials = trials;
    spec.parallel = 2;
    tune::ParamSpec hidden;
    hidden.name = QStringLiteral("model.hidden");
    hidden.kind = tune::ParamKind::Categorical;
    hidden.choices = {QJsonArray{32, 16}, QJsonArray{64, 32}, QJsonArray{16}};
    spec.space = tune::SearchSpace(
        {param(QStringLiteral("optimizer.lr"), 1e-4, 0.1, true, 0), hidden, param(QStringLiteral("model.dropout"), 0.0, 0.5, false, 0.05)});
    if (const Status s = spec.space.validate(); !s)
        qFatal("fixture space: %s", qPrintable(s.message()));
    spec.sampler.type = QStringLiteral("tpe");
    spec.sampler.seed = 1;
    spec.pruner.type = QStringLiteral("median");
    return spec;
}

double sweepFixtureObjective(const tune::Point &p)
{
    const double d = std::log10(p[0]) + 2.5;
    const double hidden[] = {0.0, 0.02, -0.02};
    return 0.82 - 0.06 * d * d + hidden[int(p[1])];
}

tune::Point sweepFixturePoint(quint64 seed, int number)
{
    std::mt19937_64 rng(seed * 1000003ull + quint64(number));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const double lr = std::pow(10.0, -4.0 + 3.0 * u(rng));
    const double hidden = std::floor(u(rng) * 3.0);
    const double dropout = std::round(u(rng) * 10.0) * 0.05;
    return {lr, std::min(hidden, 2.0), dropout};
}

Result<SweepFixture> writeSweepFixture(store::Database &db, const SweepFixtureOptions &o)
{
    SweepFixture f;
    f.seed = o.seed;
    f.name = o.name;
    f.runningSteps = std::min(2, o.steps - 1);
    const tune::SweepSpec spec = sweepFixtureSpec(o.name, o.trials);
    const qint64 start = o.startMs > 0 ? o.startMs : QDateTime::currentMSecsSinceEpoch() - qint64(o.trials + 5) * o.trialMs;
    common::ManualClock clock(QDateTime::fromMSecsSinceEpoch(start - 1000, Qt::UTC));
    tune::SweepStore store(db, &clock, QStringLiteral("fixture"));
    ORRERY_ASSIGN_OR_RETURN(const tune::Sweep sweep, store.create(spec));
    f.sweepId = sweep.id;
    tracking::TrackingStore tracking(db, &clock);
    if (o.trackRuns) {
        ORRERY_ASSIGN_OR_RETURN(f.experimentId, tracking.createExperiment(QStringLiteral("fraud-pipeline")));
        ORRERY_ASSIGN_OR_RETURN(const tracking::RunInfo run,
            tracking.createRun(f.experimentId, o.name, start - 1000,
                {{QStringLiteral("orrery.sweep"), o.name}, {QStringLiteral("orrery.sweep.id"), QString::number(sweep.id)},
                    {QStringLiteral("orrery.sweep.metric"), spec.metric},
                    {QStringLiteral("orrery.sweep.direction"), QStringLiteral("maximize")}}));
        f.sweepRunId = run.runId;
        ORRERY_TRY(store.setRunId(sweep.id, run.runId));
    }
    const int finishedCount = o.trials - o.running;
    for (int n = 0; n < o.trials; ++n) {
        const qint64 t0 = start + qint64(n) * o.trialMs;
        clock.set(QDateTime::fromMSecsSinceEpoch(t0, Qt::UTC));
        Trial t;
        t.number = n;
        t.state = TrialState::Running;
        t.point = sweepFixturePoint(o.seed, n);
        t.params = spec.space.toJson(t.point);
        t.source = QStringLiteral("sampler");
        ORRERY_TRY(store.addTrial(sweep.id, t));
        if (o.trackRuns) {
            ORRERY_ASSIGN_OR_RETURN(const tracking::RunInfo run,
                tracking.createRun(f.experimentId, QStringLiteral("%1 #%2").arg(o.name).arg(n), t0,
                    {{QStringLiteral("mlflow.parentRunId"), f.sweepRunId}}));
            t.runId = run.runId;
            f.trialRunIds.append(run.runId);
        }
        if (!o.root.isEmpty()) {
            // The trial's config, where the runner writes it (SweepRunner::sweepDir).
            const QString dir = tune::SweepRunner::sweepDir(o.root, sweep.id) + QStringLiteral("/trial-%1").arg(n);
            QDir().mkpath(dir);
            QFile config(dir + QStringLiteral("/config.yaml"));
            if (!config.open(QIODevice::WriteOnly))
                return internalError(QStringLiteral("cannot write %1").arg(config.fileName()));
            config.write(QStringLiteral("# trial %1\noptimizer:\n  lr: %2\n").arg(n).arg(t.point[0], 0, 'g', 15).toUtf8());
        }
        const double final = sweepFixtureObjective(t.point);
        if (n >= finishedCount) { // left running: its first steps reported
            for (int s = 1; s <= f.runningSteps; ++s)
                ORRERY_TRY(store.addStep(sweep.id, n, s, stepValue(final, s, o.steps)));
            f.running.append(n);
            continue;
        }
        if (n % 10 == 7) {
            ORRERY_TRY(store.addStep(sweep.id, n, 1, stepValue(final, 1, o.steps)));
            t.state = TrialState::Failed;
            t.steps = 1;
            t.reason = QStringLiteral("exit 1: the loss became NaN at epoch 2 (lower optimizer.lr)");
            f.failed.append(n);
        } else if (n >= 5 && n % 4 == 1) {
            const int at = 1 + n % 3;
            for (int s = 1; s <= at; ++s)
                ORRERY_TRY(store.addStep(sweep.id, n, s, stepValue(final, s, o.steps)));
            t.state = TrialState::Pruned;
            t.steps = at;
            t.value = stepValue(final, at, o.steps);
            f.pruned.append(n);
            f.prunedAtStep.append(at);
        } else {
            for (int s = 1; s <= o.steps; ++s)
                ORRERY_TRY(store.addStep(sweep.id, n, s, stepValue(final, s, o.steps)));
            t.state = TrialState::Complete;
            t.steps = o.steps;
            t.value = final;
            if (f.bestTrial < 0 || final > f.bestValue) {
                f.bestTrial = n;
                f.bestValue = final;
            }
        }
        clock.set(QDateTime::fromMSecsSinceEpoch(t0 + o.trialMs - 1, Qt::UTC));
        ORRERY_TRY(store.finishTrial(sweep.id, t));
        if (o.trackRuns) {
            const tracking::RunStatus status = t.state == TrialState::Failed ? tracking::RunStatus::Failed : tracking::RunStatus::Finished;
            ORRERY_TRY(tracking.updateRun(t.runId, &status, t0 + o.trialMs - 1, QString()).status());
            ORRERY_TRY(tracking.logBatchParamsAndTags(t.runId, {},
                {{QStringLiteral("orrery.sweep"), o.name}, {QStringLiteral("orrery.sweep.trial"), QString::number(n)},
                    {QStringLiteral("orrery.sweep.state"), tune::trialStateName(t.state)}}));
        }
    }
    return f;
}

Status finishFixtureTrial(store::Database &db, const SweepFixture &fixture, int number, int steps)
{
    if (!fixture.running.contains(number))
        return invalidArgument(QStringLiteral("trial %1 was not left running by the fixture").arg(number));
    tune::SweepStore store(db, nullptr, QStringLiteral("fixture"));
    Trial t;
    t.number = number;
    t.point = sweepFixturePoint(fixture.seed, number);
    const double final = sweepFixtureObjective(t.point);
    for (int s = fixture.runningSteps + 1; s <= steps; ++s)
        ORRERY_TRY(store.addStep(fixture.sweepId, number, s, stepValue(final, s, steps)));
    t.state = TrialState::Complete;
    t.steps = steps;
    t.value = final;
    if (number < fixture.trialRunIds.size())
        t.runId = fixture.trialRunIds[number];
    ORRERY_TRY(store.finishTrial(fixture.sweepId, t));
    if (!t.runId.isEmpty()) {
        tracking::TrackingStore tracking(db);
        const tracking::RunStatus status = tracking::RunStatus::Finished;
        ORRERY_TRY(tracking.updateRun(t.runId, &status, 0, QString()).status());
        ORRERY_TRY(tracking.logBatchParamsAndTags(t.runId, {},
            {{QStringLiteral("orrery.sweep"), fixture.name}, {QStringLiteral("orrery.sweep.trial"), QString::number(number)},
                {QStringLiteral("orrery.sweep.state"), QStringLiteral("complete")}}));
    }
    return Status::ok();
}

} // namespace orrery::testing
