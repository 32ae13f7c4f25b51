#pragma once
// MlflowRestApi: MLflow's Tracking REST API 2.0 and its artifact proxy over the workspace, so
// that a script run with MLFLOW_TRACKING_URI=http://127.0.0.1:P logs into Orrery unchanged.
//
//   /api/2.0/mlflow/experiments/{create,get,get-by-name,search,delete,restore,update,
//                                set-experiment-tag}
//   /api/2.0/mlflow/runs/{create,update,get,search,delete,restore,set-tag,delete-tag,
//                         log-metric,log-parameter,log-batch,log-model,log-inputs}
//   /api/2.0/mlflow/metrics/{get-history,get-history-bulk}
//   /api/2.0/mlflow/artifacts/list                 REST API 2.0's ListArtifacts
//   /get-artifact?path=&run_uuid=                  a run artifact's bytes (as MLflow's server)
//   …and what extensions add (mlflow_api_extension.h: the model registry, core/registry)
//   /api/2.0/mlflow-artifacts/artifacts/<path>   PUT upload, GET download, DELETE (a file or folder)
//   /api/2.0/mlflow-artifacts/artifacts?path=…   GET list
// (also under /ajax-api/2.0/, as MLflow's web UI calls them), and GET /health.
//
// Requests and answers have MLflow's shapes (mlflow_request.h, mlflow_json.h); every error is
// {"error_code", "message"} with MLflow's HTTP status, and a refused request changes nothing:
// log-batch validates all of its metrics, params and tags before the first is stored. Unknown
// endpoints answer 404 ENDPOINT_NOT_FOUND before their body is read.
//
// Acknowledged means durable: every answer that says a write happened is sent after the write
// committed (synchronous=FULL). Params, tags, runs and experiments commit on the I/O thread before
// the answer is built; metric points go through the one MetricWriter, and the answer to
// log-metric / log-batch is sent from its commit callback (concurrent requests share a commit).
// Reads that show metrics (runs/get, runs/search, metrics/get-history) flush it first, so a
// client always reads what it was told was logged.
//
// Threads: the Database is used on the HTTP server's I/O thread only, so the server must run
// with one I/O thread (TrackingServer does). The writer may be shared with other producers.

#include "core/http/http_handler.h"
#include "core/tracking/mlflow_api_extension.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/artifact_store.h"
#include "core/tracking/tracking_store.h"

#include <QJsonObject>
#include <QSet>

namespace orrery::store {
class Database;
}

namespace orrery::tracking {

class MetricWriter;

class MlflowRestApi : public http::HttpHandler {
public:
    // MLflow's own bound on a log-batch request (MAX_BATCH_LOG_REQUEST_SIZE); answered 413 here.
    static constexpr qint64 kMaxRequestBytes = 1'000'000;
    static constexpr qint64 kMaxArtifactBytes = qint64(64) << 30; // streamed to disk, never buffered
    static constexpr int kMaxSearchResults = 50'000;
    static constexpr int kHistoryPageSize = 25'000; // MLflow's GET_METRIC_HISTORY_MAX_RESULTS

    // `workspaceRoot`: runs created here get its code state in their manifest, and artifacts are
    // objects in its content cache (.orrery/cache, or where .dvc/config puts it).
    MlflowRestApi(store::Database &db, MetricWriter &writer, QString workspaceRoot);
    ~MlflowRestApi() override;

    http::HttpBodyPlan planBody(const http::HttpRequest &head) override;
    void handle(http::HttpRequest request, http::HttpResponder responder) override;
    http::HttpResponse errorResponse(int status, const QString &message) override;
    // Every metric answer waiting on the writer's commit is sent (see HttpHandler::answerPending).
    void answerPending() override;

    using Endpoint = Result<QJsonObject> (MlflowRestApi::*)(const MlflowRequest &);

    // Endpoints served after this facade's own (made now, with this API's connection).
    void addExtension(const MlflowApiExtensionFactory &factory);

private:
    struct Route;
    // The answer to one whole request; metric points it accepted wait in m_pendingPoints for
    // handle() to queue them with the answer.
    http::HttpResponse respond(http::HttpRequest &request);
    static const Route *findRoute(const QByteArray &path);
    static bool methodAllowed(const Route &route, const QByteArray &method);
    static Result<MlflowRequest> requestMessage(const http::HttpRequest &request);
    // The extension serving `path` and the methods it takes there (null: none).
    MlflowApiExtension *findExtension(const QByteArray &path, QByteArray *name, QList<QByteArray> *methods) const;
    http::HttpResponse apiResponse(const http::HttpRequest &request);
    static http::HttpResponse error(const char *errorCode, const QString &message);
    static http::HttpResponse error(const Status &status);

    // mlflow_experiment_endpoints.cpp
    Result<QJsonObject> createExperiment(const MlflowRequest &r);
    Result<QJsonObject> getExperiment(const MlflowRequest &r);
    Result<QJsonObject> getExperimentByName(const MlflowRequest &r);
    Result<QJsonObject> searchExperiments(const MlflowRequest &r);
    Result<QJsonObject> deleteExperiment(const MlflowRequest &r);
    Result<QJsonObject> restoreExperiment(const MlflowRequest &r);
    Result<QJsonObject> updateExperiment(const MlflowRequest &r);
    Result<QJsonObject> setExperimentTag(const MlflowRequest &r);

    // mlflow_run_endpoints.cpp
    Result<QJsonObject> createRun(const MlflowRequest &r);
    Result<QJsonObject> updateRun(const MlflowRequest &r);
    Result<QJsonObject> getRun(const MlflowRequest &r);
    Result<QJsonObject> searchRuns(const MlflowRequest &r);
    Result<QJsonObject> deleteRun(const MlflowRequest &r);
    Result<QJsonObject> restoreRun(const MlflowRequest &r);
    Result<QJsonObject> setTag(const MlflowRequest &r);
    Result<QJsonObject> deleteTag(const MlflowRequest &r);
    Result<QJsonObject> logParameter(const MlflowRequest &r);
    Result<QJsonObject> logModel(const MlflowRequest &r);
    Result<QJsonObject> logInputs(const MlflowRequest &r);

    // mlflow_metric_endpoints.cpp
    Result<QJsonObject> logMetric(const MlflowRequest &r);
    Result<QJsonObject> logBatch(const MlflowRequest &r);
    Result<QJsonObject> getMetricHistory(const MlflowRequest &r);
    Result<QJsonObject> getMetricHistoryBulk(const MlflowRequest &r);
    Status validateMetricKey(const QString &key);
    void flushMetrics();

    // mlflow_artifact_endpoints.cpp
    static bool isArtifactPath(const QByteArray &path, QString *relative, bool *isListing);
    http::HttpBodyPlan planUpload(const http::HttpRequest &head, const QString &relative);
    http::HttpResponse artifacts(http::HttpRequest &request, const QString &relative, bool isListing);
    Result<QJsonObject> listArtifacts(const MlflowRequest &r);   // artifacts/list
    http::HttpResponse getArtifact(const http::HttpRequest &request); // /get-artifact

    static Result<QString> runIdOf(const MlflowRequest &r); // run_id, or the deprecated run_uuid

    store::Database &m_db;
    TrackingStore m_store;
    MetricWriter &m_writer;
    QString m_workspaceRoot;
    ArtifactStore m_artifacts;
    QSet<QString> m_validMetricKeys; // keys that passed validation once (a cache, bounded)
    std::vector<SeriesPoint> m_pendingPoints; // the current request's accepted points (I/O thread)
    std::vector<std::unique_ptr<MlflowApiExtension>> m_extensions;
};

} // namespace orrery::tracking
