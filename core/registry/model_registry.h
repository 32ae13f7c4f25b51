#pragma once
// ModelRegistry: registered models, their versions, aliases and the history of every alias, in
// the workspace database (migration 9).
//
// Every change is one transaction with its audit entry (core/audit) and the webhook deliveries it
// causes (core/registry/webhooks: rows tried later by a delivery process), so what the log says
// happened did happen, and a crash leaves neither half. Alias moves are also kept in
// model_alias_history, which answers "which version held champion at time T" (aliasAt).
//
// Champion and challenger follow docs/architecture.md ("Models: champion and challenger"):
// recordValidatedVersion() moves challenger (or champion, for the first version) only when the
// gates passed; promote() moves champion only to a version that is READY, servable, not archived
// and validated; demote() gives champion back to the version that held it before.
//
// Names: 1–256 characters, no '/', no "..", no control characters (a name becomes part of URIs
// such as models:/NAME@ALIAS and of file names). Alias names: MLflow's rules (letters, digits, '_'
// and '-', not "latest", not v<digits>), at most 256 bytes.
//
// Threads: a ModelRegistry uses the Database it was given, on that Database's thread.

#include "core/registry/model_gates.h"
#include "core/registry/registry_types.h"

#include <QDateTime>

namespace orrery::common {
class Clock;
}
namespace orrery::store {
class Database;
}

namespace orrery::registry {

struct NewVersion {
    QString name;
    QString source;
    QString runId;
    QString runLink;
    QString description;
    QVector<KeyValue> tags;
    QString userId;
    // The stored file (VersionFiles::store), or empty for a source that is not a file here.
    QString modelMd5;
    qint64 modelSize = 0;
    QString modelFileName;
    QString format;
    QJsonObject signature;
    QString notServableReason;
    QJsonObject lineage;
    Validation validation = Validation::NotRun;
    QVector<GateOutcome> gateOutcomes;
    QString card;
    QJsonObject referenceProfile; // core/monitor's reference profile; empty: none
};

struct VersionQuery {
    QString name;      // empty: every model
    QString runId;
    QString tagKey;    // with tagValue: versions with this tag
    QString tagValue;
    bool includeArchived = true;
    int limit = 1000;
    int offset = 0;
};

struct ModelQuery {
    QString nameLike; // SQL LIKE pattern on the name (MLflow's filter "name LIKE '%fraud%'"); empty: all
    int limit = 1000;
    int offset = 0;
};

class RegistryChange;

class ModelRegistry {
public:
    static constexpr int kMaxNameLength = 256;
    static Status validateModelName(const QString &name);
    static Status validateAlias(const QString &alias);

    explicit ModelRegistry(store::Database &db, const common::Clock *clock = nullptr, QString actor = QString());

    // Models.
    Result<RegisteredModel> createModel(const QString &name, const QString &description = QString(), const QVector<KeyValue> &tags = {});
    // Creates the model when it does not exist yet (registering a first version does).
    Result<RegisteredModel> ensureModel(const QString &name);
    Result<RegisteredModel> model(const QString &name);
    Result<QVector<RegisteredModel>> models(const ModelQuery &query = {});
    Result<int> modelCount(const QString &nameLike = QString());
    Status updateModelDescription(const QString &name, const QString &description);
    Result<RegisteredModel> renameModel(const QString &name, const QString &newName);
    Status deleteModel(const QString &name);
    Status setModelTag(const QString &name, const KeyValue &tag);
    Status deleteModelTag(const QString &name, const QString &key);
    Result<ModelGates> gates(const QString &name);
    Status setGates(const QString &name, const ModelGates &gates, const QString &reason = QString());

    // Versions.
    Result<ModelVersion> createVersion(const NewVersion &version);
    Result<ModelVersion> version(const QString &name, int version);
    Result<QVector<ModelVersion>> versions(const VersionQuery &query);
    Result<ModelVersion> versionByAlias(const QString &name, const QString &alias);
    // MLflow's get-latest-versions: the newest version in each of `stages` (all stages when empty).
    Result<QVector<ModelVersion>> latestVersions(const QString &name, const QStringList &stages = {});
    Status updateVersionDescription(const QString &name, int version, const QString &description);
    Status setVersionTag(const QString &name, int version, const KeyValue &tag);
    Status deleteVersionTag(const QString &name, int version, const QString &key);
    Status deleteVersion(const QString &name, int version);
    // MLflow's transition-stage; archiveExisting moves the other versions in that stage to Archived.
    Result<ModelVersion> transitionStage(const QString &name, int version, const QString &stage, bool archiveExisting);
    Status setCard(const QString &name, int version, const QString &markdown);
    // The reference profile live monitoring compares traffic with (core/monitor/reference_profile.h's
    // JSON; the registry stores it as it is). An empty object: none.
    Status setReferenceProfile(const QString &name, int version, const QJsonObject &profile);
    Result<QJsonObject> referenceProfile(const QString &name, int version);
    Status setValidation(const QString &name, int version, Validation validation, const QVector<GateOutcome> &outcomes);
    // Archived versions keep their files and history but hold no alias and cannot be promoted.
    Status setArchived(const QString &name, int version, bool archived, const QString &reason = QString());

    // Aliases. setAlias refuses a missing or archived version; `champion` only through promote().
    Status setAlias(const QString &name, const QString &alias, int version, const QString &reason = QString());
    Status deleteAlias(const QString &name, const QString &alias, const QString &reason = QString());
    Result<QVector<AliasChange>> aliasHistory(const QString &name, const QString &alias = QString());
    // The version `alias` pointed at, at `time` (0: none then).
    Result<int> aliasAt(const QString &name, const QString &alias, const QDateTime &time);

    // Champion and challenger (docs/architecture.md). A new version with its gate outcomes: kept
    // either way; when they all passed it becomes challenger, or champion when there is none.
    Result<ModelVersion> recordValidatedVersion(const NewVersion &version);
    // Why `version` may not become champion now (empty: it may).
    Result<QString> promotionBlocker(const QString &name, int version);
    // The same for a version already read.
    static QString promotionBlockerOf(const ModelVersion &version);
    // champion → version (default: the challenger), refused with the blocker's reason.
    Result<ModelVersion> promote(const QString &name, int version = 0, const QString &reason = QString());
    // promote()'s rule inside a transaction the caller holds (a rollout's completion moves
    // champion together with the deployment's rows); the audit entry and webhook rows are
    // written into it. Returns the version promoted.
    Result<int> promoteWithinTransaction(const QString &name, int version, const QString &reason);
    // champion back to the version that held it before (its history); removed when none is valid.
    Result<int> demote(const QString &name, const QString &reason = QString());

private:
    Result<int> promoteWithin(RegistryChange &change, const QString &name, int version, const QString &reason);

    store::Database &m_db;
    const common::Clock &m_clock;
    QString m_actor;
};

} // namespace orrery::registry
