#pragma once
// MlflowApiExtension: more endpoints under /api/2.0/mlflow/ (and /ajax-api/2.0/mlflow/), served
// by MlflowRestApi — how a module above tracking (core/registry: MLflow's model-registry API)
// adds its part of MLflow's REST surface without core/tracking depending on it.
//
// MlflowRestApi routes a request to an extension when no endpoint of its own has that name; it
// reads the request (a GET's query, another method's JSON body — or its query when the body is
// empty) into an MlflowRequest and answers the extension's Result as MLflow does: the object as
// JSON with 200, or {"error_code", "message"} with MLflow's code and status for the Status's code
// (mlflow_json.h: InvalidArgument → INVALID_PARAMETER_VALUE 400, NotFound →
// RESOURCE_DOES_NOT_EXIST 404, AlreadyExists → RESOURCE_ALREADY_EXISTS 400).
//
// Threads: an extension is made and called on the server's one I/O thread, with the same
// Database connection as the facade; it commits before returning (acknowledged means durable).

#include "core/common/status.h"
#include "core/tracking/mlflow_request.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace orrery::store {
class Database;
}

namespace orrery::tracking {

class MlflowApiExtension {
public:
    virtual ~MlflowApiExtension() = default;
    // The HTTP methods `name` (the path after /api/2.0/mlflow/) takes: GET, POST, PATCH, DELETE;
    // empty when it is none of this extension's endpoints.
    virtual QList<QByteArray> methods(const QByteArray &name) const = 0;
    virtual Result<QJsonObject> call(const QByteArray &name, const QByteArray &method, const MlflowRequest &request) = 0;
};

struct MlflowApiContext {
    store::Database &db;    // the I/O thread's connection
    QString workspaceRoot;
    QString cacheRoot;      // the workspace's content cache (artifacts are objects there)
};

using MlflowApiExtensionFactory = std::function<std::unique_ptr<MlflowApiExtension>(const MlflowApiContext &)>;

} // namespace orrery::tracking
