#include "core/tracking/run_tree.h"

#include "core/store/database.h"

#include <QSet>

#include <algorithm>
#include <numeric>
#include <utility>

namespace orrery::tracking {

namespace {

// Children lists as one array (CSR): the children of i are list[start[i] .. start[i + 1]), in the
// order of their indexes.
void buildChildLists(const QVector<int> &parent, QVector<int> *start, QVector<int> *list, QVector<int> *rowInParent)
{
    const int n = int(parent.size());
    start->fill(0, n + 1);
    for (const int p : parent)
        if (p >= 0)
            ++(*start)[p + 1];
    for (int i = 0; i < n; ++i)
        (*start)[i + 1] += (*start)[i];
    list->resize(start->value(n));
    QVector<int> filled(n, 0);
    rowInParent->resize(n);
    int topLevel = 0;
    for (int i = 0; i < n; ++i) {
        const int p = parent[i];
        if (p < 0) {
            (*rowInParent)[i] = topLevel++;
            continue;
        }
        (*rowInParent)[i] = filled[p];
        (*list)[(*start)[p] + filled[p]++] = i;
    }
}

} // namespace

RunTree arrangeRunTree(const QStringList &ordered, const QHash<QString, QString> &parentOf)
{
    const int n = int(ordered.size());
    RunTree tree;
    // Where each run's parent is in `ordered` (-1: none, or not among these runs). Only runs that
    // are someone's parent get a position looked up: no hash of every id.
    QVector<int> inputParent(n, -1);
    if (!parentOf.isEmpty()) {
        QSet<QString> parents;
        for (auto it = parentOf.cbegin(); it != parentOf.cend(); ++it)
            parents.insert(it.value());
        QHash<QString, int> positionOfParent;
        for (int i = 0; i < n; ++i)
            if (parents.contains(ordered[i]))
                positionOfParent.insert(ordered[i], i);
        for (int i = 0; i < n && !positionOfParent.isEmpty(); ++i) {
            const auto it = parentOf.constFind(ordered[i]);
            if (it == parentOf.cend())
                continue;
            const int p = positionOfParent.value(it.value(), -1);
            inputParent[i] = p == i ? -1 : p;
        }
    }

    QVector<int> inputStart, inputChildren, unusedRows;
    buildChildLists(inputParent, &inputStart, &inputChildren, &unusedRows);

    // Which runs hang under a top-level run. One that does not has a chain of parents ending in a
    // cycle: the cycle's first run in query order becomes top-level, so only a tag inside the
    // cycle is ignored.
    QVector<char> reached(n, 0);
    QVector<int> stack;
    auto reach = [&](int top) {
        stack.append(top);
        while (!stack.isEmpty()) {
            const int u = stack.takeLast();
            reached[u] = 1;
            for (int c = inputStart[u]; c < inputStart[u + 1]; ++c)
                if (!reached[inputChildren[c]])
                    stack.append(inputChildren[c]);
        }
    };
    for (int i = 0; i < n; ++i)
        if (inputParent[i] < 0)
            reach(i);
    QVector<int> seenFrom(n, -1);
    bool cut = false;
    for (int i = 0; i < n; ++i) {
        if (reached[i])
            continue;
        int u = i;
        while (seenFrom[u] != i) {
            seenFrom[u] = i;
            u = inputParent[u];
        }
        int first = u;
        for (int v = inputParent[u]; v != u; v = inputParent[v])
            first = std::min(first, v);
        inputParent[first] = -1;
        cut = true;
        reach(first);
    }
    if (cut)
        buildChildLists(inputParent, &inputStart, &inputChildren, &unusedRows);

    // Each run ranks where the first run of its subtree stands in the query's order: sorted by
    // val_loss, a pipeline run (which logs no val_loss) stands where its best stage run stands, a
    // sweep where its best trial does. Parents before children, so a reverse walk of any level
    // order passes a subtree's minimum up.
    QVector<int> order; // input indexes, level order
    QVector<int> rank(n);
    std::iota(rank.begin(), rank.end(), 0);
    auto byRank = [&rank](int a, int b) { return rank[a] < rank[b]; };
    auto levelOrder = [&] {
        order.clear();
        for (int i = 0; i < n; ++i)
            if (inputParent[i] < 0)
                order.append(i);
        std::sort(order.begin(), order.end(), byRank);
        const int tops = int(order.size());
        for (int k = 0; k < order.size(); ++k)
            for (int c = inputStart[order[k]]; c < inputStart[order[k] + 1]; ++c)
                order.append(inputChildren[c]);
        return tops;
    };
    levelOrder();
    for (int k = n - 1; k >= 0; --k)
        if (const int p = inputParent[order[k]]; p >= 0)
            rank[p] = std::min(rank[p], rank[order[k]]);
    for (int u = 0; u < n; ++u)
        std::sort(inputChildren.begin() + inputStart[u], inputChildren.begin() + inputStart[u + 1], byRank);
    const int topLevel = levelOrder(); // top-level runs and each sibling block by rank
    QVector<int> outputOf(n, -1);
    for (int k = 0; k < n; ++k)
        outputOf[order[k]] = k;

    tree.ids.reserve(n);
    tree.parent.reserve(n);
    for (const int u : std::as_const(order)) {
        tree.ids.append(ordered[u]);
        tree.parent.append(inputParent[u] < 0 ? -1 : outputOf[inputParent[u]]);
    }
    buildChildLists(tree.parent, &tree.childStart, &tree.childList, &tree.rowInParent);
    tree.roots.resize(topLevel);
    std::iota(tree.roots.begin(), tree.roots.end(), 0);
    return tree;
}

Result<QHash<QString, QString>> parentRunIds(store::Database &db, const QStringList &experimentIds)
{
    QString sql = QStringLiteral("SELECT t.run_id, t.value FROM runs r JOIN tags t ON t.run_id = r.id AND t.key = 'mlflow.parentRunId'");
    QVector<QVariant> bindings;
    if (!experimentIds.isEmpty()) {
        QStringList marks;
        for (const QString &e : experimentIds) {
            marks << QStringLiteral("?");
            bindings.append(e.toLongLong());
        }
        sql += QStringLiteral(" WHERE r.experiment_id IN (%1)").arg(marks.join(QLatin1Char(',')));
    }
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(sql));
    s.bindAll(bindings);
    QHash<QString, QString> parentOf;
    while (s.next())
        parentOf.insert(s.text(0), s.text(1));
    ORRERY_TRY(s.status());
    return parentOf;
}

} // namespace orrery::tracking
