// orrery-cli predict MODEL --input X.csv --output Y.csv
//
// Batch scoring with a TorchScript model. Like `train`, it runs in orrery-train (LibTorch stays
// out of orrery-cli); the scoring itself is app/train/batch_predict.cpp.
//
// MODEL is a file, or a registered model as MLflow's model URIs name it: NAME@ALIAS, NAME/VERSION,
// models:/NAME@ALIAS, models:/NAME/VERSION. An argument that names an existing file is that file.
// A registered model is resolved here to its file in the workspace cache, whose md5 is checked
// before every load (a changed or missing file refuses, naming it). The cached file has no
// extension and no signature beside it: when the signature is not inside the archive (a Python
// TorchScript file registered with signature.json beside it), the registered signature is written
// beside a link to the verified file in .orrery/tmp/predict/<md5>/, where ScriptModel finds it.

#include "app/cli/models_command.h"

#include "core/registry/model_file.h"
#include "core/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace orrery::cli {

Result<QString> resolveRegisteredModel(const Context &context, const ModelReference &ref, const QString &text, int *versionOut)
{
    if (ref.version < 0)
        return invalidArgument(QStringLiteral("'%1' names no version of a model: write NAME@ALIAS, NAME/VERSION, models:/NAME@ALIAS or models:/NAME/VERSION").arg(text));
    if (const Status s = registry::ModelRegistry::validateModelName(ref.name); !s)
        return Status(ErrorCode::NotFound, QStringLiteral("'%1' is no file and names no registered model (%2); give a model file or NAME@ALIAS, NAME/VERSION")
                                               .arg(text, s.message()));
    ORRERY_ASSIGN_OR_RETURN(auto ws, openWorkspace(context));
    registry::ModelRegistry registry((*ws).database());
    auto version = ref.alias.isEmpty() ? registry.version(ref.name, ref.version) : registry.versionByAlias(ref.name, ref.alias);
    if (!version) {
        if (version.status().code() == ErrorCode::NotFound)
            return Status(ErrorCode::NotFound, QStringLiteral("%1 (from '%2'); see the registered models and their versions with `orrery-cli models list` and `orrery-cli models show %3`")
                                                   .arg(version.status().message(), text, ref.name));
        return version.status();
    }
    const registry::ModelVersion &v = *version;
    if (versionOut)
        *versionOut = v.version;
    ORRERY_ASSIGN_OR_RETURN(QString path, registry::verifiedModelPath(ws->cacheDir(), v));
    if (!v.servable())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("model %1 v%2 cannot be served: %3")
                                                         .arg(v.name)
                                                         .arg(v.version)
                                                         .arg(v.notServableReason.isEmpty() ? QStringLiteral("its file is not stored here") : v.notServableReason));
    if (v.signature.isEmpty() || !registry::inspectModelFile(path).signature.isEmpty())
        return path; // the signature is inside the archive
    // The signature beside a link to the verified file, where ScriptModel looks for it.
    const QString dir = ws->tempDir() + QStringLiteral("/predict/") + v.modelMd5;
    if (!QDir().mkpath(dir))
        return Status(ErrorCode::Io, QStringLiteral("cannot create %1 for the model's signature; check the workspace's .orrery folder").arg(dir));
    const QString link = dir + QStringLiteral("/model.pt");
    if (QFileInfo(link).symLinkTarget() != path) {
        QFile::remove(link);
        if (!QFile::link(path, link))
            return Status(ErrorCode::Io, QStringLiteral("cannot link %1 to %2").arg(link, path));
    }
    QSaveFile signature(link + QStringLiteral(".signature.json"));
    if (!signature.open(QIODevice::WriteOnly) || signature.write(QJsonDocument(v.signature).toJson()) < 0 || !signature.commit())
        return Status(ErrorCode::Io, QStringLiteral("cannot write %1: %2").arg(signature.fileName(), signature.errorString()));
    return link;
}

int runPredict(const Context &context)
{
    QStringList args = context.args;
    // The model is the first argument that is no option and no option's value.
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--input") || a == QLatin1String("--output")) {
            ++i;
            continue;
        }
        if (a.startsWith(QLatin1Char('-')))
            continue;
        if (QFileInfo::exists(a))
            break; // a file, as before the registry
        if (const auto ref = parseModelReference(a)) {
            auto path = resolveRegisteredModel(context, *ref, a);
            if (!path)
                return fail(QStringLiteral("predict: %1").arg(path.status().message()));
            args[i] = *path;
        }
        break;
    }
    return execTrainer(QStringLiteral("predict"), QStringList{QStringLiteral("predict")} + args);
}

} // namespace orrery::cli
