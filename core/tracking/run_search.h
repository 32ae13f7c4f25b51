#pragma once
// Searching runs with MLflow's filter syntax, ordered and paged — the runs table, `runs list
// --filter` and the REST runs/search share it.
//
//   metrics.auc > 0.9 and params.lr = '0.01' and attributes.status = 'FINISHED'
//   tags."mlflow.runName" LIKE 'base%'      params.`my-key` != 'x'      attributes.run_id IN ('a', 'b')
//
// Clauses joined with AND (there is no OR, as in MLflow). Metrics compare numbers (= != > >= <
// <=); params and tags compare strings (= != LIKE ILIKE); string attributes (run_id, run_name,
// status, user_id, artifact_uri) also take IN and NOT IN; start_time and end_time compare
// numbers. order_by items are "<ident> [ASC|DESC]"; the default order is start_time DESC, run_id.
// Errors name the position in the filter where parsing failed.

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

struct RunQuery {
    QStringList experimentIds;       // empty: all experiments
    QString filter;                  // MLflow syntax; empty: every run
    ViewType view = ViewType::ActiveOnly;
    QStringList orderBy;             // e.g. {"metrics.auc DESC", "attributes.start_time ASC"}
    int maxResults = 1000;           // MLflow's default; at most 50,000
    QString pageToken;               // from the previous page, opaque
};

struct RunPage {
    QVector<Run> runs;               // with params, tags and latest metrics
    QString nextPageToken;           // empty on the last page
};

Result<RunPage> searchRuns(store::Database &db, const RunQuery &query);

// The filter's translation to SQL, for tests and diagnostics: InvalidArgument with the column of
// the first error ("at column 17: expected a comparison operator after 'metrics.auc'").
Result<QString> filterToSql(const QString &filter, QVector<QVariant> *bindings);

} // namespace orrery::tracking
