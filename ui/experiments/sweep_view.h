#pragma once
// SweepView: the Experiments area's Sweep tab — the sweep of the selected run, when that run is a
// sweep's own tracking run (tag orrery.sweep.id) or one of its trials (its parent is). It shows:
//   - a summary line: the sweep's state, its trials by state, the best trial and value, the budget;
//   - the live trial table (SweepTrialModel: sortable; pruned and failed rows marked, a failed
//     trial's reason as its tooltip); selecting a trial highlights its intermediate values;
//   - the trials and the best value so far over trial number (SweepHistoryPlot), and parameter
//     importance (SweepImportanceBars, core/tune/parameter_importance.h);
//   - tabs: intermediate values with pruned trials' ends marked (SweepStepsPlot), slice plots
//     (SweepSlicePlot), parallel coordinates of params → value (RunParallelCoordinates, as the
//     area's own tab draws runs);
//   - "Train the best configuration" and "Register it" (SweepActions).
//
// Reads run on the store::DatabaseWorker given (the area's sweep worker: a sweep of 100,000 trials
// never delays the runs table or the charts), through a SweepReader that reads every trial once and
// then only what changed. While the view is shown and its sweep runs, it polls every
// kPollIntervalMs; one read is in flight at a time, and an answer for a sweep no longer shown is
// dropped.
//
// Threads: GUI thread; SQL on the worker.

#include "ui/experiments/sweep_snapshot.h"

#include <QWidget>

#include <memory>

class QLabel;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTimer;

namespace orrery::store {
class DatabaseWorker;
}

namespace orrery::ui {

class RunParallelCoordinates;
class SweepActions;
class SweepHistoryPlot;
class SweepImportanceBars;
class SweepSlicePlot;
class SweepStepsPlot;
class SweepTrialModel;

class SweepView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kPollIntervalMs = 1000;

    explicit SweepView(store::DatabaseWorker *worker, QWidget *parent = nullptr);
    ~SweepView() override;

    // The workspace's folder (for the trials' configs and orrery-cli); setDatabasePath derives it
    // from a workspace's database path (ROOT/.orrery/orrery.db).
    void setWorkspaceRoot(const QString &root);
    void setDatabasePath(const QString &path);
    void setCliDir(const QString &dir);
    void clear();

    // The run selected in the area; empty when none or several are. Shows its sweep, with its
    // trial selected when it is a trial's run; otherwise says why there is nothing to show.
    void setRun(const QString &runId);
    // Shows sweep `sweepId` directly (benchmarks), selecting trial `trial` when ≥ 0.
    void showSweep(qint64 sweepId, int trial = -1);
    // Reads now what changed (the poll's read).
    void refresh();

    bool hasSweep() const { return m_snapshot != nullptr; }
    qint64 sweepId() const { return m_sweepId; }
    const SweepSnapshotPtr &snapshot() const { return m_snapshot; }
    bool isPolling() const;
    // A read is on the worker.
    bool isLoading() const { return m_inFlight; }

    QLabel *summaryLabel() const { return m_summary; }
    QLabel *placeholder() const { return m_placeholder; }
    QTableView *trialView() const { return m_table; }
    SweepTrialModel *trialModel() const { return m_model; }
    SweepHistoryPlot *historyPlot() const { return m_history; }
    SweepImportanceBars *importanceBars() const { return m_importance; }
    SweepStepsPlot *stepsPlot() const { return m_steps; }
    SweepSlicePlot *slicePlot() const { return m_slices; }
    RunParallelCoordinates *parallelView() const { return m_parallel; }
    QTabWidget *chartTabs() const { return m_charts; }
    SweepActions *actions() const { return m_actions; }

Q_SIGNALS:
    // After setRun's run was looked up: whether it belongs to a sweep, and whether it is the
    // sweep's own run (the area brings this tab forward for it).
    void runResolved(bool inSweep, bool isSweepRun);
    // After a snapshot was applied to the table and the plots.
    void snapshotApplied();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void read();
    void apply(const SweepSnapshotPtr &snapshot);
    void showPlaceholder(const QString &text);
    void updateSummary();
    void selectPendingTrial();
    void updatePolling();

    store::DatabaseWorker *m_worker;
    QStackedWidget *m_pages;
    QLabel *m_placeholder;
    QWidget *m_content;
    QLabel *m_summary;
    SweepActions *m_actions;
    QTableView *m_table;
    SweepTrialModel *m_model;
    SweepHistoryPlot *m_history;
    SweepImportanceBars *m_importance;
    QTabWidget *m_charts;
    SweepStepsPlot *m_steps;
    SweepSlicePlot *m_slices;
    RunParallelCoordinates *m_parallel;
    QTimer *m_poll;

    QString m_runId;
    qint64 m_sweepId = 0;
    int m_pendingTrial = -1;
    std::shared_ptr<SweepReader> m_reader; // used on the worker only
    SweepSnapshotPtr m_snapshot;
    // Answers of a replaced reader, or of an older look-up, are dropped. A reader's answer is never
    // dropped otherwise: it carries the changes the reader has consumed.
    quint64 m_readRequest = 0;
    quint64 m_resolveRequest = 0;
    bool m_inFlight = false; // a read
    bool m_columnsSized = false;
};

} // namespace orrery::ui
