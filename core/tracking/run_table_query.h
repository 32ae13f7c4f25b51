#pragma once
// Queries behind the runs table of the workbench (and its charts): the ids of an experiment's
// runs ordered by any column in SQL, and the chosen columns of one page of runs.
//
// The table of 100,000 runs never holds more than the ordered ids and a few pages of rows: it asks
// orderedRunIds() once per filter or sort (one SQL statement; a metric or param sort joins its
// one key instead of running a subquery per row) and runRows() for the pages it shows.
//
// Threads: plain functions over the given Database (one connection per thread).

#include "core/common/status.h"
#include "core/tracking/tracking_types.h"

#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVector>

namespace orrery::store {
class Database;
}

namespace orrery::tracking {

struct RunColumn {
    // Attribute keys: run_name, status, start_time, end_time, duration, user_id, run_id.
    enum Kind { Attribute, Param, Metric, Tag };
    Kind kind = Attribute;
    QString key;
    bool operator==(const RunColumn &o) const { return kind == o.kind && key == o.key; }
    // "params.lr", "metrics.loss", "attributes.status": the search syntax's name of the column.
    QString qualifiedName() const;
};

struct RunTableQuery {
    QStringList experimentIds;    // empty: all experiments
    QString filter;               // MLflow search syntax
    ViewType view = ViewType::ActiveOnly;
    bool sorted = false;          // false: newest first (start_time DESC, run id)
    RunColumn sortColumn;
    bool descending = false;
};

// Ids in table order; runs without the sort column's value come last either way (as MLflow).
// Params sort as numbers when they are numbers, then as text. InvalidArgument for a bad filter,
// with the column of the error.
Result<QStringList> orderedRunIds(store::Database &db, const RunTableQuery &query);

// `ids` (in the default order, as orderedRunIds gives them unsorted) ordered by the latest value
// of metric `key`, runs without it last, ties in the order given. One read of the key's values and
// a sort in memory: at 100,000 runs a join in SQL costs several times more.
Result<QStringList> sortRunIdsByMetric(store::Database &db, const QStringList &ids, const QString &key, bool descending);

struct RunRow {
    RunInfo info;
    QVector<QVariant> values; // one per asked column: double for metrics (NaN when logged NaN), QString otherwise; invalid when missing
};

// The rows of `ids` (in that order; ids that no longer exist are left out) with `columns`.
Result<QVector<RunRow>> runRows(store::Database &db, const QStringList &ids, const QVector<RunColumn> &columns);

struct ExperimentKeys {
    QStringList params;
    QStringList metrics;
    QStringList tags;
};

// The param, metric and tag keys used by the newest `sampleRuns` runs of the experiments (all
// experiments when empty), sorted. Sampling keeps this fast at 100,000 runs; sweeps log the same
// keys in every run.
Result<ExperimentKeys> experimentKeys(store::Database &db, const QStringList &experimentIds, int sampleRuns = 2000);

// The metric keys logged by the given runs, sorted.
Result<QStringList> metricKeysOfRuns(store::Database &db, const QStringList &runIds);

// A cheap fingerprint of the runs of the experiments (count, newest start, last end, how many are
// running): a poll re-reads the table's ids only when it changes.
Result<QString> runsFingerprint(store::Database &db, const QStringList &experimentIds);

// The number of active runs in each experiment, by experiment id.
Result<QVector<std::pair<QString, qint64>>> runCounts(store::Database &db);

} // namespace orrery::tracking
