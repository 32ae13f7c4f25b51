#pragma once
// RunTree: runs nested under their parent runs (MLflow's `mlflow.parentRunId` tag) — a pipeline
// run with its stage runs, a sweep with its trials — in the order a table query gave them.
//
// A run stands where the first run of its subtree stands in the query's order: sorted by val_loss,
// a pipeline run (which logs no val_loss itself) stands where its best stage run does, a sweep
// where its best trial does; its children follow the same rule among themselves.
//
// Positions are in level order: the top-level runs first, then each run's children together — so a
// table pages the top-level rows it shows first as one block, and a run's children as one block
// when it is expanded. A run whose parent is not among the runs (the filter hid it, or it is in
// another experiment) is a top-level row, so filtering and sorting work as in a flat table. A
// parent tag that makes a cycle (a client can set any tag) is ignored for the first run of the
// cycle in query order: every run appears exactly once.
//
// Positions are indexes into `ids`; at 100,000 runs the tree is a handful of int arrays.
//
// Threads: plain data; built on a worker, read on the GUI thread.

#include "core/common/status.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>

namespace orrery::store {
class Database;
}

namespace orrery::tracking {

struct RunTree {
    QStringList ids;         // level order (see above)
    QVector<int> parent;     // position of the parent in ids, -1 for a top-level run
    QVector<int> rowInParent;
    QVector<int> roots;      // positions of the top-level runs: 0 .. roots.size() - 1
    // The children of position p are childList[childStart[p] .. childStart[p + 1]).
    QVector<int> childStart; // size ids.size() + 1
    QVector<int> childList;

    int size() const { return int(ids.size()); }
    int childCount(int position) const { return childStart.value(position + 1) - childStart.value(position); }
    int child(int position, int row) const { return childList[childStart[position] + row]; }
    bool operator==(const RunTree &o) const { return ids == o.ids && parent == o.parent; }
    bool operator!=(const RunTree &o) const { return !(*this == o); }
};

// Nests `ordered` (a query's ids) under their parents; parentOf maps a child run to its parent.
RunTree arrangeRunTree(const QStringList &ordered, const QHash<QString, QString> &parentOf);

// The parent of every run of the experiments (all when empty) that has one, child → parent.
Result<QHash<QString, QString>> parentRunIds(store::Database &db, const QStringList &experimentIds);

} // namespace orrery::tracking
