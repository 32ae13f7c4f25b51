// ExperimentArea::showRun: bringing one run into view when another area opens it (Navigator kind
// "run"). The table is paged and every query is asynchronous, so the run is revealed in steps,
// each ending where an answer comes back to revealPendingRun(): the run's experiment (one read on
// the table's worker), the experiment list when the run is newer than it, the experiment's
// selection (keys, then the query), the filter cleared, one fresh query for a run newer than the
// table. A newer showRun(), another workspace or clear() drops the pending one.
#include "ui/experiments/experiment_area.h"

#include "core/store/database.h"
#include "core/tracking/tracking_store.h"
#include "ui/experiments/experiment_list_model.h"
#include "core/store/database_worker.h"
#include "ui/experiments/run_compare_view.h"
#include "ui/experiments/run_diff_view.h"
#include "ui/experiments/run_label.h"
#include "ui/experiments/run_table_model.h"

#include <QLabel>
#include <QLineEdit>
#include <QTabWidget>
#include <QTreeView>

namespace orrery::ui {
namespace {
// Queries a pending run may ask for before it is given up: the experiment list, the selection,
// the filter and a fresh query are four; one more for a poll that overtook one of them.
constexpr int kMaxRevealSteps = 5;
} // namespace

void ExperimentArea::showRun(const QString &runId)
{
    if (m_path.isEmpty() || runId.isEmpty())
        return;
    const quint64 request = ++m_openRequest;
    m_pendingRun = runId;
    m_pendingExperiment.clear();
    m_pendingSteps = 0;
    m_tableWorker->post<QString>([runId](store::Database &db) -> Result<QString> {
        ORRERY_ASSIGN_OR_RETURN(auto info, tracking::TrackingStore(db).runInfo(runId));
        return info.experimentId;
    }, this, [this, request, runId](const Result<QString> &experiment) {
        if (request != m_openRequest)
            return;
        if (!experiment) {
            m_pendingRun.clear();
            m_filterError->setText(tr("Cannot show run %1: %2").arg(runId, experiment.status().message()));
            m_filterError->show();
            return;
        }
        m_pendingExperiment = *experiment;
        revealPendingRun();
    });
}

void ExperimentArea::revealPendingRun()
{
    if (m_pendingRun.isEmpty() || m_pendingExperiment.isEmpty())
        return; // nothing pending, or its experiment is still being read
    const bool queryCurrent = !m_runs->isLoading() && m_runs->experimentIds() == m_selectedExperiments;
    if (const QModelIndex row = m_runs->indexOfRun(m_pendingRun); row.isValid() && queryCurrent) {
        selectRuns({m_pendingRun}); // expands the pipeline run a stage run is under
        m_runView->scrollTo(row);
        m_pendingRun.clear();
        m_pendingExperiment.clear();
        return;
    }
    if (m_selectedExperiments.contains(m_pendingExperiment) && !queryCurrent)
        return; // the experiment's query is under way and comes back here
    if (++m_pendingSteps > kMaxRevealSteps) {
        m_pendingRun.clear(); // not in the table after all that (deleted meanwhile): give up
        m_pendingExperiment.clear();
        return;
    }
    if (m_experiments->rowOfId(m_pendingExperiment) < 0)
        loadExperiments(); // a run newer than the list
    else if (!m_selectedExperiments.contains(m_pendingExperiment))
        selectExperiment(m_pendingExperiment); // keys, then the query
    else if (!m_runs->filter().isEmpty() || !m_filter->text().isEmpty())
        applyFilter(QString()); // the filter hides it
    else
        m_runs->refresh(); // a run newer than the table
}

void ExperimentArea::showRunDiff(const QString &a, const QString &b)
{
    if (m_path.isEmpty())
        return;
    const quint64 request = ++m_openRequest;
    m_tableWorker->post<QVector<CompareRun>>([a, b](store::Database &db) -> Result<QVector<CompareRun>> {
        QVector<CompareRun> runs;
        tracking::TrackingStore store(db);
        for (const QString &id : {a, b}) {
            ORRERY_ASSIGN_OR_RETURN(auto info, store.runInfo(id));
            CompareRun c;
            c.id = info.runId;
            c.name = info.runName;
            c.status = info.status;
            c.startTime = info.startTime;
            c.label = runlabel::nameWithId(info.runName, info.runId);
            runs.append(c);
        }
        return runs;
    }, this, [this, request](const Result<QVector<CompareRun>> &runs) {
        if (request != m_openRequest)
            return;
        if (!runs) {
            m_filterError->setText(tr("Cannot diff the runs: %1").arg(runs.status().message()));
            m_filterError->show();
            return;
        }
        m_diff->setRuns(*runs);
        m_tabs->setCurrentWidget(m_diff);
    });
}

} // namespace orrery::ui
