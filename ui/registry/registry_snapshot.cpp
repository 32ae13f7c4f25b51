#include "ui/registry/registry_snapshot.h"

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
    }
    hash.addData(snap.model.toUtf8());
    snap.fingerprint = QString::fromLatin1(hash.result().toHex());
    return snap;
}

namespace {

Result<QString> applyAction(store::Database &db, RegistryAction action, const QString &model, int version, const QString &reason)
{
    registry::ModelRegistry reg(db);
    switch (action) {
    case RegistryAction::Promote: {
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

Result<QString> registryAction(store::Database &db, RegistryAction action, const QString &model, int version, const QString &reason)
{
    auto done = applyAction(db, action, model, version, reason);
    // Its webhooks are sent once now, on this worker (the window never waits on a receiver);
    // what fails is recorded and retried by the process holding the delivery lease.
    if (done)
        (void)registry::deliverPendingNow(db);
    return done;
}

} // namespace orrery::ui
