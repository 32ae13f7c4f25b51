#pragma once
// A sweep written the way `orrery-cli tune` writes one — through SweepStore, trial by trial
// (addTrial running, addStep per epoch, finishTrial), stamped by a clock one trial after another —
// with, optionally, the tracking runs it makes (the sweep's run, each trial's run its child with
// the orrery.sweep.* tags). For the Sweep view's test (a few dozen trials, known outcomes) and its
// benchmark (100,000 trials). Deterministic: the same options write the same sweep.
//
// The search space is the demo sweep's: optimizer.lr (log 1e-4 … 0.1), model.hidden (three
// choices), model.dropout (0 … 0.5, step 0.05). The objective (val_pr_auc, maximised) peaks at
// lr = 10^-2.5, gains a little from the wider layers and ignores dropout entirely — so lr is the
// parameter that matters, hidden a little, dropout not at all.
//
// Outcomes by trial number n (before the running tail): n % 10 == 7 fails (no value, a reason);
// otherwise, from n ≥ 5, n % 4 == 1 is pruned at step 1 + n % 3 (its value: that step's); the
// rest complete after `steps` epochs. Each step's value climbs to the trial's objective.

#include "core/common/status.h"
#include "core/tune/search_space.h"
#include "core/tune/sweep_file.h"

#include <QString>
#include <QVector>

namespace orrery::store {
class Database;
}

namespace orrery::testing {

struct SweepFixtureOptions {
    QString name = QStringLiteral("lr-hidden");
    int trials = 40;
    int running = 0; // the last `running` trials are left running (their first steps reported)
    int steps = 6; // epochs of a complete trial
    bool trackRuns = true; // the sweep's tracking run and a child run per trial
    QString root; // a workspace folder: the trials' config.yaml files go under .orrery/tune/<id>/
    qint64 startMs = 0; // the first trial's start; 0: trials × trialMs before now
    qint64 trialMs = 1000; // each trial's span on the clock
    quint64 seed = 1;
};

struct SweepFixture {
    QString name;
    qint64 sweepId = 0;
    QString experimentId;
    QString sweepRunId;
    QVector<QString> trialRunIds; // by number; empty without trackRuns
    int bestTrial = -1;
    double bestValue = 0.0;
    QVector<int> pruned, failed, running;
    QVector<int> prunedAtStep; // beside pruned
    quint64 seed = 1;
    int runningSteps = 0; // steps the running trials have reported
};

tune::SweepSpec sweepFixtureSpec(const QString &name, int trials);
double sweepFixtureObjective(const tune::Point &p);
// The i-th point of the fixture's sequence for `seed`.
tune::Point sweepFixturePoint(quint64 seed, int number);

Result<SweepFixture> writeSweepFixture(store::Database &db, const SweepFixtureOptions &options);

// Finishes running trial `number` of the fixture as complete (its remaining steps and its objective),
// stamped now; with a tracking run, that run ends too. Reads nothing: a benchmark finishes a
// thousand trials of a 100,000-trial sweep this way.
Status finishFixtureTrial(store::Database &db, const SweepFixture &fixture, int number, int steps);

} // namespace orrery::testing
