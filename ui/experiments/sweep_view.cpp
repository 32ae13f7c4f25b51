#include "ui/experiments/sweep_view.h"

#include "core/store/database_worker.h"
#include "ui/common/stat_format.h"
#include "ui/experiments/run_parallel_coordinates.h"
#include "ui/experiments/sweep_actions.h"
#include "ui/experiments/sweep_history_plot.h"
#include "ui/experiments/sweep_importance_bars.h"
#include "ui/experiments/sweep_slice_plot.h"
#include "ui/experiments/sweep_steps_plot.h"
#include "ui/experiments/sweep_trial_model.h"

#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace orrery::ui {

SweepView::SweepView(store::DatabaseWorker *worker, QWidget *parent)
    : QWidget(parent), m_worker(worker), m_pages(new QStackedWidget(this)), m_placeholder(new QLabel(m_pages)),
      m_content(new QWidget(m_pages)), m_summary(new QLabel(m_content)), m_actions(new SweepActions(m_content)),
      m_table(new QTableView(m_content)), m_model(new SweepTrialModel(this)), m_history(new SweepHistoryPlot(m_content)),
      m_importance(new SweepImportanceBars(m_content)), m_charts(new QTabWidget(m_content)), m_steps(new SweepStepsPlot(m_charts)),
      m_slices(new SweepSlicePlot(m_charts)), m_parallel(new RunParallelCoordinates(m_charts)), m_poll(new QTimer(this))
{
    setObjectName(QStringLiteral("sweepView"));
    m_placeholder->setObjectName(QStringLiteral("sweepPlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_summary->setObjectName(QStringLiteral("sweepSummary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);

    m_table->setObjectName(QStringLiteral("sweepTrialTable"));
    m_table->setModel(m_model);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->horizontalHeader()->setStretchLastSection(false);
    // 100,000 rows: no per-row sizing, no vertical header to lay out.
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);

    m_charts->setObjectName(QStringLiteral("sweepChartTabs"));
    m_charts->addTab(m_steps, tr("Intermediate values"));
    m_charts->addTab(m_slices, tr("Slices"));
    m_charts->addTab(m_parallel, tr("Parallel coordinates"));

    auto *top = new QSplitter(Qt::Horizontal, m_content);
    top->addWidget(m_history);
    top->addWidget(m_importance);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    top->setSizes({3, 2});
    auto *charts = new QSplitter(Qt::Vertical, m_content);
    charts->addWidget(top);
    charts->addWidget(m_charts);
    charts->setStretchFactor(0, 1);
    charts->setStretchFactor(1, 1);
    charts->setSizes({1, 1}); // half and half of whatever height the tab gets
    auto *main = new QSplitter(Qt::Horizontal, m_content);
    main->addWidget(m_table);
    main->addWidget(charts);
    main->setStretchFactor(0, 2);
    main->setStretchFactor(1, 3);
    auto *contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(4, 4, 4, 4);
    contentLayout->setSpacing(4);
    contentLayout->addWidget(m_summary);
    contentLayout->addWidget(m_actions);
    contentLayout->addWidget(main, 1);

    m_pages->addWidget(m_placeholder);
    m_pages->addWidget(m_content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_pages);

    m_poll->setInterval(kPollIntervalMs);
    connect(m_poll, &QTimer::timeout, this, &SweepView::refresh);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
        const tune::Trial *t = m_model->trialAt(current.row());
        m_steps->setSelectedTrial(t ? t->number : -1);
    });
    clear();
}

SweepView::~SweepView() = default;

void SweepView::setWorkspaceRoot(const QString &root)
{
    m_actions->setWorkspaceRoot(root);
}

void SweepView::setDatabasePath(const QString &path)
{
    clear();
    const QFileInfo db(path);
    const QDir dotOrrery = db.dir();
    // ROOT/.orrery/orrery.db; a bare database (tests, benchmarks) has no workspace folder.
    setWorkspaceRoot(
        dotOrrery.dirName() == QLatin1String(".orrery") ? QFileInfo(dotOrrery.absolutePath()).dir().absolutePath() : QString());
}

void SweepView::setCliDir(const QString &dir)
{
    m_actions->setCliDir(dir);
}

void SweepView::clear()
{
    ++m_readRequest;
    ++m_resolveRequest;
    m_inFlight = false;
    m_runId.clear();
    m_sweepId = 0;
    m_pendingTrial = -1;
    m_reader.reset();
    m_snapshot.reset();
    m_columnsSized = false;
    m_model->clear();
    m_history->setSnapshot(nullptr);
    m_steps->setSnapshot(nullptr);
    m_slices->setSnapshot(nullptr);
    m_importance->setImportance({});
    m_parallel->setPopulation({});
    m_actions->setSnapshot(nullptr);
    showPlaceholder(tr("Select a sweep's run (or one of its trials) in the table to see the sweep here: its trials as they "
                       "arrive, the best so far, which parameters matter, and the best configuration to train and register.\n\n"
                       "Start one with `orrery-cli tune sweep.yaml`."));
    updatePolling();
}

void SweepView::showPlaceholder(const QString &text)
{
    m_placeholder->setText(text);
    m_pages->setCurrentWidget(m_placeholder);
}

void SweepView::setRun(const QString &runId)
{
    if (runId == m_runId)
        return;
    m_runId = runId;
    if (runId.isEmpty()) {
        if (!m_snapshot)
            clear();
        return; // several runs, or none: the sweep last shown stays
    }
    const quint64 request = ++m_resolveRequest;
    m_worker->post<SweepRef>([runId](store::Database &db) { return resolveSweepOfRun(db, runId); }, this,
        [this, request, runId](const Result<SweepRef> &ref) {
            if (request != m_resolveRequest)
                return;
            if (!ref) {
                showPlaceholder(tr("Cannot read the sweep of run %1: %2").arg(runId, ref.status().message()));
                Q_EMIT runResolved(false, false);
                return;
            }
            if (ref->sweepId == 0) {
                const QString keep = m_runId;
                clear();
                m_runId = keep;
                showPlaceholder(tr("Run %1 is not part of a sweep. A sweep's own run (tagged orrery.sweep) or one of its trials shows "
                                   "the sweep here; start one with `orrery-cli tune sweep.yaml`.")
                                    .arg(runId.left(8)));
                Q_EMIT runResolved(false, false);
                return;
            }
            if (ref->sweepId == m_sweepId) {
                m_pendingTrial = ref->trial;
                selectPendingTrial();
            } else {
                showSweep(ref->sweepId, ref->trial);
            }
            Q_EMIT runResolved(true, ref->trial < 0);
        });
}

void SweepView::showSweep(qint64 sweepId, int trial)
{
    m_sweepId = sweepId;
    m_pendingTrial = trial;
    m_reader = std::make_shared<SweepReader>(sweepId);
    m_snapshot.reset();
    m_columnsSized = false;
    ++m_readRequest; // an answer of the previous reader is dropped
    m_inFlight = false;
    read();
}

void SweepView::refresh()
{
    if (m_reader && !m_inFlight)
        read();
}

void SweepView::read()
{
    const quint64 request = ++m_readRequest;
    m_inFlight = true;
    std::shared_ptr<SweepReader> reader = m_reader;
    m_worker->post<SweepSnapshotPtr>([reader](store::Database &db) { return reader->read(db); }, this,
        [this, request](const Result<SweepSnapshotPtr> &snapshot) {
            if (request != m_readRequest)
                return;
            m_inFlight = false;
            if (!snapshot) {
                showPlaceholder(tr("Cannot read sweep %1: %2").arg(m_sweepId).arg(snapshot.status().message()));
                updatePolling();
                return;
            }
            apply(*snapshot);
        });
}

void SweepView::apply(const SweepSnapshotPtr &snapshot)
{
    const bool newPopulation
        = !m_snapshot || m_snapshot->populationGeneration != snapshot->populationGeneration || m_snapshot->sweep.id != snapshot->sweep.id;
    m_snapshot = snapshot;
    m_pages->setCurrentWidget(m_content);
    m_model->setSnapshot(snapshot);
    if (!m_columnsSized) {
        // Header-wide columns, the state wide enough for "pruned at step 10": sized once, not
        // from 100,000 rows' contents.
        m_columnsSized = true;
        const QFontMetrics fm(m_table->font());
        for (int c = 0; c < m_model->columnCount(); ++c) {
            const QString header = m_model->headerData(c, Qt::Horizontal).toString();
            int w = fm.horizontalAdvance(header) + 28;
            if (c == SweepTrialModel::StateColumn)
                w = std::max(w, fm.horizontalAdvance(tr("pruned at step 100")) + 12);
            else if (c == SweepTrialModel::ValueColumn || c == SweepTrialModel::DurationColumn || c >= SweepTrialModel::kFixedColumns)
                w = std::max(w, fm.horizontalAdvance(QStringLiteral("0.000000")) + 12);
            else if (c == SweepTrialModel::NumberColumn)
                w = std::max(w, fm.horizontalAdvance(QStringLiteral("100000")) + 12);
            m_table->setColumnWidth(c, w);
        }
    }
    m_history->setSnapshot(snapshot);
    m_steps->setSnapshot(snapshot);
    m_slices->setSnapshot(snapshot);
    if (newPopulation) {
        m_importance->setImportance(snapshot->importance);
        m_parallel->setPreferredMetric(snapshot->sweep.metric);
        m_parallel->setPopulation(snapshot->population);
    }
    m_actions->setSnapshot(snapshot);
    updateSummary();
    selectPendingTrial();
    updatePolling();
    Q_EMIT snapshotApplied();
}

void SweepView::updateSummary()
{
    if (!m_snapshot)
        return;
    const tune::Sweep &w = m_snapshot->sweep;
    const tune::SweepSummary &s = m_snapshot->summary;
    QStringList counts;
    counts << tr("%1 complete").arg(statformat::count(s.complete)) << tr("%1 pruned").arg(statformat::count(s.pruned))
           << tr("%1 failed").arg(statformat::count(s.failed));
    if (s.running > 0)
        counts << tr("%1 running").arg(statformat::count(s.running));
    if (s.queued > 0)
        counts << tr("%1 queued").arg(statformat::count(s.queued));
    QString text
        = tr("<b>Sweep %1</b> · %2%3 · %4 trials: %5")
              .arg(w.name.toHtmlEscaped(), w.state, w.reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(w.reason.toHtmlEscaped()))
              .arg(statformat::count(m_snapshot->trials.size()))
              .arg(counts.join(QStringLiteral(", ")));
    if (s.bestTrial)
        text += tr(" · best: trial %1, %2 <b>%3</b> (%4)")
                    .arg(*s.bestTrial)
                    .arg(w.metric.toHtmlEscaped(), QString::number(*s.bestValue, 'g', 6), tune::directionName(w.direction));
    else
        text += tr(" · no complete trial yet");
    text += tr(" · %1 epochs in all").arg(statformat::count(s.stepsUsed));
    m_summary->setText(text);
}

void SweepView::selectPendingTrial()
{
    if (m_pendingTrial < 0 || !m_snapshot)
        return;
    const int row = m_model->rowOfTrial(m_pendingTrial);
    if (row < 0)
        return; // not read yet (a trial that just started): the next snapshot tries again
    m_pendingTrial = -1;
    m_table->selectRow(row);
    m_table->scrollTo(m_model->index(row, 0));
}

bool SweepView::isPolling() const
{
    return m_poll->isActive();
}

void SweepView::updatePolling()
{
    const bool want = isVisible() && m_snapshot && m_snapshot->isRunning();
    if (want && !m_poll->isActive())
        m_poll->start();
    else if (!want)
        m_poll->stop();
}

void SweepView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    refresh(); // what changed while hidden
    updatePolling();
}

void SweepView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    updatePolling();
}

} // namespace orrery::ui
