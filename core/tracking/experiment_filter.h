#pragma once
// ExperimentFilter: MLflow's experiments/search filter and order_by, over experiments in memory
// (a workspace has tens of experiments, not millions).
//
//   name LIKE 'fraud%' AND tags.team = 'risk'      attribute.creation_time > 1700000000000
//
// Clauses `<ident> <op> <value>` joined with AND (no OR, as in MLflow). Identifiers: name,
// creation_time, last_update_time (optionally prefixed attribute./attributes./attr.), and
// tags.<key> / tag.<key> with the key quoted in "…" or `…` when it has special characters.
// Strings take = != LIKE ILIKE (values in '…' or "…"), times take = != < <= > >=. order_by
// items are "<name|experiment_id|creation_time|last_update_time> [ASC|DESC]"; the default order
// is creation_time DESC, then experiment_id ASC (as MLflow's stores).

#include "core/common/status.h"
#include "core/tracking/tracking_types.h"

#include <QStringList>
#include <QVector>

namespace orrery::tracking {

class ExperimentFilter {
public:
    // InvalidArgument naming the column where the filter stopped making sense.
    static Result<ExperimentFilter> parse(const QString &filter);
    bool matches(const Experiment &e) const;
    static Status sort(QVector<Experiment> &experiments, const QStringList &orderBy);

private:
    struct Clause {
        enum Kind { Name, CreationTime, LastUpdateTime, Tag } kind = Name;
        QString tagKey;
        QString op; // upper case
        QString text;
        qint64 number = 0;
    };
    QVector<Clause> m_clauses;
};

} // namespace orrery::tracking
