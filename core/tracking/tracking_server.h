#pragma once
// TrackingServer: `orrery-cli tracking serve` in one object — the workspace's database behind
// MLflow's REST API (mlflow_rest_api.h) on the shared HTTP layer (core/http), with the one
// MetricWriter that log calls enqueue into, and the artifact proxy over .orrery/artifacts.
//
// stop() ends serving first (a request being handled finishes), then flushes and closes the
// writer, so every point a client was answered for is on disk when it returns.
//
// Threads: the HTTP server runs one I/O thread, which alone uses the API's database connection;
// the writer has its own thread and connection. start(), stop() and the destructor belong to the
// thread that made the object.

#include "core/common/status.h"
#include "core/http/http_server.h"
#include "core/tracking/mlflow_api_extension.h"

#include <QString>

#include <memory>
#include <vector>

namespace orrery::tracking {

class TrackingServer {
public:
    // `databasePath`: the workspace's orrery.db; `workspaceRoot`: its folder (code state for run
    // manifests, the content cache for artifacts). options.threads is forced to 1 and
    // maxBodyBytes to MLflow's 1 MB. `extensions` add endpoints (MLflow's model registry:
    // registry::mlflowRegistryExtension()).
    static Result<std::unique_ptr<TrackingServer>> start(const QString &databasePath, const QString &workspaceRoot,
                                                         http::HttpServerOptions options = {},
                                                         const std::vector<MlflowApiExtensionFactory> &extensions = {});
    ~TrackingServer(); // stop()

    Status stop();
    QString url() const;
    quint16 port() const;
    http::HttpServerStats stats() const;

private:
    TrackingServer();
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace orrery::tracking
