#pragma once
// ModelRunner: one loaded model version of one endpoint — its batching queue and inference
// threads (the dynamic batching InferenceService describes), its ServingMetrics, and the answers.
// The routing table holds runners by shared_ptr; a runner a new table no longer names is
// drained (its queued requests answered) before it is destroyed, never dropped mid-batch.
//
// Threads: submit() from the HTTP I/O threads; answers are sent from the inference threads.

#include "core/http/http_handler.h"
#include "core/serve/oip_codec.h"
#include "core/serve/serving_metrics.h"

#include <chrono>
#include <functional>
#include <memory>

namespace orrery::serve {

class PredictionHookQueue;

struct RunnerOptions {
    int maxBatch = 64;
    int maxDelayMs = 0;
    int threads = 1;
    qint64 maxQueuedRows = 64 * 1024;
};

// One parsed infer request on its way to a model call.
struct QueuedInfer {
    InferRequest request;
    http::HttpResponder responder; // empty for a shadow copy: its answer is discarded
    QByteArray requestId;
    QString endpoint;              // the name the answer carries
    std::chrono::steady_clock::time_point arrived;
    // Called with the batch's outputs and this request's rows before the answer is sent (the
    // shadow comparison); null: nothing.
    std::function<void(const std::vector<OutputTensor> &outputs, int firstRow, int rows)> onOutputs;
    bool shadow = false; // not counted in the version's request metrics, not handed to the hook
};

class ModelRunner {
public:
    ModelRunner(QString version, QString md5, std::shared_ptr<const InferenceModel> model, RunnerOptions options,
                std::shared_ptr<ServingMetrics> metrics, std::shared_ptr<PredictionHookQueue> hook);
    ~ModelRunner(); // answers what is still queued with 503 and joins

    enum class Submitted { Queued, Full, Stopped };
    Submitted submit(std::shared_ptr<QueuedInfer> infer);
    // Stops taking requests and waits up to timeoutMs for the queued and running ones; true
    // when none is left.
    bool drain(int timeoutMs);

    const QString &version() const { return m_version; }
    const QString &md5() const { return m_md5; }
    const ModelMetadata &metadata() const { return m_model->metadata(); }
    ServingMetrics &metrics() const { return *m_metrics; }
    const std::shared_ptr<ServingMetrics> &sharedMetrics() const { return m_metrics; }
    qint64 queuedRows() const;

    // Answers `infer` with an error and counts it against this version (a request the version
    // refused before it was queued: a bad input, a full queue).
    void refuse(const QueuedInfer &infer, int status, const QString &message) const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
    QString m_version;
    QString m_md5;
    std::shared_ptr<const InferenceModel> m_model;
    std::shared_ptr<ServingMetrics> m_metrics;
};

// The answer every server part sends: JSON with X-Request-Id.
http::HttpResponse inferenceAnswer(int status, QByteArray body, const QByteArray &requestId);

} // namespace orrery::serve
