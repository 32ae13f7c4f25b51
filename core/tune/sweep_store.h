#pragma once
// SweepStore: sweeps, their trials and each trial's intermediate values in the workspace database
// (migration 15). A sweep's creation, each resume and its end are audited (core/audit); trials are
// not (a sweep may have a hundred thousand), their rows are the record.
//
// - create() records a new sweep with the spec it starts with; a name already taken is refused
//   (AlreadyExists) — `tune resume NAME` continues that one.
// - claim() makes this process the sweep's runner: refused while another live process on this
//   host runs it (FailedPrecondition, naming its pid); a dead runner's claim is taken over. The
//   trials it left running are queued again with their parameters (their steps dropped): a
//   resumed sweep reruns them and never repeats a finished trial.
// - addTrial() / addStep() / finishTrial() record a trial as it runs.
//
// Threads: one SweepStore uses its Database on that Database's thread.

#include "core/common/status.h"
#include "core/tune/sweep_file.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

#include <optional>

namespace orrery::common {
class Clock;
}
namespace orrery::store {
class Database;
}

namespace orrery::tune {

QString trialStateName(TrialState state);
TrialState parseTrialState(const QString &text);

struct Sweep {
    qint64 id = 0;
    QString name;
    QString file;
    QString metric;
    Direction direction = Direction::Maximize;
    QString runId;        // the sweep's tracking run; trials' runs are its children
    QString state;        // running | finished | stopped | failed
    QString reason;
    qint64 ownerPid = 0;
    QString ownerHost;
    qint64 created = 0;   // ms since the epoch
    qint64 updated = 0;
    qint64 finished = 0;  // 0: not finished
    SweepSpec spec;
};

struct Trial {
    int number = 0;
    TrialState state = TrialState::Queued;
    QJsonObject params;
    Point point;
    QString source;       // sampler | enqueued
    std::optional<double> value;
    int steps = 0;        // epochs run
    QString runId;
    QString reason;
    qint64 started = 0;
    qint64 finished = 0;
    QString job;          // where it runs, as its executor last said ("running 3 s · slurm job 12 on n1"); "" here
};

struct TrialStep {
    int number = 0;
    int step = 0;
    double value = 0.0;   // NaN when the trial reported none
};

// What the Sweep view and `tune status` show at a glance.
struct SweepSummary {
    int queued = 0, running = 0, complete = 0, pruned = 0, failed = 0;
    std::optional<int> bestTrial;
    std::optional<double> bestValue;
    qint64 stepsUsed = 0; // the budget: epochs summed over trials
};

class SweepStore {
public:
    explicit SweepStore(store::Database &db, const common::Clock *clock = nullptr, QString actor = QString());

    Result<Sweep> create(const SweepSpec &spec);
    Result<std::optional<Sweep>> find(const QString &name);
    Result<Sweep> byId(qint64 id);
    // Newest first.
    Result<QVector<Sweep>> list();
    Result<Sweep> claim(qint64 id);
    Status setRunId(qint64 id, const QString &runId);
    // finished | stopped | failed, with why; audited.
    Status finish(qint64 id, const QString &state, const QString &reason);

    // A queued trial (one a stopped or dead runner left) is started again under its number.
    Status addTrial(qint64 sweepId, const Trial &trial);
    Status startTrial(qint64 sweepId, int number);
    Status addStep(qint64 sweepId, int number, int step, double value);
    // The trial's job as its executor describes it now (exec::describeJob), for other processes' views.
    Status setTrialJob(qint64 sweepId, int number, const QString &job);
    Status finishTrial(qint64 sweepId, const Trial &trial);
    // A trial stopped with its sweep: queued again under its number, its steps dropped.
    Status requeueTrial(qint64 sweepId, int number);

    // By number.
    Result<QVector<Trial>> trials(qint64 sweepId);
    // The trials finished at or after `changedSinceMs`, and those not finished (running or
    // queued): a live view reads what is new, not the whole sweep (an index on finished).
    Result<QVector<Trial>> trialsChangedSince(qint64 sweepId, qint64 changedSinceMs);
    // By trial, then step.
    Result<QVector<TrialStep>> steps(qint64 sweepId);
    Result<SweepSummary> summary(qint64 sweepId, Direction direction);

private:
    Status audit(const QString &action, const Sweep &sweep, const QString &reason, const QJsonObject &details);
    store::Database &m_db;
    const common::Clock &m_clock;
    QString m_actor;
};

} // namespace orrery::tune
