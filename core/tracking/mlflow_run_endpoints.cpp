// MlflowRestApi: runs/* except the metric ones (create, update, get, search, delete, restore,
// set-tag, delete-tag, log-parameter, log-model, log-inputs).
#include "core/tracking/mlflow_json.h"
#include "core/tracking/mlflow_request.h"
#include "core/tracking/mlflow_rest_api.h"
#include "core/tracking/run_manifest.h"
#include "core/tracking/run_search.h"

#include <QJsonDocument>

namespace orrery::tracking {
namespace {

const QString kKey = QStringLiteral("key");
const QString kValue = QStringLiteral("value");

// Every run has a reproducibility manifest, one logged over REST too: the workspace's code state
// and this machine's environment as the run starts, and what the client said of its source
// (MLflow's mlflow.source.* tags: the script and commit it ran from, which may be another
// repository). A manifest that cannot be captured says why instead of refusing the run.
RunManifest restRunManifest(const QString &workspaceRoot, const QVector<KeyValue> &tags)
{
    auto captured = captureManifest(workspaceRoot, {}, {});
    RunManifest m = captured ? *captured : RunManifest{{{QStringLiteral("note"), captured.status().message()}}};
    QJsonObject client{{QStringLiteral("logged_through"), QStringLiteral("MLflow REST API")}};
    for (const KeyValue &t : tags)
        if (t.key.startsWith(QLatin1String("mlflow.source.")) || t.key == QLatin1String("mlflow.user"))
            client.insert(t.key.mid(7).replace(QLatin1Char('.'), QLatin1Char('_')), t.value); // mlflow.source.git.commit → source_git_commit
    m.json.insert(QStringLiteral("client"), client);
    return m;
}

} // namespace

Result<QJsonObject> MlflowRestApi::createRun(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto experimentId, r.string(QStringLiteral("experiment_id")));
    ORRERY_ASSIGN_OR_RETURN(auto userId, r.string(QStringLiteral("user_id")));
    ORRERY_ASSIGN_OR_RETURN(auto startTime, r.int64(QStringLiteral("start_time")));
    ORRERY_ASSIGN_OR_RETURN(auto runName, r.string(QStringLiteral("run_name")));
    ORRERY_ASSIGN_OR_RETURN(auto tags, r.keyValues(QStringLiteral("tags")));
    QString user = userId;
    for (const KeyValue &t : tags)
        if (user.isEmpty() && t.key == QLatin1String("mlflow.user"))
            user = t.value; // MLflow ≥ 2 sends the user as this tag only
    ORRERY_ASSIGN_OR_RETURN(auto info, m_store.createRun(experimentId, runName, startTime, tags, user));
    ORRERY_TRY(saveManifest(m_db, info.runId, restRunManifest(m_workspaceRoot, tags)));
    ORRERY_ASSIGN_OR_RETURN(auto run, m_store.run(info.runId));
    return QJsonObject{{QStringLiteral("run"), mlflow::runJson(run)}};
}

Result<QJsonObject> MlflowRestApi::updateRun(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    ORRERY_ASSIGN_OR_RETURN(auto statusName, r.string(QStringLiteral("status")));
    RunStatus status = RunStatus::Running;
    if (!statusName.isEmpty() && !parseRunStatus(statusName, &status))
        return r.invalid(QStringLiteral("status"));
    ORRERY_ASSIGN_OR_RETURN(auto endTime, r.int64(QStringLiteral("end_time")));
    ORRERY_ASSIGN_OR_RETURN(auto runName, r.string(QStringLiteral("run_name")));
    ORRERY_ASSIGN_OR_RETURN(auto info, m_store.updateRun(runId, statusName.isEmpty() ? nullptr : &status, endTime, runName));
    return QJsonObject{{QStringLiteral("run_info"), mlflow::runInfoJson(info)}};
}

Result<QJsonObject> MlflowRestApi::getRun(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    flushMetrics();
    ORRERY_ASSIGN_OR_RETURN(auto run, m_store.run(runId));
    return QJsonObject{{QStringLiteral("run"), mlflow::runJson(run)}};
}

Result<QJsonObject> MlflowRestApi::searchRuns(const MlflowRequest &r)
{
    RunQuery query;
    ORRERY_ASSIGN_OR_RETURN(auto ids, r.strings(QStringLiteral("experiment_ids")));
    query.experimentIds = ids;
    ORRERY_ASSIGN_OR_RETURN(auto filter, r.string(QStringLiteral("filter")));
    query.filter = filter;
    ORRERY_ASSIGN_OR_RETURN(auto viewName, r.string(QStringLiteral("run_view_type")));
    if (!viewName.isEmpty() && !parseViewType(viewName, &query.view))
        return r.invalid(QStringLiteral("run_view_type"));
    ORRERY_ASSIGN_OR_RETURN(auto maxResults, r.int64(QStringLiteral("max_results"), false, 1000));
    if (maxResults < 1 || maxResults > kMaxSearchResults) // MLflow's schema: _assert_less_than_or_equal(x, 50000)
        return r.invalid(QStringLiteral("max_results"));
    query.maxResults = int(maxResults);
    ORRERY_ASSIGN_OR_RETURN(auto orderBy, r.strings(QStringLiteral("order_by")));
    query.orderBy = orderBy;
    ORRERY_ASSIGN_OR_RETURN(auto token, r.string(QStringLiteral("page_token")));
    query.pageToken = token;
    flushMetrics();
    ORRERY_ASSIGN_OR_RETURN(auto page, tracking::searchRuns(m_db, query));
    QJsonArray runs;
    for (const Run &run : page.runs)
        runs.append(mlflow::runJson(run));
    QJsonObject answer;
    mlflow::putArray(answer, QStringLiteral("runs"), runs);
    if (!page.nextPageToken.isEmpty())
        answer.insert(QStringLiteral("next_page_token"), page.nextPageToken);
    return answer;
}

Result<QJsonObject> MlflowRestApi::deleteRun(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    ORRERY_TRY(m_store.setRunLifecycle(runId, true));
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::restoreRun(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    ORRERY_TRY(m_store.setRunLifecycle(runId, false));
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::setTag(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    ORRERY_ASSIGN_OR_RETURN(auto key, r.string(kKey, true));
    ORRERY_ASSIGN_OR_RETURN(auto value, r.string(kValue));
    ORRERY_TRY(m_store.setTag(runId, {key, value}));
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::deleteTag(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    ORRERY_ASSIGN_OR_RETURN(auto key, r.string(kKey, true));
    ORRERY_TRY(m_store.deleteTag(runId, key));
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::logParameter(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    ORRERY_ASSIGN_OR_RETURN(auto key, r.string(kKey, true));
    ORRERY_ASSIGN_OR_RETURN(auto value, r.string(kValue));
    ORRERY_TRY(m_store.logParam(runId, {key, value}));
    return QJsonObject();
}

// runs/log-model: what mlflow.<flavor>.log_model records after uploading the model's files — the
// model's metadata appended to the run's mlflow.log-model.history tag, as MLflow's stores do.
Result<QJsonObject> MlflowRestApi::logModel(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    ORRERY_ASSIGN_OR_RETURN(auto modelJson, r.string(QStringLiteral("model_json"), true));
    const QJsonObject model = QJsonDocument::fromJson(modelJson.toUtf8()).object();
    QStringList missingFields;
    for (const char *field : {"artifact_path", "flavors", "utc_time_created", "run_id"})
        if (!model.contains(QLatin1String(field)))
            missingFields << QLatin1String(field);
    if (model.isEmpty() || !missingFields.isEmpty())
        return invalidArgument(QStringLiteral("Model json is missing mandatory fields: %1").arg(missingFields.isEmpty() ? QStringLiteral("(not a JSON object)") : missingFields.join(QStringLiteral(", "))));
    ORRERY_ASSIGN_OR_RETURN(auto run, m_store.run(runId));
    const QString historyKey = QStringLiteral("mlflow.log-model.history");
    QJsonArray history;
    for (const KeyValue &t : run.tags)
        if (t.key == historyKey)
            history = QJsonDocument::fromJson(t.value.toUtf8()).array();
    history.append(model);
    ORRERY_TRY(m_store.setTag(runId, {historyKey, QString::fromUtf8(QJsonDocument(history).toJson(QJsonDocument::Compact))}));
    return QJsonObject();
}

// runs/log-inputs: what mlflow.log_input(dataset, context=…) sends — the datasets a run used,
// each with its input tags (mlflow.data.context). All are checked before any is stored.
Result<QJsonObject> MlflowRestApi::logInputs(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    ORRERY_ASSIGN_OR_RETURN(auto models, r.objects(QStringLiteral("models")));
    if (!models.isEmpty())
        return Status(ErrorCode::Unsupported, QStringLiteral("runs/log-inputs: model inputs ('models', MLflow 3's logged models) are not "
                                                             "supported by this server; log datasets only."));
    // MLflow 2.4's schema: "datasets" is required (_assert_required on the repeated field).
    if (!r.has(QStringLiteral("datasets")))
        return MlflowRequest::missing(r.name(QStringLiteral("datasets")));
    ORRERY_ASSIGN_OR_RETURN(auto datasets, r.objects(QStringLiteral("datasets")));
    QVector<DatasetInput> inputs;
    inputs.reserve(datasets.size());
    for (const MlflowRequest &item : datasets) {
        ORRERY_ASSIGN_OR_RETURN(auto d, item.object(QStringLiteral("dataset"), true));
        DatasetInput in;
        const std::pair<const char *, QString *> required[] = {
            {"name", &in.dataset.name}, {"digest", &in.dataset.digest}, {"source_type", &in.dataset.sourceType}, {"source", &in.dataset.source}};
        for (const auto &[field, out] : required) {
            ORRERY_ASSIGN_OR_RETURN(auto v, d.string(QLatin1String(field), true));
            *out = v;
        }
        for (const auto &[field, out] : {std::make_pair("schema", &in.dataset.schema), std::make_pair("profile", &in.dataset.profile)}) {
            if (!d.has(QLatin1String(field)))
                continue;
            ORRERY_ASSIGN_OR_RETURN(auto v, d.string(QLatin1String(field)));
            *out = v;
        }
        ORRERY_ASSIGN_OR_RETURN(auto tags, item.keyValues(QStringLiteral("tags")));
        in.tags = tags;
        inputs.append(std::move(in));
    }
    ORRERY_TRY(m_store.logInputs(runId, inputs));
    return QJsonObject();
}

} // namespace orrery::tracking
