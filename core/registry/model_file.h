#pragma once
// ModelFile: a version's model file — what kind it is, its signature, whether it may be served,
// storing it in the workspace's content cache and finding it there verified.
//
// Only a TorchScript archive with a signature (inside the archive as extra/signature.json, as
// orrery-train exports it, or signature.json / <file>.signature.json beside it) can be validated,
// promoted or served. Anything else an MLflow client registers (an MLflow model directory, a
// pickle) or the demo's baseline JSON model is kept and shown as not servable, with why.
//
// Before every load (predict, serve, evaluate) the cached file is hashed again and compared with
// the version's md5: a changed or missing file refuses to load and says which file and why.
//
// Torch-free: the archive's signature is read from the zip's central directory (PyTorch stores
// entries uncompressed), no LibTorch needed.

#include "core/common/status.h"
#include "core/registry/registry_types.h"

namespace orrery::registry {

struct ModelFileInfo {
    QString format;        // "torchscript", "orrery.baseline_logistic", "mlflow", "file"
    QJsonObject signature; // empty when none was found
    QString notServableReason;
};

// What `path` (a file or a directory) is, without storing it.
ModelFileInfo inspectModelFile(const QString &path);

struct StoredModelFile {
    ModelFileInfo info;
    QString md5;
    qint64 size = 0;
    QString fileName;
};

// Copies the file into the content cache at `cacheRoot` (synced before it returns) and inspects
// it. A directory is not stored (md5 empty): it is kept as not servable.
Result<StoredModelFile> storeModelFile(const QString &cacheRoot, const QString &path);

// The cache path of the version's file after checking its md5 (Corrupt when it differs, NotFound
// when it is gone, FailedPrecondition when the version has no stored file).
Result<QString> verifiedModelPath(const QString &cacheRoot, const ModelVersion &version);

} // namespace orrery::registry
