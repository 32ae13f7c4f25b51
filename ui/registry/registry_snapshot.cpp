#include "ui/registry/registry_snapshot.h"

#include "core/common/system_info.h"
#include "core/deploy/deployment_store.h"
#include "core/registry/model_registry.h"
#include "core/registry/webhook_dispatcher.h"
#include "core/store/database.h"

#include <QCryptographicHash>
#include <QJsonDocument>

#include <algorithm>

namespace orrery::ui {
namespace {

constexpr int kAuditLimit = 500;

Result<QVector<audit::AuditEntry>> modelAudit(store::Database &db, const QString &name)
{
    // substr() rather than LIKE: a model's name may hold '%' and '_'.
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral(
        "SELECT seq, time, actor, action, target, reason, details FROM audit_log "
        "WHERE target = ?1 OR substr(target, 1, length(?2)) = ?2 OR substr(target, 1, length(?3)) = ?3 "
        "ORDER BY seq DESC LIMIT ?4")));
    const QString exact = QStringLiteral("model ") + name;
    s.bind(1, exact).bind(2, exact + QStringLiteral(" v")).bind(3, exact + QStringLiteral("@")).bind(4, kAuditLimit);
    QVector<audit::AuditEntry> out;
    while (s.next()) {
        audit::AuditEntry e;
        e.seq = s.int64(0);
        e.time = QDateTime::fromString(s.text(1), Qt::ISODateWithMs);
        e.actor = s.text(2);
        e.action = s.text(3);
        e.target = s.text(4);
        e.reason = s.text(5);
        e.details = s.text(6);
        out.push_back(e);
    }
    ORRERY_TRY(s.status());
    return out;
}

} // namespace

Result<RegistrySnapshot> loadRegistrySnapshot(store::Database &db, const QString &model)
{
    registry::ModelRegistry reg(db);
    RegistrySnapshot snap;
    ORRERY_ASSIGN_OR_RETURN(snap.models, reg.models());
    QCryptographicHash hash(QCryptographicHash::Sha1);
    for (const registry::RegisteredModel &m : std::as_const(snap.models)) {
        hash.addData(QStringLiteral("%1|%2|%3|%4|%5;").arg(m.name).arg(m.versionCount).arg(m.lastUpdatedTime)
                         .arg(m.aliasVersion(QStringLiteral("champion"))).arg(m.aliasVersion(QStringLiteral("challenger"))).toUtf8());
    }
    snap.requestedModel = model;
    const bool exists = std::any_of(snap.models.cbegin(), snap.models.cend(), [&](const auto &m) { return m.name == model; });
    if (!snap.models.isEmpty()) {
        snap.model = exists ? model : snap.models.first().name;
        registry::VersionQuery q;
        q.name = snap.model;
        q.includeArchived = true;
        q.limit = 1000;
        ORRERY_ASSIGN_OR_RETURN(snap.versions, reg.versions(q));
        std::sort(snap.versions.begin(), snap.versions.end(), [](const auto &a, const auto &b) { return a.version > b.version; });
        for (const registry::ModelVersion &v : std::as_const(snap.versions)) {
            const QString blocker = registry::ModelRegistry::promotionBlockerOf(v);
            if (!blocker.isEmpty())
                snap.blockers.insert(v.version, blocker);
            hash.addData(QStringLiteral("%1|%2|%3|%4|%5|%6;").arg(v.version).arg(v.lastUpdatedTime).arg(v.aliases.join(QLatin1Char(',')))
                             .arg(v.archived).arg(registry::validationName(v.validation)).arg(blocker).toUtf8());
        }
        auto gates = reg.gates(snap.model);
        if (gates)
            snap.gates = *gates;
        ORRERY_ASSIGN_OR_RETURN(snap.audit, modelAudit(db, snap.model));
        ORRERY_ASSIGN_OR_RETURN(snap.aliasHistory, reg.aliasHistory(snap.model));
        std::sort(snap.aliasHistory.begin(), snap.aliasHistory.end(), [](const auto &a, const auto &b) { return a.time > b.time; });
        hash.addData(QStringLiteral("audit %1 %2").arg(snap.audit.isEmpty() ? 0 : snap.audit.first().seq).arg(snap.aliasHistory.size()).toUtf8());
        deploy::DeploymentStore deployments(db, QString());
        ORRERY_ASSIGN_OR_RETURN(const auto endpoints, deployments.list());
        for (const deploy::Deployment &d : endpoints) {
            if (d.model != snap.model || d.stableVersion == 0)
                continue;
            snap.endpoints.append(d);
            hash.addData(QStringLiteral("endpoint %1 %2").arg(d.endpoint).arg(d.revision).toUtf8());
        }
    }
    hash.addData(snap.model.toUtf8());
    snap.fingerprint = QString::fromLatin1(hash.result().toHex());
    return snap;
}

namespace {

// Promote while endpoints serve the model: each one's rollout of `version` (a canary by the
// store's default when replacing a version). Endpoints that already serve it are left alone; a
// refused start (a busy endpoint, an unservable version) is the answer, naming the endpoint.
Result<QString> startRollouts(store::Database &db, const QString &cacheRoot, const QString &model, int version, const QString &reason,
                              const QVector<deploy::Deployment> &endpoints)
{
    deploy::DeploymentStore store(db, cacheRoot, nullptr, common::osUserName());
    QStringList done;
    for (const deploy::Deployment &d : endpoints) {
        if (d.stableVersion == version && !d.rollingOut())
            continue;
        deploy::StartRequest request;
        request.endpoint = d.endpoint;
        request.model = model;
        request.version = version;
        request.reason = reason.isEmpty() ? QString() : QStringLiteral("v%1 → v%2: %3").arg(d.stableVersion).arg(version).arg(reason);
        auto started = store.start(request);
        if (!started)
            return started.status().withContext(QStringLiteral("promote %1 v%2 on endpoint %3").arg(model).arg(version).arg(d.endpoint));
        done << QStringLiteral("%1 rollout of v%2 started on endpoint %3").arg(deploy::strategyName(started->strategy)).arg(version).arg(d.endpoint);
    }
    if (done.isEmpty())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("%1 v%2 already serves every endpoint of %1").arg(model).arg(version));
    return QStringLiteral("%1; champion moves when it completes").arg(done.join(QStringLiteral("; ")));
}

Result<QString> applyAction(store::Database &db, RegistryAction action, const QString &model, int version, const QString &reason,
                            const QString &cacheRoot)
{
    registry::ModelRegistry reg(db);
    switch (action) {
    case RegistryAction::Promote: {
        {
            deploy::DeploymentStore deployments(db, cacheRoot);
            ORRERY_ASSIGN_OR_RETURN(const auto all, deployments.list());
            QVector<deploy::Deployment> serving;
            for (const deploy::Deployment &d : all)
                if (d.model == model && d.stableVersion != 0)
                    serving.append(d);
            if (!serving.isEmpty()) {
                // The version must be promotable all the same: the registry's gates decide, the
                // rollout decides how it reaches traffic.
                ORRERY_ASSIGN_OR_RETURN(const QString blocker, reg.promotionBlocker(model, version));
                if (!blocker.isEmpty())
                    return Status(ErrorCode::FailedPrecondition, QStringLiteral("cannot promote %1 v%2: %3").arg(model).arg(version).arg(blocker));
                return startRollouts(db, cacheRoot, model, version, reason, serving);
            }
        }
        ORRERY_ASSIGN_OR_RETURN(auto before, reg.model(model));
        const int previous = before.aliasVersion(QStringLiteral("champion"));
        ORRERY_ASSIGN_OR_RETURN(auto v, reg.promote(model, version, reason));
        return previous ? QStringLiteral("%1 v%2 is champion (was v%3)").arg(model).arg(v.version).arg(previous)
                        : QStringLiteral("%1 v%2 is champion").arg(model).arg(v.version);
    }
    case RegistryAction::Demote: {
        ORRERY_ASSIGN_OR_RETURN(int now, reg.demote(model, reason));
        return now ? QStringLiteral("%1: champion back to v%2").arg(model).arg(now)
                   : QStringLiteral("%1 has no champion now: no earlier champion may be served").arg(model);
    }
    case RegistryAction::Archive:
        ORRERY_TRY(reg.setArchived(model, version, true, reason));
        return QStringLiteral("%1 v%2 archived").arg(model).arg(version);
    case RegistryAction::Unarchive:
        ORRERY_TRY(reg.setArchived(model, version, false, reason));
        return QStringLiteral("%1 v%2 unarchived").arg(model).arg(version);
    }
    return Status(ErrorCode::InvalidArgument, QStringLiteral("unknown registry action"));
}

} // namespace

Result<QString> registryAction(store::Database &db, RegistryAction action, const QString &model, int version, const QString &reason,
                               const QString &cacheRoot)
{
    auto done = applyAction(db, action, model, version, reason, cacheRoot);
    // Its webhooks are sent once now, on this worker (the window never waits on a receiver);
    // what fails is recorded and retried by the process holding the delivery lease.
    if (done)
        (void)registry::deliverPendingNow(db);
    return done;
}

} // namespace orrery::ui
