#pragma once
// RegistrySnapshot: what the Registry area shows, read in one task on its worker thread — the
// models (name, versions, champion, challenger, updated) and, for the selected model, its
// versions, why each may not be promoted (ModelRegistry::promotionBlocker), its gates, its audit
// timeline (audit_log entries whose target is "model NAME", "model NAME vN" or "model NAME@ALIAS")
// and the history of its aliases. Plain data: the widgets get copies on the GUI thread.
//
// registryAction() runs one change (promote, demote, archive, unarchive) through ModelRegistry,
// so the area's changes are the CLI's changes: the same checks, audit entries and webhooks.
// Promote on a model that an endpoint serves starts that endpoint's rollout of the version
// instead (DeploymentStore::start, canary by default when replacing a version: `deploy start`'s
// rule); champion moves when the rollout completes (docs/architecture.md, "Models: champion and
// challenger"). `cacheRoot` is where the store verifies the version's file.
//
// Threads: loadRegistrySnapshot and registryAction run on the worker's thread with its Database.

#include "core/audit/audit_log.h"
#include "core/deploy/deployment.h"
#include "core/registry/model_gates.h"
#include "core/registry/registry_types.h"

#include <QHash>
#include <QString>
#include <QVector>

namespace orrery::store {
class Database;
}

namespace orrery::ui {

struct RegistrySnapshot {
    QVector<registry::RegisteredModel> models;
    // The model shown: the one asked for, or the first model when none was asked for or it is gone
    // (so the first paint needs one read, not two). Empty when there is no model.
    QString model;
    QString requestedModel;
    QVector<registry::ModelVersion> versions; // newest first
    QHash<int, QString> blockers;              // version → why it may not be promoted (absent: it may)
    registry::ModelGates gates;
    QVector<audit::AuditEntry> audit;          // newest first
    QVector<registry::AliasChange> aliasHistory; // newest first
    // The endpoints that serve the model (core/deploy): while one does, Promote starts its
    // rollout instead of moving champion at once.
    QVector<deploy::Deployment> endpoints;
    // Changes when anything shown changes (the poll redraws only then).
    QString fingerprint;
};

Result<RegistrySnapshot> loadRegistrySnapshot(store::Database &db, const QString &model);

enum class RegistryAction { Promote, Demote, Archive, Unarchive };
// What was done, for the status line ("fraud v2 is champion (was v1)").
Result<QString> registryAction(store::Database &db, RegistryAction action, const QString &model, int version, const QString &reason,
                               const QString &cacheRoot = QString());

} // namespace orrery::ui
