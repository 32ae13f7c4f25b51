#pragma once
// DeploymentsSnapshot: what the Deployments area shows, read in one task on its worker thread —
// the endpoints (DeploymentStore::list), the selected endpoint's events, the running servers
// (liveServers) and the deploy revision they were read at. Plain data: the widgets get copies.
//
// The area polls about once a second with the revision it holds: a poll whose revision did not
// move reads only the servers (a process may have started or stopped; a server's applied
// revision moves without a deploy change), so an idle workspace costs one indexed read and a
// kill(pid, 0) per recorded server.
//
// deploymentAction() runs one change through DeploymentStore, so the window's changes are
// `orrery-cli deploy …`'s: the same checks, events, audit entries, webhooks and champion moves.
//
// Threads: loadDeploymentsSnapshot, deploymentAction and loadRolloutChoices run on the worker's
// thread with its Database.

#include "core/deploy/deployment.h"
#include "core/deploy/deployment_store.h"
#include "core/deploy/server_record.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace orrery::store {
class Database;
}

namespace orrery::ui {

struct DeploymentsSnapshot {
    qint64 revision = -1;
    bool deploymentsRead = false;                // false: revision unchanged, only servers read
    QVector<deploy::Deployment> deployments;     // by endpoint
    QString eventsEndpoint;                      // whose events these are
    QVector<deploy::DeploymentEvent> events;     // newest first
    QVector<int> servedVersions;                 // stable versions the endpoint served, newest first, current excluded
    QVector<deploy::ServerRecord> servers;
};

// `knownRevision` < 0 or `force`: read everything.
Result<DeploymentsSnapshot> loadDeploymentsSnapshot(store::Database &db, const QString &endpoint, qint64 knownRevision, bool force);

enum class DeploymentAction { Pause, Resume, Promote, Abort, Retry, Rollback };
QString deploymentActionName(DeploymentAction action); // "pause", …
// What was done, for the status line ("fraud: paused at step 2 (25 %)"); a refused change is the
// store's error, which names why.
Result<QString> deploymentAction(store::Database &db, const QString &cacheRoot, DeploymentAction action, const QString &endpoint,
                                 int version, const QString &reason);
Result<QString> startRollout(store::Database &db, const QString &cacheRoot, const deploy::StartRequest &request);

// What the "Start rollout…" dialog offers: registered models with their versions and aliases,
// and the endpoints with the model each serves.
struct RolloutChoices {
    struct Version {
        int version = 0;
        QStringList aliases;
        QString blocker; // why it may not serve (empty: it may)
    };
    struct Model {
        QString name;
        QVector<Version> versions; // newest first
    };
    QVector<Model> models;
    QVector<deploy::Deployment> endpoints;
};
Result<RolloutChoices> loadRolloutChoices(store::Database &db);

// "step 2 of 4: 25 %", "preview on fraud-preview", "shadow copy to v3", "" when not rolling out.
QString rolloutProgressText(const deploy::Deployment &d);

} // namespace orrery::ui
