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
    auto experimentId = r.string(QStringLiteral("experiment_id"));
    if (!experimentId)
        return experimentId.status();
    auto userId = r.string(QStringLiteral("user_id"));
    if (!userId)
        return userId.status();
    auto startTime = r.int64(QStringLiteral("start_time"));
    if (!startTime)
        return startTime.status();
    auto runName = r.string(QStringLiteral("run_name"));
    if (!runName)
        return runName.status();
    auto tags = r.keyValues(QStringLiteral("tags"));
    if (!tags)
        return tags.status();
    QString user = *userId;
    for (const KeyValue &t : *tags)
        if (user.isEmpty() && t.key == QLatin1String("mlflow.user"))
            user = t.value; // MLflow ≥ 2 sends the user as this tag only
    auto info = m_store.createRun(*experimentId, *runName, *startTime, *tags, user);
    if (!info)
        return info.status();
    ORRERY_TRY(saveManifest(m_db, info->runId, restRunManifest(m_workspaceRoot, *tags)));
    auto run = m_store.run(info->runId);
    if (!run)
        return run.status();
    return QJsonObject{{QStringLiteral("run"), mlflow::runJson(*run)}};
}

Result<QJsonObject> MlflowRestApi::updateRun(const MlflowRequest &r)
{
    auto runId = runIdOf(r);
    if (!runId)
        return runId.status();
    auto statusName = r.string(QStringLiteral("status"));
    if (!statusName)
        return statusName.status();
    RunStatus status = RunStatus::Running;
    if (!statusName->isEmpty() && !parseRunStatus(*statusName, &status))
        return invalidArgument(QStringLiteral("Invalid value '%1' for parameter 'status' supplied: use RUNNING, SCHEDULED, FINISHED, FAILED or KILLED.")
                                   .arg(*statusName));
    auto endTime = r.int64(QStringLiteral("end_time"));
    if (!endTime)
        return endTime.status();
    auto runName = r.string(QStringLiteral("run_name"));
    if (!runName)
        return runName.status();
    auto info = m_store.updateRun(*runId, statusName->isEmpty() ? nullptr : &status, *endTime, *runName);
    if (!info)
        return info.status();
    return QJsonObject{{QStringLiteral("run_info"), mlflow::runInfoJson(*info)}};
}

Result<QJsonObject> MlflowRestApi::getRun(const MlflowRequest &r)
{
    auto runId = runIdOf(r);
    if (!runId)
        return runId.status();
    flushMetrics();
    auto run = m_store.run(*runId);
    if (!run)
        return run.status();
    return QJsonObject{{QStringLiteral("run"), mlflow::runJson(*run)}};
}

Result<QJsonObject> MlflowRestApi::searchRuns(const MlflowRequest &r)
{
    RunQuery query;
    auto ids = r.strings(QStringLiteral("experiment_ids"));
    if (!ids)
        return ids.status();
    query.experimentIds = *ids;
    auto filter = r.string(QStringLiteral("filter"));
    if (!filter)
        return filter.status();
    query.filter = *filter;
    auto viewName = r.string(QStringLiteral("run_view_type"));
    if (!viewName)
        return viewName.status();
    if (!viewName->isEmpty() && !parseViewType(*viewName, &query.view))
        return invalidArgument(QStringLiteral("Invalid value '%1' for parameter 'run_view_type' supplied: use ACTIVE_ONLY, DELETED_ONLY or ALL.").arg(*viewName));
    auto maxResults = r.int64(QStringLiteral("max_results"), false, 1000);
    if (!maxResults)
        return maxResults.status();
    if (*maxResults < 1 || *maxResults > kMaxSearchResults)
        return invalidArgument(QStringLiteral("Invalid value %1 for parameter 'max_results' supplied: it must be between 1 and %2.")
                                   .arg(*maxResults).arg(kMaxSearchResults));
    query.maxResults = int(*maxResults);
    auto orderBy = r.strings(QStringLiteral("order_by"));
    if (!orderBy)
        return orderBy.status();
    query.orderBy = *orderBy;
    auto token = r.string(QStringLiteral("page_token"));
    if (!token)
        return token.status();
    query.pageToken = *token;
    flushMetrics();
    auto page = tracking::searchRuns(m_db, query);
    if (!page)
        return page.status();
    QJsonArray runs;
    for (const Run &run : page->runs)
        runs.append(mlflow::runJson(run));
    QJsonObject answer;
    mlflow::putArray(answer, QStringLiteral("runs"), runs);
    if (!page->nextPageToken.isEmpty())
        answer.insert(QStringLiteral("next_page_token"), page->nextPageToken);
    return answer;
}

Result<QJsonObject> MlflowRestApi::deleteRun(const MlflowRequest &r)
{
    auto runId = runIdOf(r);
    if (!runId)
        return runId.status();
    ORRERY_TRY(m_store.setRunLifecycle(*runId, true));
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::restoreRun(const MlflowRequest &r)
{
    auto runId = runIdOf(r);
    if (!runId)
        return runId.status();
    ORRERY_TRY(m_store.setRunLifecycle(*runId, false));
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::setTag(const MlflowRequest &r)
{
    auto runId = runIdOf(r);
    if (!runId)
        return runId.status();
    auto key = r.string(kKey, true);
    if (!key)
        return key.status();
    auto value = r.string(kValue);
    if (!value)
        return value.status();
    ORRERY_TRY(m_store.setTag(*runId, {*key, *value}));
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::deleteTag(const MlflowRequest &r)
{
    auto runId = runIdOf(r);
    if (!runId)
        return runId.status();
    auto key = r.string(kKey, true);
    if (!key)
        return key.status();
    ORRERY_TRY(m_store.deleteTag(*runId, *key));
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::logParameter(const MlflowRequest &r)
{
    auto runId = runIdOf(r);
    if (!runId)
        return runId.status();
    auto key = r.string(kKey, true);
    if (!key)
        return key.status();
    auto value = r.string(kValue);
    if (!value)
        return value.status();
    ORRERY_TRY(m_store.logParam(*runId, {*key, *value}));
    return QJsonObject();
}

// runs/log-model: what mlflow.<flavor>.log_model records after uploading the model's files — the
// model's metadata appended to the run's mlflow.log-model.history tag, as MLflow's stores do.
Result<QJsonObject> MlflowRestApi::logModel(const MlflowRequest &r)
{
    auto runId = runIdOf(r);
    if (!runId)
        return runId.status();
    auto modelJson = r.string(QStringLiteral("model_json"), true);
    if (!modelJson)
        return modelJson.status();
    const QJsonObject model = QJsonDocument::fromJson(modelJson->toUtf8()).object();
    QStringList missingFields;
    for (const char *field : {"artifact_path", "flavors", "utc_time_created", "run_id"})
        if (!model.contains(QLatin1String(field)))
            missingFields << QLatin1String(field);
    if (model.isEmpty() || !missingFields.isEmpty())
        return invalidArgument(QStringLiteral("Model json is missing mandatory fields: %1").arg(missingFields.isEmpty() ? QStringLiteral("(not a JSON object)") : missingFields.join(QStringLiteral(", "))));
    auto run = m_store.run(*runId);
    if (!run)
        return run.status();
    const QString historyKey = QStringLiteral("mlflow.log-model.history");
    QJsonArray history;
    for (const KeyValue &t : run->tags)
        if (t.key == historyKey)
            history = QJsonDocument::fromJson(t.value.toUtf8()).array();
    history.append(model);
    ORRERY_TRY(m_store.setTag(*runId, {historyKey, QString::fromUtf8(QJsonDocument(history).toJson(QJsonDocument::Compact))}));
    return QJsonObject();
}

// runs/log-inputs: what mlflow.log_input(dataset, context=…) sends — the datasets a run used,
// each with its input tags (mlflow.data.context). All are checked before any is stored.
Result<QJsonObject> MlflowRestApi::logInputs(const MlflowRequest &r)
{
    auto runId = runIdOf(r);
    if (!runId)
        return runId.status();
    auto models = r.objects(QStringLiteral("models"));
    if (!models)
        return models.status();
    if (!models->isEmpty())
        return Status(ErrorCode::Unsupported, QStringLiteral("runs/log-inputs: model inputs ('models', MLflow 3's logged models) are not "
                                                             "supported by this server; log datasets only."));
    auto datasets = r.objects(QStringLiteral("datasets"));
    if (!datasets)
        return datasets.status();
    QVector<DatasetInput> inputs;
    inputs.reserve(datasets->size());
    for (const MlflowRequest &item : *datasets) {
        auto d = item.object(QStringLiteral("dataset"), true);
        if (!d)
            return d.status();
        DatasetInput in;
        const std::pair<const char *, QString *> required[] = {
            {"name", &in.dataset.name}, {"digest", &in.dataset.digest}, {"source_type", &in.dataset.sourceType}, {"source", &in.dataset.source}};
        for (const auto &[field, out] : required) {
            auto v = d->string(QLatin1String(field), true);
            if (!v)
                return v.status();
            *out = *v;
        }
        for (const auto &[field, out] : {std::make_pair("schema", &in.dataset.schema), std::make_pair("profile", &in.dataset.profile)}) {
            if (!d->has(QLatin1String(field)))
                continue;
            auto v = d->string(QLatin1String(field));
            if (!v)
                return v.status();
            *out = *v;
        }
        auto tags = item.keyValues(QStringLiteral("tags"));
        if (!tags)
            return tags.status();
        in.tags = *tags;
        inputs.append(std::move(in));
    }
    ORRERY_TRY(m_store.logInputs(*runId, inputs));
    return QJsonObject();
}

} // namespace orrery::tracking
