#pragma once
// The registry's SQL: reading and writing the rows of migration 9. Internal to core/registry;
// ModelRegistry holds the rules (validation, transactions, audit), these functions only the rows.

#include "core/registry/model_registry.h"

#include <QVariant>

namespace orrery::registry::rows {

Status exec(store::Database &db, const QString &sql, const QVector<QVariant> &bindings);

Result<bool> modelExists(store::Database &db, const QString &name);
Status requireModel(store::Database &db, const QString &name);             // NotFound naming it
Status requireVersion(store::Database &db, const QString &name, int version);
Status insertModel(store::Database &db, const QString &name, const QString &description, qint64 now);
Status setModelTag(store::Database &db, const QString &name, const KeyValue &tag);
Result<RegisteredModel> readModel(store::Database &db, const QString &name);
Result<QVector<RegisteredModel>> readModels(store::Database &db, const ModelQuery &query);

Result<int> nextVersion(store::Database &db, const QString &name);
Status insertVersion(store::Database &db, const NewVersion &v, int version, qint64 now, const QString &userId);
Result<ModelVersion> readVersion(store::Database &db, const QString &name, int version);
Result<QVector<ModelVersion>> readVersions(store::Database &db, const VersionQuery &query);

Result<QStringList> aliasesOfVersion(store::Database &db, const QString &name, int version);
Result<int> aliasVersion(store::Database &db, const QString &name, const QString &alias); // 0: not set
// Points `alias` at `version` (0: removes it) and records the move; returns the version before.
Result<int> moveAlias(store::Database &db, const QString &name, const QString &alias, int version, qint64 now, const QString &actor,
                      const QString &reason);

QString outcomesJson(const QVector<GateOutcome> &outcomes);
QVector<GateOutcome> outcomesFromJson(const QString &json);

} // namespace orrery::registry::rows
