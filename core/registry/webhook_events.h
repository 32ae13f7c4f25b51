#pragma once
// The registry's webhook events, queued as durable delivery rows inside the transaction of the
// change that causes them (so an event is queued exactly when its change commits). Sending them
// (HTTP POST with an X-Orrery-Signature HMAC) is core/registry/webhook_dispatcher's job.
//
// Events: model_version.created, alias.moved, validation.changed, deployment.changed, and
// core/monitor's alert.firing and alert.resolved (an alert rule's alert started or stopped
// firing; queued with the alert's `model` label, so a webhook of one model gets only alerts that
// carry that label). A webhook subscribes to a comma-separated list of events (or "*") and to one
// model or all (empty).

#include "core/common/status.h"

#include <QJsonObject>
#include <QString>

namespace orrery::store {
class Database;
}

namespace orrery::registry {

namespace webhook_event {
inline const QString kVersionCreated = QStringLiteral("model_version.created");
inline const QString kAliasMoved = QStringLiteral("alias.moved");
inline const QString kValidationChanged = QStringLiteral("validation.changed");
inline const QString kDeploymentChanged = QStringLiteral("deployment.changed");
inline const QString kAlertFiring = QStringLiteral("alert.firing");
inline const QString kAlertResolved = QStringLiteral("alert.resolved");
} // namespace webhook_event

// Inserts one pending delivery per active webhook that wants `event` for `model`. The caller
// holds a transaction on `db`. The payload sent is {"event", "model", "time", "data": payload}.
Status queueWebhookEvent(store::Database &db, const QString &event, const QString &model, const QJsonObject &payload, qint64 nowMs);

} // namespace orrery::registry
