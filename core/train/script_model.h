#pragma once
// ScriptModel: a TorchScript model as the registry and the server load it — Orrery's own exports
// (preprocessing and network in one module, signature.json inside the archive) and TorchScript
// files written by Python PyTorch (torch.jit.script(m).save(p), signature.json inside via
// _extra_files or beside the file) alike. Torch-free interface.
//
// The signature (JSON): {"inputs": [{"name", "dtype": "FP32" | "BYTES", "shape": [-1, k],
// "columns": [...]}], "outputs": [...]} — an FP32 input becomes a float tensor rows × k, a BYTES
// input a List[List[str]]; forward() receives the inputs in the signature's order.
//
// Threads: predict() may be called from several threads at once (TorchScript modules are
// thread-safe for inference); load() from any thread.

#include "core/common/status.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace orrery::train {

struct ModelInput {
    std::vector<float> values;              // FP32 inputs: rows × width, row-major (NaN: missing)
    std::vector<QStringList> texts;         // BYTES inputs: one list per row
};

struct ModelOutput {
    int rows = 0;
    int columns = 0;
    std::vector<double> values;             // rows × columns
};

class ScriptModel {
public:
    ~ScriptModel();
    // Loads the module and its signature (inside the archive, else <file>.signature.json or
    // signature.json beside it). A file that is no TorchScript archive is InvalidArgument.
    static Result<std::unique_ptr<ScriptModel>> load(const QString &path);

    const QJsonObject &signature() const { return m_signature; }
    // One ModelInput per signature input, each with `rows` rows.
    Result<ModelOutput> predict(const std::vector<ModelInput> &inputs, int rows) const;
    // Rows of a table as a CSV has them (the pipeline's evaluate stage, batch scoring): each
    // signature input's "columns" are looked up by name in `columns`; FP32 cells are parsed as
    // numbers (a missing value — empty, NA, … — becomes NaN), BYTES cells passed as text. An input
    // without "columns" takes every column. Errors name the missing column or the bad cell.
    Result<ModelOutput> predictTable(const QStringList &columns, const std::vector<std::vector<std::string>> &rows) const;

private:
    ScriptModel();
    struct Impl;
    std::unique_ptr<Impl> d;
    QJsonObject m_signature;
};

} // namespace orrery::train
