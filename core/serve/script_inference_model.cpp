// ScriptInferenceModel: InputTensors → ScriptModel::predict → one OutputTensor.

#include "core/serve/script_inference_model.h"

#include "core/train/script_model.h"

namespace orrery::serve {

ScriptInferenceModel::~ScriptInferenceModel() = default;

Result<std::unique_ptr<ScriptInferenceModel>> ScriptInferenceModel::load(const QString &path)
{
    ORRERY_ASSIGN_OR_RETURN(auto script, train::ScriptModel::load(path));
    ORRERY_ASSIGN_OR_RETURN(ModelMetadata metadata, metadataFromSignature(script->signature()));
    if (metadata.outputs.size() > 1)
        return invalidArgument(QStringLiteral("'%1' declares %2 outputs; Orrery serves TorchScript models with one output tensor").arg(path).arg(metadata.outputs.size()));
    if (metadata.outputs.isEmpty())
        metadata.outputs.append(TensorSpec{QStringLiteral("output-0"), QStringLiteral("FP32"), 1});
    std::unique_ptr<ScriptInferenceModel> model(new ScriptInferenceModel);
    model->m_model = std::move(script);
    model->m_metadata = std::move(metadata);
    return model;
}

Result<std::vector<OutputTensor>> ScriptInferenceModel::run(const std::vector<InputTensor> &batch, int rows) const
{
    std::vector<train::ModelInput> inputs(batch.size());
    for (size_t i = 0; i < batch.size(); ++i) {
        const InputTensor &t = batch[i];
        if (t.datatype == QLatin1String("BYTES")) {
            inputs[i].texts.reserve(size_t(rows));
            for (int r = 0; r < rows; ++r) {
                QStringList row;
                for (qint64 c = 0; c < t.width; ++c)
                    row << t.texts[size_t(r * t.width + c)];
                inputs[i].texts.push_back(std::move(row));
            }
        } else {
            inputs[i].values = t.values;
        }
    }
    ORRERY_ASSIGN_OR_RETURN(train::ModelOutput out, m_model->predict(inputs, rows));
    OutputTensor t;
    t.name = m_metadata.outputs.first().name;
    t.rows = out.rows;
    t.width = out.columns;
    t.values = std::move(out.values);
    return std::vector<OutputTensor>{std::move(t)};
}

} // namespace orrery::serve
