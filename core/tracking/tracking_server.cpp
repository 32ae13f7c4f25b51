#include "core/tracking/tracking_server.h"

#include "core/store/database.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/mlflow_rest_api.h"

namespace orrery::tracking {

struct TrackingServer::Impl {
    // Destroyed in reverse: the HTTP server stops before the API and the writer it uses go.
    std::unique_ptr<store::Database> db;
    std::unique_ptr<MetricWriter> writer;
    std::unique_ptr<MlflowRestApi> api;
    std::unique_ptr<http::HttpServer> server;
    bool stopped = false;
};

TrackingServer::TrackingServer() : d(std::make_unique<Impl>()) {}

TrackingServer::~TrackingServer()
{
    (void)stop();
}

Result<std::unique_ptr<TrackingServer>> TrackingServer::start(const QString &databasePath, const QString &workspaceRoot,
                                                              http::HttpServerOptions options,
                                                              const std::vector<MlflowApiExtensionFactory> &extensions)
{
    std::unique_ptr<TrackingServer> s(new TrackingServer());
    ORRERY_ASSIGN_OR_RETURN(auto db, store::Database::open(databasePath));
    s->d->db = std::move(db);
    ORRERY_ASSIGN_OR_RETURN(auto writer, MetricWriter::open(databasePath));
    s->d->writer = std::move(writer);
    s->d->api = std::make_unique<MlflowRestApi>(*s->d->db, *s->d->writer, workspaceRoot);
    for (const MlflowApiExtensionFactory &factory : extensions)
        s->d->api->addExtension(factory);
    options.threads = 1; // the API's database connection belongs to the one I/O thread
    options.maxBodyBytes = MlflowRestApi::kMaxRequestBytes;
    s->d->server = std::make_unique<http::HttpServer>(*s->d->api, options);
    ORRERY_TRY(s->d->server->start());
    return s;
}

Status TrackingServer::stop()
{
    if (d->stopped)
        return Status::ok();
    d->stopped = true;
    if (d->server)
        d->server->stop();
    return d->writer ? d->writer->close() : Status::ok();
}

QString TrackingServer::url() const
{
    return d->server->url();
}

quint16 TrackingServer::port() const
{
    return d->server->port();
}

http::HttpServerStats TrackingServer::stats() const
{
    return d->server->stats();
}

} // namespace orrery::tracking
