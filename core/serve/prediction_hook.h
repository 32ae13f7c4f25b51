#pragma once
// PredictionHook: told of every answered prediction (its inputs, outputs, the model version, the
// latency and the request id) — the prediction log and live drift windows plug in here later.
// The server never calls it on the answering path: records go to a bounded queue that one
// consumer thread drains (InferenceService), so a slow hook costs the answer nothing; when the
// queue is full the record is dropped and counted (InferenceStats::hookDropped). No hook: no
// queue, no copies.

#include "core/serve/inference_model.h"

#include <QDateTime>

namespace orrery::serve {

struct PredictionRecord {
    QString requestId;
    QString endpoint;
    QString version;
    std::vector<InputTensor> inputs;
    std::vector<OutputTensor> outputs;
    double latencyMs = 0;
    QDateTime time; // when the answer was sent (UTC)
};

class PredictionHook {
public:
    virtual ~PredictionHook() = default;
    // Called on the consumer thread, one record at a time.
    virtual void record(const PredictionRecord &record) = 0;
};

} // namespace orrery::serve
