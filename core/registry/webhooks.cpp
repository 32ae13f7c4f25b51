#include "core/registry/webhooks.h"

#include "core/registry/webhook_events.h"
#include "core/store/database.h"

#include <QHostAddress>
#include <QRandomGenerator>
#include <QUrl>

namespace orrery::registry {

QStringList webhookEventNames()
{
    return {webhook_event::kVersionCreated, webhook_event::kAliasMoved, webhook_event::kValidationChanged, webhook_event::kDeploymentChanged,
            webhook_event::kAlertFiring,    webhook_event::kAlertResolved};
}

bool isLoopbackHost(const QString &host)
{
    QString h = host.toLower();
    if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']')))
        h = h.mid(1, h.size() - 2);
    if (h == QLatin1String("localhost"))
        return true;
    QHostAddress address;
    if (!address.setAddress(h))
        return false;
    return address.isLoopback();
}

Status checkWebhookUrl(const QString &text, bool allowHttp)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (text.trimmed().isEmpty() || !url.isValid())
        return invalidArgument(QStringLiteral("webhook URL '%1' is not a valid URL; give one such as https://hooks.example.com/orrery").arg(text));
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return invalidArgument(QStringLiteral("webhook URL '%1': the scheme '%2' is not allowed; webhooks post over https (or http to this machine)")
                                   .arg(text, scheme.isEmpty() ? QStringLiteral("(none)") : scheme));
    if (url.host().isEmpty())
        return invalidArgument(QStringLiteral("webhook URL '%1' names no host; give one such as https://hooks.example.com/orrery").arg(text));
    if (!url.userInfo().isEmpty())
        return invalidArgument(QStringLiteral("webhook URL '%1' carries a user name or password; authenticate the receiver with the webhook's secret (X-Orrery-Signature) instead").arg(text));
    if (scheme == QLatin1String("http") && !allowHttp && !isLoopbackHost(url.host()))
        return invalidArgument(QStringLiteral("webhook URL '%1' is plain http to '%2', which is not this machine: the signed payload would cross the network unencrypted; "
                                              "use https, or pass --allow-http to accept that")
                                   .arg(text, url.host()));
    return {};
}

namespace {

Status checkEvents(const QStringList &events)
{
    if (events.isEmpty())
        return invalidArgument(QStringLiteral("a webhook needs at least one event: give --events with some of %1, or *").arg(webhookEventNames().join(QStringLiteral(", "))));
    const QStringList known = webhookEventNames();
    for (const QString &e : events) {
        if (e == QLatin1String("*"))
            continue;
        if (!known.contains(e))
            return invalidArgument(QStringLiteral("unknown webhook event '%1'; the events are %2, or * for all").arg(e, known.join(QStringLiteral(", "))));
    }
    if (events.contains(QStringLiteral("*")) && events.size() > 1)
        return invalidArgument(QStringLiteral("events '%1': * already means every event; give * alone or a list of events").arg(events.join(QLatin1Char(','))));
    return {};
}

constexpr const char *kHookColumns = "id, url, events, model, allow_http, secret <> '', created, active";

Webhook readHook(const store::Statement &s)
{
    Webhook w;
    w.id = s.int64(0);
    w.url = s.text(1);
    w.events = s.text(2).split(QLatin1Char(','), Qt::SkipEmptyParts);
    w.model = s.text(3);
    w.allowHttp = s.int64(4) != 0;
    w.hasSecret = s.int64(5) != 0;
    w.created = s.int64(6);
    w.active = s.int64(7) != 0;
    return w;
}

} // namespace

Webhooks::Webhooks(store::Database &db, const common::Clock &clock) : m_db(db), m_clock(clock) {}

QString Webhooks::generateSecret()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(bytes.data()), reinterpret_cast<quint32 *>(bytes.data() + bytes.size()));
    return QString::fromLatin1(bytes.toHex());
}

Result<AddedWebhook> Webhooks::add(const NewWebhook &hook)
{
    ORRERY_TRY(checkWebhookUrl(hook.url, hook.allowHttp));
    QStringList events;
    for (const QString &e : hook.events)
        if (!e.trimmed().isEmpty())
            events << e.trimmed();
    events.removeDuplicates();
    ORRERY_TRY(checkEvents(events));
    AddedWebhook added;
    QString secret = hook.secret;
    if (secret.isEmpty()) {
        secret = generateSecret();
        added.generatedSecret = secret;
    }
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto insert, m_db.prepare(QStringLiteral("INSERT INTO webhooks(url, events, model, secret, allow_http, created, active) VALUES (?, ?, ?, ?, ?, ?, 1)")));
    insert.bind(1, hook.url.trimmed()).bind(2, events.join(QLatin1Char(','))).bind(3, hook.model.trimmed()).bind(4, secret).bind(5, hook.allowHttp ? 1 : 0).bind(6, now);
    ORRERY_TRY(insert.run());
    const qint64 id = m_db.lastInsertRowId();
    ORRERY_TRY(tx.commit());
    ORRERY_ASSIGN_OR_RETURN(added.webhook, get(id));
    return added;
}

Result<QVector<Webhook>> Webhooks::list()
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT %1 FROM webhooks ORDER BY id").arg(QLatin1String(kHookColumns))));
    QVector<Webhook> hooks;
    while (s.next())
        hooks << readHook(s);
    ORRERY_TRY(s.status());
    return hooks;
}

Result<Webhook> Webhooks::get(qint64 id)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT %1 FROM webhooks WHERE id = ?").arg(QLatin1String(kHookColumns))));
    s.bind(1, id);
    if (s.next())
        return readHook(s);
    ORRERY_TRY(s.status());
    return notFound(QStringLiteral("no webhook %1; see `orrery-cli models webhooks list`").arg(id));
}

Status Webhooks::remove(qint64 id)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto del, m_db.prepare(QStringLiteral("DELETE FROM webhooks WHERE id = ?")));
    del.bind(1, id);
    ORRERY_TRY(del.run());
    if (m_db.changes() == 0)
        return notFound(QStringLiteral("no webhook %1; see `orrery-cli models webhooks list`").arg(id));
    // Foreign keys cascade; said again for a connection opened without them.
    ORRERY_ASSIGN_OR_RETURN(auto dels, m_db.prepare(QStringLiteral("DELETE FROM webhook_deliveries WHERE webhook_id = ?")));
    dels.bind(1, id);
    ORRERY_TRY(dels.run());
    return tx.commit();
}

Result<QVector<WebhookDelivery>> Webhooks::deliveries(const DeliveryQuery &query)
{
    if (!query.state.isEmpty() && query.state != QLatin1String("pending") && query.state != QLatin1String("delivered") && query.state != QLatin1String("failed"))
        return invalidArgument(QStringLiteral("unknown delivery state '%1'; give pending, delivered or failed").arg(query.state));
    QString sql = QStringLiteral("SELECT d.id, d.webhook_id, COALESCE(w.url, ''), d.event, d.state, d.attempts, d.next_attempt, d.last_error, d.last_status, d.created, d.finished "
                                 "FROM webhook_deliveries d LEFT JOIN webhooks w ON w.id = d.webhook_id WHERE 1 = 1");
    QVector<QVariant> values;
    if (query.webhookId > 0) {
        sql += QStringLiteral(" AND d.webhook_id = ?");
        values << query.webhookId;
    }
    if (!query.state.isEmpty()) {
        sql += QStringLiteral(" AND d.state = ?");
        values << query.state;
    }
    sql += QStringLiteral(" ORDER BY d.id DESC LIMIT %1").arg(qMax(1, query.limit));
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(sql));
    s.bindAll(values);
    QVector<WebhookDelivery> out;
    while (s.next()) {
        WebhookDelivery d;
        d.id = s.int64(0);
        d.webhookId = s.int64(1);
        d.url = s.text(2);
        d.event = s.text(3);
        d.state = s.text(4);
        d.attempts = int(s.int64(5));
        d.nextAttempt = s.int64(6);
        d.lastError = s.text(7);
        d.lastStatus = int(s.int64(8));
        d.created = s.int64(9);
        d.finished = s.int64(10);
        out << d;
    }
    ORRERY_TRY(s.status());
    return out;
}

} // namespace orrery::registry
