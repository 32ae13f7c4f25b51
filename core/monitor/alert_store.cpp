#include "core/monitor/alert_store.h"

#include "core/audit/audit_log.h"
#include "core/common/clock.h"
#include "core/monitor/metrics_samples.h"
#include "core/registry/webhook_events.h"
#include "core/store/database.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>

namespace orrery::monitor {

namespace {

const char kColumns[] = "id, rule, fingerprint, labels, annotations, state, value, active_since, fired_at, resolved_at, last_evaluated, "
                        "acknowledged_by, acknowledged_at, silenced_until";

QString json(const QMap<QString, QString> &map)
{
    QJsonObject o;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        o.insert(it.key(), it.value());
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QMap<QString, QString> map(const QString &text)
{
    QMap<QString, QString> out;
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    for (auto it = o.begin(); it != o.end(); ++it)
        out.insert(it.key(), it.value().toString());
    return out;
}

QJsonValue time(qint64 ms) { return ms > 0 ? QJsonValue(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs)) : QJsonValue(); }

AlertRecord readRow(const store::Statement &s)
{
    AlertRecord r;
    r.id = s.int64(0);
    r.rule = s.text(1);
    r.fingerprint = s.text(2);
    r.labels = map(s.text(3));
    r.annotations = map(s.text(4));
    r.state = s.text(5);
    r.value = s.isNull(6) ? std::nan("") : s.real(6); // SQLite stores NaN as NULL
    r.activeSince = s.int64(7);
    r.firedAt = s.isNull(8) ? 0 : s.int64(8);
    r.resolvedAt = s.isNull(9) ? 0 : s.int64(9);
    r.lastEvaluated = s.int64(10);
    r.acknowledgedBy = s.text(11);
    r.acknowledgedAt = s.isNull(12) ? 0 : s.int64(12);
    r.silencedUntil = s.isNull(13) ? 0 : s.int64(13);
    return r;
}

// What the audit entry and the webhook carry about an alert.
QJsonObject alertJson(const AlertRecord &r)
{
    QJsonObject labels, annotations;
    for (auto it = r.labels.cbegin(); it != r.labels.cend(); ++it)
        labels.insert(it.key(), it.value());
    for (auto it = r.annotations.cbegin(); it != r.annotations.cend(); ++it)
        annotations.insert(it.key(), it.value());
    return {{QStringLiteral("id"), double(r.id)},
            {QStringLiteral("rule"), r.rule},
            {QStringLiteral("state"), r.state},
            {QStringLiteral("labels"), labels},
            {QStringLiteral("annotations"), annotations},
            {QStringLiteral("value"), std::isfinite(r.value) ? QJsonValue(r.value) : QJsonValue(QString::number(r.value))},
            {QStringLiteral("active_since"), time(r.activeSince)},
            {QStringLiteral("fired_at"), time(r.firedAt)},
            {QStringLiteral("resolved_at"), time(r.resolvedAt)}};
}

void bindValue(store::Statement &s, int index, double value)
{
    if (std::isnan(value))
        s.bindNull(index);
    else
        s.bind(index, value);
}

} // namespace

QString AlertRecord::title() const
{
    MetricSample s;
    s.name = rule;
    s.labels = labels;
    s.labels.remove(QStringLiteral("alertname"));
    return s.seriesText();
}

AlertStore::AlertStore(store::Database &db, const common::Clock *clock, QString actor)
    : m_db(db), m_clock(clock ? *clock : common::Clock::system()), m_actor(std::move(actor))
{
}

Result<QVector<Alert>> AlertStore::loadActive()
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT %1 FROM alerts WHERE state IN ('pending', 'firing') ORDER BY id").arg(QLatin1String(kColumns))));
    QVector<Alert> out;
    while (s.next()) {
        const AlertRecord r = readRow(s);
        Alert a;
        a.rule = r.rule;
        a.labels = r.labels;
        a.annotations = r.annotations;
        a.fingerprint = r.fingerprint;
        a.state = r.state == QLatin1String("firing") ? AlertState::Firing : AlertState::Pending;
        a.value = r.value;
        a.activeSince = r.activeSince;
        a.firedAt = r.firedAt;
        a.lastEvaluated = r.lastEvaluated;
        out.append(a);
    }
    ORRERY_TRY(s.status());
    return out;
}

Status AlertStore::audit(const QString &action, const AlertRecord &row, const QString &reason)
{
    audit::AuditLog log(m_db, &m_clock, m_actor);
    return log.appendWithinTransaction({{action, QStringLiteral("alert %1 %2").arg(row.id).arg(row.title()), reason,
                                         QString::fromUtf8(QJsonDocument(alertJson(row)).toJson(QJsonDocument::Compact))}});
}

Status AlertStore::recordTransition(const AlertTransition &t, qint64 now, RecordedEvaluation *report)
{
    const Alert &a = t.alert;
    // The row this alert has while active (the index alerts_fingerprint finds it).
    ORRERY_ASSIGN_OR_RETURN(auto find, m_db.prepare(QStringLiteral("SELECT id FROM alerts WHERE fingerprint = ? AND rule = ? AND state IN ('pending', 'firing') "
                                                                   "ORDER BY id DESC LIMIT 1")));
    find.bind(1, a.fingerprint).bind(2, a.rule);
    qint64 id = find.next() ? find.int64(0) : 0;
    ORRERY_TRY(find.status());
    const QString state = t.to == AlertState::Inactive ? QStringLiteral("resolved") : alertStateName(t.to);
    if (id == 0) {
        // A new alert (or one whose row is gone): its label set's silence, if one lasts, carries over.
        ORRERY_ASSIGN_OR_RETURN(auto silence, m_db.prepare(QStringLiteral("SELECT max(silenced_until) FROM alerts WHERE fingerprint = ? AND rule = ? AND silenced_until > ?")));
        silence.bind(1, a.fingerprint).bind(2, a.rule).bind(3, now);
        const qint64 silencedUntil = silence.next() && !silence.isNull(0) ? silence.int64(0) : 0;
        ORRERY_TRY(silence.status());
        ORRERY_ASSIGN_OR_RETURN(auto insert, m_db.prepare(QStringLiteral("INSERT INTO alerts (rule, fingerprint, labels, annotations, state, value, active_since, "
                                                                         "fired_at, resolved_at, last_evaluated, silenced_until) VALUES (?,?,?,?,?,?,?,?,?,?,?)")));
        insert.bind(1, a.rule).bind(2, a.fingerprint).bind(3, json(a.labels)).bind(4, json(a.annotations)).bind(5, state);
        bindValue(insert, 6, a.value);
        insert.bind(7, a.activeSince);
        a.firedAt ? insert.bind(8, a.firedAt) : insert.bindNull(8);
        a.resolvedAt ? insert.bind(9, a.resolvedAt) : insert.bindNull(9);
        insert.bind(10, now);
        silencedUntil ? insert.bind(11, silencedUntil) : insert.bindNull(11);
        ORRERY_TRY(insert.run());
        id = m_db.lastInsertRowId();
    } else {
        ORRERY_ASSIGN_OR_RETURN(auto update, m_db.prepare(QStringLiteral("UPDATE alerts SET state = ?, value = ?, annotations = ?, fired_at = ?, resolved_at = ?, "
                                                                         "last_evaluated = ? WHERE id = ?")));
        update.bind(1, state);
        bindValue(update, 2, a.value);
        update.bind(3, json(a.annotations));
        a.firedAt ? update.bind(4, a.firedAt) : update.bindNull(4);
        a.resolvedAt ? update.bind(5, a.resolvedAt) : update.bindNull(5);
        update.bind(6, now).bind(7, id);
        ORRERY_TRY(update.run());
    }
    ++report->rowsWritten;
    ORRERY_ASSIGN_OR_RETURN(const AlertRecord row, get(id));

    QString action;
    if (t.to == AlertState::Pending)
        action = QStringLiteral("alert.pending");
    else if (t.to == AlertState::Firing)
        action = QStringLiteral("alert.firing");
    else
        action = t.from == AlertState::Firing ? QStringLiteral("alert.resolved") : QStringLiteral("alert.cleared");
    ORRERY_TRY(audit(action, row, row.annotations.value(QStringLiteral("summary"))));
    ++report->auditEntries;

    if ((t.fired() || t.resolved()) && !row.silencedAt(now)) {
        // Deliveries are numbered in order inside this transaction: the newest id before and after counts them.
        auto newest = [this]() -> Result<qint64> {
            ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT coalesce(max(id), 0) FROM webhook_deliveries")));
            const qint64 n = s.next() ? s.int64(0) : 0;
            ORRERY_TRY(s.status());
            return n;
        };
        ORRERY_ASSIGN_OR_RETURN(const qint64 before, newest());
        ORRERY_TRY(registry::queueWebhookEvent(m_db, t.fired() ? registry::webhook_event::kAlertFiring : registry::webhook_event::kAlertResolved,
                                               row.labels.value(QStringLiteral("model")), QJsonObject{{QStringLiteral("alert"), alertJson(row)}}, now));
        ORRERY_ASSIGN_OR_RETURN(const qint64 after, newest());
        report->webhooksQueued += int(after - before);
    }
    return Status();
}

Result<RecordedEvaluation> AlertStore::record(const AlertEvaluation &evaluation, qint64 now)
{
    RecordedEvaluation report;
    if (evaluation.transitions.isEmpty() && evaluation.updated.isEmpty())
        return report; // nothing changed: no transaction
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    for (const AlertTransition &t : evaluation.transitions)
        ORRERY_TRY(recordTransition(t, now, &report));
    if (!evaluation.updated.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(auto update, m_db.prepare(QStringLiteral("UPDATE alerts SET value = ?, annotations = ?, last_evaluated = ? "
                                                                         "WHERE fingerprint = ? AND rule = ? AND state IN ('pending', 'firing')")));
        for (const Alert &a : evaluation.updated) {
            update.reset();
            bindValue(update, 1, a.value);
            update.bind(2, json(a.annotations)).bind(3, now).bind(4, a.fingerprint).bind(5, a.rule);
            ORRERY_TRY(update.run());
            report.rowsWritten += m_db.changes();
        }
    }
    ORRERY_TRY(tx.commit());
    return report;
}

Result<QVector<AlertRecord>> AlertStore::list(bool includeResolved, int limit)
{
    const QString sql = includeResolved
                            ? QStringLiteral("SELECT %1 FROM alerts ORDER BY id DESC LIMIT ?")
                            : QStringLiteral("SELECT %1 FROM alerts WHERE state IN ('pending', 'firing') ORDER BY state = 'firing' DESC, active_since DESC, id DESC LIMIT ?");
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(sql.arg(QLatin1String(kColumns))));
    s.bind(1, limit);
    QVector<AlertRecord> out;
    while (s.next())
        out.append(readRow(s));
    ORRERY_TRY(s.status());
    return out;
}

Result<AlertRecord> AlertStore::get(qint64 id)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT %1 FROM alerts WHERE id = ?").arg(QLatin1String(kColumns))));
    s.bind(1, id);
    if (!s.next()) {
        ORRERY_TRY(s.status());
        return notFound(QStringLiteral("no alert %1; `orrery-cli monitor alerts --all` lists them with their ids").arg(id));
    }
    return readRow(s);
}

Result<AlertRecord> AlertStore::acknowledge(qint64 id, const QString &by)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(AlertRecord row, get(id));
    if (!row.active())
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("alert %1 (%2) resolved at %3; only pending and firing alerts are acknowledged")
                          .arg(id).arg(row.title(), common::toIsoUtc(QDateTime::fromMSecsSinceEpoch(row.resolvedAt, Qt::UTC))));
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(auto update, m_db.prepare(QStringLiteral("UPDATE alerts SET acknowledged_by = ?, acknowledged_at = ? WHERE id = ?")));
    update.bind(1, by).bind(2, now).bind(3, id);
    ORRERY_TRY(update.run());
    row.acknowledgedBy = by;
    row.acknowledgedAt = now;
    ORRERY_TRY(audit(QStringLiteral("alert.acknowledged"), row, QStringLiteral("acknowledged by %1").arg(by)));
    ORRERY_TRY(tx.commit());
    return row;
}

Result<AlertRecord> AlertStore::silence(qint64 id, qint64 untilMs, const QString &by)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(AlertRecord row, get(id));
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    if (untilMs <= now)
        return invalidArgument(QStringLiteral("a silence of alert %1 must end after now; give a positive duration such as 1h").arg(id));
    ORRERY_ASSIGN_OR_RETURN(auto update, m_db.prepare(QStringLiteral("UPDATE alerts SET silenced_until = ? WHERE id = ?")));
    update.bind(1, untilMs).bind(2, id);
    ORRERY_TRY(update.run());
    row.silencedUntil = untilMs;
    ORRERY_TRY(audit(QStringLiteral("alert.silenced"), row,
                     QStringLiteral("notifications silenced until %1%2").arg(common::toIsoUtc(QDateTime::fromMSecsSinceEpoch(untilMs, Qt::UTC)),
                                                                             by.isEmpty() ? QString() : QStringLiteral(" by ") + by)));
    ORRERY_TRY(tx.commit());
    return row;
}

} // namespace orrery::monitor
