#pragma once
// RunTableModel: the runs of the Experiments area as a table, paged from the database.
//
// The model holds the ordered ids of the runs that pass the filter (orderedRunIds: filter and sort
// run in SQL) and a small cache of pages of kPageSize rows with the chosen columns; data() for a
// row whose page is not cached answers "…" and asks the worker for that page, whose arrival emits
// dataChanged. At 100,000 runs the model holds 100,000 ids and a few hundred rows — never the
// rows themselves (DESIGN.md: lists through adapters, never 100k rows into widgets).
//
// Columns: the run's name, status, start and duration, then the chosen params and metrics. sort()
// re-queries in SQL. refresh() (the area's poll) re-runs the query; when the ids are unchanged the
// cached rows stay on screen and are re-read as they are shown, so running runs update in place.
//
// Threads: GUI thread; all SQL runs on the ExperimentWorker given.

#include "core/tracking/run_table_query.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QStringList>

#include <functional>

namespace orrery::ui {

class ExperimentWorker;

class RunTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int kPageSize = 100;
    static constexpr int kMaxCachedPages = 40;
    static constexpr int kFixedColumns = 4; // name, status, started, duration
    enum Roles { RunIdRole = Qt::UserRole + 1, StatusRole, SortValueRole };

    explicit RunTableModel(ExperimentWorker *worker, QObject *parent = nullptr);

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

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    QString runId(int row) const { return m_ids.value(row); }
    int rowOfRun(const QString &runId) const { return m_ids.indexOf(runId); }
    const QStringList &runIds() const { return m_ids; }
    // The cached row of a run, if its page is loaded.
    const tracking::RunRow *cachedRow(int row) const;
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
    void runQuery(bool keepRows, bool reuseDefaultOrder);
    QString scopeKey() const;
    void requestPage(int page) const;
    void applyPage(int page, quint64 generation, const QVector<tracking::RunRow> &rows);
    static QString displayValue(const tracking::RunColumn &column, const QVariant &value);

    ExperimentWorker *m_worker;
    tracking::RunTableQuery m_query;
    QVector<tracking::RunColumn> m_columns;
    QStringList m_ids;
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
