#include "core/tune/stage_trial.h"

#include "core/common/atomic_file.h"
#include "core/pipeline/pipeline_file.h"
#include "core/tune/trial_config.h"
#include "core/vcs/repository.h"
#include "core/vcs/working_state.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMap>

#include <cmath>

namespace orrery::tune {

Result<data::WorkspaceWorktree> prepareStageTrial(const QString &root, const QString &name, const QString &branch, const QJsonObject &values)
{
    ORRERY_ASSIGN_OR_RETURN(auto repo, vcs::Repository::discover(root));
    ORRERY_ASSIGN_OR_RETURN(const QString prefix, data::workspacePrefix(*repo, root));
    const QString top = QDir(repo->workdir()).canonicalPath();
    // A worktree a killed runner left is made again from the start.
    const QString path = root + QStringLiteral("/.orrery/worktrees/") + name;
    if (QFileInfo::exists(path))
        (void)data::removeWorkspaceWorktree(root, data::WorkspaceWorktree{name, path, {}, branch, {}}, true);
    ORRERY_ASSIGN_OR_RETURN(const data::WorkspaceWorktree w, data::openWorkspaceWorktree(root, name, branch));
    ORRERY_ASSIGN_OR_RETURN(const vcs::WorkingState state, vcs::captureWorkingState(*repo, 0));
    for (const QString &file : state.changed + state.untracked) {
        if (!file.startsWith(prefix) || file.startsWith(prefix + QStringLiteral(".orrery/")))
            continue;
        const QString from = top + QLatin1Char('/') + file;
        const QString to = w.workspace + QLatin1Char('/') + file.mid(prefix.size());
        QFile::remove(to);
        if (QFileInfo::exists(from)) {
            QDir().mkpath(QFileInfo(to).absolutePath());
            if (!QFile::copy(from, to))
                return ioError(QStringLiteral("cannot copy %1 into the trial's worktree").arg(from));
        }
    }
    QMap<QString, QJsonObject> byFile;
    for (auto it = values.begin(); it != values.end(); ++it) {
        const int colon = int(it.key().indexOf(QLatin1Char(':')));
        byFile[colon > 0 ? it.key().left(colon) : QStringLiteral("params.yaml")].insert(colon > 0 ? it.key().mid(colon + 1) : it.key(), it.value());
    }
    for (auto it = byFile.begin(); it != byFile.end(); ++it) {
        const QString file = w.workspace + QLatin1Char('/') + it.key();
        QFile in(file);
        const QByteArray before = in.open(QIODevice::ReadOnly) ? in.readAll() : QByteArray();
        in.close();
        ORRERY_ASSIGN_OR_RETURN(const QByteArray after, setYamlValues(before, it.value(), it.key()));
        ORRERY_TRY(common::writeFileAtomically(file, after));
    }
    return w;
}

Result<QStringList> stageMetricsFiles(const QString &root, const QString &stage, const QString &sweepFile)
{
    ORRERY_ASSIGN_OR_RETURN(const pipeline::PipelineFile file, pipeline::PipelineFile::load(root));
    const pipeline::Stage *found = file.stage(stage);
    if (!found) {
        QStringList names;
        for (const pipeline::Stage &st : file.stages())
            names << st.name;
        return invalidArgument(QStringLiteral("%1: there is no stage '%2' in dvc.yaml (its stages: %3)").arg(sweepFile, stage, names.join(QStringLiteral(", "))));
    }
    QStringList files;
    for (const pipeline::OutSpec &m : found->metrics)
        files << (found->wdir.isEmpty() || found->wdir == QLatin1String(".") ? m.path : found->wdir + QLatin1Char('/') + m.path);
    return files;
}

double metricFromFiles(const QString &workspace, const QStringList &files, const QString &metric)
{
    for (const QString &path : files) {
        auto doc = pipeline::loadParamsFile(workspace + QLatin1Char('/') + path, path);
        if (!doc)
            continue;
        if (const pipeline::ParamValue *v = doc->find(metric);
            v && (v->kind() == pipeline::ParamValue::Kind::Int || v->kind() == pipeline::ParamValue::Kind::Float))
            return v->toDouble();
    }
    return std::nan("");
}

} // namespace orrery::tune
