#pragma once
// What the Sweep view shows of one sweep, read on a store::DatabaseWorker (never on the GUI thread):
// the sweep, its trials, what they add up to (counts, the best, the best-so-far curve, parameter
// importance), the intermediate values of the trials drawn, and the trials the parallel
// coordinates draw. Plain data: no widgets.
//
// SweepReader keeps what it has read of one sweep, so that a poll reads only what changed
// (SweepStore::trialsChangedSince): the trials started or finished since the newest stamp it saw —
// less kChangeMarginMs, since a stamp is taken before its write commits and a writer may wait for
// the database up to its busy timeout (5 s) — and the running ones. A change of the sweep's own row
// (stopped, resumed, finished: its `updated`) re-reads every trial, as a stop queues its running
// trials again with no stamp a change-read could see.
//
// Each read returns a new immutable snapshot (shared_ptr<const>): the GUI keeps the last one while
// the worker builds the next. Its trials are a copy-on-write QVector shared with the reader's.
//
// Threads: resolveSweepOfRun and SweepReader::read run on the worker thread; a SweepReader is used
// by one thread at a time (the worker's tasks run one after another). Snapshots are immutable and
// may be read on any thread.

#include "core/common/status.h"
#include "core/tune/parameter_importance.h"
#include "core/tune/sweep_store.h"
#include "ui/experiments/run_population.h"

#include <QPointF>
#include <QString>
#include <QVector>

#include <memory>

namespace orrery::store {
class Database;
}

namespace orrery::ui {

// Where a run stands in a sweep.
struct SweepRef {
    qint64 sweepId = 0; // 0: the run is not part of a sweep
    int trial = -1; // the run is this trial's training run; -1: the sweep's own run (or not known yet)
};

// The run's own tag orrery.sweep.id (the sweep's tracking run), else its parent's (a trial's
// training run, mlflow.parentRunId). Not a sweep's: sweepId 0.
Result<SweepRef> resolveSweepOfRun(store::Database &db, const QString &runId);

// One trial's intermediate values, step → value, as the pruner saw them.
struct SweepStepCurve {
    int number = 0;
    tune::TrialState state = tune::TrialState::Complete;
    QVector<QPointF> points; // by step; steps the trial reported no value for are left out
};

struct SweepSnapshot {
    tune::Sweep sweep;
    // Every trial, by number. A trial's params may be empty: its point and the sweep's space say
    // the same (SearchSpace::valueOf), and the full read skips the JSON (see SweepReader).
    QVector<tune::Trial> trials;
    // Incremental snapshots: the numbers of the trials that changed or are new since the previous
    // one (the model updates those rows). full: a new sweep or a re-read of all (the model resets).
    bool full = true;
    QVector<int> changed;
    tune::SweepSummary summary;
    // (trial number, best value so far) at each improvement, then at the newest complete trial.
    QVector<QPointF> bestSoFar;
    tune::ImportanceResult importance;
    QVector<SweepStepCurve> curves; // the trials the intermediate-values plot draws
    RunPopulation population; // the trials the parallel coordinates draw (paramKeys, one metric: the objective)
    quint64 populationGeneration = 0; // changes when importance and population were computed again
    QString bestRunId; // the best complete trial's training run
    bool bestRunHasModel = false; // it logged a model (tag orrery.model_artifact)
    QString suggestedModelName; // a registered model fed from this sweep's experiment, else the sweep's name

    // The index in trials of trial `number` (trials are by number), or -1.
    int indexOf(int number) const;
    bool isRunning() const { return sweep.state == QLatin1String("running"); }
};

using SweepSnapshotPtr = std::shared_ptr<const SweepSnapshot>;

class SweepReader {
public:
    static constexpr qint64 kChangeMarginMs = 10000;
    // The intermediate values drawn: the newest kRecentCurves trials and the kBestCurves best ones.
    static constexpr int kRecentCurves = 200;
    static constexpr int kBestCurves = 20;
    // The parallel coordinates: every trial up to this; beyond, the best half of the cap and the
    // rest spread evenly over the trials (a line per pixel row is already more than can be told apart).
    static constexpr int kPopulationCap = 2000;

    explicit SweepReader(qint64 sweepId) : m_sweepId(sweepId) { }
    qint64 sweepId() const { return m_sweepId; }

    Result<SweepSnapshotPtr> read(store::Database &db);

private:
    Status readAll(store::Database &db, SweepSnapshot &out);
    Status readChanges(tune::SweepStore &store, SweepSnapshot &out);
    // Counts, the best, the best-so-far curve; importance and the population when a trial completed.
    void summarize(SweepSnapshot &out);
    Status readCurves(store::Database &db, SweepSnapshot &out) const;
    Status readBestRun(store::Database &db, SweepSnapshot &out) const;
    RunPopulation buildPopulation(const SweepSnapshot &out) const;

    qint64 m_sweepId;
    bool m_loaded = false;
    qint64 m_sweepUpdated = 0;
    qint64 m_newestStamp = 0; // the newest started/finished among the trials read
    QVector<tune::Trial> m_trials;
    QString m_suggestedName;
    bool m_cacheValid = false;
    quint64 m_generation = 0;
    tune::ImportanceResult m_importance;
    RunPopulation m_population;
};

} // namespace orrery::ui
