// ExperimentArea's selection: the runs selected in the table are the runs compared (charts,
// diff), labelled by name, short id and the params that differ among them (from the population:
// the first kPopulationCap runs of the table, which also feeds the scatter and the parallel
// coordinates); Copy as CSV copies them.
#include "ui/experiments/experiment_area.h"

#include "core/store/database.h"
#include "core/store/database_worker.h"
#include "ui/experiments/run_compare_view.h"
#include "ui/experiments/run_diff_view.h"
#include "ui/experiments/run_label.h"
#include "ui/experiments/run_parallel_coordinates.h"
#include "ui/experiments/run_scatter_view.h"
#include "ui/experiments/run_table_model.h"
#include "ui/experiments/sweep_view.h"

#include <QItemSelectionModel>
#include <QTreeView>

#include <algorithm>

namespace orrery::ui {

using tracking::RunColumn;

void ExperimentArea::selectRuns(const QStringList &runIds, bool expandParents)
{
    QItemSelection selection;
    for (const QModelIndex &first : m_runs->indexesOfRuns(runIds)) {
        for (QModelIndex up = first.parent(); expandParents && up.isValid(); up = up.parent())
            m_runView->expand(up);
        selection.select(first, first.siblingAtColumn(m_runs->columnCount() - 1));
    }
    if (!selection.isEmpty() || runIds.isEmpty())
        m_runView->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

// The selected rows in the tree's order (top-level runs first, then children), which is the order
// the charts list them in.
static QModelIndexList selectedRunIndexes(const QItemSelectionModel *selection)
{
    QModelIndexList rows = selection->selectedRows();
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.internalId() < b.internalId(); });
    return rows;
}

void ExperimentArea::onRunSelectionChanged()
{
    const QModelIndexList rows = selectedRunIndexes(m_runView->selectionModel());
    QVector<CompareRun> runs;
    QStringList ids;
    for (const QModelIndex &r : rows)
        ids << m_runs->runId(r);
    // The params that differ among the compared runs go into the legends (from the population:
    // the first kPopulationCap runs of the table; a run past it shows its name and id only).
    const QHash<QString, QStringList> differing = runlabel::differingParams(m_population, ids);
    for (const QModelIndex &r : rows) {
        CompareRun c;
        c.id = m_runs->runId(r);
        if (const tracking::RunRow *row = m_runs->cachedRow(r)) {
            c.name = row->info.runName;
            c.status = row->info.status;
            c.startTime = row->info.startTime;
        }
        c.label = runlabel::legendLabel(c.name, c.id, differing.value(c.id));
        runs.append(c);
    }
    if (rows.isEmpty() && !m_comparedIds.isEmpty() && m_runs->isLoading())
        return; // the rows are being replaced; the selection comes back when they arrive
    m_sweep->setRun(ids.size() == 1 ? ids.first() : QString()); // the same run again: nothing to do
    bool sameNames = true;
    const auto current = m_compare->runs();
    for (int i = 0; sameNames && i < runs.size() && i < current.size(); ++i)
        sameNames = current[i].name == runs[i].name && current[i].label == runs[i].label;
    if (ids == m_comparedIds && sameNames)
        return;
    m_comparedIds = ids;
    m_compare->setRuns(runs);
    m_diff->setRuns(runs);
}

void ExperimentArea::loadPopulation()
{
    if (m_selectedExperiments.isEmpty())
        return;
    const quint64 request = ++m_populationRequest;
    const QStringList ids = m_runs->runIds().mid(0, kPopulationCap);
    const int total = m_runs->runCount();
    const QStringList params = m_paramKeys, metrics = m_metricKeys;
    m_tableWorker->post<RunPopulation>([ids, params, metrics, total](store::Database &db) -> Result<RunPopulation> {
        QVector<RunColumn> columns;
        for (const QString &k : params)
            columns.append({RunColumn::Param, k});
        for (const QString &k : metrics)
            columns.append({RunColumn::Metric, k});
        ORRERY_ASSIGN_OR_RETURN(auto rows, tracking::runRows(db, ids, columns));
        RunPopulation p;
        p.paramKeys = params;
        p.metricKeys = metrics;
        p.rows = std::move(rows);
        p.totalRuns = total;
        return p;
    }, this, [this, request](const Result<RunPopulation> &p) {
        if (request != m_populationRequest || !p)
            return;
        m_population = *p;
        // The scatter's y and the parallel coordinates' colour open on the metric the table is
        // sorted on, else the first val_ metric, else the first metric shown.
        QString preferred;
        if (m_runs->query().sorted && m_runs->query().sortColumn.kind == RunColumn::Metric)
            preferred = m_runs->query().sortColumn.key;
        for (int i = 0; preferred.isEmpty() && i < m_metricKeys.size(); ++i)
            if (m_metricKeys[i].startsWith(QLatin1String("val_")))
                preferred = m_metricKeys[i];
        if (preferred.isEmpty())
            preferred = m_chosenMetrics.value(0);
        m_scatter->setPreferredMetric(preferred);
        m_parallel->setPreferredMetric(preferred);
        m_scatter->setPopulation(m_population);
        m_parallel->setPopulation(m_population);
        if (!m_comparedIds.isEmpty())
            onRunSelectionChanged(); // the legends name the params that differ, known now
    });
}

void ExperimentArea::copyCsv()
{
    QStringList ids;
    for (const QModelIndex &r : selectedRunIndexes(m_runView->selectionModel()))
        ids << m_runs->runId(r);
    m_runs->requestCsv(ids);
}

} // namespace orrery::ui
