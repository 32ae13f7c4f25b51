#include "core/tracking/mlflow_rest_api.h"

#include "core/data/data_repository.h"

#include "core/tracking/metric_writer.h"
#include "core/tracking/mlflow_json.h"
#include "core/tracking/mlflow_request.h"

#include <QSet>

#include <cstring>

namespace orrery::tracking {

struct MlflowRestApi::Route {
    const char *name; // after /api/2.0/mlflow/
    bool get;
    bool post;
    Endpoint endpoint;
};

namespace {

const QByteArray kApiPrefixes[] = {"/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"};

} // namespace

MlflowRestApi::MlflowRestApi(store::Database &db, MetricWriter &writer, QString workspaceRoot)
    : m_db(db), m_store(db), m_writer(writer), m_workspaceRoot(std::move(workspaceRoot)),
      m_artifacts(db, data::DataRepository::cacheDirFor(m_workspaceRoot))
{
}

MlflowRestApi::~MlflowRestApi() = default;

void MlflowRestApi::addExtension(const MlflowApiExtensionFactory &factory)
{
    if (auto extension = factory(MlflowApiContext{m_db, m_workspaceRoot, data::DataRepository::cacheDirFor(m_workspaceRoot)}))
        m_extensions.push_back(std::move(extension));
}

MlflowApiExtension *MlflowRestApi::findExtension(const QByteArray &path, QByteArray *name, QList<QByteArray> *methods) const
{
    for (const QByteArray &prefix : kApiPrefixes) {
        if (!path.startsWith(prefix))
            continue;
        *name = path.mid(prefix.size());
        for (const auto &extension : m_extensions) {
            *methods = extension->methods(*name);
            if (!methods->isEmpty())
                return extension.get();
        }
    }
    return nullptr;
}

const MlflowRestApi::Route *MlflowRestApi::findRoute(const QByteArray &path)
{
    static const Route routes[] = {
        {"experiments/create", false, true, &MlflowRestApi::createExperiment},
        {"experiments/get", true, false, &MlflowRestApi::getExperiment},
        {"experiments/get-by-name", true, false, &MlflowRestApi::getExperimentByName},
        {"experiments/search", true, true, &MlflowRestApi::searchExperiments},
        {"experiments/delete", false, true, &MlflowRestApi::deleteExperiment},
        {"experiments/restore", false, true, &MlflowRestApi::restoreExperiment},
        {"experiments/update", false, true, &MlflowRestApi::updateExperiment},
        {"experiments/set-experiment-tag", false, true, &MlflowRestApi::setExperimentTag},
        {"runs/create", false, true, &MlflowRestApi::createRun},
        {"runs/update", false, true, &MlflowRestApi::updateRun},
        {"runs/get", true, false, &MlflowRestApi::getRun},
        {"runs/search", true, true, &MlflowRestApi::searchRuns},
        {"runs/delete", false, true, &MlflowRestApi::deleteRun},
        {"runs/restore", false, true, &MlflowRestApi::restoreRun},
        {"runs/set-tag", false, true, &MlflowRestApi::setTag},
        {"runs/delete-tag", false, true, &MlflowRestApi::deleteTag},
        {"runs/log-metric", false, true, &MlflowRestApi::logMetric},
        {"runs/log-parameter", false, true, &MlflowRestApi::logParameter},
        {"runs/log-batch", false, true, &MlflowRestApi::logBatch},
        {"runs/log-model", false, true, &MlflowRestApi::logModel},
        {"runs/log-inputs", false, true, &MlflowRestApi::logInputs},
        {"metrics/get-history", true, false, &MlflowRestApi::getMetricHistory},
        {"metrics/get-history-bulk", true, false, &MlflowRestApi::getMetricHistoryBulk},
        {"artifacts/list", true, false, &MlflowRestApi::listArtifacts},
    };
    for (const QByteArray &prefix : kApiPrefixes) {
        if (!path.startsWith(prefix))
            continue;
        const QByteArray name = path.mid(prefix.size());
        for (const Route &r : routes)
            if (name == r.name)
                return &r;
    }
    return nullptr;
}

http::HttpResponse MlflowRestApi::error(const char *errorCode, const QString &message)
{
    return http::HttpResponse::json(mlflow::httpStatusFor(errorCode), mlflow::errorBody(errorCode, message));
}

http::HttpResponse MlflowRestApi::error(const Status &status)
{
    return error(mlflow::errorCodeFor(status.code()), status.message());
}

http::HttpResponse MlflowRestApi::errorResponse(int status, const QString &message)
{
    const char *code = status == 401 ? "UNAUTHENTICATED" : status == 403 ? "PERMISSION_DENIED" : status == 404 ? "ENDPOINT_NOT_FOUND"
        : status == 503 ? "TEMPORARILY_UNAVAILABLE" : status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST";
    return http::HttpResponse::json(status, mlflow::errorBody(code, message));
}

Result<QString> MlflowRestApi::runIdOf(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(QString id, r.string(QStringLiteral("run_id")));
    if (!id.isEmpty())
        return id;
    ORRERY_ASSIGN_OR_RETURN(QString uuid, r.string(QStringLiteral("run_uuid")));
    if (uuid.isEmpty())
        return MlflowRequest::missing(QStringLiteral("run_id"));
    return uuid;
}

http::HttpBodyPlan MlflowRestApi::planBody(const http::HttpRequest &head)
{
    http::HttpBodyPlan plan;
    const QByteArray path = head.path();
    QString relative;
    bool listing = false;
    if (isArtifactPath(path, &relative, &listing)) {
        if (head.method == "PUT" && !listing)
            return planUpload(head, relative);
        plan.limit = kMaxRequestBytes;
        return plan;
    }
    // Unknown endpoints and wrong methods are answered before their body is read.
    const Route *route = findRoute(path);
    QByteArray extensionName;
    QList<QByteArray> extensionMethods;
    const bool extended = !route && findExtension(path, &extensionName, &extensionMethods) && extensionMethods.contains(head.method);
    if (path != "/health" && path != "/get-artifact" && !extended && (!route || !methodAllowed(*route, head.method)))
        plan.answer = apiResponse(head);
    plan.limit = kMaxRequestBytes;
    return plan;
}

void MlflowRestApi::answerPending()
{
    flushMetrics(); // runs every commit callback queued so far; no request can add one now
}

void MlflowRestApi::handle(http::HttpRequest request, http::HttpResponder responder)
{
    http::HttpResponse response = respond(request);
    if (m_pendingPoints.empty())
        return responder.send(std::move(response)); // nothing written, or committed already
    // Metric points: the answer says they are stored, so it waits for their commit. The I/O
    // thread goes on serving other connections meanwhile; their points join the next commit.
    std::vector<SeriesPoint> points;
    points.swap(m_pendingPoints);
    m_writer.logThenNotify(points, [responder, response = std::move(response)](const Status &committed) {
        responder.send(committed ? response
                                 : error(committed.withContext(QStringLiteral("the metric points were not stored"))));
    });
}

http::HttpResponse MlflowRestApi::respond(http::HttpRequest &request)
{
    m_pendingPoints.clear();
    const QByteArray path = request.path();
    QString relative;
    bool listing = false;
    if (isArtifactPath(path, &relative, &listing))
        return artifacts(request, relative, listing);
    return apiResponse(request);
}

// A GET's query; another method's JSON body, or its query when the body is empty (DELETE sent
// with ?name=…). A body that is not a JSON object is INVALID_PARAMETER_VALUE, saying where it broke.
Result<MlflowRequest> MlflowRestApi::requestMessage(const http::HttpRequest &request)
{
    if (request.method == "GET")
        return MlflowRequest::fromQuery(request.queryItems());
    if (request.body.trimmed().isEmpty() && !request.queryItems().empty())
        return MlflowRequest::fromQuery(request.queryItems());
    return MlflowRequest::fromBody(request.body);
}

bool MlflowRestApi::methodAllowed(const Route &route, const QByteArray &method)
{
    return (method == "GET" && route.get) || (method == "POST" && route.post);
}

http::HttpResponse MlflowRestApi::apiResponse(const http::HttpRequest &request)
{
    const QByteArray path = request.path();
    if (path == "/health")
        return http::HttpResponse::text(200, "OK");
    if (path == "/get-artifact")
        return getArtifact(request);
    const Route *route = findRoute(path);
    if (!route) {
        QByteArray name;
        QList<QByteArray> methods;
        if (MlflowApiExtension *extension = findExtension(path, &name, &methods)) {
            if (!methods.contains(request.method)) {
                const QByteArray allowed = methods.join(", ");
                auto r = error("BAD_REQUEST", QStringLiteral("%1 takes %2, not %3.").arg(QString::fromUtf8(name), QString::fromUtf8(allowed),
                                                                                      QString::fromUtf8(request.method)));
                r.status = 405;
                r.headers.append(std::make_pair(QByteArray("Allow"), allowed));
                return r;
            }
            auto message = requestMessage(request);
            if (!message)
                return error(message.status());
            Result<QJsonObject> answer = extension->call(name, request.method, *message);
            if (!answer)
                return error(answer.status());
            return http::HttpResponse::json(200, mlflow::toJson(*answer));
        }
    }
    if (!route)
        return error("ENDPOINT_NOT_FOUND", QStringLiteral("No API endpoint %1 %2 here. This server speaks MLflow's Tracking REST API 2.0 "
                                                          "under /api/2.0/mlflow/ and its artifact proxy under /api/2.0/mlflow-artifacts/.")
                                               .arg(QString::fromUtf8(request.method), QString::fromUtf8(path.left(200))));
    const bool isGet = request.method == "GET";
    if (!methodAllowed(*route, request.method)) {
        auto r = error("BAD_REQUEST", QStringLiteral("%1 takes %2, not %3.").arg(QLatin1String(route->name),
                                      QLatin1String(route->get ? (route->post ? "GET or POST" : "GET") : "POST"), QString::fromUtf8(request.method)));
        r.status = 405;
        r.headers.append(std::make_pair(QByteArray("Allow"), QByteArray(route->get ? (route->post ? "GET, POST" : "GET") : "POST")));
        return r;
    }
    (void)isGet;
    auto message = requestMessage(request);
    if (!message)
        return error(message.status());
    Result<QJsonObject> answer = (this->*route->endpoint)(*message);
    if (!answer)
        return error(answer.status());
    return http::HttpResponse::json(200, mlflow::toJson(*answer));
}

} // namespace orrery::tracking
