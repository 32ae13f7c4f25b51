#include "ui/deployments/deployments_snapshot.h"

#include "core/common/system_info.h"
#include "core/registry/model_registry.h"
#include "core/registry/webhook_dispatcher.h"
#include "core/store/database.h"

#include <QHash>

#include <algorithm>

namespace orrery::ui {

Result<DeploymentsSnapshot> loadDeploymentsSnapshot(store::Database &db, const QString &endpoint, qint64 knownRevision, bool force)
{
    deploy::DeploymentStore store(db, QString());
    DeploymentsSnapshot snap;
    ORRERY_ASSIGN_OR_RETURN(snap.revision, store.revision());
    ORRERY_ASSIGN_OR_RETURN(snap.servers, deploy::liveServers(db));
    if (!force && knownRevision >= 0 && snap.revision == knownRevision)
        return snap;
    snap.deploymentsRead = true;
    ORRERY_ASSIGN_OR_RETURN(snap.deployments, store.list());
    // The selected endpoint, or the first one while none is selected or it is gone.
    const bool exists = std::any_of(snap.deployments.cbegin(), snap.deployments.cend(), [&](const auto &d) { return d.endpoint == endpoint; });
    snap.eventsEndpoint = exists ? endpoint : snap.deployments.isEmpty() ? QString() : snap.deployments.first().endpoint;
    if (!snap.eventsEndpoint.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(snap.events, store.events(snap.eventsEndpoint));
        int current = 0;
        for (const auto &d : std::as_const(snap.deployments))
            if (d.endpoint == snap.eventsEndpoint)
                current = d.stableVersion;
        // Every version the endpoint served (the rollback dialog's choices), from all its events,
        // not only the 200 newest the timeline shows.
        ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT stable_version, MAX(id) FROM deployment_events WHERE endpoint = ? "
                                                                  "AND stable_version != 0 AND stable_version != ? GROUP BY stable_version ORDER BY MAX(id) DESC")));
        s.bind(1, snap.eventsEndpoint).bind(2, current);
        while (s.next())
            snap.servedVersions.append(int(s.int64(0)));
        ORRERY_TRY(s.status());
    }
    return snap;
}

QString deploymentActionName(DeploymentAction action)
{
    switch (action) {
    case DeploymentAction::Pause: return QStringLiteral("pause");
    case DeploymentAction::Resume: return QStringLiteral("resume");
    case DeploymentAction::Promote: return QStringLiteral("promote");
    case DeploymentAction::Abort: return QStringLiteral("abort");
    case DeploymentAction::Retry: return QStringLiteral("retry");
    case DeploymentAction::Rollback: return QStringLiteral("rollback");
    }
    return QString();
}

namespace {

QString describe(const deploy::Deployment &d)
{
    QString text = QStringLiteral("%1 is %2, serving v%3").arg(d.endpoint, deploy::phaseName(d.phase)).arg(d.stableVersion);
    if (d.candidateVersion)
        text += QStringLiteral(", candidate v%1").arg(d.candidateVersion);
    const QString progress = rolloutProgressText(d);
    if (!progress.isEmpty())
        text += QStringLiteral(" (%1)").arg(progress);
    return text;
}

} // namespace

Result<QString> deploymentAction(store::Database &db, const QString &cacheRoot, DeploymentAction action, const QString &endpoint, int version,
                                 const QString &reason)
{
    // The user is the actor, as the audit log names them (the events' "By").
    deploy::DeploymentStore store(db, cacheRoot, nullptr, common::osUserName());
    Result<deploy::Deployment> changed = Status(ErrorCode::InvalidArgument, QStringLiteral("unknown deployment action"));
    switch (action) {
    case DeploymentAction::Pause: changed = store.pause(endpoint, reason); break;
    case DeploymentAction::Resume: changed = store.resume(endpoint); break;
    case DeploymentAction::Promote: changed = store.promote(endpoint, reason); break;
    case DeploymentAction::Abort: changed = store.abort(endpoint, reason); break;
    case DeploymentAction::Retry: changed = store.retry(endpoint); break;
    case DeploymentAction::Rollback: changed = store.rollback(endpoint, version, reason); break;
    }
    ORRERY_ASSIGN_OR_RETURN(const deploy::Deployment done, std::move(changed));
    // Its webhooks are tried once now, on this worker (the window never waits on a receiver);
    // what fails is retried by the process holding the delivery lease.
    (void)registry::deliverPendingNow(db);
    static const QHash<DeploymentAction, QString> done_{{DeploymentAction::Pause, QStringLiteral("Paused")}, {DeploymentAction::Resume, QStringLiteral("Resumed")},
                                                        {DeploymentAction::Promote, QStringLiteral("Promoted")}, {DeploymentAction::Abort, QStringLiteral("Aborted")},
                                                        {DeploymentAction::Retry, QStringLiteral("Retried")}, {DeploymentAction::Rollback, QStringLiteral("Rolled back")}};
    return QStringLiteral("%1: %2").arg(done_.value(action), describe(done));
}

Result<QString> startRollout(store::Database &db, const QString &cacheRoot, const deploy::StartRequest &request)
{
    deploy::DeploymentStore store(db, cacheRoot, nullptr, common::osUserName());
    ORRERY_ASSIGN_OR_RETURN(const deploy::Deployment d, store.start(request));
    (void)registry::deliverPendingNow(db);
    return QStringLiteral("Started: %1").arg(describe(d));
}

Result<RolloutChoices> loadRolloutChoices(store::Database &db)
{
    registry::ModelRegistry reg(db);
    RolloutChoices choices;
    ORRERY_ASSIGN_OR_RETURN(const auto models, reg.models());
    for (const registry::RegisteredModel &m : models) {
        RolloutChoices::Model model;
        model.name = m.name;
        registry::VersionQuery q;
        q.name = m.name;
        q.limit = 1000;
        ORRERY_ASSIGN_OR_RETURN(auto versions, reg.versions(q));
        std::sort(versions.begin(), versions.end(), [](const auto &a, const auto &b) { return a.version > b.version; });
        for (const registry::ModelVersion &v : std::as_const(versions)) {
            QString blocker = registry::ModelRegistry::promotionBlockerOf(v);
            if (blocker.isEmpty() && v.format != QLatin1String("torchscript"))
                blocker = QStringLiteral("%1, not TorchScript").arg(v.format);
            model.versions.append({v.version, v.aliases, blocker});
        }
        choices.models.append(model);
    }
    deploy::DeploymentStore store(db, QString());
    ORRERY_ASSIGN_OR_RETURN(choices.endpoints, store.list());
    return choices;
}

QString rolloutProgressText(const deploy::Deployment &d)
{
    if (d.candidateVersion == 0)
        return QString();
    switch (d.strategy) {
    case deploy::Strategy::Canary:
        if (d.phase == deploy::Phase::Aborted)
            return QStringLiteral("aborted at step %1 of %2").arg(d.stepIndex + 1).arg(d.steps.size());
        return QStringLiteral("step %1 of %2: %3 %").arg(d.stepIndex + 1).arg(d.steps.size()).arg(d.canaryWeight);
    case deploy::Strategy::BlueGreen:
        return QStringLiteral("v%1 on preview %2").arg(d.candidateVersion).arg(deploy::previewEndpoint(d.endpoint));
    case deploy::Strategy::Shadow:
        return QStringLiteral("shadow copy to v%1").arg(d.candidateVersion);
    case deploy::Strategy::Direct:
        break;
    }
    return QString();
}

} // namespace orrery::ui
