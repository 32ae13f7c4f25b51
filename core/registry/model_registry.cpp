// ModelRegistry: models and versions (aliases and champion/challenger: model_registry_aliases.cpp).
#include "core/registry/model_registry.h"

#include "core/common/clock.h"
#include "core/common/system_info.h"
#include "core/registry/registry_change.h"
#include "core/registry/registry_rows.h"
#include "core/store/database.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace orrery::registry {

Status ModelRegistry::validateModelName(const QString &name)
{
    if (name.trimmed().isEmpty())
        return invalidArgument(QStringLiteral("model name: empty"));
    if (name.size() > kMaxNameLength)
        return invalidArgument(QStringLiteral("model name: %1 characters, at most %2").arg(name.size()).arg(kMaxNameLength));
    if (name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')))
        return invalidArgument(QStringLiteral("model name '%1': no '/' or '\\' (a name is part of models:/NAME@ALIAS URIs)").arg(name));
    if (name.contains(QLatin1String("..")))
        return invalidArgument(QStringLiteral("model name '%1': no '..'").arg(name));
    for (const QChar c : name)
        if (c.category() == QChar::Other_Control)
            return invalidArgument(QStringLiteral("model name: control character U+%1 at position %2")
                                       .arg(c.unicode(), 4, 16, QLatin1Char('0'))
                                       .arg(name.indexOf(c) + 1));
    if (name != name.trimmed())
        return invalidArgument(QStringLiteral("model name '%1': no leading or trailing spaces").arg(name));
    return {};
}

Status ModelRegistry::validateAlias(const QString &alias)
{
    static const QRegularExpression allowed(QStringLiteral("^[A-Za-z0-9_\\-]+$"));
    static const QRegularExpression versionLike(QStringLiteral("^[vV]\\d+$"));
    if (alias.isEmpty())
        return invalidArgument(QStringLiteral("alias: empty"));
    if (alias.toUtf8().size() > 256)
        return invalidArgument(QStringLiteral("alias: longer than 256 bytes"));
    if (!allowed.match(alias).hasMatch())
        return invalidArgument(QStringLiteral("alias '%1': only letters, digits, '_' and '-'").arg(alias));
    if (alias.compare(QLatin1String("latest"), Qt::CaseInsensitive) == 0 || versionLike.match(alias).hasMatch())
        return invalidArgument(QStringLiteral("alias '%1' is reserved ('latest' and v<number> name versions)").arg(alias));
    return {};
}

ModelRegistry::ModelRegistry(store::Database &db, const common::Clock *clock, QString actor)
    : m_db(db), m_clock(clock ? *clock : common::Clock::system()), m_actor(actor.isEmpty() ? common::osUserName() : std::move(actor))
{
}

// ---- models ----

Result<RegisteredModel> ModelRegistry::createModel(const QString &name, const QString &description, const QVector<KeyValue> &tags)
{
    ORRERY_TRY(validateModelName(name));
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_ASSIGN_OR_RETURN(bool exists, rows::modelExists(m_db, name));
    if (exists)
        return Status(ErrorCode::AlreadyExists, QStringLiteral("registered model '%1' already exists").arg(name));
    ORRERY_TRY(rows::insertModel(m_db, name, description, change.now()));
    for (const KeyValue &t : tags)
        ORRERY_TRY(rows::setModelTag(m_db, name, t));
    change.audit(QStringLiteral("model.create"), QStringLiteral("model ") + name, QString(), {{QStringLiteral("description"), description}});
    ORRERY_TRY(change.commit());
    return model(name);
}

Result<RegisteredModel> ModelRegistry::ensureModel(const QString &name)
{
    auto existing = model(name);
    if (existing || existing.status().code() != ErrorCode::NotFound)
        return existing;
    auto created = createModel(name);
    if (!created && created.status().code() == ErrorCode::AlreadyExists)
        return model(name); // made by another process meanwhile
    return created;
}

Result<RegisteredModel> ModelRegistry::model(const QString &name)
{
    return rows::readModel(m_db, name);
}

Result<QVector<RegisteredModel>> ModelRegistry::models(const ModelQuery &query)
{
    return rows::readModels(m_db, query);
}

Result<int> ModelRegistry::modelCount(const QString &nameLike)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT count(*) FROM registered_models WHERE ?1 = '' OR name LIKE ?1")));
    s.bind(1, nameLike);
    if (!s.next())
        return s.status();
    return int(s.int64(0));
}

Status ModelRegistry::updateModelDescription(const QString &name, const QString &description)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireModel(m_db, name));
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("UPDATE registered_models SET description = ?, last_updated_time = ? WHERE name = ?"),
                          {description, change.now(), name}));
    change.audit(QStringLiteral("model.update"), QStringLiteral("model ") + name, QString(), {{QStringLiteral("description"), description}});
    return change.commit();
}

Result<RegisteredModel> ModelRegistry::renameModel(const QString &name, const QString &newName)
{
    ORRERY_TRY(validateModelName(newName));
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireModel(m_db, name));
    ORRERY_ASSIGN_OR_RETURN(bool taken, rows::modelExists(m_db, newName));
    if (taken)
        return Status(ErrorCode::AlreadyExists, QStringLiteral("registered model '%1' already exists").arg(newName));
    // Versions, tags and aliases follow through ON UPDATE CASCADE; the history is renamed too, so
    // `models history NEW` tells the whole story.
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("UPDATE registered_models SET name = ?, last_updated_time = ? WHERE name = ?"),
                          {newName, change.now(), name}));
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("UPDATE model_alias_history SET name = ? WHERE name = ?"), {newName, name}));
    change.audit(QStringLiteral("model.rename"), QStringLiteral("model ") + name, QString(), {{QStringLiteral("new_name"), newName}});
    ORRERY_TRY(change.commit());
    return model(newName);
}

Status ModelRegistry::deleteModel(const QString &name)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireModel(m_db, name));
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("DELETE FROM registered_models WHERE name = ?"), {name}));
    change.audit(QStringLiteral("model.delete"), QStringLiteral("model ") + name, QString());
    return change.commit();
}

Status ModelRegistry::setModelTag(const QString &name, const KeyValue &tag)
{
    if (tag.key.isEmpty())
        return invalidArgument(QStringLiteral("model tag: empty key"));
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireModel(m_db, name));
    ORRERY_TRY(rows::setModelTag(m_db, name, tag));
    change.audit(QStringLiteral("model.tag"), QStringLiteral("model ") + name, QString(), {{tag.key, tag.value}});
    return change.commit();
}

Status ModelRegistry::deleteModelTag(const QString &name, const QString &key)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireModel(m_db, name));
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("DELETE FROM registered_model_tags WHERE name = ? AND key = ?"), {name, key}));
    if (m_db.changes() == 0)
        return notFound(QStringLiteral("registered model '%1' has no tag '%2'").arg(name, key));
    change.audit(QStringLiteral("model.untag"), QStringLiteral("model ") + name, QString(), {{QStringLiteral("key"), key}});
    return change.commit();
}

Result<ModelGates> ModelRegistry::gates(const QString &name)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT gates FROM registered_models WHERE name = ?")));
    s.bind(1, name);
    if (!s.next()) {
        ORRERY_TRY(s.status());
        return notFound(QStringLiteral("registered model '%1' does not exist").arg(name));
    }
    return ModelGates::fromJson(QJsonDocument::fromJson(s.text(0).toUtf8()).object());
}

Status ModelRegistry::setGates(const QString &name, const ModelGates &gates, const QString &reason)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireModel(m_db, name));
    const QJsonObject json = gates.toJson();
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("UPDATE registered_models SET gates = ?, last_updated_time = ? WHERE name = ?"),
                          {QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)), change.now(), name}));
    change.audit(QStringLiteral("model.gates"), QStringLiteral("model ") + name, reason, json);
    return change.commit();
}

// ---- versions ----

Result<ModelVersion> ModelRegistry::createVersion(const NewVersion &v)
{
    ORRERY_TRY(validateModelName(v.name));
    if (v.source.isEmpty())
        return invalidArgument(QStringLiteral("model version of '%1': empty source").arg(v.name));
    // The model is created with its first version when it does not exist (MLflow's
    // register_model does the same through two calls).
    ORRERY_TRY(ensureModel(v.name).status());
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_ASSIGN_OR_RETURN(int number, rows::nextVersion(m_db, v.name));
    ORRERY_TRY(rows::insertVersion(m_db, v, number, change.now(), v.userId.isEmpty() ? m_actor : v.userId));
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("UPDATE registered_models SET last_updated_time = ? WHERE name = ?"), {change.now(), v.name}));
    const QJsonObject details{{QStringLiteral("version"), number},
                              {QStringLiteral("source"), v.source},
                              {QStringLiteral("run_id"), v.runId},
                              {QStringLiteral("model_md5"), v.modelMd5},
                              {QStringLiteral("validation"), validationName(v.validation)}};
    change.audit(QStringLiteral("model.version.create"), QStringLiteral("model %1 v%2").arg(v.name).arg(number), QString(), details);
    change.event(webhook_event::kVersionCreated, v.name, details);
    ORRERY_TRY(change.commit());
    return version(v.name, number);
}

Result<ModelVersion> ModelRegistry::version(const QString &name, int number)
{
    return rows::readVersion(m_db, name, number);
}

Result<QVector<ModelVersion>> ModelRegistry::versions(const VersionQuery &query)
{
    return rows::readVersions(m_db, query);
}

Result<QVector<ModelVersion>> ModelRegistry::latestVersions(const QString &name, const QStringList &stages)
{
    ORRERY_TRY(rows::requireModel(m_db, name));
    QStringList wanted;
    for (const QString &s : stages) {
        const QString n = normalizedStage(s);
        if (n.isEmpty())
            return invalidArgument(QStringLiteral("stage '%1': one of None, Staging, Production, Archived").arg(s));
        wanted << n;
    }
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT stage, max(version) FROM model_versions WHERE name = ? GROUP BY stage")));
    s.bind(1, name);
    QVector<int> numbers;
    while (s.next())
        if (wanted.isEmpty() || wanted.contains(s.text(0)))
            numbers << int(s.int64(1));
    ORRERY_TRY(s.status());
    std::sort(numbers.begin(), numbers.end());
    QVector<ModelVersion> out;
    for (const int n : std::as_const(numbers)) {
        ORRERY_ASSIGN_OR_RETURN(auto v, version(name, n));
        out.append(std::move(v));
    }
    return out;
}

Status ModelRegistry::updateVersionDescription(const QString &name, int number, const QString &description)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireVersion(m_db, name, number));
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("UPDATE model_versions SET description = ?, last_updated_time = ? WHERE name = ? AND version = ?"),
                          {description, change.now(), name, number}));
    change.audit(QStringLiteral("model.version.update"), QStringLiteral("model %1 v%2").arg(name).arg(number), QString(),
                 {{QStringLiteral("description"), description}});
    return change.commit();
}

Status ModelRegistry::setVersionTag(const QString &name, int number, const KeyValue &tag)
{
    if (tag.key.isEmpty())
        return invalidArgument(QStringLiteral("model version tag: empty key"));
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireVersion(m_db, name, number));
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("INSERT INTO model_version_tags(name, version, key, value) VALUES (?, ?, ?, ?) "
                                               "ON CONFLICT(name, version, key) DO UPDATE SET value = excluded.value"),
                          {name, number, tag.key, tag.value}));
    change.audit(QStringLiteral("model.version.tag"), QStringLiteral("model %1 v%2").arg(name).arg(number), QString(), {{tag.key, tag.value}});
    return change.commit();
}

Status ModelRegistry::deleteVersionTag(const QString &name, int number, const QString &key)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireVersion(m_db, name, number));
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?"), {name, number, key}));
    if (m_db.changes() == 0)
        return notFound(QStringLiteral("model %1 v%2 has no tag '%3'").arg(name).arg(number).arg(key));
    change.audit(QStringLiteral("model.version.untag"), QStringLiteral("model %1 v%2").arg(name).arg(number), QString(), {{QStringLiteral("key"), key}});
    return change.commit();
}

Status ModelRegistry::deleteVersion(const QString &name, int number)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireVersion(m_db, name, number));
    ORRERY_ASSIGN_OR_RETURN(auto aliases, rows::aliasesOfVersion(m_db, name, number));
    for (const QString &alias : std::as_const(aliases))
        ORRERY_TRY(rows::moveAlias(m_db, name, alias, 0, change.now(), m_actor, QStringLiteral("version %1 deleted").arg(number)).status());
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("DELETE FROM model_versions WHERE name = ? AND version = ?"), {name, number}));
    change.audit(QStringLiteral("model.version.delete"), QStringLiteral("model %1 v%2").arg(name).arg(number), QString(),
                 {{QStringLiteral("aliases_removed"), QJsonArray::fromStringList(aliases)}});
    return change.commit();
}

Result<ModelVersion> ModelRegistry::transitionStage(const QString &name, int number, const QString &stage, bool archiveExisting)
{
    const QString normalized = normalizedStage(stage);
    if (normalized.isEmpty())
        return invalidArgument(QStringLiteral("stage '%1': one of None, Staging, Production, Archived").arg(stage));
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireVersion(m_db, name, number));
    if (archiveExisting && normalized != QLatin1String("None") && normalized != QLatin1String("Archived"))
        ORRERY_TRY(rows::exec(m_db, QStringLiteral("UPDATE model_versions SET stage = 'Archived', last_updated_time = ? "
                                                   "WHERE name = ? AND stage = ? AND version != ?"),
                              {change.now(), name, normalized, number}));
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("UPDATE model_versions SET stage = ?, last_updated_time = ? WHERE name = ? AND version = ?"),
                          {normalized, change.now(), name, number}));
    change.audit(QStringLiteral("model.version.stage"), QStringLiteral("model %1 v%2").arg(name).arg(number), QString(),
                 {{QStringLiteral("stage"), normalized}, {QStringLiteral("archive_existing"), archiveExisting}});
    ORRERY_TRY(change.commit());
    return version(name, number);
}

Status ModelRegistry::setCard(const QString &name, int number, const QString &markdown)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireVersion(m_db, name, number));
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("UPDATE model_versions SET card = ?, last_updated_time = ? WHERE name = ? AND version = ?"),
                          {markdown, change.now(), name, number}));
    change.audit(QStringLiteral("model.version.card"), QStringLiteral("model %1 v%2").arg(name).arg(number), QString(),
                 {{QStringLiteral("bytes"), int(markdown.toUtf8().size())}});
    return change.commit();
}

Status ModelRegistry::setReferenceProfile(const QString &name, int number, const QJsonObject &profile)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireVersion(m_db, name, number));
    const QString text = profile.isEmpty() ? QString() : QString::fromUtf8(QJsonDocument(profile).toJson(QJsonDocument::Compact));
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("UPDATE model_versions SET reference_profile = ?, last_updated_time = ? WHERE name = ? AND version = ?"),
                          {text, change.now(), name, number}));
    change.audit(QStringLiteral("model.version.reference_profile"), QStringLiteral("model %1 v%2").arg(name).arg(number), QString(),
                 {{QStringLiteral("features"), profile.value(QStringLiteral("features")).toArray().size()}});
    return change.commit();
}

Result<QJsonObject> ModelRegistry::referenceProfile(const QString &name, int number)
{
    ORRERY_TRY(rows::requireVersion(m_db, name, number));
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT reference_profile FROM model_versions WHERE name = ? AND version = ?")));
    s.bind(1, name).bind(2, number);
    if (!s.next())
        return s.status().isOk() ? QJsonObject() : Result<QJsonObject>(s.status());
    return QJsonDocument::fromJson(s.text(0).toUtf8()).object();
}

Status ModelRegistry::setValidation(const QString &name, int number, Validation validation, const QVector<GateOutcome> &outcomes)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireVersion(m_db, name, number));
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("UPDATE model_versions SET validation = ?, gate_outcomes = ?, last_updated_time = ? "
                                               "WHERE name = ? AND version = ?"),
                          {validationName(validation), rows::outcomesJson(outcomes), change.now(), name, number}));
    const QJsonObject details{{QStringLiteral("version"), number}, {QStringLiteral("validation"), validationName(validation)}};
    change.audit(QStringLiteral("model.version.validation"), QStringLiteral("model %1 v%2").arg(name).arg(number), QString(), details);
    change.event(webhook_event::kValidationChanged, name, details);
    return change.commit();
}

Status ModelRegistry::setArchived(const QString &name, int number, bool archived, const QString &reason)
{
    RegistryChange change(m_db, m_clock, m_actor);
    ORRERY_TRY(change.status());
    ORRERY_TRY(rows::requireVersion(m_db, name, number));
    ORRERY_ASSIGN_OR_RETURN(auto aliases, rows::aliasesOfVersion(m_db, name, number));
    if (archived && aliases.contains(QStringLiteral("champion")))
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("model %1 v%2 is the champion: promote another version or demote it before archiving").arg(name).arg(number));
    if (archived)
        for (const QString &alias : std::as_const(aliases)) {
            ORRERY_TRY(rows::moveAlias(m_db, name, alias, 0, change.now(), m_actor, QStringLiteral("version %1 archived").arg(number)).status());
            change.event(webhook_event::kAliasMoved, name, {{QStringLiteral("alias"), alias}, {QStringLiteral("version"), 0}, {QStringLiteral("previous"), number}});
        }
    ORRERY_TRY(rows::exec(m_db, QStringLiteral("UPDATE model_versions SET archived = ?, last_updated_time = ? WHERE name = ? AND version = ?"),
                          {archived ? 1 : 0, change.now(), name, number}));
    change.audit(archived ? QStringLiteral("model.version.archive") : QStringLiteral("model.version.unarchive"),
                 QStringLiteral("model %1 v%2").arg(name).arg(number), reason, {{QStringLiteral("aliases_removed"), QJsonArray::fromStringList(archived ? aliases : QStringList())}});
    return change.commit();
}

} // namespace orrery::registry
