#pragma once
// DeploymentStore: the endpoints' desired state in the workspace database — what `deploy …`,
// Promote in the window and the rollout controller change — and its history.
//
// Every change is one IMMEDIATE transaction holding: the deployment row with a new revision
// (deploy_revision counts every change, so a server notices any of them with one indexed read),
// a deployment_events row with the weights after the change (so `models history` can say which
// version served each endpoint when), the audit entry, the registry's "deployment.changed"
// webhook deliveries, and — when a rollout completes or an endpoint is rolled back — champion's
// move (docs/architecture.md, "Models: champion and challenger"). A refused change writes
// nothing: routing stays as it was.
//
// The controller's own changes (a step, an abort on a failed analysis) are compare-and-set on the
// revision it read (`expected`), so it never overwrites a user's pause or abort made meanwhile.
//
// Threads: one DeploymentStore uses its Database on that Database's thread.

#include "core/deploy/deployment.h"

#include <QVector>

namespace orrery::common {
class Clock;
}
namespace orrery::store {
class Database;
}

namespace orrery::deploy {

struct StartRequest {
    QString endpoint;
    QString model;
    int version = 0;
    QString alias;            // instead of version
    bool strategyGiven = false;
    Strategy strategy = Strategy::Direct; // default: direct for a new endpoint, canary when replacing a version
    QList<int> steps{5, 25, 50, 100};
    qint64 pauseMs = 60'000;
    QString analysis = QStringLiteral("error_rate <= stable + 0.01, p99_ms <= 1.2 * stable");
    int minRequests = 200;
    int maxInconclusive = 3;
    QString reason;
};

// The metrics an analysis rule may name (rollout_analysis.h computes them).
QStringList analysisMetricNames();
// Parses and checks an analysis (empty: none).
Status validateAnalysis(const QString &analysis);

class DeploymentStore {
public:
    // `cacheRoot`: the content cache, where a version's file is verified before it may serve.
    DeploymentStore(store::Database &db, QString cacheRoot, const common::Clock *clock = nullptr, QString actor = QString());

    Result<Deployment> start(const StartRequest &request);
    Result<Deployment> pause(const QString &endpoint, const QString &reason = QString());
    Result<Deployment> resume(const QString &endpoint);
    // Skip to full promotion: the candidate takes all traffic (canary, blue-green's switch, a
    // shadow's candidate made stable). Champion moves.
    Result<Deployment> promote(const QString &endpoint, const QString &reason = QString());
    // The candidate out at once (weight 0), the stable untouched; the reason is recorded.
    Result<Deployment> abort(const QString &endpoint, const QString &reason = QString());
    // After an abort: the same candidate from its first step again.
    Result<Deployment> retry(const QString &endpoint);
    // `version` (0: the version that served before the current stable) serves at once, any
    // rollout is ended; champion moves to it.
    Result<Deployment> rollback(const QString &endpoint, int version = 0, const QString &reason = QString());
    // The endpoint no longer served.
    Status remove(const QString &endpoint, const QString &reason = QString());

    Result<Deployment> get(const QString &endpoint);
    Result<QVector<Deployment>> list();
    // Newest first; by endpoint or by model (one of them empty).
    Result<QVector<DeploymentEvent>> events(const QString &endpoint, const QString &model = QString(), int limit = 200);
    Result<qint64> revision();

    // The controller's changes, each refused (false) when the row's revision is no longer
    // `expected.revision`. `kind` and `detail` go to the event and the audit entry.
    Result<bool> controllerUpdate(const Deployment &expected, const Deployment &next, const QString &kind, const QString &detail);
    // When the server applied the current step (shown as the pause's start); no new revision,
    // no event: routing does not change. False when the revision moved on.
    Result<bool> markStepStarted(const QString &endpoint, qint64 expectedRevision, qint64 ms);

private:
    struct Change;
    Result<Deployment> read(const QString &endpoint);
    Result<Deployment> commitChange(Change &change, const Deployment &next, const QString &kind, const QString &detail, bool movesChampion);
    Result<int> resolveServable(const QString &model, int version, const QString &alias);
    Result<qint64> bumpRevision();
    Status recordHistory(const Deployment &next, const QString &kind, const QString &detail, qint64 now);

    store::Database &m_db;
    QString m_cacheRoot;
    const common::Clock &m_clock;
    QString m_actor;
};

} // namespace orrery::deploy
