#pragma once
// RegistryChange: one change of the registry as one transaction — the rows, the audit entries
// that say what happened and the webhook deliveries it causes commit together or not at all.
// Internal to core/registry. WithinCallersTransaction: the caller (a deployment change that
// moves champion) holds the transaction; commit() then writes the audit and webhook rows only.

#include "core/audit/audit_log.h"
#include "core/common/clock.h"
#include "core/registry/webhook_events.h"
#include "core/store/database.h"

#include <QJsonObject>
#include <QVector>

#include <optional>

namespace orrery::registry {

class RegistryChange {
public:
    enum class Mode { OwnTransaction, WithinCallersTransaction };
    RegistryChange(store::Database &db, const common::Clock &clock, const QString &actor, Mode mode = Mode::OwnTransaction)
        : m_db(db), m_clock(clock), m_actor(actor), m_now(clock.now().toMSecsSinceEpoch())
    {
        if (mode == Mode::OwnTransaction)
            m_tx.emplace(db);
    }
    const Status &status() const { return m_tx ? m_tx->status() : m_ok; }
    qint64 now() const { return m_now; }

    void audit(const QString &action, const QString &target, const QString &reason, const QJsonObject &details = {});
    void event(const QString &event, const QString &model, const QJsonObject &payload);
    Status commit();

private:
    struct Event {
        QString event, model;
        QJsonObject payload;
    };
    store::Database &m_db;
    const common::Clock &m_clock;
    QString m_actor;
    std::optional<store::Transaction> m_tx;
    Status m_ok;
    qint64 m_now;
    QVector<audit::AuditRecord> m_audit;
    QVector<Event> m_events;
};

} // namespace orrery::registry
