#pragma once
// AlertStore: alerts in the workspace database (the `alerts` table, migration 12) — one row per
// alert instance, a rule × a label set from the evaluation it became pending (or fired) until it
// resolved — with every state change's audit entry and webhook deliveries.
//
// record() writes one evaluation (alert_evaluator.h) in one IMMEDIATE transaction, and only when
// something changed (a transition, or an active alert's value or annotations): the rows, an
// audit entry per transition (alert.pending, alert.firing, alert.cleared — pending that never
// fired —, alert.resolved), and the registry's webhook rows for alert.firing and alert.resolved
// (core/registry/webhook_events.h) unless the alert is silenced. The caller sends those rows
// (registry::deliverPendingNow) after the commit.
//
// Row states: pending, firing, resolved (resolved_at set; fired_at empty when it never fired).
// acknowledge() records who saw an active alert and when; silence() suppresses its webhook
// notifications until a time — for that label set, so the same alert firing again while the
// silence lasts is silenced too. Both are audited. Alertmanager is told separately
// (alertmanager_client.h): it keeps its own silences.
//
// loadActive() gives the pending and firing alerts back after a restart (AlertEvaluator::restore),
// so a restarted server continues them instead of firing (and notifying) again.
//
// Threads: one AlertStore uses its Database on that Database's thread.

#include "core/monitor/alert_evaluator.h"

#include "core/common/status.h"

#include <QString>
#include <QVector>

namespace orrery::common {
class Clock;
}
namespace orrery::store {
class Database;
}

namespace orrery::monitor {

struct AlertRecord {
    qint64 id = 0;
    QString rule;
    QString fingerprint;
    QMap<QString, QString> labels;
    QMap<QString, QString> annotations;
    QString state;            // pending, firing, resolved
    double value = 0;
    qint64 activeSince = 0;   // ms since the epoch
    qint64 firedAt = 0;       // 0: never fired
    qint64 resolvedAt = 0;    // 0: active
    qint64 lastEvaluated = 0; // the last evaluation that wrote the row
    QString acknowledgedBy;   // empty: not acknowledged
    qint64 acknowledgedAt = 0;
    qint64 silencedUntil = 0; // 0: never silenced

    bool active() const { return state != QLatin1String("resolved"); }
    bool silencedAt(qint64 nowMs) const { return silencedUntil > nowMs; }
    // `FeatureDrift{endpoint="fraud",feature="amount",severity="warning"}`: the rule and its labels.
    QString title() const;
};

struct RecordedEvaluation {
    int rowsWritten = 0;
    int auditEntries = 0;
    int webhooksQueued = 0; // delivery rows; send them once committed
};

class AlertStore {
public:
    // `actor`: who the audit entries name (the serving process says "orrery-serve"; empty: the OS user).
    explicit AlertStore(store::Database &db, const common::Clock *clock = nullptr, QString actor = QString());

    Result<QVector<Alert>> loadActive();
    // `nowMs`: the time the evaluation ran (its transitions happened then).
    Result<RecordedEvaluation> record(const AlertEvaluation &evaluation, qint64 nowMs);
    // Active alerts (firing first, then pending, newest first); with includeResolved every alert,
    // newest first; at most `limit`.
    Result<QVector<AlertRecord>> list(bool includeResolved, int limit = 200);
    Result<AlertRecord> get(qint64 id);
    // FailedPrecondition for a resolved alert; NotFound for an unknown id.
    Result<AlertRecord> acknowledge(qint64 id, const QString &by);
    // Notifications of this alert (and of its label set firing again) suppressed until `untilMs`.
    Result<AlertRecord> silence(qint64 id, qint64 untilMs, const QString &by = QString());

private:
    Status recordTransition(const AlertTransition &t, qint64 now, RecordedEvaluation *report);
    Status audit(const QString &action, const AlertRecord &row, const QString &reason);

    store::Database &m_db;
    const common::Clock &m_clock;
    QString m_actor;
};

} // namespace orrery::monitor
