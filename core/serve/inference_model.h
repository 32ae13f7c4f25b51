#pragma once
// InferenceModel: what the inference server runs — a model's metadata (its inputs and outputs as
// the Open Inference Protocol describes tensors) and run(batch) → outputs. Torch-free: the
// TorchScript implementation (script_inference_model.h) is core/serve's LibTorch half, linked
// only into orrery-serve; the server, the protocol and the batching are tested with a fake.
//
// Tensors here are 2-D: rows × width, rows being the batch (signature shape [-1, width]).
// FP32 inputs carry `values` (row-major; NaN is a missing value), BYTES inputs `texts`.
//
// Threads: run() is called from the server's inference threads, several at once.

#include "core/common/status.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <vector>

namespace orrery::serve {

struct TensorSpec {
    QString name;
    QString datatype; // "FP32" or "BYTES"
    qint64 width = 1; // shape [-1, width]
    // BYTES: one value per column that the model takes (the signature's "sample"; a model
    // trained with data.unseen: error names it because it refuses the empty string), used by
    // warmUp; empty: warmUp sends empty strings.
    QStringList sample = {}; // "= {}": brace-initialised specs need not name it (-Wmissing-field-initializers)
};

struct ModelMetadata {
    QString platform = QStringLiteral("pytorch_torchscript");
    QList<TensorSpec> inputs;
    QList<TensorSpec> outputs;
};

struct InputTensor {
    QString name;
    QString datatype;
    int rows = 0;
    qint64 width = 1;
    std::vector<float> values;  // FP32: rows × width
    std::vector<QString> texts; // BYTES: rows × width
};

struct OutputTensor {
    QString name;
    int rows = 0;
    qint64 width = 1;
    std::vector<double> values; // rows × width, written as FP32
};

class InferenceModel {
public:
    virtual ~InferenceModel() = default;
    virtual const ModelMetadata &metadata() const = 0;
    // One InputTensor per metadata input, in its order, all with `rows` rows. InvalidArgument
    // when the model refuses the input (answered 400), any other error is answered 500.
    virtual Result<std::vector<OutputTensor>> run(const std::vector<InputTensor> &batch, int rows) const = 0;
};

// The metadata a model signature (core/train/script_model.h's JSON) describes.
Result<ModelMetadata> metadataFromSignature(const QJsonObject &signature);

// Runs `model` `runs` times on one row of zeros (for BYTES the spec's sample, else empty
// strings) before it takes
// traffic: a TorchScript module's first calls profile and optimise its graph and take
// milliseconds, which would make a fresh canary look slow to its analysis (measured: p99 6 ms
// against the warm stable's 0.23 ms).
Status warmUp(const InferenceModel &model, int runs = 3);

} // namespace orrery::serve
