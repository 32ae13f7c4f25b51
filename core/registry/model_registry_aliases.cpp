// ModelRegistry: aliases, their history, and champion/challenger (docs/architecture.md, "Models:
// champion and challenger").
#include "core/registry/model_registry.h"

#include "core/registry/registry_change.h"
#include "core/registry/registry_rows.h"
#include "core/store/database.h"

namespace orrery::registry {

namespace {

const QString kChampion = QStringLiteral("champion");
const QString kChallenger = QStringLiteral("challenger");

QJsonObject aliasPayload(const QString &alias, int version, int previous, const QString &reason)
{
    return {{QStringLiteral("alias"), alias}, {QStringLiteral("version"), version}, {QStringLiteral("previous"), previous}, {QStringLiteral("reason"), reason}};
}

} // namespace

Status ModelRegistry::setAlias(const QString &name, const QString &alias, int number, const QString &reason)
{
    ORRERY_TRY(validateAlias(alias));
    if (alias == kChampion) // the champion moves only through the gates' rule
        return promote(name, number, reason).status();
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_ASSIGN_OR_RETURN(auto v, rows::readVersion(m_db, name, number));
    if (v.archived)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("model %1 v%2 is archived: an archived version holds no alias").arg(name).arg(number));
    ORRERY_ASSIGN_OR_RETURN(int previous, rows::moveAlias(m_db, name, alias, number, change.now(), m_actor, reason));
    if (previous == number)
        return {};
    change.audit(QStringLiteral("model.alias"), QStringLiteral("model %1@%2").arg(name, alias), reason, aliasPayload(alias, number, previous, reason));
    change.event(webhook_event::kAliasMoved, name, aliasPayload(alias, number, previous, reason));
    return change.commit();
}

Status ModelRegistry::deleteAlias(const QString &name, const QString &alias, const QString &reason)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireModel(m_db, name));
    ORRERY_ASSIGN_OR_RETURN(int current, rows::aliasVersion(m_db, name, alias));
    if (current == 0)
        return notFound(QStringLiteral("model '%1' has no alias '%2'").arg(name, alias));
    ORRERY_TRY(rows::moveAlias(m_db, name, alias, 0, change.now(), m_actor, reason).status());
    change.audit(QStringLiteral("model.alias.delete"), QStringLiteral("model %1@%2").arg(name, alias), reason, aliasPayload(alias, 0, current, reason));
    change.event(webhook_event::kAliasMoved, name, aliasPayload(alias, 0, current, reason));
    return change.commit();
}

Result<ModelVersion> ModelRegistry::versionByAlias(const QString &name, const QString &alias)
{
    ORRERY_TRY(rows::requireModel(m_db, name));
    ORRERY_ASSIGN_OR_RETURN(int number, rows::aliasVersion(m_db, name, alias));
    if (number == 0)
        return notFound(QStringLiteral("model '%1' has no alias '%2'").arg(name, alias));
    return rows::readVersion(m_db, name, number);
}

Result<QVector<AliasChange>> ModelRegistry::aliasHistory(const QString &name, const QString &alias)
{
    ORRERY_TRY(rows::requireModel(m_db, name));
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT time, name, alias, version, previous, actor, reason FROM model_alias_history "
                                                                "WHERE name = ?1 AND (?2 = '' OR alias = ?2) ORDER BY time, id")));
    s.bind(1, name).bind(2, alias);
    QVector<AliasChange> out;
    while (s.next())
        out.append({s.int64(0), s.text(1), s.text(2), int(s.int64(3)), int(s.int64(4)), s.text(5), s.text(6)});
    ORRERY_TRY(s.status());
    return out;
}

Result<int> ModelRegistry::aliasAt(const QString &name, const QString &alias, const QDateTime &time)
{
    ORRERY_TRY(rows::requireModel(m_db, name));
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT version FROM model_alias_history WHERE name = ? AND alias = ? AND time <= ? "
                                                                "ORDER BY time DESC, id DESC LIMIT 1")));
    s.bind(1, name).bind(2, alias).bind(3, time.toMSecsSinceEpoch());
    const int v = s.next() ? int(s.int64(0)) : 0;
    ORRERY_TRY(s.status());
    return v;
}

Result<ModelVersion> ModelRegistry::recordValidatedVersion(const NewVersion &candidate)
{
    ORRERY_ASSIGN_OR_RETURN(auto created, createVersion(candidate));
    if (candidate.validation != Validation::Passed || !created.servable()) {
        RegistryChange change(m_db, m_clock, m_actor);
        ORRERY_TRY(change.status());
        const QJsonObject details{{QStringLiteral("version"), created.version}, {QStringLiteral("validation"), validationName(candidate.validation)}};
        change.audit(QStringLiteral("model.version.validation"), QStringLiteral("model %1 v%2").arg(created.name).arg(created.version),
                     candidate.validation == Validation::Failed ? QStringLiteral("gates failed: not promoted") : QStringLiteral("not servable: not promoted"), details);
        change.event(webhook_event::kValidationChanged, created.name, details);
        ORRERY_TRY(change.commit());
        return created;
    }
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_ASSIGN_OR_RETURN(int champion, rows::aliasVersion(m_db, created.name, kChampion));
    // The first version that passes has no champion to challenge: it is the champion.
    const QString alias = champion == 0 ? kChampion : kChallenger;
    const QString reason = champion == 0 ? QStringLiteral("gates passed; no champion yet (first version rule)")
                                         : QStringLiteral("gates passed; challenges champion v%1").arg(champion);
    ORRERY_ASSIGN_OR_RETURN(int previous, rows::moveAlias(m_db, created.name, alias, created.version, change.now(), m_actor, reason));
    const QJsonObject details{{QStringLiteral("version"), created.version}, {QStringLiteral("validation"), QStringLiteral("passed")}};
    change.audit(QStringLiteral("model.version.validation"), QStringLiteral("model %1 v%2").arg(created.name).arg(created.version), QString(), details);
    change.event(webhook_event::kValidationChanged, created.name, details);
    change.audit(QStringLiteral("model.alias"), QStringLiteral("model %1@%2").arg(created.name, alias), reason, aliasPayload(alias, created.version, previous, reason));
    change.event(webhook_event::kAliasMoved, created.name, aliasPayload(alias, created.version, previous, reason));
    ORRERY_TRY(change.commit());
    return version(created.name, created.version);
}

Result<QString> ModelRegistry::promotionBlocker(const QString &name, int number)
{
    ORRERY_ASSIGN_OR_RETURN(auto v, rows::readVersion(m_db, name, number));
    return promotionBlockerOf(v);
}

QString ModelRegistry::promotionBlockerOf(const ModelVersion &v)
{
    const int number = v.version;
    if (v.archived)
        return QStringLiteral("v%1 is archived").arg(number);
    if (v.status != VersionStatus::Ready)
        return QStringLiteral("v%1 is %2, not READY").arg(number).arg(versionStatusName(v.status));
    if (!v.servable())
        return QStringLiteral("v%1 cannot be served: %2").arg(number).arg(v.notServableReason.isEmpty() ? QStringLiteral("its file is not stored here") : v.notServableReason);
    if (v.validation == Validation::NotRun)
        return QStringLiteral("v%1 has not been validated: only the pipeline's register stage checks a version's gates (`orrery-cli run`)").arg(number);
    if (v.validation == Validation::Failed) {
        QStringList failed;
        for (const GateOutcome &o : std::as_const(v.gateOutcomes))
            if (!o.passed)
                failed << o.gate + QStringLiteral(": ") + o.explanation;
        return QStringLiteral("v%1 failed its gates: %2").arg(number).arg(failed.join(QStringLiteral("; ")));
    }
    return QString();
}

Result<ModelVersion> ModelRegistry::promote(const QString &name, int number, const QString &reason)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_ASSIGN_OR_RETURN(number, promoteWithin(change, name, number, reason));
    ORRERY_TRY(change.commit());
    return version(name, number);
}

Result<int> ModelRegistry::promoteWithinTransaction(const QString &name, int number, const QString &reason)
{
    RegistryChange change(m_db, m_clock, m_actor, RegistryChange::Mode::WithinCallersTransaction);
    ORRERY_ASSIGN_OR_RETURN(number, promoteWithin(change, name, number, reason));
    ORRERY_TRY(change.commit());
    return number;
}

Result<int> ModelRegistry::promoteWithin(RegistryChange &change, const QString &name, int number, const QString &reason)
{
    ORRERY_TRY(rows::requireModel(m_db, name));
    ORRERY_ASSIGN_OR_RETURN(int challenger, rows::aliasVersion(m_db, name, kChallenger));
    if (number == 0)
        number = challenger;
    if (number == 0)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("model '%1' has no challenger to promote; name a version").arg(name));
    ORRERY_ASSIGN_OR_RETURN(QString blocker, promotionBlocker(name, number));
    if (!blocker.isEmpty())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("cannot promote %1 v%2: %3").arg(name).arg(number).arg(blocker));
    // No serving endpoint yet: champion moves at once (the Deployment issue starts a rollout here).
    ORRERY_ASSIGN_OR_RETURN(int previous, rows::moveAlias(m_db, name, kChampion, number, change.now(), m_actor, reason));
    if (previous == number)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("%1 v%2 is already the champion").arg(name).arg(number));
    change.audit(QStringLiteral("model.promote"), QStringLiteral("model %1 v%2").arg(name).arg(number), reason, aliasPayload(kChampion, number, previous, reason));
    change.event(webhook_event::kAliasMoved, name, aliasPayload(kChampion, number, previous, reason));
    if (challenger == number) {
        ORRERY_TRY(rows::moveAlias(m_db, name, kChallenger, 0, change.now(), m_actor, QStringLiteral("promoted to champion")).status());
        change.event(webhook_event::kAliasMoved, name, aliasPayload(kChallenger, 0, number, QStringLiteral("promoted to champion")));
    }
    return number;
}

Result<int> ModelRegistry::demote(const QString &name, const QString &reason)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireModel(m_db, name));
    ORRERY_ASSIGN_OR_RETURN(int current, rows::aliasVersion(m_db, name, kChampion));
    if (current == 0)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("model '%1' has no champion to demote").arg(name));
    // The versions that held champion before, newest first; the first one still promotable wins.
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT version FROM model_alias_history WHERE name = ? AND alias = 'champion' "
                                                                "AND version != 0 AND version != ? ORDER BY time DESC, id DESC")));
    s.bind(1, name).bind(2, current);
    QVector<int> earlier;
    while (s.next())
        if (!earlier.contains(int(s.int64(0))))
            earlier << int(s.int64(0));
    ORRERY_TRY(s.status());
    int back = 0;
    for (const int candidate : std::as_const(earlier)) {
        ORRERY_ASSIGN_OR_RETURN(QString blocker, promotionBlocker(name, candidate));
        if (blocker.isEmpty()) {
            back = candidate;
            break;
        }
    }
    ORRERY_TRY(rows::moveAlias(m_db, name, kChampion, back, change.now(), m_actor, reason).status());
    change.audit(QStringLiteral("model.demote"), QStringLiteral("model %1 v%2").arg(name).arg(current), reason, aliasPayload(kChampion, back, current, reason));
    change.event(webhook_event::kAliasMoved, name, aliasPayload(kChampion, back, current, reason));
    ORRERY_TRY(change.commit());
    return back;
}

} // namespace orrery::registry
