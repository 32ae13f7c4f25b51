#pragma once
// RunTableModel: the runs of the Experiments area as a table whose runs with children expand (a
// pipeline run with its stage runs, a sweep with its trials), paged from the database.
//
// The model holds the ordered ids of the runs that pass the filter (orderedRunIds: filter and sort
// run in SQL), arranged as a tracking::RunTree by their `mlflow.parentRunId` (a run whose parent
// the filter hid stays at the top level; a parent stands where its best child stands), and a small
// cache of pages of kPageSize rows with the chosen columns. Pages are over the tree's positions
// (top-level runs first, then each run's children as one block), so the collapsed table pages as
// a flat one did. data() for a row whose page is not cached answers "…" and asks the worker for
// that page, whose arrival emits dataChanged. At 100,000 runs the model holds 100,000 ids, a few
// int arrays and a few hundred rows — never the rows themselves (DESIGN.md: lists through
// adapters, never 100k rows into widgets).
//
// Columns: the run's name, status, start and duration, then the chosen params and metrics. sort()
// re-queries in SQL. refresh() (the area's poll) re-runs the query; when the ids are unchanged the
// cached rows stay on screen and are re-read as they are shown, so running runs update in place.
//
// Threads: GUI thread; all SQL runs on the store::DatabaseWorker given.

#include "core/tracking/run_table_query.h"
#include "core/tracking/run_tree.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QSet>
#include <QStringList>

#include <functional>
#include <memory>

namespace orrery::store {
class DatabaseWorker;
}

namespace orrery::ui {


class RunTableModel : public QAbstractItemModel {
    Q_OBJECT
public:
    static constexpr int kPageSize = 100;
    static constexpr int kMaxCachedPages = 40;
    static constexpr int kFixedColumns = 4; // name, status, started, duration
    enum Roles { RunIdRole = Qt::UserRole + 1, StatusRole, SortValueRole };

    explicit RunTableModel(store::DatabaseWorker *worker, QObject *parent = nullptr);

    // A new query (experiments and filter); the sort order is kept. Emits queryApplied or
    // queryFailed when the answer arrives.
    void setQuery(const QStringList &experimentIds, const QString &filter);
    QString filter() const { return m_query.filter; }
    const tracking::RunTableQuery &query() const { return m_query; }
    QStringList experimentIds() const { return m_query.experimentIds; }
    // Re-runs the current query (new runs appear, running runs update).
    void refresh();
    void clear();

    // The chosen param/metric columns (after the fixed ones).
    void setExtraColumns(const QVector<tracking::RunColumn> &columns);
    QVector<tracking::RunColumn> extraColumns() const { return m_columns.mid(kFixedColumns); }
    tracking::RunColumn column(int index) const { return m_columns.value(index); }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // How many runs pass the filter (top-level and nested).
    int runCount() const { return m_tree.size(); }
    QString runId(const QModelIndex &index) const;
    QModelIndex indexOfRun(const QString &runId, int column = 0) const; // a linear search
    // The rows of these runs (those the table has), in one pass over the runs.
    QModelIndexList indexesOfRuns(const QStringList &runIds) const;
    // The row of the run at `position` of tree().
    QModelIndex indexAt(int position, int column = 0) const;
    // The runs that pass the filter in the query's order (sort and filter, not nested).
    const QStringList &runIds() const { return m_queryOrder; }
    const tracking::RunTree &tree() const { return m_tree; }
    // The cached row of a run, if its page is loaded.
    const tracking::RunRow *cachedRow(const QModelIndex &index) const;
    bool isLoading() const { return m_loading; }
    int cachedPageCount() const { return int(m_pages.size()); }

    // The rows of `ids` (all runs when empty) as CSV with a header, delivered by csvReady.
    void requestCsv(const QStringList &ids);
    static QString toCsv(const QVector<tracking::RunColumn> &columns, const QVector<tracking::RunRow> &rows);

Q_SIGNALS:
    void queryApplied(int rows);
    void queryFailed(const QString &message);
    void pageLoaded(int page);
    void csvReady(const QString &csv);

private:
    void runQuery(bool keepRows, bool reuseDefaultOrder, bool reloadParents = false);
    QString scopeKey() const;
    void requestPage(int page) const;
    void applyPage(int page, quint64 generation, const QVector<tracking::RunRow> &rows);
    void setTree(tracking::RunTree tree, const QStringList &queryOrder);
    const tracking::RunRow *rowAt(int position) const;
    // dataChanged for positions first..last, one signal per block of siblings.
    void emitChanged(int first, int last);
    static QString displayValue(const tracking::RunColumn &column, const QVariant &value);

    store::DatabaseWorker *m_worker;
    tracking::RunTableQuery m_query;
    QVector<tracking::RunColumn> m_columns;
    tracking::RunTree m_tree;
    // The runs' parents (child → parent) for m_parentsScope's experiments: read again when runs
    // arrive or the experiments change, not for each sort or filter (~100 ms at 100,000 runs).
    std::shared_ptr<const QHash<QString, QString>> m_parents;
    QStringList m_parentsScope;
    QStringList m_queryOrder;
    QStringList m_defaultIds; // the same runs in the default order (for metric sorts), when known
    QString m_defaultScope;   // the experiments and filter m_defaultIds are for
    QString m_fingerprint;    // of the runs at the last poll (runsFingerprint)
    quint64 m_generation = 0; // of the ids: pages asked for older ids are dropped
    quint64 m_queryRequest = 0;
    bool m_loading = false;
    mutable QHash<int, QVector<tracking::RunRow>> m_pages;
    mutable QSet<int> m_requested;
    mutable QSet<int> m_stale;
    mutable QList<int> m_pageOrder; // least recently loaded first
};

} // namespace orrery::ui
