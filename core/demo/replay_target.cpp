#include "core/demo/replay_target.h"

#include "core/deploy/deployment_store.h"
#include "core/deploy/server_record.h"
#include "core/registry/model_registry.h"
#include "core/store/database.h"

#include <QJsonDocument>

namespace orrery::demo {
namespace {

// The seed of the demo's dataset, from the audit entry `orrery-cli demo` wrote.
std::optional<quint64> demoSeed(store::Database &db)
{
    auto s = db.prepare(QStringLiteral("SELECT details FROM audit_log WHERE action = 'workspace.demo' ORDER BY seq DESC LIMIT 1"));
    if (!s || !s->next())
        return std::nullopt;
    bool ok = false;
    const quint64 seed = QJsonDocument::fromJson(s->text(0).toUtf8()).object().value(QStringLiteral("seed")).toString().toULongLong(&ok);
    return ok ? std::optional<quint64>(seed) : std::nullopt;
}

} // namespace

Result<ReplayTarget> resolveReplayTarget(store::Database &db, const QString &root, const QString &endpoint)
{
    ReplayTarget target;
    target.endpoint = endpoint;
    deploy::DeploymentStore deployments(db, root + QStringLiteral("/.orrery/cache"));
    // A blue-green candidate is served on E-preview, which has no row of its own.
    const bool preview = endpoint.endsWith(QLatin1String("-preview"));
    const QString recorded = preview ? endpoint.chopped(int(qstrlen("-preview"))) : endpoint;
    auto deployment = deployments.get(recorded);
    if (!deployment || (preview && !(deployment->strategy == deploy::Strategy::BlueGreen && deployment->rollingOut()))) {
        if (deployment || deployment.status().code() == ErrorCode::NotFound) {
            ORRERY_ASSIGN_OR_RETURN(auto all, deployments.list());
            QStringList names;
            for (const auto &d : all)
                names << d.endpoint;
            return Status(ErrorCode::NotFound,
                          QStringLiteral("no endpoint named '%1' in this workspace (%2); deploy one first: orrery-cli deploy start MODEL --alias champion --endpoint %1")
                              .arg(endpoint, names.isEmpty() ? QStringLiteral("it has none") : QStringLiteral("it has ") + names.join(QStringLiteral(", "))));
        }
        return deployment.status();
    }
    target.model = deployment->model;
    target.version = preview ? deployment->candidateVersion : deployment->stableVersion;
    if (target.version == 0)
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("endpoint '%1' serves no version yet (orrery-cli deploy status %1)").arg(endpoint));
    registry::ModelRegistry registry(db);
    ORRERY_ASSIGN_OR_RETURN(const registry::ModelVersion version, registry.version(target.model, target.version));
    if (version.signature.isEmpty())
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("version %1 of model '%2', served on endpoint '%3', has no signature; demo replay shapes its requests by the "
                                     "signature's inputs and columns (orrery-cli models show %2 --version %1)")
                          .arg(target.version).arg(target.model, endpoint));
    target.signature = version.signature;
    ORRERY_ASSIGN_OR_RETURN(const auto servers, deploy::liveServers(db));
    if (!servers.isEmpty())
        target.serverUrl = servers.last().url(); // the newest
    target.timeline = timelineAfter(root + QStringLiteral("/data/transactions.csv"));
    target.datasetSeed = demoSeed(db);
    return target;
}

} // namespace orrery::demo
