#pragma once
// DeploymentsArea: the Deployments area of the workbench, over core/deploy's DeploymentStore.
//
//   server      | the local server (ServerPanel): URL, PID, applied revision, Start / Stop
//   endpoints   | one row per endpoint (EndpointTableModel): model, stable, candidate, strategy,
//               | phase, the traffic split as a bar, "step 2 of 4: 25 %", the message
//   actions     | Pause, Resume, Promote, Abort, Retry, Rollback… — each enabled only where the
//               | selected endpoint's phase allows it; a refused change shows the store's reason
//   timeline    | the selected endpoint's events with their detail (the analysis results)
//   live        | request rate, error rate, p50/p99 per version from the server's /metrics
//
// "Start rollout…" opens StartRolloutDialog with the registry's models and the endpoints.
//
// Every read and change runs on a store::DatabaseWorker (its own connection); while shown, the
// area polls about once a second with the deploy revision it holds (deployments_snapshot.h), so a
// change made by `orrery-cli deploy …` or by the server's rollout controller appears within a
// poll. The live figures come over loopback HTTP on the GUI thread's event loop, never waited on.
// The area registers with the Navigator as the handler of kind "deployment" (id: the endpoint).
//
// Threads: GUI thread only.

#include "ui/deployments/deployments_snapshot.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QStackedWidget;
class QTableView;
class QTimer;

namespace orrery::store {
class DatabaseWorker;
}

namespace orrery::ui {

class EmptyState;
class EndpointTableModel;
class LiveMetricsPanel;
class Navigator;
class RolloutTimeline;
class ServerPanel;
class StartRolloutDialog;
struct AreaInfo;

class DeploymentsArea : public QWidget {
    Q_OBJECT
public:
    static constexpr int kPollIntervalMs = 1000;

    DeploymentsArea(const AreaInfo &area, Navigator *navigator, QWidget *parent = nullptr);
    ~DeploymentsArea() override;

    void setWorkspaceRoot(const QString &root);
    void clear();
    // Polls now; `force` reads the endpoints even if the revision did not move.
    void refresh(bool force = false);
    void selectEndpoint(const QString &endpoint);
    // Opens "Start rollout…" once the registry's choices are read (preselecting `model`).
    void openStartDialog(const QString &model = QString());
    // Whose orrery-cli starts the server (tests; default: beside the executable).
    void setCliDir(const QString &dir);

    QString workspaceRoot() const { return m_root; }
    QString selectedEndpoint() const { return m_selected; }
    const DeploymentsSnapshot &snapshot() const { return m_snapshot; }
    bool isShowingEndpoints() const;
    EmptyState *emptyState() const { return m_empty; }
    QTableView *endpointView() const { return m_view; }
    EndpointTableModel *endpointModel() const { return m_model; }
    RolloutTimeline *timeline() const { return m_timeline; }
    ServerPanel *serverPanel() const { return m_server; }
    LiveMetricsPanel *livePanel() const { return m_live; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *actionButton(DeploymentAction action) const;
    QLabel *statusLabel() const { return m_status; }
    QLabel *selectionLabel() const { return m_selection; }
    store::DatabaseWorker *worker() const { return m_worker; }
    // The open "Start rollout…" dialog, or null.
    StartRolloutDialog *startDialog() const;

Q_SIGNALS:
    // After each snapshot was applied (tests wait on it).
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void apply(const DeploymentsSnapshot &snap);
    void setShowingEndpoints(bool on);
    void updateActions();
    void runAction(DeploymentAction action);
    void askRollbackVersion();
    void post(DeploymentAction action, int version, const QString &reason);
    void startRollout(const deploy::StartRequest &request);
    void showMessage(const QString &text, bool error);
    const deploy::Deployment *selected() const;

    store::DatabaseWorker *m_worker;
    QStackedWidget *m_pages;
    EmptyState *m_empty;
    QTableView *m_view;
    EndpointTableModel *m_model;
    ServerPanel *m_server;
    LiveMetricsPanel *m_live;
    RolloutTimeline *m_timeline;
    QPushButton *m_start;
    QList<std::pair<DeploymentAction, QPushButton *>> m_actions;
    QLabel *m_selection;
    QWidget *m_actionRow;
    QWidget *m_lower; // timeline and live figures: hidden while no endpoint exists
    QLabel *m_status;
    QTimer *m_poll;

    QString m_root;
    QString m_selected;
    DeploymentsSnapshot m_snapshot;
    quint64 m_request = 0;
    bool m_polling = false;
    bool m_forcePending = false;
    bool m_actionRunning = false;
    bool m_updating = false;
};

} // namespace orrery::ui
