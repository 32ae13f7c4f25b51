#include "core/tracking/run_manifest.h"

#include "core/common/system_info.h"
#include "core/store/database.h"
#include "core/vcs/repository.h"
#include "core/vcs/working_state.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSysInfo>
#include <QThread>

namespace orrery::tracking {

Result<RunManifest> captureManifest(const QString &root, const QVector<DataInput> &inputs, const QVector<std::pair<QString, qint64>> &seeds)
{
    QJsonObject code;
    auto repo = vcs::Repository::discover(root);
    if (repo) {
        ORRERY_ASSIGN_OR_RETURN(auto state, vcs::captureWorkingState(**repo));
        code = {{QStringLiteral("commit"), state.commit},
                {QStringLiteral("branch"), state.branch},
                {QStringLiteral("dirty"), state.dirty},
                {QStringLiteral("diff"), state.patch},
                {QStringLiteral("untracked"), QJsonArray::fromStringList(state.untracked)}};
    } else {
        code = {{QStringLiteral("commit"), QString()}, {QStringLiteral("note"), repo.status().message()}};
    }
    QJsonArray data;
    for (const DataInput &d : inputs)
        data.append(QJsonObject{{QStringLiteral("path"), d.path}, {QStringLiteral("md5"), d.md5}});
    QJsonObject seedObject;
    for (const auto &[name, value] : seeds)
        seedObject.insert(name, QString::number(value));
    QJsonObject libraries;
    for (const auto &[name, version] : common::libraryVersions())
        libraries.insert(name, version);
    QJsonObject environment{{QStringLiteral("os"), QSysInfo::prettyProductName()},
                            {QStringLiteral("kernel"), QSysInfo::kernelType() + QLatin1Char(' ') + QSysInfo::kernelVersion()},
                            {QStringLiteral("cpu"), QSysInfo::currentCpuArchitecture()},
                            {QStringLiteral("cpu_count"), QThread::idealThreadCount()},
                            {QStringLiteral("host"), QSysInfo::machineHostName()},
                            {QStringLiteral("libraries"), libraries}};
    RunManifest m;
    m.json = {{QStringLiteral("code"), code},
              {QStringLiteral("data"), data},
              {QStringLiteral("seeds"), seedObject},
              {QStringLiteral("environment"), environment}};
    return m;
}

Status saveManifest(store::Database &db, const QString &runId, const RunManifest &manifest)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("INSERT OR REPLACE INTO run_manifests(run_id, manifest) VALUES (?, ?)")));
    s.bind(1, runId).bind(2, QString::fromUtf8(QJsonDocument(manifest.json).toJson(QJsonDocument::Compact)));
    return s.run();
}

Result<RunManifest> loadManifest(store::Database &db, const QString &runId)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT manifest FROM run_manifests WHERE run_id = ?")));
    s.bind(1, runId);
    if (!s.next())
        return s.status().isOk() ? Result<RunManifest>(notFound(QStringLiteral("run %1 has no reproducibility manifest").arg(runId))) : s.status();
    return RunManifest{QJsonDocument::fromJson(s.text(0).toUtf8()).object()};
}

} // namespace orrery::tracking
