#pragma once
// RolloutController: the serving process's half of core/deploy. It reads the endpoints' desired
// state from the workspace database, makes the InferenceService route it, and drives canaries:
//
// - Every pollMs (50) it reads deploy_revision (one indexed row). A new revision is applied at
//   once: each version's file is verified (md5, registry/model_file.h) and loaded once (by md5,
//   shared between endpoints), then the routes swap (inference_service.h: a routing change fails
//   no request in flight). A version that cannot be verified or loaded aborts its rollout with
//   the reason; an endpoint whose stable cannot be loaded keeps the routes it had.
// - A canary step starts when the server applies it: it takes a baseline of both versions'
//   metrics and times the pause. When the pause is over the step's own requests are analysed
//   (rollout_analysis.h): pass → the next step (or completion, which moves champion), fail →
//   abort, too few requests → the pause again, at most maxInconclusive times, then abort. The
//   pause is clock time (core/common/clock.h: a scenario's compressed clock shortens its real
//   wait), as are the times recorded (step started, heartbeats). These
//   changes are compare-and-set on the revision read, so a user's pause or abort made meanwhile
//   wins. After a restart (kill -9 included) a rollout resumes at its recorded step, its pause
//   timed again — the routes never show a half-applied state, because routes only ever come
//   from a committed row.
// - It records the server (server_record.h), beats every second with the applied revision, and
//   removes the record on stop().
//
// Blue-green and shadow rollouts wait for `deploy promote` (or abort); only canaries advance by
// themselves.
//
// Threads: start() runs the first application on the caller's thread (the server is ready only
// after it), then a thread of its own owns the database connection until stop().

#include "core/common/status.h"

#include <functional>
#include <memory>

namespace orrery::common {
class Clock;
}
namespace orrery::serve {
class InferenceModel;
class InferenceService;
class MetricsSource;
} // namespace orrery::serve

namespace orrery::deploy {

class RolloutController {
public:
    using LoadModel = std::function<Result<std::shared_ptr<const serve::InferenceModel>>(const QString &path)>;
    struct Options {
        int pollMs = 50;       // real, as the two below
        int heartbeatMs = 1000;
        int drainMs = 10'000;
        const common::Clock *clock = nullptr; // the times recorded and the pauses; null: the system clock
    };

    // `databasePath`: the workspace database; `cacheRoot`: its content cache (the model files).
    RolloutController(QString databasePath, QString cacheRoot, serve::InferenceService &service, LoadModel load, Options options);
    ~RolloutController(); // stop()

    Status start(const QString &host, int port);
    void stop();

    qint64 appliedRevision() const;
    // orrery_rollout_step{endpoint} and orrery_rollout_canary_weight{endpoint}, for /metrics.
    std::shared_ptr<const serve::MetricsSource> metricsSource() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace orrery::deploy
