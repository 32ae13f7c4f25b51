#include "core/ct/canary_step.h"

#include "core/deploy/deployment_store.h"
#include "core/deploy/server_record.h"
#include "core/workspace/workspace.h"

namespace orrery::ct {

QJsonObject CanaryCheck::detail() const
{
    static const char *const kStates[] = {"running", "completed", "aborted", "replaced"};
    return {{QStringLiteral("state"), QLatin1String(kStates[int(state)])},
            {QStringLiteral("endpoint"), deployment.endpoint},
            {QStringLiteral("revision"), double(deployment.revision)},
            {QStringLiteral("phase"), deploy::phaseName(deployment.phase)},
            {QStringLiteral("stable"), deployment.stableVersion},
            {QStringLiteral("candidate"), deployment.candidateVersion},
            {QStringLiteral("step"), deployment.stepIndex + 1},
            {QStringLiteral("steps"), deploy::stepsText(deployment.steps)},
            {QStringLiteral("weight"), deployment.canaryWeight},
            {QStringLiteral("message"), deployment.message},
            {QStringLiteral("server"), serverRunning}};
}

Result<deploy::Deployment> startCanary(const QString &root, store::Database &db, const common::Clock &clock, const CtConfig &config, int challenger,
                                       const QString &reason)
{
    deploy::DeploymentStore deployments(db, workspace::Workspace::cacheDirFor(root), &clock, QStringLiteral("orrery-cli ct run"));
    deploy::StartRequest request;
    request.endpoint = config.endpoint;
    request.model = config.model;
    request.version = challenger;
    request.strategyGiven = true;
    request.strategy = deploy::Strategy::Canary;
    request.steps = config.canary.steps;
    request.pauseMs = config.canary.pauseMs;
    request.analysis = config.canary.analysis;
    request.minRequests = config.canary.minRequests;
    request.maxInconclusive = config.canary.maxInconclusive;
    request.reason = reason;
    return deployments.start(request);
}

Result<CanaryCheck> checkCanary(const QString &root, store::Database &db, const CtConfig &config, int challenger)
{
    deploy::DeploymentStore deployments(db, workspace::Workspace::cacheDirFor(root));
    CanaryCheck check;
    ORRERY_ASSIGN_OR_RETURN(check.deployment, deployments.get(config.endpoint));
    ORRERY_ASSIGN_OR_RETURN(const auto servers, deploy::liveServers(db));
    check.serverRunning = !servers.isEmpty();
    const deploy::Deployment &d = check.deployment;
    if (d.candidateVersion == challenger && d.rollingOut()) {
        check.state = CanaryState::Running;
        check.text = QStringLiteral("v%1 at step %2 of %3 (%4 %), %5%6")
                         .arg(challenger)
                         .arg(d.stepIndex + 1)
                         .arg(d.steps.size())
                         .arg(d.canaryWeight)
                         .arg(deploy::phaseName(d.phase))
                         .arg(check.serverRunning ? QString() : QStringLiteral(", waiting for a server to apply it (orrery-cli serve)"));
    } else if (d.candidateVersion == challenger && d.phase == deploy::Phase::Aborted) {
        check.state = CanaryState::Aborted;
        check.text = QStringLiteral("the canary of v%1 was aborted: %2; v%3 serves all of %4").arg(challenger).arg(d.message).arg(d.stableVersion).arg(d.endpoint);
    } else if (d.stableVersion == challenger && !d.rollingOut()) {
        check.state = CanaryState::Completed;
        check.text = QStringLiteral("the canary of v%1 completed: it serves all of %2").arg(challenger).arg(d.endpoint);
    } else {
        check.state = CanaryState::Replaced;
        check.text = QStringLiteral("%1 no longer rolls out v%2: it serves v%3%4 (%5)")
                         .arg(d.endpoint)
                         .arg(challenger)
                         .arg(d.stableVersion)
                         .arg(d.candidateVersion ? QStringLiteral(", rolling out v%1").arg(d.candidateVersion) : QString())
                         .arg(d.message.isEmpty() ? deploy::phaseName(d.phase) : d.message);
    }
    return check;
}

} // namespace orrery::ct
