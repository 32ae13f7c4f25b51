#pragma once
// ExperimentArea: the Experiments area of the workbench — the experiments on the left; the runs
// table (RunTableModel: runs with children expand — a pipeline run with its stage runs, a sweep
// with its trials —, paged from the database, filter in MLflow's search syntax with the error
// shown under the box, sort on any column, chosen param and metric columns, status colours) and
// under it the comparison of the selected runs: metric charts (RunCompareView), a params-versus-
// metric scatter, parallel coordinates with brushing, and the diff of two runs.
//
// Other areas open a run here through the Navigator (kind "run"): showRun() selects its experiment,
// clears a filter that hides it and selects it in the table once the table has it.
//
// The Sweep tab (SweepView) shows the sweep of the selected run when it is a sweep's run or one of
// its trials; selecting a sweep's own run brings that tab forward.
//
// While the workspace has no runs the area shows its empty state. Every query runs on one of three
// store::DatabaseWorker threads (the table's, the charts' and the sweep's), each with its own
// connection, so a long chart or sweep read never delays the table and the GUI thread never waits
// on SQLite. While shown, the area polls every ~2 s: new runs and experiments appear, running runs
// update in place (the Sweep tab polls its running sweep every second).
//
// Threads: GUI thread only.

#include "ui/experiments/run_population.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QListView;
class QStackedWidget;
class QTabWidget;
class QTreeView;
class QTimer;
class QToolButton;

namespace orrery::store {
class DatabaseWorker;
}

namespace orrery::ui {

class EmptyState;
class ExperimentListModel;
class Navigator;
class RunCompareView;
class RunDiffView;
class RunParallelCoordinates;
class RunScatterView;
class RunTableModel;
class SweepView;
struct AreaInfo;

class ExperimentArea : public QWidget {
    Q_OBJECT
public:
    static constexpr int kPollIntervalMs = 2000;
    static constexpr int kPopulationCap = 2000;
    // The default columns are chosen from the newest kDefaultsSample runs.
    static constexpr int kDefaultsSample = 500;
    static constexpr int kDefaultParamColumns = 6;
    static constexpr int kDefaultMetricColumns = 6;

    explicit ExperimentArea(const AreaInfo &area, QWidget *parent = nullptr);
    // Registers with `navigator` as the area that opens runs (may be null: nothing registered).
    ExperimentArea(const AreaInfo &area, Navigator *navigator, QWidget *parent = nullptr);
    ~ExperimentArea() override;

    void setWorkspaceRoot(const QString &root);
    // Opens a database directly (tests, benchmarks).
    void setDatabasePath(const QString &path);
    void clear();
    // Polls now (experiments and the table's query).
    void refresh();

    bool isShowingRuns() const;
    EmptyState *emptyState() const { return m_empty; }
    ExperimentListModel *experimentModel() const { return m_experiments; }
    QListView *experimentView() const { return m_experimentView; }
    RunTableModel *runModel() const { return m_runs; }
    QTreeView *runView() const { return m_runView; }
    QLineEdit *filterEdit() const { return m_filter; }
    QLabel *filterError() const { return m_filterError; }
    QToolButton *columnsButton() const { return m_columnsButton; }
    RunCompareView *compareView() const { return m_compare; }
    RunScatterView *scatterView() const { return m_scatter; }
    RunParallelCoordinates *parallelView() const { return m_parallel; }
    RunDiffView *diffView() const { return m_diff; }
    SweepView *sweepView() const { return m_sweep; }
    QTabWidget *tabs() const { return m_tabs; }
    store::DatabaseWorker *tableWorker() const { return m_tableWorker; }
    store::DatabaseWorker *chartWorker() const { return m_chartWorker; }
    store::DatabaseWorker *sweepWorker() const { return m_sweepWorker; }

    void selectExperiment(const QString &id);
    // Selects these runs in the table (and so compares them); with expandParents, expands the runs
    // they are under so that they are seen.
    void selectRuns(const QStringList &runIds, bool expandParents = true);
    void applyFilter(const QString &filter);
    void copyCsv();
    // Shows the run `runId` of the open workspace: its experiment selected, the filter cleared when
    // it hides the run, the run selected (and so compared) and scrolled to. Returns at once; the
    // newest call wins. A run the database does not have is named under the filter.
    void showRun(const QString &runId);
    // The Diff tab on runs `a` and `b` (Navigator kind "run_diff", id "A,B"), whatever the table
    // shows: the registry compares two versions' runs this way.
    void showRunDiff(const QString &a, const QString &b);
    const RunPopulation &population() const { return m_population; }

Q_SIGNALS:
    void csvCopied(const QString &csv);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void loadExperiments();
    void onExperimentSelectionChanged();
    void loadKeys();
    void rebuildColumnMenu();
    void applyColumns(bool requery);
    void fitColumnsToHeaders();
    void onRunSelectionChanged();
    void loadPopulation();
    void revealPendingRun(); // experiment_area_open.cpp

    store::DatabaseWorker *m_tableWorker;
    store::DatabaseWorker *m_chartWorker;
    store::DatabaseWorker *m_sweepWorker;
    ExperimentListModel *m_experiments;
    RunTableModel *m_runs;
    QStackedWidget *m_pages;
    EmptyState *m_empty;
    QWidget *m_content;
    QListView *m_experimentView;
    QLineEdit *m_filter;
    QLabel *m_filterError;
    QLabel *m_count;
    QToolButton *m_columnsButton;
    QTreeView *m_runView;
    QTabWidget *m_tabs;
    RunCompareView *m_compare;
    RunScatterView *m_scatter;
    RunParallelCoordinates *m_parallel;
    RunDiffView *m_diff;
    SweepView *m_sweep;
    QTimer *m_poll;
    QTimer *m_filterDelay;

    QString m_path;
    QStringList m_selectedExperiments;
    QStringList m_paramKeys, m_metricKeys;
    QStringList m_chosenParams, m_chosenMetrics;
    bool m_columnsChosenByUser = false;
    QStringList m_comparedIds;
    QStringList m_expandedIds; // the runs expanded in the table, kept across a reset of its rows
    RunPopulation m_population;
    quint64 m_experimentRequest = 0;
    quint64 m_keysRequest = 0;
    quint64 m_populationRequest = 0;
    // The run showRun() is bringing into view, its experiment once known, and how many queries it
    // has asked for (it gives up after a few: a run deleted meanwhile never appears).
    QString m_pendingRun;
    QString m_pendingExperiment;
    int m_pendingSteps = 0;
    quint64 m_openRequest = 0;
};

} // namespace orrery::ui
