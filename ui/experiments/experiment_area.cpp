#include "ui/experiments/experiment_area.h"

#include "core/tracking/tracking_store.h"
#include "core/workspace/workspace.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/common/navigator.h"
#include "ui/experiments/column_menu.h"
#include "ui/experiments/experiment_list_model.h"
#include "core/store/database_worker.h"
#include "ui/experiments/run_compare_view.h"
#include "ui/experiments/run_diff_view.h"
#include "ui/experiments/run_parallel_coordinates.h"
#include "ui/experiments/run_scatter_view.h"
#include "ui/experiments/run_table_model.h"
#include "ui/experiments/sweep_view.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTreeView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace orrery::ui {

namespace {
// The table and the charts read 100,000 runs: their connections map the file instead of copying
// pages through read() calls, and keep more of it cached.
constexpr const char *kLargeReadSql = "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -65536";
} // namespace

using tracking::RunColumn;

ExperimentArea::ExperimentArea(const AreaInfo &area, QWidget *parent) : ExperimentArea(area, nullptr, parent)
{
}

ExperimentArea::ExperimentArea(const AreaInfo &area, Navigator *navigator, QWidget *parent)
    : QWidget(parent),
      m_tableWorker(new store::DatabaseWorker(QStringLiteral("experiments-table"), QLatin1String(kLargeReadSql), this)),
      m_chartWorker(new store::DatabaseWorker(QStringLiteral("experiments-charts"), QLatin1String(kLargeReadSql), this)),
      m_sweepWorker(new store::DatabaseWorker(QStringLiteral("experiments-sweep"), QLatin1String(kLargeReadSql), this)),
      m_experiments(new ExperimentListModel(this)),
      m_runs(new RunTableModel(m_tableWorker, this)),
      m_pages(new QStackedWidget(this)),
      m_empty(new EmptyState(area.iconPath, area.emptyTitle, area.description, area.howToStart, m_pages)),
      m_content(new QWidget(m_pages)),
      m_experimentView(new QListView(m_content)),
      m_filter(new QLineEdit(m_content)),
      m_filterError(new QLabel(m_content)),
      m_count(new QLabel(m_content)),
      m_columnsButton(new QToolButton(m_content)),
      m_runView(new QTreeView(m_content)),
      m_tabs(new QTabWidget(m_content)),
      m_compare(new RunCompareView(m_chartWorker, m_tabs)),
      m_scatter(new RunScatterView(m_tabs)),
      m_parallel(new RunParallelCoordinates(m_tabs)),
      m_diff(new RunDiffView(m_chartWorker, m_tabs)),
      m_sweep(new SweepView(m_sweepWorker, m_tabs)),
      m_poll(new QTimer(this)),
      m_filterDelay(new QTimer(this))
{
    setObjectName(QStringLiteral("area.") + area.id);
    m_empty->setObjectName(QStringLiteral("experimentsEmpty"));
    m_experimentView->setObjectName(QStringLiteral("experimentList"));
    m_experimentView->setModel(m_experiments);
    m_experimentView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_experimentView->setMinimumWidth(160);

    m_filter->setObjectName(QStringLiteral("runFilter"));
    m_filter->setPlaceholderText(tr("Filter: metrics.loss < 0.5 and params.optimizer = 'adam'"));
    m_filter->setClearButtonEnabled(true);
    m_filterError->setObjectName(QStringLiteral("runFilterError"));
    m_filterError->setWordWrap(true);
    m_filterError->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_filterError->hide();
    m_count->setObjectName(QStringLiteral("runCount"));
    m_columnsButton->setObjectName(QStringLiteral("columnsButton"));
    m_columnsButton->setText(tr("Columns"));
    m_columnsButton->setPopupMode(QToolButton::InstantPopup);
    m_columnsButton->setMenu(new ColumnMenu(m_columnsButton));
    auto *copy = new QToolButton(m_content);
    copy->setObjectName(QStringLiteral("copyCsvButton"));
    copy->setText(tr("Copy as CSV"));
    copy->setToolTip(tr("Copies the selected runs (all runs of the table when none is selected) with the shown columns"));

    m_runView->setObjectName(QStringLiteral("runTable"));
    m_runView->setModel(m_runs);
    m_runView->setSortingEnabled(true);
    m_runView->header()->setSortIndicator(-1, Qt::AscendingOrder);
    m_runView->header()->setSectionsMovable(true);
    m_runView->header()->setDefaultSectionSize(96);
    m_runView->header()->setStretchLastSection(false);
    m_runView->setUniformRowHeights(true); // 100,000 rows: no size hint asked per row
    m_runView->setIndentation(16);
    m_runView->setAllColumnsShowFocus(true);
    m_runView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_runView->setAlternatingRowColors(true);
    m_runView->setWordWrap(false);

    m_tabs->setObjectName(QStringLiteral("compareTabs"));
    m_tabs->addTab(m_compare, tr("Charts"));
    m_tabs->addTab(m_scatter, tr("Scatter"));
    m_tabs->addTab(m_parallel, tr("Parallel coordinates"));
    m_tabs->addTab(m_diff, tr("Diff"));
    m_tabs->addTab(m_sweep, tr("Sweep"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_columnsButton);
    bar->addWidget(copy);
    bar->addWidget(m_count);
    auto *tablePane = new QWidget(m_content);
    auto *tableLayout = new QVBoxLayout(tablePane);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->setSpacing(3);
    tableLayout->addLayout(bar);
    tableLayout->addWidget(m_filterError);
    tableLayout->addWidget(m_runView, 1);

    auto *vertical = new QSplitter(Qt::Vertical, m_content);
    vertical->addWidget(tablePane);
    vertical->addWidget(m_tabs);
    vertical->setStretchFactor(0, 2);
    vertical->setStretchFactor(1, 3);
    auto *horizontal = new QSplitter(Qt::Horizontal, m_content);
    horizontal->addWidget(m_experimentView);
    horizontal->addWidget(vertical);
    horizontal->setStretchFactor(1, 1);
    horizontal->setSizes({200, 1200});
    auto *contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(6, 6, 6, 6);
    contentLayout->addWidget(horizontal);

    m_pages->addWidget(m_empty);
    m_pages->addWidget(m_content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_pages);

    m_poll->setInterval(kPollIntervalMs);
    connect(m_poll, &QTimer::timeout, this, &ExperimentArea::refresh);
    m_filterDelay->setSingleShot(true);
    m_filterDelay->setInterval(400);
    connect(m_filterDelay, &QTimer::timeout, this, [this] { applyFilter(m_filter->text()); });
    connect(m_filter, &QLineEdit::textEdited, this, [this] { m_filterDelay->start(); });
    connect(m_filter, &QLineEdit::returnPressed, this, [this] { applyFilter(m_filter->text()); });
    connect(m_experimentView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ExperimentArea::onExperimentSelectionChanged);
    connect(m_runView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ExperimentArea::onRunSelectionChanged);
    connect(m_runs, &RunTableModel::queryFailed, this, [this](const QString &message) {
        m_filterError->setText(tr("Filter: %1").arg(message));
        m_filterError->show();
        m_filter->setStyleSheet(QStringLiteral("QLineEdit { border: 1px solid #c62828; }"));
    });
    connect(m_runs, &RunTableModel::queryApplied, this, [this](int rows) {
        m_filterError->hide();
        m_filter->setStyleSheet(QString());
        m_count->setText(tr("%n run(s)", nullptr, rows));
        // Keep the compared runs selected across a refresh that reset the rows.
        if (m_runView->selectionModel()->selectedRows().isEmpty() && !m_comparedIds.isEmpty()) {
            selectRuns(m_comparedIds, false); // as the user left them: collapsed stays collapsed
        }
        loadPopulation();
        revealPendingRun();
    });
    // A reset (new runs, another sort) rebuilds the tree: the runs the user expanded stay expanded.
    connect(m_runs, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        m_expandedIds.clear();
        const tracking::RunTree &tree = m_runs->tree();
        for (int p = 0; p < tree.size(); ++p)
            if (tree.childCount(p) > 0 && m_runView->isExpanded(m_runs->indexAt(p)))
                m_expandedIds << tree.ids[p];
    });
    connect(m_runs, &QAbstractItemModel::modelReset, this, [this] {
        for (const QModelIndex &i : m_runs->indexesOfRuns(m_expandedIds))
            m_runView->expand(i);
    });
    connect(m_runs, &RunTableModel::pageLoaded, this, [this](int page) {
        if (page == 0 && !m_comparedIds.isEmpty())
            onRunSelectionChanged(); // names and statuses of the compared runs are known now
    });
    connect(copy, &QToolButton::clicked, this, &ExperimentArea::copyCsv);
    connect(m_runs, &RunTableModel::csvReady, this, [this](const QString &csv) {
        QApplication::clipboard()->setText(csv);
        Q_EMIT csvCopied(csv);
    });
    // A sweep's own run logs no curves of its own: its Sweep tab is what there is to see.
    connect(m_sweep, &SweepView::runResolved, this, [this](bool inSweep, bool isSweepRun) {
        if (inSweep && isSweepRun)
            m_tabs->setCurrentWidget(m_sweep);
    });
    connect(m_parallel, &RunParallelCoordinates::brushedRunsChanged, this, [this](const QStringList &ids, bool active) {
        m_scatter->setHighlighted(active ? ids : QStringList());
    });
    if (navigator)
        navigator->registerHandler(QStringLiteral("run"), this, [this](const ObjectRef &ref) { showRun(ref.id); });
    if (navigator) // two runs, "A,B": their params, metrics and code side by side in the Diff tab
        navigator->registerHandler(QStringLiteral("run_diff"), this, [this](const ObjectRef &ref) {
            const QStringList ids = ref.id.split(QLatin1Char(','), Qt::SkipEmptyParts);
            if (ids.size() == 2)
                showRunDiff(ids[0], ids[1]);
        });
    clear();
}

ExperimentArea::~ExperimentArea()
{
    // The workers' threads stop before the views their answers are for are destroyed.
    delete m_sweepWorker;
    delete m_chartWorker;
    delete m_tableWorker;
}

void ExperimentArea::setWorkspaceRoot(const QString &root)
{
    setDatabasePath(workspace::Workspace::databasePathFor(root));
}

void ExperimentArea::setDatabasePath(const QString &path)
{
    m_path = path;
    m_tableWorker->setDatabasePath(path);
    m_chartWorker->setDatabasePath(path);
    m_sweepWorker->setDatabasePath(path);
    m_sweep->setDatabasePath(path); // ROOT/.orrery/orrery.db: the trials' configs are under ROOT
    m_selectedExperiments.clear();
    m_comparedIds.clear();
    m_columnsChosenByUser = false;
    m_pendingRun.clear(); // a run of the previous database
    ++m_openRequest;
    m_runs->clear();
    m_compare->clear();
    loadExperiments();
}

void ExperimentArea::clear()
{
    m_path.clear();
    m_pendingRun.clear();
    ++m_openRequest;
    m_tableWorker->setDatabasePath({});
    m_chartWorker->setDatabasePath({});
    m_sweepWorker->setDatabasePath({});
    m_sweep->clear();
    m_sweep->setWorkspaceRoot({});
    m_experiments->setEntries({});
    m_runs->clear();
    m_compare->clear();
    m_diff->setRuns({});
    m_population = {};
    m_scatter->setPopulation(m_population);
    m_parallel->setPopulation(m_population);
    m_pages->setCurrentWidget(m_empty);
}

bool ExperimentArea::isShowingRuns() const
{
    return m_pages->currentWidget() == m_content;
}

void ExperimentArea::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_path.isEmpty())
        refresh();
    m_poll->start();
}

void ExperimentArea::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_poll->stop();
}

void ExperimentArea::refresh()
{
    if (m_path.isEmpty())
        return;
    loadExperiments();
    if (!m_selectedExperiments.isEmpty() && !m_runs->isLoading())
        m_runs->refresh();
}

void ExperimentArea::loadExperiments()
{
    const quint64 request = ++m_experimentRequest;
    m_tableWorker->post<QVector<ExperimentEntry>>([](store::Database &db) -> Result<QVector<ExperimentEntry>> {
        tracking::TrackingStore store(db);
        ORRERY_ASSIGN_OR_RETURN(auto experiments, store.experiments());
        ORRERY_ASSIGN_OR_RETURN(auto counts, tracking::runCounts(db));
        QVector<ExperimentEntry> entries;
        for (const auto &e : experiments) {
            ExperimentEntry entry{e, 0};
            for (const auto &c : counts)
                if (c.first == e.id)
                    entry.runs = c.second;
            entries.append(entry);
        }
        return entries;
    }, this, [this, request](const Result<QVector<ExperimentEntry>> &entries) {
        if (request != m_experimentRequest || !entries)
            return;
        m_experiments->setEntries(*entries);
        const bool any = m_experiments->totalRuns() > 0;
        m_pages->setCurrentWidget(any ? m_content : m_empty);
        if (any && m_experimentView->selectionModel()->selectedRows().isEmpty()) {
            // The experiment with the most runs first: usually the one being worked on.
            int best = 0;
            for (int i = 1; i < entries->size(); ++i)
                if ((*entries)[i].runs > (*entries)[best].runs)
                    best = i;
            selectExperiment((*entries)[best].experiment.id);
        }
        revealPendingRun();
    });
}

void ExperimentArea::selectExperiment(const QString &id)
{
    const int row = m_experiments->rowOfId(id);
    if (row >= 0)
        m_experimentView->selectionModel()->select(m_experiments->index(row), QItemSelectionModel::ClearAndSelect);
}

void ExperimentArea::onExperimentSelectionChanged()
{
    QStringList ids;
    for (const QModelIndex &i : m_experimentView->selectionModel()->selectedRows())
        ids << i.data(ExperimentListModel::IdRole).toString();
    ids.sort();
    if (ids == m_selectedExperiments)
        return;
    m_selectedExperiments = ids;
    m_comparedIds.clear();
    m_compare->clear();
    if (ids.isEmpty()) {
        m_runs->clear();
        return;
    }
    // The keys first, so the first query already has its columns (one query of the ids, not two).
    loadKeys();
}

void ExperimentArea::applyFilter(const QString &filter)
{
    m_filterDelay->stop();
    if (m_filter->text() != filter)
        m_filter->setText(filter);
    m_runs->setQuery(m_selectedExperiments, filter.trimmed());
}

} // namespace orrery::ui
