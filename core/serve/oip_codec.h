#pragma once
// The Open Inference Protocol v2's JSON (REST) for one model: infer requests parsed and checked
// against the model's metadata, responses written. Torch-free.
//
// Bad input is InvalidArgument with a message naming the input, what was expected and what came
// (answered 400 as {"error": …}). The checks, in order: the body is JSON (Qt's parser: nesting
// deeper than 1,024 is refused, so 100,000 '[' cost nothing); "inputs" is a non-empty array of
// objects with a name the model has (each once, every model input present); its datatype is
// the model's; its shape is [rows, width] (or [rows] for width 1) with whole, non-negative dims
// whose product stays below 2^31 (computed without overflow, nothing allocated before); rows
// are the same for every input, at least 1 and at most the maximum batch ("batch-size must be
// <= N"); data (flat or nested) has exactly rows × width values.
//
// Non-finite numbers, the policy:
// - in inputs: NaN, Infinity and -Infinity are not JSON and are refused as malformed JSON (400);
//   a number beyond FP32's range (1e39, 1e400) is refused (400, "not a finite FP32 value");
//   `null` in FP32 data is a missing value (NaN to the model, whose preprocessing imputes it —
//   what an empty CSV cell is to `orrery-cli predict`).
// - in outputs: a NaN or infinite output value is written as `null` (the answer stays valid
//   JSON), and the response's "parameters" then carries "non_finite_outputs": COUNT.

#include "core/serve/inference_model.h"

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

namespace orrery::serve {

struct InferRequest {
    QString id;                  // "id", echoed; empty when absent
    std::vector<InputTensor> inputs; // in the model's input order
    int rows = 0;
    QStringList outputs;         // requested output names; empty: all
};

Result<InferRequest> parseInferRequest(const QByteArray &body, const ModelMetadata &metadata, int maxBatch);

// The response for rows [firstRow, firstRow + rows) of the batch's outputs.
QByteArray inferResponse(const QString &modelName, const QString &version, const QString &id, const QStringList &wanted,
                         const std::vector<OutputTensor> &outputs, int firstRow, int rows);

QJsonObject modelMetadataJson(const QString &name, const QString &version, const ModelMetadata &metadata);

QByteArray errorBody(const QString &message); // {"error": message}

// JSON string literal for `text`, quotes included.
void appendJsonString(QByteArray &out, const QString &text);

} // namespace orrery::serve
