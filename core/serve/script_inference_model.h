#pragma once
// ScriptInferenceModel: a TorchScript model (core/train's ScriptModel: the archive and its
// signature) as the inference server runs it. core/serve's LibTorch half (orrery_serve_torch):
// only orrery-serve links it; the header itself is torch-free.

#include "core/serve/inference_model.h"

#include <memory>

namespace orrery::train {
class ScriptModel;
}

namespace orrery::serve {

class ScriptInferenceModel : public InferenceModel {
public:
    ~ScriptInferenceModel() override;
    // Loads `path` (already md5-verified when it comes from the registry) and its signature.
    static Result<std::unique_ptr<ScriptInferenceModel>> load(const QString &path);

    const ModelMetadata &metadata() const override { return m_metadata; }
    Result<std::vector<OutputTensor>> run(const std::vector<InputTensor> &batch, int rows) const override;

private:
    ScriptInferenceModel() = default;
    std::unique_ptr<train::ScriptModel> m_model;
    ModelMetadata m_metadata;
};

} // namespace orrery::serve
