#include "core/registry/webhook_events.h"

#include "core/store/database.h"

#include <QDateTime>
#include <QJsonDocument>

namespace orrery::registry {

Status queueWebhookEvent(store::Database &db, const QString &event, const QString &model, const QJsonObject &payload, qint64 nowMs)
{
    ORRERY_ASSIGN_OR_RETURN(auto hooks, db.prepare(QStringLiteral("SELECT id, events FROM webhooks WHERE active = 1 AND (model = '' OR model = ?)")));
    hooks.bind(1, model);
    QVector<qint64> wanted;
    while (hooks.next()) {
        const QStringList events = hooks.text(1).split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (const QString &e : events)
            if (e.trimmed() == QLatin1String("*") || e.trimmed() == event) {
                wanted << hooks.int64(0);
                break;
            }
    }
    ORRERY_TRY(hooks.status());
    if (wanted.isEmpty())
        return {};
    const QJsonObject body{{QStringLiteral("event"), event},
                           {QStringLiteral("model"), model},
                           {QStringLiteral("time"), QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC).toString(Qt::ISODateWithMs)},
                           {QStringLiteral("data"), payload}};
    const QString text = QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact));
    ORRERY_ASSIGN_OR_RETURN(auto insert, db.prepare(QStringLiteral("INSERT INTO webhook_deliveries(webhook_id, event, payload, next_attempt, created) "
                                                                   "VALUES (?, ?, ?, ?, ?)")));
    for (const qint64 id : std::as_const(wanted)) {
        insert.reset();
        insert.bind(1, id).bind(2, event).bind(3, text).bind(4, nowMs).bind(5, nowMs);
        ORRERY_TRY(insert.run());
    }
    return {};
}

} // namespace orrery::registry
