#include "core/ct/loop_state_store.h"

#include "core/audit/audit_log.h"
#include "core/common/clock.h"
#include "core/common/system_info.h"
#include "core/store/database.h"

#include <QDateTime>
#include <QJsonDocument>

namespace orrery::ct {

QString utcDay(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).date().toString(Qt::ISODate); }

int LoopState::countOnDay(qint64 nowMs) const { return day == utcDay(nowMs) ? dayCount : 0; }

LoopStateStore::LoopStateStore(store::Database &db, const common::Clock *clock, QString actor)
    : m_db(db), m_clock(clock ? *clock : common::Clock::system()), m_actor(actor.isEmpty() ? common::osUserName() : std::move(actor))
{
}

Result<LoopState> LoopStateStore::read()
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "SELECT paused, paused_by, paused_reason, paused_at, last_retrain, day, day_count, triggers_from, watched, "
        "manual_requested, manual_by, manual_reason FROM ct_state WHERE id = 1")));
    if (!s.next())
        return s.status().isOk() ? Result<LoopState>(internalError(QStringLiteral("the ct_state row is missing; run `orrery-cli doctor`"))) : Result<LoopState>(s.status());
    LoopState state;
    state.paused = s.int64(0) != 0;
    state.pausedBy = s.text(1);
    state.pausedReason = s.text(2);
    state.pausedAt = s.int64(3);
    state.lastRetrain = s.int64(4);
    state.day = s.text(5);
    state.dayCount = int(s.int64(6));
    state.triggersFrom = s.int64(7);
    const QString watched = s.text(8);
    state.watchedKnown = !watched.isEmpty();
    state.watched = QJsonDocument::fromJson(watched.toUtf8()).object();
    state.manualRequested = s.int64(9);
    state.manualBy = s.text(10);
    state.manualReason = s.text(11);
    return state;
}

Result<bool> LoopStateStore::pause(const QString &reason)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(const LoopState state, read());
    if (state.paused)
        return false;
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "UPDATE ct_state SET paused = 1, paused_by = ?, paused_reason = ?, paused_at = ?, updated = ? WHERE id = 1")));
    ORRERY_TRY(s.bind(1, m_actor).bind(2, reason).bind(3, now).bind(4, now).run());
    audit::AuditLog log(m_db, &m_clock, m_actor);
    ORRERY_TRY(log.appendWithinTransaction({{QStringLiteral("ct.paused"), QStringLiteral("ct loop"), reason,
                                             QStringLiteral("{\"note\":\"no new iteration starts until `ct resume`\"}")}}));
    ORRERY_TRY(tx.commit());
    return true;
}

Result<bool> LoopStateStore::resume()
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(const LoopState state, read());
    if (!state.paused)
        return false;
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "UPDATE ct_state SET paused = 0, paused_by = '', paused_reason = '', paused_at = 0, updated = ? WHERE id = 1")));
    ORRERY_TRY(s.bind(1, now).run());
    const QJsonObject details{{QStringLiteral("paused_by"), state.pausedBy},
                              {QStringLiteral("paused_at"), common::toIsoUtc(QDateTime::fromMSecsSinceEpoch(state.pausedAt, Qt::UTC))}};
    audit::AuditLog log(m_db, &m_clock, m_actor);
    ORRERY_TRY(log.appendWithinTransaction({{QStringLiteral("ct.resumed"), QStringLiteral("ct loop"), QString(),
                                             QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact))}}));
    ORRERY_TRY(tx.commit());
    return true;
}

Status LoopStateStore::requestManual(const QString &reason)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "UPDATE ct_state SET manual_requested = ?, manual_by = ?, manual_reason = ?, updated = ? WHERE id = 1")));
    ORRERY_TRY(s.bind(1, now).bind(2, m_actor).bind(3, reason).bind(4, now).run());
    audit::AuditLog log(m_db, &m_clock, m_actor);
    ORRERY_TRY(log.appendWithinTransaction({{QStringLiteral("ct.trigger.manual"), QStringLiteral("ct loop"), reason, QStringLiteral("{}")}}));
    return tx.commit();
}

Status LoopStateStore::initialiseTriggers(qint64 triggersFrom, const QJsonObject *watched)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(const LoopState state, read());
    if (state.triggersFrom == 0) {
        ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("UPDATE ct_state SET triggers_from = ? WHERE id = 1")));
        ORRERY_TRY(s.bind(1, triggersFrom).run());
    }
    if (watched) {
        // Paths watched for the first time (a new loop, or a path added to ct.yaml) start from what
        // they hold now; the others keep what the last iteration took in.
        QJsonObject merged = state.watched;
        bool added = !state.watchedKnown;
        for (auto it = watched->begin(); it != watched->end(); ++it)
            if (!merged.contains(it.key())) {
                merged.insert(it.key(), it.value());
                added = true;
            }
        if (added) {
            ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("UPDATE ct_state SET watched = ? WHERE id = 1")));
            ORRERY_TRY(s.bind(1, QString::fromUtf8(QJsonDocument(merged).toJson(QJsonDocument::Compact))).run());
        }
    }
    return tx.commit();
}

} // namespace orrery::ct
