#pragma once
// InferenceService: the Open Inference Protocol v2 over REST for a server's endpoints, plugged
// into core/http's HttpServer (limits, timeouts, the Host check and bearer tokens are the
// server's).
//
//   GET  /v2/health/live                  {"live": true}
//   GET  /v2/health/ready                 {"ready": true} — 503 {"ready": false, "error"} while loading or draining
//   GET  /v2                              {"name": "orrery", "version", "extensions": []}
//   GET  /v2/models/E[/versions/V]        metadata: name, versions, platform, inputs, outputs
//   GET  /v2/models/E[/versions/V]/ready  {"name", "ready"} (503 when not ready)
//   POST /v2/models/E[/versions/V]/infer  OIP request → response (oip_codec.h); parameters ignored
//   POST /v2/models/E/feedback            true labels for earlier answers (feedback_sink.h; 404 without a sink)
//   GET  /metrics                         Prometheus text (metrics_text.h names the families)
//
// E is an endpoint's name (compared as decoded, so `..%2f` is simply no endpoint: 404). An
// endpoint routes to its versions by weight (routes below); /versions/V pins one of them
// (another: 404). Every answer carries X-Request-Id: the client's (1–128 characters of
// [A-Za-z0-9._:-]) or a generated one. Errors are {"error": "…"}: 400 bad input, 404 unknown
// model, version or path, 405 wrong method, 413 body over maxBodyBytes (before it is read), 503
// not ready, draining or the queue full, 500 the model failed.
//
// Routing by weight is deterministic, not random: request n of an endpoint takes slot n mod 100,
// and the 100 slots are dealt to versions by smooth weighted round-robin — so a 5 % canary gets
// exactly 5 of every 100 requests, one every 20, and the analysis compares like with like. A shadow version gets a copy of every request; its answer is compared with
// the one the client got (predicted class per row: orrery_shadow_disagreements_total) and
// discarded; it is never counted as the endpoint's traffic.
//
// Dynamic batching (model_runner.h): each version's parsed requests wait in its queue;
// `threads` inference threads each take the oldest request and, until maxBatch rows are
// together or maxDelayMs has passed since that request arrived, the requests behind it that
// still fit (maxDelayMs 0, the default: no waiting — under load the requests that arrive while a
// batch runs form the next one, measured here 6.5× the throughput of a 2 ms delay with 16
// clients and a small MLP); the model runs once on the stacked rows and each request is answered
// with its own rows — unless the model refuses the stacked input (400: a category a model trained
// with data.unseen: error does not take): then each request of the batch runs alone, and only
// those the model refuses get its reason. A request over maxBatch rows is refused (400); at most maxQueuedRows rows
// wait per version (503 beyond). The prediction hook gets each answer through a queue and its
// own consumer thread (prediction_hook_queue.h).
//
// Changing routes (setRoutes) swaps the table at once: requests already queued on a version
// the new table drops are still answered by it (it is drained, then destroyed), new requests
// follow the new weights, so a routing change fails no request in flight.
//
// Lifecycle: construct, plug into an HttpServer, start it (live, not ready), setModel() or
// setRoutes() (ready), drain() on SIGTERM (new infers 503, the queued ones are answered), then
// HttpServer::stop().

#include "core/http/http_handler.h"
#include "core/serve/inference_model.h"
#include "core/serve/prediction_hook.h"

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace orrery::serve {

class FeedbackSink;
class MetricsSource;
class ServingMetrics;

struct ServeOptions {
    QString endpoint = QStringLiteral("model");  // setModel()'s endpoint
    int maxBatch = 64;                          // rows per model call, and per request
    int maxDelayMs = 0;                         // how long the oldest request waits for others (0: none)
    int threads = 1;                            // inference threads per version
    qint64 maxBodyBytes = 16 * 1024 * 1024;     // an infer request's body
    qint64 maxQueuedRows = 64 * 1024;           // waiting rows per version before 503
    int hookQueue = 10'000;                     // records waiting for the hook before drops
};

struct InferenceStats {
    quint64 requests = 0;   // infer requests answered with outputs
    quint64 rejected = 0;   // infer requests answered with an error
    quint64 batches = 0;    // model calls
    int largestBatch = 0;   // rows
    quint64 hookDropped = 0;
};

// What one endpoint should serve. Versions are matched to loaded runners by (version, md5):
// a version already running keeps its runner (and its queue) across a routing change.
struct RouteVersion {
    QString version;
    QString md5;
    std::shared_ptr<const InferenceModel> model; // may be null when the (version, md5) runs already
    int weight = 0;                              // percent; 0: reachable only with /versions/V
};
struct EndpointRoutes {
    QString endpoint;
    std::vector<RouteVersion> versions;
    std::optional<RouteVersion> shadow;
};

class InferenceService : public http::HttpHandler {
public:
    explicit InferenceService(ServeOptions options);
    ~InferenceService() override; // drains and joins its threads

    // Makes options.endpoint serve `model` as `version` alone (replacing the routes).
    void setModel(std::shared_ptr<const InferenceModel> model, const QString &version);
    // Replaces every endpoint's routes (validated first: weights 0–100 summing to 100 where any
    // is set, a model for every (version, md5) not running yet; nothing changes on an error).
    // Runners dropped by the change are drained (up to drainMs) on the calling thread.
    Status setRoutes(const std::vector<EndpointRoutes> &routes, int drainMs = 10'000);
    // Whether (endpoint, version, md5) runs now: its model need not be loaded again.
    bool runs(const QString &endpoint, const QString &version, const QString &md5) const;
    // The live metrics of an endpoint's version (null when it never ran here).
    std::shared_ptr<const ServingMetrics> metrics(const QString &endpoint, const QString &version) const;
    // Every version's metrics of an endpoint that ran here (the live monitor's window counters).
    std::vector<std::shared_ptr<const ServingMetrics>> endpointMetrics(const QString &endpoint) const;

    // Set before the server starts; null: no hook.
    void setHook(std::shared_ptr<PredictionHook> hook);
    // Waits (up to timeoutMs) until the records of every answer sent so far reached the hook.
    bool flushHook(int timeoutMs = 5'000);
    // The same as a function that may outlive the service (it keeps the hook's queue alive), for
    // FeedbackStore::setBeforeMatching, whose writer may still run while the service goes.
    std::function<void()> hookFlusher(int timeoutMs = 5'000) const;
    void addMetricsSource(std::shared_ptr<const MetricsSource> source); // before the server starts
    void setFeedbackSink(std::shared_ptr<FeedbackSink> sink);           // before the server starts
    // Refuses new infer requests (503) and waits up to `timeoutMs` for the queued and running
    // ones to be answered; true when none is left.
    bool drain(int timeoutMs);
    bool ready() const;
    InferenceStats stats() const;
    const ServeOptions &options() const;
    QByteArray metricsText() const; // what GET /metrics answers

    http::HttpBodyPlan planBody(const http::HttpRequest &head) override;
    void handle(http::HttpRequest request, http::HttpResponder responder) override;
    http::HttpResponse errorResponse(int status, const QString &message) override;
    void answerPending() override;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace orrery::serve
