#include "core/registry/registry_rows.h"

#include "core/store/database.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <functional>

namespace orrery::registry::rows {

namespace {

const char *kVersionColumns =
    "name, version, creation_time, last_updated_time, description, source, run_id, run_link, user_id, status, status_message, stage, "
    "archived, model_md5, model_size, model_file_name, format, signature, not_servable_reason, lineage, validation, gate_outcomes, card";

QJsonObject objectOf(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QString textOf(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

VersionStatus statusOf(const QString &s)
{
    if (s == QLatin1String("PENDING_REGISTRATION"))
        return VersionStatus::PendingRegistration;
    if (s == QLatin1String("FAILED_REGISTRATION"))
        return VersionStatus::FailedRegistration;
    return VersionStatus::Ready;
}

ModelVersion versionFrom(const store::Statement &s)
{
    ModelVersion v;
    v.name = s.text(0);
    v.version = int(s.int64(1));
    v.creationTime = s.int64(2);
    v.lastUpdatedTime = s.int64(3);
    v.description = s.text(4);
    v.source = s.text(5);
    v.runId = s.text(6);
    v.runLink = s.text(7);
    v.userId = s.text(8);
    v.status = statusOf(s.text(9));
    v.statusMessage = s.text(10);
    v.stage = s.text(11);
    v.archived = s.int64(12) != 0;
    v.modelMd5 = s.text(13);
    v.modelSize = s.int64(14);
    v.modelFileName = s.text(15);
    v.format = s.text(16);
    v.signature = objectOf(s.text(17));
    v.notServableReason = s.text(18);
    v.lineage = objectOf(s.text(19));
    v.validation = validationFromName(s.text(20));
    v.gateOutcomes = outcomesFromJson(s.text(21));
    v.card = s.text(22);
    return v;
}

// Tags and aliases of the versions read, one indexed lookup each.
Status completeVersions(store::Database &db, QVector<ModelVersion> &versions)
{
    ORRERY_ASSIGN_OR_RETURN(auto tags, db.prepare(QStringLiteral("SELECT key, value FROM model_version_tags WHERE name = ? AND version = ? ORDER BY key")));
    ORRERY_ASSIGN_OR_RETURN(auto aliases, db.prepare(QStringLiteral("SELECT alias FROM model_aliases WHERE name = ? AND version = ? ORDER BY alias")));
    for (ModelVersion &v : versions) {
        tags.reset();
        tags.bind(1, v.name).bind(2, v.version);
        while (tags.next())
            v.tags.append({tags.text(0), tags.text(1)});
        ORRERY_TRY(tags.status());
        aliases.reset();
        aliases.bind(1, v.name).bind(2, v.version);
        while (aliases.next())
            v.aliases << aliases.text(0);
        ORRERY_TRY(aliases.status());
    }
    return {};
}

Status completeModel(store::Database &db, RegisteredModel &m)
{
    ORRERY_ASSIGN_OR_RETURN(auto tags, db.prepare(QStringLiteral("SELECT key, value FROM registered_model_tags WHERE name = ? ORDER BY key")));
    tags.bind(1, m.name);
    while (tags.next())
        m.tags.append({tags.text(0), tags.text(1)});
    ORRERY_TRY(tags.status());
    ORRERY_ASSIGN_OR_RETURN(auto aliases, db.prepare(QStringLiteral("SELECT alias, version FROM model_aliases WHERE name = ? ORDER BY alias")));
    aliases.bind(1, m.name);
    while (aliases.next())
        m.aliases.append({aliases.text(0), int(aliases.int64(1))});
    ORRERY_TRY(aliases.status());
    ORRERY_ASSIGN_OR_RETURN(auto count, db.prepare(QStringLiteral("SELECT coalesce(max(version), 0), count(*) FROM model_versions WHERE name = ?")));
    count.bind(1, m.name);
    if (count.next()) {
        m.latestVersion = int(count.int64(0));
        m.versionCount = int(count.int64(1));
    }
    return count.status();
}

} // namespace

Status exec(store::Database &db, const QString &sql, const QVector<QVariant> &bindings)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(sql));
    s.bindAll(bindings);
    return s.run();
}

Result<bool> modelExists(store::Database &db, const QString &name)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT 1 FROM registered_models WHERE name = ?")));
    s.bind(1, name);
    const bool found = s.next();
    ORRERY_TRY(s.status());
    return found;
}

Status requireModel(store::Database &db, const QString &name)
{
    ORRERY_ASSIGN_OR_RETURN(bool exists, modelExists(db, name));
    return exists ? Status() : notFound(QStringLiteral("registered model '%1' does not exist").arg(name));
}

Status requireVersion(store::Database &db, const QString &name, int version)
{
    ORRERY_TRY(requireModel(db, name));
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT 1 FROM model_versions WHERE name = ? AND version = ?")));
    s.bind(1, name).bind(2, version);
    if (s.next())
        return {};
    ORRERY_TRY(s.status());
    return notFound(QStringLiteral("model '%1' has no version %2").arg(name).arg(version));
}

Status insertModel(store::Database &db, const QString &name, const QString &description, qint64 now)
{
    return exec(db, QStringLiteral("INSERT INTO registered_models(name, description, creation_time, last_updated_time) VALUES (?, ?, ?, ?)"),
                {name, description, now, now});
}

Status setModelTag(store::Database &db, const QString &name, const KeyValue &tag)
{
    return exec(db, QStringLiteral("INSERT INTO registered_model_tags(name, key, value) VALUES (?, ?, ?) "
                                   "ON CONFLICT(name, key) DO UPDATE SET value = excluded.value"),
                {name, tag.key, tag.value});
}

Result<RegisteredModel> readModel(store::Database &db, const QString &name)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT name, description, creation_time, last_updated_time FROM registered_models WHERE name = ?")));
    s.bind(1, name);
    if (!s.next()) {
        ORRERY_TRY(s.status());
        return notFound(QStringLiteral("registered model '%1' does not exist").arg(name));
    }
    RegisteredModel m{s.text(0), s.text(1), s.int64(2), s.int64(3), {}, {}, 0, 0};
    ORRERY_TRY(completeModel(db, m));
    return m;
}

Result<QVector<RegisteredModel>> readModels(store::Database &db, const ModelQuery &query)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT name, description, creation_time, last_updated_time FROM registered_models "
                                                              "WHERE ?1 = '' OR name LIKE ?1 ORDER BY name LIMIT ?2 OFFSET ?3")));
    s.bind(1, query.nameLike).bind(2, query.limit).bind(3, query.offset);
    QVector<RegisteredModel> out;
    QHash<QString, int> indexOf;
    while (s.next()) {
        indexOf.insert(s.text(0), int(out.size()));
        out.append({s.text(0), s.text(1), s.int64(2), s.int64(3), {}, {}, 0, 0});
    }
    ORRERY_TRY(s.status());
    if (out.isEmpty())
        return out;
    // Tags, aliases and version counts of the page in three reads (not three per model): a list of
    // 1,000 models is read in one go by `models list` and the Registry area.
    const QString page = QStringLiteral("(SELECT name FROM registered_models WHERE ?1 = '' OR name LIKE ?1 ORDER BY name LIMIT ?2 OFFSET ?3)");
    auto each = [&](const QString &sql, const std::function<void(RegisteredModel &, const store::Statement &)> &take) -> Status {
        ORRERY_ASSIGN_OR_RETURN(auto q, db.prepare(sql.arg(page)));
        q.bind(1, query.nameLike).bind(2, query.limit).bind(3, query.offset);
        while (q.next())
            if (const auto it = indexOf.constFind(q.text(0)); it != indexOf.cend())
                take(out[*it], q);
        return q.status();
    };
    ORRERY_TRY(each(QStringLiteral("SELECT name, key, value FROM registered_model_tags WHERE name IN %1 ORDER BY name, key"),
                    [](RegisteredModel &m, const store::Statement &q) { m.tags.append({q.text(1), q.text(2)}); }));
    ORRERY_TRY(each(QStringLiteral("SELECT name, alias, version FROM model_aliases WHERE name IN %1 ORDER BY name, alias"),
                    [](RegisteredModel &m, const store::Statement &q) { m.aliases.append({q.text(1), int(q.int64(2))}); }));
    ORRERY_TRY(each(QStringLiteral("SELECT name, max(version), count(*) FROM model_versions WHERE name IN %1 GROUP BY name"),
                    [](RegisteredModel &m, const store::Statement &q) {
                        m.latestVersion = int(q.int64(1));
                        m.versionCount = int(q.int64(2));
                    }));
    return out;
}

Result<int> nextVersion(store::Database &db, const QString &name)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT coalesce(max(version), 0) + 1 FROM model_versions WHERE name = ?")));
    s.bind(1, name);
    if (!s.next())
        return s.status();
    return int(s.int64(0));
}

Status insertVersion(store::Database &db, const NewVersion &v, int version, qint64 now, const QString &userId)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("INSERT INTO model_versions(%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                                                   .arg(QLatin1String(kVersionColumns))));
    s.bind(1, v.name).bind(2, version).bind(3, now).bind(4, now).bind(5, v.description).bind(6, v.source).bind(7, v.runId).bind(8, v.runLink);
    s.bind(9, userId).bind(10, versionStatusName(VersionStatus::Ready)).bind(11, QString()).bind(12, QStringLiteral("None")).bind(13, 0);
    s.bind(14, v.modelMd5).bind(15, v.modelSize).bind(16, v.modelFileName).bind(17, v.format).bind(18, textOf(v.signature));
    s.bind(19, v.notServableReason).bind(20, textOf(v.lineage)).bind(21, validationName(v.validation)).bind(22, outcomesJson(v.gateOutcomes));
    s.bind(23, v.card);
    ORRERY_TRY(s.run());
    if (!v.referenceProfile.isEmpty()) { // kept out of kVersionColumns: listings never read it
        ORRERY_ASSIGN_OR_RETURN(auto p, db.prepare(QStringLiteral("UPDATE model_versions SET reference_profile = ? WHERE name = ? AND version = ?")));
        p.bind(1, textOf(v.referenceProfile)).bind(2, v.name).bind(3, version);
        ORRERY_TRY(p.run());
    }
    ORRERY_ASSIGN_OR_RETURN(auto tag, db.prepare(QStringLiteral("INSERT OR REPLACE INTO model_version_tags(name, version, key, value) VALUES (?, ?, ?, ?)")));
    for (const KeyValue &t : v.tags) {
        tag.reset();
        tag.bind(1, v.name).bind(2, version).bind(3, t.key).bind(4, t.value);
        ORRERY_TRY(tag.run());
    }
    return {};
}

Result<ModelVersion> readVersion(store::Database &db, const QString &name, int version)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT %1 FROM model_versions WHERE name = ? AND version = ?").arg(QLatin1String(kVersionColumns))));
    s.bind(1, name).bind(2, version);
    if (!s.next()) {
        ORRERY_TRY(s.status());
        ORRERY_TRY(requireModel(db, name));
        return notFound(QStringLiteral("model '%1' has no version %2").arg(name).arg(version));
    }
    QVector<ModelVersion> one{versionFrom(s)};
    ORRERY_TRY(completeVersions(db, one));
    return one.first();
}

Result<QVector<ModelVersion>> readVersions(store::Database &db, const VersionQuery &q)
{
    QString where = QStringLiteral("1");
    QVector<QVariant> bindings;
    if (!q.name.isEmpty()) {
        where += QStringLiteral(" AND v.name = ?");
        bindings << q.name;
    }
    if (!q.runId.isEmpty()) {
        where += QStringLiteral(" AND v.run_id = ?");
        bindings << q.runId;
    }
    if (!q.tagKey.isEmpty()) {
        where += QStringLiteral(" AND EXISTS (SELECT 1 FROM model_version_tags t WHERE t.key = ? AND t.value = ? AND t.name = v.name AND t.version = v.version)");
        bindings << q.tagKey << q.tagValue;
    }
    if (!q.includeArchived)
        where += QStringLiteral(" AND v.archived = 0");
    QStringList columns = QString::fromLatin1(kVersionColumns).split(QStringLiteral(", "));
    for (QString &c : columns)
        c.prepend(QStringLiteral("v."));
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT %1 FROM model_versions v WHERE %2 ORDER BY v.name, v.version DESC LIMIT ? OFFSET ?")
                                                   .arg(columns.join(QStringLiteral(", ")), where)));
    bindings << q.limit << q.offset;
    s.bindAll(bindings);
    QVector<ModelVersion> out;
    while (s.next())
        out.append(versionFrom(s));
    ORRERY_TRY(s.status());
    ORRERY_TRY(completeVersions(db, out));
    return out;
}

Result<QStringList> aliasesOfVersion(store::Database &db, const QString &name, int version)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT alias FROM model_aliases WHERE name = ? AND version = ? ORDER BY alias")));
    s.bind(1, name).bind(2, version);
    QStringList out;
    while (s.next())
        out << s.text(0);
    ORRERY_TRY(s.status());
    return out;
}

Result<int> aliasVersion(store::Database &db, const QString &name, const QString &alias)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT version FROM model_aliases WHERE name = ? AND alias = ?")));
    s.bind(1, name).bind(2, alias);
    const int v = s.next() ? int(s.int64(0)) : 0;
    ORRERY_TRY(s.status());
    return v;
}

Result<int> moveAlias(store::Database &db, const QString &name, const QString &alias, int version, qint64 now, const QString &actor,
                      const QString &reason)
{
    ORRERY_ASSIGN_OR_RETURN(int previous, aliasVersion(db, name, alias));
    if (previous == version)
        return previous;
    if (version == 0)
        ORRERY_TRY(exec(db, QStringLiteral("DELETE FROM model_aliases WHERE name = ? AND alias = ?"), {name, alias}));
    else
        ORRERY_TRY(exec(db, QStringLiteral("INSERT INTO model_aliases(name, alias, version) VALUES (?, ?, ?) "
                                           "ON CONFLICT(name, alias) DO UPDATE SET version = excluded.version"),
                        {name, alias, version}));
    ORRERY_TRY(exec(db, QStringLiteral("INSERT INTO model_alias_history(name, alias, version, previous, time, actor, reason) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                    {name, alias, version, previous, now, actor, reason}));
    ORRERY_TRY(exec(db, QStringLiteral("UPDATE registered_models SET last_updated_time = ? WHERE name = ?"), {now, name}));
    return previous;
}

QString outcomesJson(const QVector<GateOutcome> &outcomes)
{
    QJsonArray a;
    for (const GateOutcome &o : outcomes)
        a.append(QJsonObject{{QStringLiteral("gate"), o.gate}, {QStringLiteral("passed"), o.passed}, {QStringLiteral("explanation"), o.explanation}});
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

QVector<GateOutcome> outcomesFromJson(const QString &json)
{
    QVector<GateOutcome> out;
    const QJsonArray a = QJsonDocument::fromJson(json.toUtf8()).array();
    for (const QJsonValue &v : a) {
        const QJsonObject o = v.toObject();
        out.append({o.value(QStringLiteral("gate")).toString(), o.value(QStringLiteral("passed")).toBool(),
                    o.value(QStringLiteral("explanation")).toString()});
    }
    return out;
}

} // namespace orrery::registry::rows
