#pragma once
// TrackingStore: experiments, runs, params and tags in the workspace database, with MLflow's
// rules — the REST facade and the C++ API share them, so both refuse the same things with the
// same error kinds (ErrorCode::NotFound ↔ RESOURCE_DOES_NOT_EXIST, AlreadyExists ↔
// RESOURCE_ALREADY_EXISTS, InvalidArgument ↔ INVALID_PARAMETER_VALUE). Every mutator validates
// first and changes nothing on failure. Metrics go through MetricWriter; reads of them are here.
//
// Threads: one TrackingStore per thread (it uses the given Database).

#include "core/common/status.h"
#include "core/tracking/tracking_types.h"

#include <QString>
#include <QVector>

namespace orrery::store {
class Database;
class Statement;
}

namespace orrery::common {
class Clock;
}

namespace orrery::tracking {

// The columns a run is read with, in readRunInfo's order (other queries may select more after them).
extern const char *const kRunColumns;
RunInfo readRunInfo(const store::Statement &s);

// A run name as createRun makes one when none is given ("calm-orbit-412"); a run journaled on
// another node (run_journal.h) is named there the same way.
QString generatedRunName();

class TrackingStore {
public:
    // `clock` stamps runs, metrics and heartbeats (the system clock when null); it must outlive the store.
    explicit TrackingStore(store::Database &db, const common::Clock *clock = nullptr);

    Result<QString> createExperiment(const QString &name, const QString &artifactLocation = QString(),
                                     const QVector<KeyValue> &tags = {});
    Result<Experiment> experiment(const QString &id);
    Result<Experiment> experimentByName(const QString &name);
    Result<QVector<Experiment>> experiments(ViewType view = ViewType::ActiveOnly);
    // Deleting an experiment deletes its runs; restoring it restores all of them, as MLflow's
    // stores do. A call that does not change the experiment's stage changes no run either.
    Status setExperimentLifecycle(const QString &id, bool deleted);
    // MLflow's experiments/update: NotFound, FailedPrecondition ("Cannot rename a non-active
    // experiment."), AlreadyExists (another experiment has the name) or InvalidArgument.
    Status renameExperiment(const QString &id, const QString &newName);
    Status setExperimentTag(const QString &id, const KeyValue &tag);

    // run_name defaults to a generated name; start_time defaults to now.
    Result<RunInfo> createRun(const QString &experimentId, const QString &runName = QString(), qint64 startTime = 0,
                              const QVector<KeyValue> &tags = {}, const QString &userId = QString());
    Result<RunInfo> runInfo(const QString &runId);
    Result<Run> run(const QString &runId);
    Result<RunInfo> updateRun(const QString &runId, const RunStatus *status, qint64 endTime, const QString &runName);
    Status setRunLifecycle(const QString &runId, bool deleted);

    Status logParam(const QString &runId, const KeyValue &param);
    Status setTag(const QString &runId, const KeyValue &tag);
    Status deleteTag(const QString &runId, const QString &key);
    // Params and tags of a batch, all or nothing; metrics are checked here and returned to the
    // caller for the MetricWriter (validated: keys, the run active).
    Status logBatchParamsAndTags(const QString &runId, const QVector<KeyValue> &params, const QVector<KeyValue> &tags);
    // MLflow's runs/log-inputs: every input checked (MLflow's limits; errors name
    // datasets[i]…), then all stored in one transaction. A dataset is kept once per experiment by
    // (name, digest) — the first logged fields win — and one already among the run's inputs is
    // not added again.
    Status logInputs(const QString &runId, const QVector<DatasetInput> &inputs);

    // The run exists and is active (logging to a deleted run is refused).
    Status checkActiveRun(const QString &runId);
    // MLflow's rule for keys (letters, digits, '_', '-', '.', ' ', '/'; no '..' segment), plus ':'
    // in param keys: a pipeline stage's param from another file than params.yaml is logged as
    // DVC names it, "other.yaml:lr" (core/pipeline/executor_tracking.cpp), and MLflow's own
    // server accepts ':' in names on POSIX since 2.x releases after 2.4.
    static Status validateKey(const QString &kind, const QString &key);
    // A stage's param name as a key validateKey accepts: `name` itself when it does, else with
    // each character it refuses replaced by '_' and cut to the length limit — logging a stage's
    // params never fails on a name that dvc.yaml allows.
    static QString paramKeyFor(const QString &name);
    static Status validateMetricKey(const QString &key) { return validateKey(QStringLiteral("metric"), key); }

    // RUNNING runs whose process died: FAILED with the reason. Returns how many were marked.
    Result<int> markDeadRuns(qint64 staleHeartbeatMs = 3600 * 1000);

private:
    qint64 nowMs() const;
    store::Database &m_db;
    const common::Clock &m_clock;
};

} // namespace orrery::tracking
