#include "ui/automation/automation_area.h"

#include "core/store/database_worker.h"
#include "core/workspace/workspace.h"
#include "ui/automation/iteration_panel.h"
#include "ui/automation/iteration_table_model.h"
#include "ui/automation/loop_panel.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/common/navigator.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace orrery::ui {
namespace {

// Kept in the audit log beside the user's name, as the Deployments area's "in the Deployments area".
const char *kWhere = "in the Automation area";

} // namespace

AutomationArea::AutomationArea(const AreaInfo &area, Navigator *navigator, QWidget *parent)
    : QWidget(parent),
      m_worker(new store::DatabaseWorker(QStringLiteral("automation"), QString(), this)),
      m_pages(new QStackedWidget(this)),
      m_empty(new EmptyState(area.iconPath, area.emptyTitle, area.description, area.howToStart, m_pages)),
      m_content(new QWidget(m_pages)),
      m_loop(new LoopPanel(this)),
      m_view(new QTableView(this)),
      m_model(new IterationTableModel(this)),
      m_panel(new IterationPanel(navigator, this)),
      m_message(new QLabel(this)),
      m_poll(new QTimer(this))
{
    setObjectName(QStringLiteral("area.") + area.id);
    m_empty->setObjectName(QStringLiteral("automationEmpty"));
    m_message->setObjectName(QStringLiteral("automationMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->hide();

    m_view->setObjectName(QStringLiteral("automationTimeline"));
    m_view->setModel(m_model);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setAlternatingRowColors(true);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setMinimumSectionSize(40);
    m_view->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);

    auto *timeline = new QWidget(this);
    auto *timelineLayout = new QVBoxLayout(timeline);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    timelineLayout->setSpacing(2);
    timelineLayout->addWidget(new QLabel(tr("<b>Iterations</b> — newest first: what triggered each, how it ended and why"), timeline));
    timelineLayout->addWidget(m_view, 1);
    // The loop on top at the height its lines and triggers need; the timeline and the selected
    // iteration share the rest.
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(timeline);
    split->addWidget(m_panel);
    split->setChildrenCollapsible(false);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    split->setSizes({320, 380});
    m_view->setMinimumHeight(90);
    m_panel->setMinimumHeight(160);

    auto *contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    contentLayout->addWidget(m_message);
    contentLayout->addWidget(m_loop);
    contentLayout->addSpacing(4);
    contentLayout->addWidget(split, 1);
    m_pages->addWidget(m_empty);
    m_pages->addWidget(m_content);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_pages, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (m_updating)
            return;
        const QModelIndexList rows = m_view->selectionModel()->selectedRows();
        if (!rows.isEmpty())
            selectIteration(rows.first().data(IterationTableModel::IdRole).toLongLong());
    });
    connect(m_loop, &LoopPanel::pauseRequested, this, [this] { runAction(AutomationAction::Pause); });
    connect(m_loop, &LoopPanel::resumeRequested, this, [this] { runAction(AutomationAction::Resume); });
    connect(m_loop, &LoopPanel::triggerRequested, this, [this] { runAction(AutomationAction::Trigger); });
    connect(m_panel, &IterationPanel::approveRequested, this, [this](qint64 id) { runAction(AutomationAction::Approve, id); });
    connect(m_panel, &IterationPanel::rejectRequested, this, [this](qint64 id) { runAction(AutomationAction::Reject, id); });
    m_poll->setInterval(kPollMs);
    connect(m_poll, &QTimer::timeout, this, [this] { refresh(); });
    if (navigator)
        navigator->registerHandler(QStringLiteral("ct_iteration"), this, [this](const ObjectRef &ref) { selectIteration(ref.id.toLongLong()); });
    clear();
}

AutomationArea::~AutomationArea()
{
    delete m_worker; // its thread stops before the widgets its answers are for are destroyed
}

void AutomationArea::setWorkspaceRoot(const QString &root)
{
    clear();
    m_root = root;
    m_worker->setDatabasePath(workspace::Workspace::databasePathFor(root));
    if (isVisible()) // hidden, it reads when first shown
        refresh();
}

void AutomationArea::clear()
{
    m_root.clear();
    ++m_request;
    m_reading = m_readPending = m_actionRunning = false;
    m_worker->setDatabasePath({});
    m_snapshot = {};
    m_selected = 0;
    m_selectionChosen = false;
    m_sizedRows = -1;
    m_updating = true;
    m_model->setIterations({}, 0);
    m_updating = false;
    m_loop->clear();
    m_panel->setIteration(nullptr, {}, 0);
    m_panel->setBusy(false);
    m_message->hide();
    m_pages->setCurrentWidget(m_empty);
}

bool AutomationArea::isShowingLoop() const { return m_pages->currentWidget() == m_content; }

void AutomationArea::setPollIntervalMs(int ms) { m_poll->setInterval(ms); }

void AutomationArea::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_root.isEmpty())
        refresh();
    m_poll->start();
}

void AutomationArea::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_poll->stop();
}

void AutomationArea::refresh()
{
    if (m_root.isEmpty())
        return;
    if (m_reading) {
        m_readPending = true; // asked again once the one in flight answers
        return;
    }
    m_reading = true;
    const quint64 request = m_request;
    AutomationQuery q;
    q.root = m_root;
    q.iterationId = m_selectionChosen ? m_selected : 0;
    m_worker->post<AutomationSnapshot>([q](store::Database &db) { return loadAutomationSnapshot(db, q); }, this,
                                       [this, request](const Result<AutomationSnapshot> &result) {
                                           if (request != m_request)
                                               return; // for a workspace no longer open
                                           m_reading = false;
                                           ++m_reads;
                                           if (!result)
                                               showMessage(tr("Could not read the loop's records: %1").arg(result.status().message()), true);
                                           else
                                               apply(*result);
                                           Q_EMIT refreshed();
                                           if (m_readPending) {
                                               m_readPending = false;
                                               refresh();
                                           }
                                       });
}

void AutomationArea::apply(const AutomationSnapshot &snap)
{
    m_snapshot = snap;
    m_pages->setCurrentWidget(snap.configFound || !snap.iterations.isEmpty() ? m_content : static_cast<QWidget *>(m_empty));
    m_loop->setSnapshot(snap);

    m_updating = true;
    m_model->setIterations(snap.iterations, snap.now);
    // The user's choice stands while it exists (a read posted before the click may still answer
    // for the previous one); otherwise the snapshot's: the active iteration, else the newest.
    if (!(m_selectionChosen && m_model->find(m_selected))) {
        m_selectionChosen = false;
        m_selected = snap.selectedId;
    }
    if (const int row = m_model->rowOf(m_selected); row >= 0) {
        if (!m_view->selectionModel()->isRowSelected(row, {}))
            m_view->selectionModel()->select(m_model->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    } else {
        m_view->clearSelection();
    }
    m_updating = false;
    if (snap.selectedId == m_selected)
        m_panel->setIteration(m_model->find(m_selected), snap.steps, snap.now);
    else if (m_panel->iterationId() != m_selected)
        m_panel->setIteration(m_model->find(m_selected), {}, snap.now); // its steps come with the next read
    // Fitted when rows come or go, widened when a cell outgrows its column (the step in progress
    // moved on); the reason column takes what is left.
    const bool refit = m_model->rowCount() != m_sizedRows;
    m_sizedRows = m_model->rowCount();
    for (int c = IterationTableModel::IdColumn; c < IterationTableModel::ReasonColumn; ++c) {
        const int had = m_view->columnWidth(c);
        m_view->resizeColumnToContents(c);
        if (!refit && m_view->columnWidth(c) < had)
            m_view->setColumnWidth(c, had); // widths do not jitter as durations tick
    }
}

void AutomationArea::selectIteration(qint64 id)
{
    if (id <= 0)
        return;
    m_selected = id;
    m_selectionChosen = true;
    if (const int row = m_model->rowOf(id); row >= 0) {
        m_updating = true;
        if (!m_view->selectionModel()->isRowSelected(row, {}))
            m_view->selectionModel()->select(m_model->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_view->scrollTo(m_model->index(row, 0));
        m_updating = false;
        if (m_panel->iterationId() != id)
            m_panel->setIteration(m_model->find(id), {}, m_snapshot.now);
    }
    refresh();
}

void AutomationArea::setBusy(bool busy)
{
    m_actionRunning = busy;
    m_loop->setBusy(busy);
    m_panel->setBusy(busy);
}

void AutomationArea::showMessage(const QString &text, bool error)
{
    m_message->setStyleSheet(error ? QStringLiteral("color:#c62828") : QString());
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
}

void AutomationArea::runAction(AutomationAction action, qint64 iterationId)
{
    if (m_actionRunning || m_root.isEmpty())
        return;
    setBusy(true);
    showMessage(tr("Working…"), false);
    const quint64 request = m_request;
    const QString reason = action == AutomationAction::Resume ? QString() : QLatin1String(kWhere);
    m_worker->post<QString>([=](store::Database &db) { return automationAction(db, action, iterationId, reason); }, this,
                            [this, request, action](const Result<QString> &result) {
                                if (request != m_request)
                                    return;
                                setBusy(false);
                                if (result)
                                    showMessage(*result, false);
                                else
                                    showMessage(tr("Could not %1: %2").arg(automationActionName(action), result.status().message()), true);
                                refresh();
                                Q_EMIT actionFinished(result.isOk());
                            });
}

} // namespace orrery::ui
