#include "core/registry/registry_change.h"

#include <QJsonDocument>

namespace orrery::registry {

void RegistryChange::audit(const QString &action, const QString &target, const QString &reason, const QJsonObject &details)
{
    m_audit.append({action, target, reason, QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact))});
}

void RegistryChange::event(const QString &event, const QString &model, const QJsonObject &payload)
{
    m_events.append({event, model, payload});
}

Status RegistryChange::commit()
{
    ORRERY_TRY(status());
    if (!m_audit.isEmpty()) {
        audit::AuditLog log(m_db, &m_clock, m_actor);
        ORRERY_TRY(log.appendWithinTransaction(m_audit));
    }
    for (const Event &e : std::as_const(m_events))
        ORRERY_TRY(queueWebhookEvent(m_db, e.event, e.model, e.payload, m_now));
    return m_tx ? m_tx->commit() : Status();
}

} // namespace orrery::registry
