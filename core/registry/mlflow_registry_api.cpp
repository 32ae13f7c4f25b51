// MlflowRegistryApi: MLflow 2.4's model-registry REST endpoints over ModelRegistry (see the header).
#include "core/registry/mlflow_registry_api.h"

#include "core/registry/model_file.h"
#include "core/registry/model_lineage.h"
#include "core/registry/model_registry.h"
#include "core/tracking/artifact_store.h"
#include "core/tracking/mlflow_json.h"
#include "core/tracking/tracking_store.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QUrl>

#include <algorithm>
#include <functional>

namespace orrery::registry {
namespace {

using tracking::MlflowRequest;
namespace mlflow = tracking::mlflow;

constexpr int kModelsDefault = 100, kModelsMax = 1000;          // SEARCH_REGISTERED_MODEL_MAX_RESULTS_*
constexpr int kVersionsDefault = 10000, kVersionsMax = 200000;  // SEARCH_MODEL_VERSION_MAX_RESULTS_*
constexpr int kReadAll = 1'000'000;

QString s(const char *text) { return QString::fromLatin1(text); }

QJsonObject versionJson(const ModelVersion &v)
{
    QJsonObject o{{s("name"), v.name},
                  {s("version"), QString::number(v.version)},
                  {s("creation_timestamp"), v.creationTime},
                  {s("last_updated_timestamp"), v.lastUpdatedTime},
                  {s("current_stage"), v.stage},
                  {s("description"), v.description},
                  {s("source"), v.source},
                  {s("run_id"), v.runId},
                  {s("status"), versionStatusName(v.status)}};
    if (!v.userId.isEmpty())
        o.insert(s("user_id"), v.userId);
    if (!v.runLink.isEmpty())
        o.insert(s("run_link"), v.runLink);
    // MLflow's clients read status_message only while a version is not READY; a version kept but
    // not servable says why there.
    QString message = v.statusMessage;
    if (message.isEmpty() && !v.servable())
        message = QStringLiteral("not servable: %1").arg(v.notServableReason.isEmpty() ? QStringLiteral("no model file stored") : v.notServableReason);
    if (!message.isEmpty())
        o.insert(s("status_message"), message);
    mlflow::putArray(o, s("tags"), mlflow::keyValuesJson(v.tags));
    mlflow::putArray(o, s("aliases"), QJsonArray::fromStringList(v.aliases));
    return o;
}

QJsonArray versionsJson(const QVector<ModelVersion> &versions)
{
    QJsonArray a;
    for (const ModelVersion &v : versions)
        a.append(versionJson(v));
    return a;
}

// MLflow's LIKE / ILIKE: % any run, _ one character.
bool likeMatches(const QString &text, const QString &pattern, bool caseInsensitive)
{
    QString re;
    for (const QChar c : pattern)
        re += c == QLatin1Char('%') ? QStringLiteral(".*") : c == QLatin1Char('_') ? QStringLiteral(".") : QRegularExpression::escape(QString(c));
    QRegularExpression rx(QRegularExpression::anchoredPattern(re),
                          caseInsensitive ? QRegularExpression::CaseInsensitiveOption | QRegularExpression::DotMatchesEverythingOption
                                          : QRegularExpression::DotMatchesEverythingOption);
    return rx.match(text).hasMatch();
}

bool compare(const QString &value, const QString &op, const QStringList &operands)
{
    const QString o = op.toUpper();
    if (o == QLatin1String("="))
        return value == operands.value(0);
    if (o == QLatin1String("!="))
        return value != operands.value(0);
    if (o == QLatin1String("LIKE"))
        return likeMatches(value, operands.value(0), false);
    if (o == QLatin1String("ILIKE"))
        return likeMatches(value, operands.value(0), true);
    if (o == QLatin1String("IN"))
        return operands.contains(value);
    return false;
}

struct Clause {
    QString key;   // "name", "run_id", "tags.<key>", …
    QString op;    // = != LIKE ILIKE IN
    QStringList operands;
};

// A search filter: clauses joined by AND, each KEY OP 'value' or KEY IN ('a', 'b'); keys may be
// back-quoted (tags.`my key`).
Result<QVector<Clause>> parseFilter(const QString &filter, const QStringList &allowedKeys, const char *what)
{
    QVector<Clause> out;
    if (filter.trimmed().isEmpty())
        return out;
    static const QRegularExpression clauseRx(QStringLiteral(
        R"re(^\s*((?:tags\.)?(?:`[^`]+`|[A-Za-z_][A-Za-z0-9_.]*))\s*(=|!=|(?i:LIKE)|(?i:ILIKE)|(?i:IN))\s*)re"
        R"re(('(?:[^']|'')*'|"(?:[^"]|"")*"|\(\s*(?:'[^']*'|"[^"]*")(?:\s*,\s*(?:'[^']*'|"[^"]*"))*\s*\))\s*(?:(?i:AND)\s+|$))re"));
    static const QRegularExpression quoted(QStringLiteral(R"re('([^']*)'|"([^"]*)")re"));
    QString rest = filter;
    while (!rest.trimmed().isEmpty()) {
        const auto m = clauseRx.match(rest);
        if (!m.hasMatch())
            return invalidArgument(QStringLiteral("Invalid filter '%1'. Could not be parsed: %2 filter on %3, e.g. name = 'fraud' AND run_id IN ('a', 'b').")
                                       .arg(filter, QLatin1String(what), allowedKeys.join(QStringLiteral(", "))));
        Clause c;
        c.key = m.captured(1);
        c.key.remove(QLatin1Char('`'));
        c.op = m.captured(2).toUpper();
        const QString value = m.captured(3);
        auto it = quoted.globalMatch(value);
        while (it.hasNext()) {
            const auto q = it.next();
            c.operands << (q.captured(1).isNull() ? q.captured(2) : q.captured(1));
        }
        const bool isTag = c.key.startsWith(QLatin1String("tags."));
        if (!isTag && !allowedKeys.contains(c.key))
            return invalidArgument(QStringLiteral("Invalid attribute key '%1' specified. Valid keys are '%2'").arg(c.key, allowedKeys.join(QStringLiteral("', '"))));
        if ((c.op == QLatin1String("IN")) != value.startsWith(QLatin1Char('(')))
            return invalidArgument(QStringLiteral("Invalid filter '%1': IN takes a list ('a', 'b'), the other comparators one quoted value.").arg(filter));
        if (c.op == QLatin1String("IN") && c.key != QLatin1String("run_id"))
            return invalidArgument(QStringLiteral("Invalid comparator for attribute %1: IN (only run_id IN (…) is supported)").arg(c.key));
        out.append(c);
        rest = rest.mid(m.capturedEnd(0));
    }
    return out;
}

struct OrderKey {
    QString key;
    bool ascending = true;
};

Result<QVector<OrderKey>> parseOrderBy(const QStringList &orderBy, const QStringList &validKeys)
{
    QVector<OrderKey> out;
    for (const QString &clause : orderBy) {
        const QStringList words = clause.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (words.isEmpty() || words.size() > 2
            || (words.size() == 2 && words[1].toUpper() != QLatin1String("ASC") && words[1].toUpper() != QLatin1String("DESC")))
            return invalidArgument(QStringLiteral("Invalid order_by clause '%1'. Could not be parsed.").arg(clause));
        QString key = words[0];
        key.remove(QLatin1Char('`'));
        if (!validKeys.contains(key))
            return invalidArgument(QStringLiteral("Invalid order by key '%1' specified. Valid keys are '%2'").arg(key, validKeys.join(QStringLiteral("', '"))));
        out.append({key, words.size() < 2 || words[1].toUpper() == QLatin1String("ASC")});
    }
    return out;
}

Result<int> maxResults(const MlflowRequest &r, int fallback, int maximum)
{
    ORRERY_ASSIGN_OR_RETURN(auto n, r.int64(s("max_results"), false, fallback));
    if (n < 1)
        return invalidArgument(QStringLiteral("Invalid value for max_results. It must be a positive integer, but got %1").arg(n));
    if (n > maximum)
        return invalidArgument(QStringLiteral("Invalid value for request parameter max_results. It must be at most %1, but got value %2").arg(maximum).arg(n));
    return int(n);
}

template <typename T>
QJsonObject page(const QVector<T> &all, qint64 offset, int limit, const char *field, const std::function<QJsonObject(const T &)> &toJson)
{
    QJsonArray items;
    for (qint64 i = offset; i < all.size() && i < offset + limit; ++i)
        items.append(toJson(all[int(i)]));
    QJsonObject answer;
    mlflow::putArray(answer, QLatin1String(field), items);
    if (offset + limit < all.size())
        answer.insert(s("next_page_token"), mlflow::pageToken(offset + limit));
    return answer;
}

class MlflowRegistryApi final : public tracking::MlflowApiExtension {
public:
    explicit MlflowRegistryApi(const tracking::MlflowApiContext &c)
        : m_db(c.db), m_registry(c.db, nullptr, QStringLiteral("mlflow-rest")), m_tracking(c.db), m_artifacts(c.db, c.cacheRoot),
          m_workspaceRoot(c.workspaceRoot), m_cacheRoot(c.cacheRoot)
    {
    }

    using Handler = Result<QJsonObject> (MlflowRegistryApi::*)(const MlflowRequest &);
    struct Route {
        const char *name;
        const char *method;
        Handler handler;
    };

    static const std::vector<Route> &routes()
    {
        static const std::vector<Route> table = {
            {"registered-models/create", "POST", &MlflowRegistryApi::createModel},
            {"registered-models/get", "GET", &MlflowRegistryApi::getModel},
            {"registered-models/search", "GET", &MlflowRegistryApi::searchModels},
            {"registered-models/update", "PATCH", &MlflowRegistryApi::updateModel},
            {"registered-models/rename", "POST", &MlflowRegistryApi::renameModel},
            {"registered-models/delete", "DELETE", &MlflowRegistryApi::deleteModel},
            {"registered-models/set-tag", "POST", &MlflowRegistryApi::setModelTag},
            {"registered-models/delete-tag", "DELETE", &MlflowRegistryApi::deleteModelTag},
            {"registered-models/alias", "POST", &MlflowRegistryApi::setAlias},
            {"registered-models/alias", "DELETE", &MlflowRegistryApi::deleteAlias},
            {"registered-models/alias", "GET", &MlflowRegistryApi::getByAlias},
            {"registered-models/get-latest-versions", "POST", &MlflowRegistryApi::getLatestVersions},
            {"registered-models/get-latest-versions", "GET", &MlflowRegistryApi::getLatestVersions},
            {"model-versions/create", "POST", &MlflowRegistryApi::createVersion},
            {"model-versions/get", "GET", &MlflowRegistryApi::getVersion},
            {"model-versions/search", "GET", &MlflowRegistryApi::searchVersions},
            {"model-versions/update", "PATCH", &MlflowRegistryApi::updateVersion},
            {"model-versions/delete", "DELETE", &MlflowRegistryApi::deleteVersion},
            {"model-versions/transition-stage", "POST", &MlflowRegistryApi::transitionStage},
            {"model-versions/set-tag", "POST", &MlflowRegistryApi::setVersionTag},
            {"model-versions/delete-tag", "DELETE", &MlflowRegistryApi::deleteVersionTag},
            {"model-versions/get-download-uri", "GET", &MlflowRegistryApi::getDownloadUri},
        };
        return table;
    }

    QList<QByteArray> methods(const QByteArray &name) const override
    {
        QList<QByteArray> out;
        for (const Route &r : routes())
            if (name == r.name)
                out << QByteArray(r.method);
        return out;
    }

    Result<QJsonObject> call(const QByteArray &name, const QByteArray &method, const MlflowRequest &request) override
    {
        for (const Route &r : routes())
            if (name == r.name && method == r.method)
                return (this->*r.handler)(request);
        return Status(ErrorCode::Internal, QStringLiteral("no handler for %1 %2").arg(QString::fromUtf8(method), QString::fromUtf8(name)));
    }

private:
    // ---- fields ----

    static Result<QString> nameOf(const MlflowRequest &r, const QString &field = s("name"))
    {
        return r.string(field, true);
    }

    // A name for a new or renamed model: MLflow's wording for a path separator, ModelRegistry's rules.
    static Status checkNewName(const QString &name)
    {
        if (name.contains(QLatin1Char('/')))
            return invalidArgument(QStringLiteral("Invalid name: '%1'. Registered model name cannot contain path separator").arg(name));
        return ModelRegistry::validateModelName(name);
    }

    static Result<int> versionOf(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto text, r.string(s("version"), true));
        bool ok = false;
        const int n = text.trimmed().toInt(&ok);
        if (!ok)
            return invalidArgument(QStringLiteral("Model version must be an integer, got '%1'").arg(text));
        return n;
    }

    static Result<QString> stageOf(const MlflowRequest &r, const QString &field)
    {
        ORRERY_ASSIGN_OR_RETURN(auto stage, r.string(field, true));
        const QString canonical = normalizedStage(stage);
        if (canonical.isEmpty())
            return invalidArgument(QStringLiteral("Invalid Model Version stage: %1. Value must be one of None, Staging, Production, Archived.").arg(stage));
        return canonical;
    }

    Result<RegisteredModel> requireModel(const QString &name)
    {
        auto m = m_registry.model(name);
        if (!m && m.status().code() == ErrorCode::NotFound)
            return notFound(QStringLiteral("Registered Model with name=%1 not found").arg(name));
        return m;
    }

    Result<ModelVersion> requireVersion(const QString &name, int number)
    {
        ORRERY_TRY(requireModel(name).status());
        auto v = m_registry.version(name, number);
        if (!v && v.status().code() == ErrorCode::NotFound)
            return notFound(QStringLiteral("Model Version (name=%1, version=%2) not found").arg(name).arg(number));
        return v;
    }

    Result<QJsonObject> modelJson(const RegisteredModel &m)
    {
        QJsonObject o{{s("name"), m.name},
                      {s("creation_timestamp"), m.creationTime},
                      {s("last_updated_timestamp"), m.lastUpdatedTime},
                      {s("description"), m.description}};
        ORRERY_ASSIGN_OR_RETURN(auto latest, m_registry.latestVersions(m.name));
        mlflow::putArray(o, s("latest_versions"), versionsJson(latest));
        mlflow::putArray(o, s("tags"), mlflow::keyValuesJson(m.tags));
        QJsonArray aliases;
        for (const ModelAlias &a : m.aliases)
            aliases.append(QJsonObject{{s("alias"), a.alias}, {s("version"), QString::number(a.version)}});
        mlflow::putArray(o, s("aliases"), aliases);
        return o;
    }

    Result<QJsonObject> modelAnswer(const QString &name)
    {
        ORRERY_ASSIGN_OR_RETURN(auto m, requireModel(name));
        ORRERY_ASSIGN_OR_RETURN(auto json, modelJson(m));
        return QJsonObject{{s("registered_model"), json}};
    }

    Result<QJsonObject> versionAnswer(const QString &name, int number)
    {
        ORRERY_ASSIGN_OR_RETURN(auto v, requireVersion(name, number));
        return QJsonObject{{s("model_version"), versionJson(v)}};
    }

    // ---- registered models ----

    Result<QJsonObject> createModel(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto tags, r.keyValues(s("tags")));
        ORRERY_ASSIGN_OR_RETURN(auto description, r.string(s("description")));
        ORRERY_TRY(checkNewName(name));
        auto created = m_registry.createModel(name, description, tags);
        if (!created && created.status().code() == ErrorCode::AlreadyExists)
            return Status(ErrorCode::AlreadyExists, QStringLiteral("Registered Model (name=%1) already exists.").arg(name));
        ORRERY_TRY(created.status());
        return modelAnswer(name);
    }

    Result<QJsonObject> getModel(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        return modelAnswer(name);
    }

    Result<QJsonObject> searchModels(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto filter, r.string(s("filter")));
        ORRERY_ASSIGN_OR_RETURN(auto limit, maxResults(r, kModelsDefault, kModelsMax));
        ORRERY_ASSIGN_OR_RETURN(auto orderBy, r.strings(s("order_by")));
        ORRERY_ASSIGN_OR_RETURN(auto token, r.string(s("page_token")));
        ORRERY_ASSIGN_OR_RETURN(auto offset, mlflow::offsetFromPageToken(token));
        ORRERY_ASSIGN_OR_RETURN(auto clauses, parseFilter(filter, {s("name")}, "registered models"));
        ORRERY_ASSIGN_OR_RETURN(auto order, parseOrderBy(orderBy, {s("name"), s("timestamp"), s("last_updated_timestamp")}));
        ModelQuery query;
        query.limit = kReadAll;
        ORRERY_ASSIGN_OR_RETURN(auto all, m_registry.models(query));
        QVector<RegisteredModel> matching;
        for (const RegisteredModel &m : std::as_const(all)) {
            bool ok = true;
            for (const Clause &c : std::as_const(clauses)) {
                if (c.key.startsWith(QLatin1String("tags."))) {
                    const QString key = c.key.mid(5);
                    bool found = false;
                    for (const KeyValue &t : m.tags)
                        found = found || (t.key == key && compare(t.value, c.op, c.operands));
                    ok = ok && found;
                } else {
                    ok = ok && compare(m.name, c.op, c.operands);
                }
            }
            if (ok)
                matching.append(m);
        }
        std::stable_sort(matching.begin(), matching.end(), [&](const RegisteredModel &a, const RegisteredModel &b) {
            for (const OrderKey &k : std::as_const(order)) {
                const bool byName = k.key == QLatin1String("name");
                const int cmp = byName ? QString::compare(a.name, b.name) : (a.lastUpdatedTime < b.lastUpdatedTime ? -1 : a.lastUpdatedTime > b.lastUpdatedTime ? 1 : 0);
                if (cmp != 0)
                    return k.ascending ? cmp < 0 : cmp > 0;
            }
            return a.name < b.name;
        });
        QJsonArray items;
        for (qint64 i = offset; i < matching.size() && i < offset + limit; ++i) {
            ORRERY_ASSIGN_OR_RETURN(auto json, modelJson(matching[int(i)]));
            items.append(json);
        }
        QJsonObject answer;
        mlflow::putArray(answer, s("registered_models"), items);
        if (offset + limit < matching.size())
            answer.insert(s("next_page_token"), mlflow::pageToken(offset + limit));
        return answer;
    }

    Result<QJsonObject> updateModel(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto description, r.string(s("description")));
        ORRERY_TRY(requireModel(name).status());
        ORRERY_TRY(m_registry.updateModelDescription(name, description));
        return modelAnswer(name);
    }

    Result<QJsonObject> renameModel(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto newName, nameOf(r, s("new_name")));
        ORRERY_TRY(checkNewName(newName));
        ORRERY_TRY(requireModel(name).status());
        auto renamed = m_registry.renameModel(name, newName);
        if (!renamed && renamed.status().code() == ErrorCode::AlreadyExists)
            return Status(ErrorCode::AlreadyExists, QStringLiteral("Registered Model (name=%1) already exists.").arg(newName));
        ORRERY_TRY(renamed.status());
        return modelAnswer(newName);
    }

    Result<QJsonObject> deleteModel(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_TRY(requireModel(name).status());
        ORRERY_TRY(m_registry.deleteModel(name));
        return QJsonObject();
    }

    Result<QJsonObject> setModelTag(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto key, r.string(s("key"), true));
        ORRERY_ASSIGN_OR_RETURN(auto value, r.string(s("value")));
        ORRERY_TRY(requireModel(name).status());
        ORRERY_TRY(m_registry.setModelTag(name, {key, value}));
        return QJsonObject();
    }

    Result<QJsonObject> deleteModelTag(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto key, r.string(s("key"), true));
        ORRERY_TRY(requireModel(name).status());
        const Status deleted = m_registry.deleteModelTag(name, key);
        if (!deleted && deleted.code() != ErrorCode::NotFound) // MLflow: deleting an absent tag is no error
            return deleted;
        return QJsonObject();
    }

    Result<QJsonObject> setAlias(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto alias, r.string(s("alias"), true));
        ORRERY_ASSIGN_OR_RETURN(auto number, versionOf(r));
        ORRERY_TRY(ModelRegistry::validateAlias(alias));
        ORRERY_TRY(requireVersion(name, number).status());
        ORRERY_TRY(m_registry.setAlias(name, alias, number, QStringLiteral("MLflow REST API")));
        return QJsonObject();
    }

    Result<QJsonObject> deleteAlias(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto alias, r.string(s("alias"), true));
        ORRERY_TRY(requireModel(name).status());
        const Status deleted = m_registry.deleteAlias(name, alias, QStringLiteral("MLflow REST API"));
        if (!deleted && deleted.code() != ErrorCode::NotFound) // MLflow: deleting an absent alias is no error
            return deleted;
        return QJsonObject();
    }

    Result<QJsonObject> getByAlias(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto alias, r.string(s("alias"), true));
        ORRERY_TRY(requireModel(name).status());
        auto v = m_registry.versionByAlias(name, alias);
        if (!v && v.status().code() == ErrorCode::NotFound) // MLflow's code and words
            return invalidArgument(QStringLiteral("Registered model alias %1 not found.").arg(alias));
        ORRERY_TRY(v.status());
        return QJsonObject{{s("model_version"), versionJson(*v)}};
    }

    Result<QJsonObject> getLatestVersions(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto stages, r.strings(s("stages")));
        for (const QString &stage : std::as_const(stages))
            if (normalizedStage(stage).isEmpty())
                return invalidArgument(QStringLiteral("Invalid Model Version stage: %1. Value must be one of None, Staging, Production, Archived.").arg(stage));
        ORRERY_TRY(requireModel(name).status());
        ORRERY_ASSIGN_OR_RETURN(auto latest, m_registry.latestVersions(name, stages));
        QJsonObject answer;
        mlflow::putArray(answer, s("model_versions"), versionsJson(latest));
        return answer;
    }

    // ---- model versions ----

    // "<experiment>/<run>/artifacts[/path]" of a run of this workspace that `source` names, with
    // the run; empty when it names none.
    struct RunArtifact {
        QString runId;
        QString artifact;
    };

    Result<RunArtifact> runArtifactOf(const QString &source)
    {
        RunArtifact out;
        if (source.startsWith(QLatin1String("runs:/"))) {
            QString rest = source.mid(6);
            while (rest.startsWith(QLatin1Char('/')))
                rest = rest.mid(1);
            const QString runId = rest.section(QLatin1Char('/'), 0, 0);
            const QString path = rest.section(QLatin1Char('/'), 1);
            auto info = m_tracking.runInfo(runId);
            if (!info)
                return info.status().code() == ErrorCode::NotFound ? out : Result<RunArtifact>(info.status());
            out.runId = runId;
            out.artifact = artifactRootOf(info->artifactUri) + (path.isEmpty() ? QString() : QLatin1Char('/') + path);
        } else if (source.startsWith(QLatin1String("mlflow-artifacts:"))) {
            const QString root = artifactRootOf(source);
            const QStringList parts = root.split(QLatin1Char('/'));
            if (parts.size() < 3 || parts[2] != QLatin1String("artifacts"))
                return out;
            auto info = m_tracking.runInfo(parts[1]);
            if (!info)
                return info.status().code() == ErrorCode::NotFound ? out : Result<RunArtifact>(info.status());
            if (info->experimentId != parts[0])
                return out;
            out.runId = parts[1];
            out.artifact = root;
        }
        while (out.artifact.endsWith(QLatin1Char('/')))
            out.artifact.chop(1);
        return out;
    }

    // mlflow-artifacts:/1/abc/artifacts or mlflow-artifacts://host:5000/1/abc/artifacts → 1/abc/artifacts
    static QString artifactRootOf(const QString &uri)
    {
        QString root = uri;
        if (root.startsWith(QLatin1String("mlflow-artifacts:")))
            root = root.mid(int(qstrlen("mlflow-artifacts:")));
        if (root.startsWith(QLatin1String("//")))
            root = root.mid(2).section(QLatin1Char('/'), 1); // the authority
        while (root.startsWith(QLatin1Char('/')))
            root = root.mid(1);
        return root;
    }

    // MLflow 2.4's _validate_source: no local paths or file: URIs, no ".." in the path.
    static Status checkSource(const QString &source)
    {
        const QUrl url(source);
        const QString scheme = url.scheme();
        if (scheme.isEmpty() || scheme.size() == 1 || scheme == QLatin1String("file"))
            return invalidArgument(QStringLiteral("Invalid model version source: '%1'. To use a local path as a model version source, the run_id "
                                                  "request parameter has to be specified and the local path has to be contained within the "
                                                  "artifact directory of the run specified by the run_id.").arg(source));
        const QString path = QUrl::fromPercentEncoding(source.toUtf8());
        if (path.split(QLatin1Char('/')).contains(QStringLiteral("..")))
            return invalidArgument(QStringLiteral("Invalid model version source: '%1'. If supplying a source as an http, https, local file path, "
                                                  "ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative "
                                                  "path references present. Please provide an absolute path.").arg(source));
        return {};
    }

    Result<QJsonObject> createVersion(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto source, r.string(s("source"), true));
        ORRERY_ASSIGN_OR_RETURN(auto runIdField, r.string(s("run_id")));
        ORRERY_ASSIGN_OR_RETURN(auto tags, r.keyValues(s("tags")));
        ORRERY_ASSIGN_OR_RETURN(auto runLink, r.string(s("run_link")));
        ORRERY_ASSIGN_OR_RETURN(auto description, r.string(s("description")));
        ORRERY_TRY(checkSource(source));
        ORRERY_TRY(requireModel(name).status());

        NewVersion nv;
        nv.name = name;
        nv.source = source;
        nv.runLink = runLink;
        nv.description = description;
        nv.tags = tags;
        nv.validation = Validation::NotRun;
        ORRERY_ASSIGN_OR_RETURN(auto found, runArtifactOf(source));
        QString runId = runIdField.isEmpty() ? found.runId : runIdField;
        nv.runId = runId;
        if (!runId.isEmpty()) {
            auto info = m_tracking.runInfo(runId);
            if (info) {
                ORRERY_ASSIGN_OR_RETURN(auto lineage, lineageOfRun(m_db, runId, QString(), m_workspaceRoot));
                nv.lineage = lineage;
            } else if (info.status().code() != ErrorCode::NotFound) {
                return info.status();
            }
        }
        nv.format = QStringLiteral("mlflow");
        if (found.artifact.isEmpty()) {
            nv.notServableReason = QStringLiteral("the source %1 is not an artifact of a run in this workspace; Orrery serves TorchScript files "
                                                  "with a signature that it stores").arg(source);
        } else if (auto file = m_artifacts.fileFor(found.artifact)) {
            ORRERY_ASSIGN_OR_RETURN(auto stored, storeModelFile(m_cacheRoot, *file));
            nv.modelMd5 = stored.md5;
            nv.modelSize = stored.size;
            nv.modelFileName = found.artifact.section(QLatin1Char('/'), -1);
            nv.format = stored.info.format;
            nv.signature = stored.info.signature;
            nv.notServableReason = stored.info.notServableReason;
        } else {
            ORRERY_ASSIGN_OR_RETURN(auto entries, m_artifacts.list(found.artifact));
            bool mlmodel = false;
            for (const tracking::ArtifactEntry &e : std::as_const(entries))
                mlmodel = mlmodel || (!e.isDir && e.name == QLatin1String("MLmodel"));
            if (entries.isEmpty()) {
                nv.format = QStringLiteral("file");
                nv.notServableReason = QStringLiteral("run %1 has no artifact at %2").arg(found.runId, found.artifact.section(QLatin1Char('/'), 3));
            } else {
                nv.format = mlmodel ? QStringLiteral("mlflow") : QStringLiteral("directory");
                nv.notServableReason = mlmodel ? QStringLiteral("an MLflow model directory; Orrery serves TorchScript files with a signature")
                                               : QStringLiteral("a directory, not a model file; Orrery serves TorchScript files with a signature");
            }
        }
        ORRERY_ASSIGN_OR_RETURN(auto created, m_registry.createVersion(nv));
        return QJsonObject{{s("model_version"), versionJson(created)}};
    }

    Result<QJsonObject> getVersion(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto number, versionOf(r));
        return versionAnswer(name, number);
    }

    Result<QJsonObject> searchVersions(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto filter, r.string(s("filter")));
        ORRERY_ASSIGN_OR_RETURN(auto limit, maxResults(r, kVersionsDefault, kVersionsMax));
        ORRERY_ASSIGN_OR_RETURN(auto orderBy, r.strings(s("order_by")));
        ORRERY_ASSIGN_OR_RETURN(auto token, r.string(s("page_token")));
        ORRERY_ASSIGN_OR_RETURN(auto offset, mlflow::offsetFromPageToken(token));
        ORRERY_ASSIGN_OR_RETURN(auto clauses, parseFilter(filter, {s("name"), s("run_id"), s("source_path"), s("version_number")}, "model versions"));
        const QStringList keys{s("name"), s("version_number"), s("creation_timestamp"), s("last_updated_timestamp"), s("timestamp")};
        ORRERY_ASSIGN_OR_RETURN(auto order,
                                parseOrderBy(orderBy.isEmpty() ? QStringList{s("last_updated_timestamp DESC"), s("name ASC"), s("version_number DESC")} : orderBy, keys));
        VersionQuery query;
        query.limit = kReadAll;
        for (const Clause &c : std::as_const(clauses))
            if (c.key == QLatin1String("name") && c.op == QLatin1String("="))
                query.name = c.operands.value(0); // narrows the read; every clause is still checked
        ORRERY_ASSIGN_OR_RETURN(auto all, m_registry.versions(query));
        QVector<ModelVersion> matching;
        for (const ModelVersion &v : std::as_const(all)) {
            bool ok = true;
            for (const Clause &c : std::as_const(clauses)) {
                if (c.key.startsWith(QLatin1String("tags."))) {
                    const QString key = c.key.mid(5);
                    bool found = false;
                    for (const KeyValue &t : v.tags)
                        found = found || (t.key == key && compare(t.value, c.op, c.operands));
                    ok = ok && found;
                } else {
                    const QString value = c.key == QLatin1String("name") ? v.name : c.key == QLatin1String("run_id") ? v.runId
                        : c.key == QLatin1String("version_number") ? QString::number(v.version) : v.source;
                    ok = ok && compare(value, c.op, c.operands);
                }
            }
            if (ok)
                matching.append(v);
        }
        std::stable_sort(matching.begin(), matching.end(), [&](const ModelVersion &a, const ModelVersion &b) {
            for (const OrderKey &k : std::as_const(order)) {
                int cmp = 0;
                if (k.key == QLatin1String("name"))
                    cmp = QString::compare(a.name, b.name);
                else if (k.key == QLatin1String("version_number"))
                    cmp = a.version - b.version;
                else if (k.key == QLatin1String("creation_timestamp"))
                    cmp = a.creationTime < b.creationTime ? -1 : a.creationTime > b.creationTime ? 1 : 0;
                else
                    cmp = a.lastUpdatedTime < b.lastUpdatedTime ? -1 : a.lastUpdatedTime > b.lastUpdatedTime ? 1 : 0;
                if (cmp != 0)
                    return k.ascending ? cmp < 0 : cmp > 0;
            }
            return false;
        });
        return page<ModelVersion>(matching, offset, limit, "model_versions", versionJson);
    }

    Result<QJsonObject> updateVersion(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto number, versionOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto description, r.string(s("description")));
        ORRERY_TRY(requireVersion(name, number).status());
        ORRERY_TRY(m_registry.updateVersionDescription(name, number, description));
        return versionAnswer(name, number);
    }

    Result<QJsonObject> deleteVersion(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto number, versionOf(r));
        ORRERY_TRY(requireVersion(name, number).status());
        ORRERY_TRY(m_registry.deleteVersion(name, number));
        return QJsonObject();
    }

    Result<QJsonObject> transitionStage(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto number, versionOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto stage, stageOf(r, s("stage")));
        ORRERY_ASSIGN_OR_RETURN(auto archiveExisting, r.boolean(s("archive_existing_versions")));
        ORRERY_TRY(requireVersion(name, number).status());
        ORRERY_ASSIGN_OR_RETURN(auto v, m_registry.transitionStage(name, number, stage, archiveExisting));
        return QJsonObject{{s("model_version"), versionJson(v)}};
    }

    Result<QJsonObject> setVersionTag(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto number, versionOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto key, r.string(s("key"), true));
        ORRERY_ASSIGN_OR_RETURN(auto value, r.string(s("value")));
        ORRERY_TRY(requireVersion(name, number).status());
        ORRERY_TRY(m_registry.setVersionTag(name, number, {key, value}));
        return QJsonObject();
    }

    Result<QJsonObject> deleteVersionTag(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto number, versionOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto key, r.string(s("key"), true));
        ORRERY_TRY(requireVersion(name, number).status());
        const Status deleted = m_registry.deleteVersionTag(name, number, key);
        if (!deleted && deleted.code() != ErrorCode::NotFound)
            return deleted;
        return QJsonObject();
    }

    // Where the client downloads the version's files from: the run's artifact URI for runs:/
    // sources (served by this server's artifact proxy), the source otherwise.
    Result<QJsonObject> getDownloadUri(const MlflowRequest &r)
    {
        ORRERY_ASSIGN_OR_RETURN(auto name, nameOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto number, versionOf(r));
        ORRERY_ASSIGN_OR_RETURN(auto v, requireVersion(name, number));
        QString uri = v.source;
        if (uri.startsWith(QLatin1String("runs:/"))) {
            ORRERY_ASSIGN_OR_RETURN(auto found, runArtifactOf(uri));
            if (!found.artifact.isEmpty())
                uri = QStringLiteral("mlflow-artifacts:/") + found.artifact;
        }
        return QJsonObject{{s("artifact_uri"), uri}};
    }

    store::Database &m_db;
    ModelRegistry m_registry;
    tracking::TrackingStore m_tracking;
    tracking::ArtifactStore m_artifacts;
    QString m_workspaceRoot;
    QString m_cacheRoot;
};

} // namespace

tracking::MlflowApiExtensionFactory mlflowRegistryExtension()
{
    return [](const tracking::MlflowApiContext &context) -> std::unique_ptr<tracking::MlflowApiExtension> {
        return std::make_unique<MlflowRegistryApi>(context);
    };
}

} // namespace orrery::registry
