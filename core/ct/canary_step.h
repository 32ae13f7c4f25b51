#pragma once
// The canary step of an iteration: the challenger rolled out on the loop's endpoint with ct.yaml's
// canary (steps, pause, analysis, minimum requests), and the rollout followed to its end.
//
// The loop only writes the desired state (DeploymentStore::start, one transaction with its event
// and audit entry) and reads it back: the serving process's RolloutController moves the steps,
// runs the analysis against the stable version and completes or aborts the rollout (DESIGN.md,
// "Commands change desired state, the server applies it"). So the canary survives the loop being
// stopped or killed — a restarted loop resumes following it — and a user's pause, promote, abort
// or rollback in the meantime is simply what the loop reads next:
//   completed   the challenger is stable and serves all traffic; champion moved to it (the store
//               moves it on completion)                                   → promoted
//   aborted     the analysis (or a user) took the challenger out; the champion serves on → rolled_back
//   replaced    someone rolled out another version or rolled the endpoint back meanwhile → rolled_back
//   running     progressing, paused, or waiting for a server to apply it
//
// Threads: on the thread of the Database it is given.

#include "core/common/status.h"
#include "core/ct/ct_config.h"
#include "core/deploy/deployment.h"

#include <QJsonObject>
#include <QString>

namespace orrery::common {
class Clock;
}
namespace orrery::store {
class Database;
}

namespace orrery::ct {

enum class CanaryState { Running, Completed, Aborted, Replaced };

struct CanaryCheck {
    CanaryState state = CanaryState::Running;
    deploy::Deployment deployment;
    bool serverRunning = false;
    QString text; // where it stands, in words: "step 2 of 4 (25 %), progressing"
    QJsonObject detail() const;
};

// Starts the canary of `challenger` (the stable version must be serving the endpoint). Refusals
// (no deployment of the endpoint, another rollout in progress, a file that does not verify) are
// the store's errors, with its reason.
Result<deploy::Deployment> startCanary(const QString &root, store::Database &db, const common::Clock &clock, const CtConfig &config, int challenger,
                                       const QString &reason);

// One look at the endpoint's rollout of `challenger`.
Result<CanaryCheck> checkCanary(const QString &root, store::Database &db, const CtConfig &config, int challenger);

} // namespace orrery::ct
