#pragma once
// Webhooks: the registry's webhook subscriptions and their deliveries, over the workspace
// database (tables `webhooks` and `webhook_deliveries`, schema migration 9). The CLI's
// `models webhooks add|list|remove|deliveries` and, later, the window use this one API.
//
// A webhook is a URL, the events it wants (webhook_events.h; "*" for all) and optionally one
// model. URLs are checked when added (checkWebhookUrl): http or https only; plain http only to a
// loopback receiver (127.0.0.0/8, ::1, localhost) unless allowHttp.
//
// The secret is stored as given, in clear, in the workspace database: it must be usable as the
// HMAC-SHA256 key of every body sent (X-Orrery-Signature), so it cannot be hashed. It is never
// returned by this API after add() (Webhook has no secret field) and never printed. With no secret
// given, add() generates one (32 random bytes, hex) and returns it once, so the receiver can be
// configured with it.

#include "core/common/clock.h"
#include "core/common/status.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace orrery::store {
class Database;
}

namespace orrery::registry {

struct Webhook {
    qint64 id = 0;
    QString url;
    QStringList events; // event names, or {"*"}
    QString model;      // empty: every model
    bool allowHttp = false;
    bool hasSecret = false;
    qint64 created = 0; // ms since the epoch
    bool active = true;
};

struct NewWebhook {
    QString url;
    QStringList events{QStringLiteral("*")};
    QString model;
    QString secret;     // empty: generated
    bool allowHttp = false;
};

struct AddedWebhook {
    Webhook webhook;
    QString generatedSecret; // set only when add() generated the secret: show it once
};

struct WebhookDelivery {
    qint64 id = 0;
    qint64 webhookId = 0;
    QString url;
    QString event;
    QString state;       // pending, delivered, failed
    int attempts = 0;
    qint64 nextAttempt = 0;
    QString lastError;
    int lastStatus = 0;  // the receiver's last HTTP status (0: none)
    qint64 created = 0;
    qint64 finished = 0; // when delivered or given up; 0 while pending
};

struct DeliveryQuery {
    qint64 webhookId = 0; // 0: all
    QString state;        // empty: all; else pending, delivered or failed
    int limit = 200;
};

// The known event names (webhook_events.h), in the order a person reads them.
QStringList webhookEventNames();

// OK for a URL a webhook may post to; else InvalidArgument naming the problem (the scheme, the
// missing host, plain http off loopback and how to allow it).
Status checkWebhookUrl(const QString &url, bool allowHttp);
// True for 127.0.0.0/8, ::1 and localhost.
bool isLoopbackHost(const QString &host);

class Webhooks {
public:
    explicit Webhooks(store::Database &db, const common::Clock &clock = common::Clock::system());

    Result<AddedWebhook> add(const NewWebhook &hook);
    Result<QVector<Webhook>> list();
    Result<Webhook> get(qint64 id);
    // Removes the webhook and its deliveries (pending ones are never sent).
    Status remove(qint64 id);
    Result<QVector<WebhookDelivery>> deliveries(const DeliveryQuery &query = {});

    static QString generateSecret();

private:
    store::Database &m_db;
    const common::Clock &m_clock;
};

} // namespace orrery::registry
