#pragma once
// The networks (internal to core/train; includes torch). Each knows how to write itself, with
// the fitted preprocessing, as one TorchScript module: the weights become buffers and the
// forward pass is generated TorchScript source using aten operators only, so the export runs in
// LibTorch and in Python PyTorch without any Orrery code.

#include "core/train/dataset.h"
#include "core/train/trainer_config.h"

#include <torch/torch.h>

#include <string>

namespace torch::jit {
struct Module;
}

namespace orrery::train {

class ModelNetImpl : public torch::nn::Module {
public:
    // dense: rows × denseWidth float; codes: rows × codeWidth int64 (may be empty). Returns logits
    // (classification) or standardised predictions.
    virtual torch::Tensor forward(const torch::Tensor &dense, const torch::Tensor &codes) = 0;
    // Adds this network's weights to `m` and returns the TorchScript source of
    // `def network(self, x: Tensor, codes: Tensor) -> Tensor`.
    virtual std::string exportNetwork(torch::jit::Module &m) const = 0;
};

std::shared_ptr<ModelNetImpl> buildModel(const TrainConfig &config, const Preprocessor &pre);

// The whole export: preprocessing + network + output transform, with signature.json and
// preprocessing.json inside the archive. Writes `path` atomically.
Status exportTorchScript(const ModelNetImpl &net, const Preprocessor &pre, const QString &path, QJsonObject *signatureOut);

// Predictions of the trained network on a transformed split, as the export would give them:
// probabilities (rows × classes; binary: 2 columns) or values in the target's units.
std::vector<double> predictSplit(ModelNetImpl &net, const Preprocessor &pre, const Split &split, int *columns);

} // namespace orrery::train
