#include "ui/experiments/experiment_area.h"

#include "core/tracking/tracking_store.h"
#include "core/workspace/workspace.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/common/navigator.h"
#include "ui/experiments/column_menu.h"
#include "ui/experiments/experiment_list_model.h"
#include "ui/experiments/experiment_worker.h"
#include "ui/experiments/run_compare_view.h"
#include "ui/experiments/run_diff_view.h"
#include "ui/experiments/run_label.h"
#include "ui/experiments/run_parallel_coordinates.h"
#include "ui/experiments/run_scatter_view.h"
#include "ui/experiments/run_table_model.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QSet>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTreeView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace orrery::ui {

using tracking::RunColumn;

ExperimentArea::ExperimentArea(const AreaInfo &area, QWidget *parent) : ExperimentArea(area, nullptr, parent)
{
}

ExperimentArea::ExperimentArea(const AreaInfo &area, Navigator *navigator, QWidget *parent)
    : QWidget(parent),
      m_tableWorker(new ExperimentWorker(QStringLiteral("experiments-table"), this)),
      m_chartWorker(new ExperimentWorker(QStringLiteral("experiments-charts"), this)),
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
    connect(m_parallel, &RunParallelCoordinates::brushedRunsChanged, this, [this](const QStringList &ids, bool active) {
        m_scatter->setHighlighted(active ? ids : QStringList());
    });
    if (navigator)
        navigator->registerHandler(QStringLiteral("run"), this, [this](const ObjectRef &ref) { showRun(ref.id); });
    clear();
}

ExperimentArea::~ExperimentArea()
{
    // The workers' threads stop before the views their answers are for are destroyed.
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
        auto experiments = store.experiments();
        if (!experiments)
            return experiments.status();
        auto counts = tracking::runCounts(db);
        if (!counts)
            return counts.status();
        QVector<ExperimentEntry> entries;
        for (const auto &e : *experiments) {
            ExperimentEntry entry{e, 0};
            for (const auto &c : *counts)
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

namespace {

struct KeysAndDefaults {
    tracking::ExperimentKeys keys;
    QStringList defaultParams, defaultMetrics;
};

// The columns a table opens with: what tells the runs apart (params whose values vary among the
// newest runs) and the main results (the metrics most of those runs have, val_* first, as the
// figure a model is judged by). Constant params (data.label for every run) say nothing per row.
void chooseDefaults(KeysAndDefaults &k, const QVector<tracking::RunRow> &rows, int maxParams, int maxMetrics)
{
    const int params = int(k.keys.params.size());
    for (int c = 0; c < params && k.defaultParams.size() < maxParams; ++c) {
        QSet<QString> values;
        for (const auto &r : rows)
            if (const QVariant v = r.values.value(c); v.isValid())
                values.insert(v.toString());
        if (values.size() > 1)
            k.defaultParams << k.keys.params[c];
    }
    QVector<QPair<int, QString>> covered; // runs having the metric, key
    int most = 0;
    for (int m = 0; m < k.keys.metrics.size(); ++m) {
        int n = 0;
        for (const auto &r : rows)
            n += r.values.value(params + m).isValid() ? 1 : 0;
        covered.append({n, k.keys.metrics[m]});
        most = std::max(most, n);
    }
    // "Most runs": at least half as many as the best-covered metric (a pipeline's stage runs each
    // log their own few metrics; the trainer's are on every training run).
    QStringList val, other;
    for (const auto &[n, key] : std::as_const(covered)) {
        if (n == 0 || 2 * n < most)
            continue;
        (key.startsWith(QLatin1String("val_")) || key.startsWith(QLatin1String("val.")) ? val : other) << key;
    }
    k.defaultMetrics = (val + other).mid(0, maxMetrics);
}

} // namespace

void ExperimentArea::loadKeys()
{
    const quint64 request = ++m_keysRequest;
    const QStringList experiments = m_selectedExperiments;
    m_tableWorker->post<KeysAndDefaults>(
        [experiments](store::Database &db) -> Result<KeysAndDefaults> {
            KeysAndDefaults k;
            auto keys = tracking::experimentKeys(db, experiments);
            if (!keys)
                return keys.status();
            k.keys = std::move(*keys);
            tracking::RunTableQuery newest;
            newest.experimentIds = experiments;
            auto ids = tracking::orderedRunIds(db, newest);
            if (!ids)
                return ids.status();
            QVector<RunColumn> columns;
            for (const QString &p : std::as_const(k.keys.params))
                columns.append({RunColumn::Param, p});
            for (const QString &m : std::as_const(k.keys.metrics))
                columns.append({RunColumn::Metric, m});
            auto rows = tracking::runRows(db, ids->mid(0, kDefaultsSample), columns);
            if (!rows)
                return rows.status();
            chooseDefaults(k, *rows, kDefaultParamColumns, kDefaultMetricColumns);
            return k;
        }, this,
        [this, request](const Result<KeysAndDefaults> &keys) {
            if (request != m_keysRequest || !keys)
                return;
            m_paramKeys = keys->keys.params;
            m_metricKeys = keys->keys.metrics;
            if (!m_columnsChosenByUser) {
                m_chosenParams = keys->defaultParams;
                m_chosenMetrics = keys->defaultMetrics;
            }
            rebuildColumnMenu();
            const bool firstQuery = m_runs->experimentIds() != m_selectedExperiments;
            applyColumns(!firstQuery);
            if (firstQuery)
                m_runs->setQuery(m_selectedExperiments, m_filter->text().trimmed());
        });
}

void ExperimentArea::rebuildColumnMenu()
{
    QMenu *menu = m_columnsButton->menu();
    menu->clear();
    auto add = [this, menu](const QString &key, bool metric) {
        QAction *a = menu->addAction(key);
        a->setObjectName((metric ? QStringLiteral("column.metrics.") : QStringLiteral("column.params.")) + key);
        a->setCheckable(true);
        a->setChecked(metric ? m_chosenMetrics.contains(key) : m_chosenParams.contains(key));
        connect(a, &QAction::toggled, this, [this, key, metric](bool on) {
            QStringList &list = metric ? m_chosenMetrics : m_chosenParams;
            const QStringList &order = metric ? m_metricKeys : m_paramKeys;
            if (on && !list.contains(key))
                list << key;
            if (!on)
                list.removeAll(key);
            std::sort(list.begin(), list.end(), [&order](const QString &a, const QString &b) { return order.indexOf(a) < order.indexOf(b); });
            m_columnsChosenByUser = true;
            applyColumns(true);
        });
    };
    menu->addSection(tr("Metrics"));
    for (const QString &k : std::as_const(m_metricKeys))
        add(k, true);
    menu->addSection(tr("Params"));
    for (const QString &k : std::as_const(m_paramKeys))
        add(k, false);
}

void ExperimentArea::applyColumns(bool requery)
{
    QVector<RunColumn> columns;
    for (const QString &k : std::as_const(m_chosenMetrics))
        columns.append({RunColumn::Metric, k});
    for (const QString &k : std::as_const(m_chosenParams))
        columns.append({RunColumn::Param, k});
    if (columns == m_runs->extraColumns()) {
        fitColumnsToHeaders();
        return;
    }
    m_runs->setExtraColumns(columns);
    m_runView->header()->setSortIndicator(-1, Qt::AscendingOrder);
    fitColumnsToHeaders();
    if (requery) {
        m_runs->refresh();
        loadPopulation();
    }
}

void ExperimentArea::fitColumnsToHeaders()
{
    // Every header shows its whole text ("average_precision", not "verage_precisio"): a column is
    // as wide as its header asks (text, sort indicator, margins), never narrower than the default.
    // The Run column holds a name and a short id; Started a full timestamp.
    QHeaderView *header = m_runView->header();
    for (int c = 0; c < m_runs->columnCount(); ++c) {
        int width = std::max(header->defaultSectionSize(), header->sectionSizeHint(c));
        if (c == 0)
            width = std::max(width, 190 + 2 * m_runView->indentation()); // room for a stage run under its pipeline run
        if (c == 2)
            width = std::max(width, 140);
        m_runView->setColumnWidth(c, width);
    }
}

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
        auto rows = tracking::runRows(db, ids, columns);
        if (!rows)
            return rows.status();
        RunPopulation p;
        p.paramKeys = params;
        p.metricKeys = metrics;
        p.rows = std::move(*rows);
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
