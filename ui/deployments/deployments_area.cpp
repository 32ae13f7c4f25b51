#include "ui/deployments/deployments_area.h"

#include "core/store/database_worker.h"
#include "core/workspace/workspace.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/common/navigator.h"
#include "ui/deployments/endpoint_table_model.h"
#include "ui/deployments/live_metrics_panel.h"
#include "ui/deployments/rollout_timeline.h"
#include "ui/deployments/server_panel.h"
#include "ui/deployments/start_rollout_dialog.h"
#include "ui/deployments/traffic_split_delegate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace orrery::ui {
namespace {

const char *kReason = "in the Deployments area";

QString cacheRootOf(const QString &root) { return root + QStringLiteral("/.orrery/cache"); }

} // namespace

DeploymentsArea::DeploymentsArea(const AreaInfo &area, Navigator *navigator, QWidget *parent)
    : QWidget(parent),
      m_worker(new store::DatabaseWorker(QStringLiteral("deployments"), QString(), this)),
      m_pages(new QStackedWidget(this)),
      m_empty(new EmptyState(area.iconPath, area.emptyTitle, area.description, area.howToStart, m_pages)),
      m_view(new QTableView(m_pages)),
      m_model(new EndpointTableModel(this)),
      m_server(new ServerPanel(this)),
      m_live(new LiveMetricsPanel(this)),
      m_timeline(new RolloutTimeline(this)),
      m_start(new QPushButton(tr("Start rollout…"), this)),
      m_selection(new QLabel(this)),
      m_status(new QLabel(this)),
      m_poll(new QTimer(this))
{
    setObjectName(QStringLiteral("area.") + area.id);
    m_empty->setObjectName(QStringLiteral("deploymentsEmpty"));
    m_start->setObjectName(QStringLiteral("deploymentStart"));
    m_start->setToolTip(tr("Serve a registered version on an endpoint: directly, or as a canary, blue-green or shadow rollout"));

    m_view->setObjectName(QStringLiteral("deploymentEndpoints"));
    m_view->setModel(m_model);
    m_view->setItemDelegateForColumn(EndpointTableModel::TrafficColumn, new TrafficSplitDelegate(m_view));
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setMinimumSectionSize(40);
    m_view->setMinimumHeight(90);

    // Actions, in the order a rollout meets them.
    const QList<std::pair<DeploymentAction, QString>> actions{
        {DeploymentAction::Pause, tr("Pause")},   {DeploymentAction::Resume, tr("Resume")}, {DeploymentAction::Promote, tr("Promote")},
        {DeploymentAction::Abort, tr("Abort")},   {DeploymentAction::Retry, tr("Retry")},   {DeploymentAction::Rollback, tr("Rollback…")}};
    const QHash<DeploymentAction, QString> tips{
        {DeploymentAction::Pause, tr("Hold the rollout at its step: the weights stay, no analysis advances it")},
        {DeploymentAction::Resume, tr("Continue the paused rollout; its step's pause is timed again")},
        {DeploymentAction::Promote, tr("Skip to full promotion: the candidate takes all traffic and becomes champion")},
        {DeploymentAction::Abort, tr("Take the candidate out at once (weight 0); the stable version keeps serving")},
        {DeploymentAction::Retry, tr("Start the aborted candidate again from its first step")},
        {DeploymentAction::Rollback, tr("Serve an earlier version at once; champion moves to it")}};
    m_actionRow = new QWidget(this);
    auto *actionBar = new QHBoxLayout(m_actionRow);
    actionBar->setContentsMargins(0, 0, 0, 0);
    for (const auto &[action, text] : actions) {
        auto *button = new QPushButton(text, m_actionRow);
        button->setObjectName(QStringLiteral("deploy.") + deploymentActionName(action));
        button->setToolTip(tips.value(action));
        actionBar->addWidget(button);
        m_actions.append({action, button});
        connect(button, &QPushButton::clicked, this, [this, action = action] { runAction(action); });
    }
    actionBar->addStretch(1);
    m_selection->setObjectName(QStringLiteral("deploymentSelection"));
    m_selection->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setObjectName(QStringLiteral("deploymentStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // Layout: server bar; endpoints over actions; timeline | live figures.
    auto *top = new QHBoxLayout;
    top->addWidget(m_start);
    top->addSpacing(8);
    top->addWidget(m_server, 1);
    m_pages->addWidget(m_empty);
    m_pages->addWidget(m_view);
    auto *upper = new QWidget(this);
    auto *upperLayout = new QVBoxLayout(upper);
    upperLayout->setContentsMargins(0, 0, 0, 0);
    upperLayout->addWidget(m_pages, 1);
    upperLayout->addWidget(m_selection);
    upperLayout->addWidget(m_actionRow);
    upperLayout->addWidget(m_status);
    auto *timelinePage = new QWidget(this);
    auto *timelineLayout = new QVBoxLayout(timelinePage);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    timelineLayout->addWidget(new QLabel(tr("<b>Timeline</b> — steps, pauses and analysis results"), timelinePage));
    timelineLayout->addWidget(m_timeline, 1);
    auto *livePage = new QWidget(this);
    auto *liveLayout = new QVBoxLayout(livePage);
    liveLayout->setContentsMargins(0, 0, 0, 0);
    liveLayout->addWidget(new QLabel(tr("<b>Live</b> — per version, from the server's /metrics"), livePage));
    liveLayout->addWidget(m_live, 1);
    auto *lower = new QSplitter(Qt::Horizontal, this);
    m_lower = lower;
    lower->addWidget(timelinePage);
    lower->addWidget(livePage);
    lower->setStretchFactor(0, 3);
    lower->setStretchFactor(1, 2);
    lower->setSizes({700, 480});
    // The panes may shrink below what their contents would like, so the area fits the window's
    // smallest width beside the mode bar and the Activity dock (tst_main_window: 1111 px).
    timelinePage->setMinimumWidth(220);
    livePage->setMinimumWidth(200);
    auto *main = new QSplitter(Qt::Vertical, this);
    main->addWidget(upper);
    main->addWidget(lower);
    main->setStretchFactor(0, 1);
    main->setStretchFactor(1, 2);
    main->setSizes({260, 540});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(top);
    layout->addWidget(main, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (m_updating)
            return;
        const QModelIndexList rows = m_view->selectionModel()->selectedRows();
        if (!rows.isEmpty())
            selectEndpoint(rows.first().data(EndpointTableModel::EndpointRole).toString());
    });
    connect(m_start, &QPushButton::clicked, this, [this] { openStartDialog(selected() ? selected()->model : QString()); });
    connect(m_server, &ServerPanel::message, this, &DeploymentsArea::showMessage);
    connect(m_server->startButton(), &QPushButton::clicked, this, [this] { refresh(); });
    connect(m_server->stopButton(), &QPushButton::clicked, this, [this] { refresh(); });
    m_poll->setInterval(kPollIntervalMs);
    connect(m_poll, &QTimer::timeout, this, [this] { refresh(); });
    if (navigator)
        navigator->registerHandler(QStringLiteral("deployment"), this, [this](const ObjectRef &ref) { selectEndpoint(ref.id); });
    clear();
}

DeploymentsArea::~DeploymentsArea()
{
    delete m_worker; // its thread stops before the views its answers are for are destroyed
}

void DeploymentsArea::setCliDir(const QString &dir) { m_server->setCliDir(dir); }

void DeploymentsArea::setWorkspaceRoot(const QString &root)
{
    clear();
    m_root = root;
    m_server->setWorkspaceRoot(root);
    m_worker->setDatabasePath(workspace::Workspace::databasePathFor(root));
    refresh(true);
}

void DeploymentsArea::clear()
{
    m_root.clear();
    ++m_request;
    m_polling = false;
    m_forcePending = false;
    m_worker->setDatabasePath({});
    m_snapshot = {};
    m_selected.clear();
    m_updating = true;
    m_model->setDeployments({});
    m_updating = false;
    m_timeline->clearEvents();
    m_server->setWorkspaceRoot({});
    m_live->setServerUrl({});
    m_live->setEndpoint({});
    m_status->clear();
    setShowingEndpoints(false);
    updateActions();
}

void DeploymentsArea::setShowingEndpoints(bool on)
{
    // With no endpoint, the empty state gets the whole area: there is no timeline to show, and
    // its text needs the room.
    m_pages->setCurrentWidget(on ? static_cast<QWidget *>(m_view) : m_empty);
    m_actionRow->setVisible(on);
    m_selection->setVisible(on);
    m_lower->setVisible(on);
}

bool DeploymentsArea::isShowingEndpoints() const { return m_pages->currentWidget() == m_view; }

void DeploymentsArea::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_root.isEmpty())
        refresh();
    m_poll->start();
}

void DeploymentsArea::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_poll->stop();
}

void DeploymentsArea::refresh(bool force)
{
    if (m_root.isEmpty())
        return;
    if (m_polling) {
        m_forcePending = m_forcePending || force; // asked again once the one in flight answers
        return;
    }
    m_polling = true;
    const quint64 request = m_request;
    const QString endpoint = m_selected;
    const qint64 known = force ? -1 : m_snapshot.revision;
    m_worker->post<DeploymentsSnapshot>(
        [endpoint, known](store::Database &db) { return loadDeploymentsSnapshot(db, endpoint, known, known < 0); }, this,
        [this, request](const Result<DeploymentsSnapshot> &result) {
            if (request != m_request)
                return; // for a workspace no longer open
            m_polling = false;
            if (!result)
                showMessage(tr("Could not read the deployments: %1").arg(result.status().message()), true);
            else
                apply(*result);
            Q_EMIT refreshed();
            if (m_forcePending) {
                m_forcePending = false;
                refresh(true);
            }
        });
}

void DeploymentsArea::apply(const DeploymentsSnapshot &snap)
{
    if (snap.deploymentsRead) {
        m_snapshot = snap;
        m_updating = true;
        m_model->setDeployments(snap.deployments);
        setShowingEndpoints(!snap.deployments.isEmpty());
        m_selected = snap.eventsEndpoint;
        if (const int row = m_model->rowOf(m_selected); row >= 0) {
            const QModelIndex index = m_model->index(row, 0);
            if (!m_view->selectionModel()->isRowSelected(row, {}))
                m_view->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        }
        m_updating = false;
        m_view->resizeColumnsToContents();
        m_timeline->setEvents(snap.events);
        m_live->setEndpoint(m_selected);
    } else {
        m_snapshot.servers = snap.servers;
    }
    m_server->setServers(snap.servers, m_snapshot.revision);
    m_live->setServerUrl(m_server->current() ? m_server->current()->url() : QString());
    updateActions();
}

void DeploymentsArea::selectEndpoint(const QString &endpoint)
{
    if (endpoint == m_selected)
        return;
    m_selected = endpoint;
    m_timeline->clearEvents();
    m_live->setEndpoint(endpoint);
    updateActions();
    refresh(true);
}

const deploy::Deployment *DeploymentsArea::selected() const { return m_model->find(m_selected); }

QPushButton *DeploymentsArea::actionButton(DeploymentAction action) const
{
    for (const auto &[a, button] : m_actions)
        if (a == action)
            return button;
    return nullptr;
}

void DeploymentsArea::updateActions()
{
    const deploy::Deployment *d = selected();
    const bool idle = d && !m_actionRunning;
    auto enable = [&](DeploymentAction a, bool on) { actionButton(a)->setEnabled(idle && on); };
    enable(DeploymentAction::Pause, d && d->phase == deploy::Phase::Progressing);
    enable(DeploymentAction::Resume, d && d->phase == deploy::Phase::Paused);
    enable(DeploymentAction::Promote, d && d->rollingOut());
    enable(DeploymentAction::Abort, d && d->rollingOut());
    enable(DeploymentAction::Retry, d && d->phase == deploy::Phase::Aborted && d->candidateVersion != 0);
    enable(DeploymentAction::Rollback, d && d->stableVersion != 0 && (!m_snapshot.servedVersions.isEmpty() || d->rollingOut()));
    if (d) {
        QString text = tr("<b>%1</b> serves %2 v%3").arg(d->endpoint.toHtmlEscaped(), d->model.toHtmlEscaped()).arg(d->stableVersion);
        if (d->candidateVersion)
            text += tr(" — %1 of v%2 %3").arg(deploy::strategyName(d->strategy)).arg(d->candidateVersion).arg(deploy::phaseName(d->phase));
        const QString progress = rolloutProgressText(*d);
        if (!progress.isEmpty())
            text += QStringLiteral(", ") + progress.toHtmlEscaped();
        if (!d->message.isEmpty())
            text += QStringLiteral(" — <i>%1</i>").arg(d->message.toHtmlEscaped());
        m_selection->setText(text);
    } else {
        m_selection->setText(m_model->rowCount() ? tr("Select an endpoint.") : QString());
    }
    m_start->setEnabled(!m_root.isEmpty());
}

void DeploymentsArea::showMessage(const QString &text, bool error)
{
    m_status->setStyleSheet(error ? QStringLiteral("color:#c62828") : QString());
    m_status->setText(text);
}

void DeploymentsArea::runAction(DeploymentAction action)
{
    const deploy::Deployment *d = selected();
    if (!d || m_actionRunning)
        return;
    if (action == DeploymentAction::Rollback) {
        askRollbackVersion();
        return;
    }
    const QString reason = action == DeploymentAction::Abort ? tr("aborted %1").arg(QLatin1String(kReason))
                         : action == DeploymentAction::Pause ? tr("paused %1").arg(QLatin1String(kReason))
                         : action == DeploymentAction::Promote ? tr("promoted %1").arg(QLatin1String(kReason))
                                                               : QString();
    post(action, 0, reason);
}

void DeploymentsArea::askRollbackVersion()
{
    const deploy::Deployment *d = selected();
    QStringList items;
    QList<int> versions = m_snapshot.servedVersions;
    if (d->rollingOut() && !versions.contains(d->stableVersion))
        versions.prepend(d->stableVersion); // ending a rollout on the version that serves now
    for (int i = 0; i < versions.size(); ++i)
        items << (versions[i] == d->stableVersion ? tr("v%1 (serves now: ends the rollout)").arg(versions[i])
                  : i == 0 || (i == 1 && versions[0] == d->stableVersion) ? tr("v%1 (served before v%2)").arg(versions[i]).arg(d->stableVersion)
                                                                          : tr("v%1").arg(versions[i]));
    // Default: the version that served before the current stable (the store's own default).
    int preselect = 0;
    for (int i = 0; i < versions.size(); ++i)
        if (versions[i] != d->stableVersion) {
            preselect = i;
            break;
        }
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("rollbackDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Roll back %1").arg(d->endpoint));
    dialog->setLabelText(tr("Serve which version on %1 at once? Champion moves to it.").arg(d->endpoint));
    dialog->setComboBoxItems(items);
    dialog->setComboBoxEditable(false);
    dialog->setTextValue(items.value(preselect));
    dialog->setOkButtonText(tr("Roll back"));
    const QString endpoint = d->endpoint;
    connect(dialog, &QInputDialog::textValueSelected, this, [this, items, versions, endpoint](const QString &chosen) {
        const int i = int(items.indexOf(chosen));
        if (i < 0 || endpoint != m_selected)
            return;
        post(DeploymentAction::Rollback, versions[i], tr("rolled back %1").arg(QLatin1String(kReason)));
    });
    dialog->open();
}

void DeploymentsArea::post(DeploymentAction action, int version, const QString &reason)
{
    const QString endpoint = m_selected;
    const QString cache = cacheRootOf(m_root);
    m_actionRunning = true;
    updateActions();
    showMessage(tr("Working…"), false);
    m_worker->post<QString>(
        [=](store::Database &db) { return deploymentAction(db, cache, action, endpoint, version, reason); }, this,
        [this, action](const Result<QString> &result) {
            m_actionRunning = false;
            if (result)
                showMessage(*result, false);
            else
                showMessage(tr("Could not %1: %2").arg(deploymentActionName(action), result.status().message()), true);
            updateActions();
            refresh(true);
        });
}

StartRolloutDialog *DeploymentsArea::startDialog() const { return findChild<StartRolloutDialog *>(); }

void DeploymentsArea::openStartDialog(const QString &model)
{
    if (m_root.isEmpty() || startDialog())
        return;
    const quint64 request = m_request;
    m_worker->post<RolloutChoices>([](store::Database &db) { return loadRolloutChoices(db); }, this,
                                   [this, model, request](const Result<RolloutChoices> &result) {
                                       if (request != m_request || startDialog())
                                           return;
                                       if (!result) {
                                           showMessage(tr("Could not read the registry: %1").arg(result.status().message()), true);
                                           return;
                                       }
                                       auto *dialog = new StartRolloutDialog(*result, this);
                                       dialog->setAttribute(Qt::WA_DeleteOnClose);
                                       if (!model.isEmpty())
                                           dialog->selectModel(model);
                                       connect(dialog, &QDialog::accepted, this, [this, dialog] { startRollout(dialog->request()); });
                                       dialog->open();
                                   });
}

void DeploymentsArea::startRollout(const deploy::StartRequest &request)
{
    const QString cache = cacheRootOf(m_root);
    m_actionRunning = true;
    updateActions();
    showMessage(tr("Starting…"), false);
    m_worker->post<QString>([=](store::Database &db) { return ui::startRollout(db, cache, request); }, this,
                            [this, endpoint = request.endpoint](const Result<QString> &result) {
                                m_actionRunning = false;
                                if (result) {
                                    showMessage(*result, false);
                                    m_selected = endpoint; // the next read shows its events
                                } else {
                                    showMessage(tr("Could not start the rollout: %1").arg(result.status().message()), true);
                                }
                                updateActions();
                                refresh(true);
                            });
}

} // namespace orrery::ui
