// DeploymentStore: desired-state changes as single transactions (deployment_store.h).

#include "core/deploy/deployment_store.h"

#include "core/audit/audit_log.h"
#include "core/common/clock.h"
#include "core/registry/model_file.h"
#include "core/registry/model_registry.h"
#include "core/registry/validation_gate.h"
#include "core/registry/webhook_events.h"
#include "core/store/database.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace orrery::deploy {

namespace {

const char *kColumns = "endpoint, model, stable_version, candidate_version, strategy, phase, steps, step_index, canary_weight, pause_ms, "
                       "analysis, min_requests, max_inconclusive, inconclusive, step_started, message, revision, updated";

Deployment rowToDeployment(const store::Statement &s)
{
    Deployment d;
    d.endpoint = s.text(0);
    d.model = s.text(1);
    d.stableVersion = int(s.int64(2));
    d.candidateVersion = int(s.int64(3));
    if (auto strategy = parseStrategy(s.text(4)))
        d.strategy = *strategy;
    d.phase = parsePhase(s.text(5));
    if (auto steps = parseSteps(s.text(6)))
        d.steps = *steps;
    d.stepIndex = int(s.int64(7));
    d.canaryWeight = int(s.int64(8));
    d.pauseMs = s.int64(9);
    d.analysis = s.text(10);
    d.minRequests = int(s.int64(11));
    d.maxInconclusive = int(s.int64(12));
    d.inconclusive = int(s.int64(13));
    d.stepStarted = s.int64(14);
    d.message = s.text(15);
    d.revision = s.int64(16);
    d.updated = s.int64(17);
    return d;
}

QString versionText(int v) { return v ? QStringLiteral("v%1").arg(v) : QStringLiteral("none"); }

} // namespace

QStringList analysisMetricNames() { return {QStringLiteral("error_rate"), QStringLiteral("p50_ms"), QStringLiteral("p99_ms")}; }

Status validateAnalysis(const QString &analysis)
{
    if (analysis.trimmed().isEmpty())
        return Status();
    ORRERY_ASSIGN_OR_RETURN(auto rules, registry::parseGateRules(analysis, QStringLiteral("stable")));
    for (const auto &r : std::as_const(rules))
        if (!analysisMetricNames().contains(r.metric))
            return invalidArgument(QStringLiteral("analysis rule '%1' names '%2'; a canary's analysis knows %3").arg(r.text(), r.metric, analysisMetricNames().join(QStringLiteral(", "))));
    return Status();
}

struct DeploymentStore::Change {
    explicit Change(store::Database &db) : tx(db) {}
    store::Transaction tx;
};

DeploymentStore::DeploymentStore(store::Database &db, QString cacheRoot, const common::Clock *clock, QString actor)
    : m_db(db), m_cacheRoot(std::move(cacheRoot)), m_clock(clock ? *clock : common::Clock::system()), m_actor(std::move(actor))
{
}

Result<Deployment> DeploymentStore::read(const QString &endpoint)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT %1 FROM deployments WHERE endpoint = ?").arg(QLatin1String(kColumns))));
    s.bind(1, endpoint);
    if (!s.next()) {
        ORRERY_TRY(s.status());
        return Status(ErrorCode::NotFound, QStringLiteral("no endpoint named '%1' (orrery-cli deploy list)").arg(endpoint));
    }
    return rowToDeployment(s);
}

Result<Deployment> DeploymentStore::get(const QString &endpoint) { return read(endpoint); }

Result<QVector<Deployment>> DeploymentStore::list()
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT %1 FROM deployments ORDER BY endpoint").arg(QLatin1String(kColumns))));
    QVector<Deployment> out;
    while (s.next())
        out.append(rowToDeployment(s));
    ORRERY_TRY(s.status());
    return out;
}

Result<qint64> DeploymentStore::revision()
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT revision FROM deploy_revision WHERE id = 1")));
    if (!s.next()) {
        ORRERY_TRY(s.status());
        return qint64(0);
    }
    return s.int64(0);
}

Result<QVector<DeploymentEvent>> DeploymentStore::events(const QString &endpoint, const QString &model, int limit)
{
    const QString where = endpoint.isEmpty() ? QStringLiteral("model = ?") : QStringLiteral("endpoint = ?");
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT id, endpoint, time, kind, model, stable_version, candidate_version, weights, detail, actor "
                                                                "FROM deployment_events WHERE %1 ORDER BY time DESC, id DESC LIMIT ?").arg(where)));
    s.bind(1, endpoint.isEmpty() ? model : endpoint).bind(2, limit);
    QVector<DeploymentEvent> out;
    while (s.next()) {
        DeploymentEvent e;
        e.id = s.int64(0);
        e.endpoint = s.text(1);
        e.time = QDateTime::fromMSecsSinceEpoch(s.int64(2), Qt::UTC);
        e.kind = s.text(3);
        e.model = s.text(4);
        e.stableVersion = int(s.int64(5));
        e.candidateVersion = int(s.int64(6));
        e.weights = s.text(7);
        e.detail = s.text(8);
        e.actor = s.text(9);
        out.append(e);
    }
    ORRERY_TRY(s.status());
    return out;
}

Result<int> DeploymentStore::resolveServable(const QString &model, int number, const QString &alias)
{
    registry::ModelRegistry registry(m_db, &m_clock, m_actor);
    ORRERY_ASSIGN_OR_RETURN(const registry::ModelVersion v, alias.isEmpty() ? registry.version(model, number) : registry.versionByAlias(model, alias));
    if (v.format != QLatin1String("torchscript") && v.servable())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("%1 v%2 is %3, not TorchScript: only TorchScript models are served").arg(model).arg(v.version).arg(v.format));
    const QString blocker = registry::ModelRegistry::promotionBlockerOf(v);
    if (!blocker.isEmpty())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("cannot deploy %1: %2").arg(model, blocker));
    ORRERY_TRY(registry::verifiedModelPath(m_cacheRoot, v).status().withContext(QStringLiteral("cannot deploy %1 v%2").arg(model).arg(v.version)));
    return v.version;
}

Result<qint64> DeploymentStore::bumpRevision()
{
    ORRERY_TRY(m_db.exec(QStringLiteral("UPDATE deploy_revision SET revision = revision + 1 WHERE id = 1")));
    return revision();
}

// The change's event (the weights after it), audit entry and deployment.changed webhook rows,
// inside the caller's transaction.
Status DeploymentStore::recordHistory(const Deployment &next, const QString &kind, const QString &detail, qint64 now)
{
    ORRERY_ASSIGN_OR_RETURN(auto ev, m_db.prepare(QStringLiteral("INSERT INTO deployment_events (endpoint, time, kind, model, stable_version, candidate_version, "
                                                                 "weights, detail, actor) VALUES (?,?,?,?,?,?,?,?,?)")));
    ev.bind(1, next.endpoint).bind(2, now).bind(3, kind).bind(4, next.model).bind(5, next.stableVersion).bind(6, next.candidateVersion)
        .bind(7, next.weightsJson()).bind(8, detail).bind(9, m_actor);
    ORRERY_TRY(ev.run());

    const QJsonObject payload{{QStringLiteral("endpoint"), next.endpoint},
                              {QStringLiteral("change"), kind},
                              {QStringLiteral("strategy"), strategyName(next.strategy)},
                              {QStringLiteral("phase"), phaseName(next.phase)},
                              {QStringLiteral("stable_version"), next.stableVersion},
                              {QStringLiteral("candidate_version"), next.candidateVersion},
                              {QStringLiteral("weights"), QJsonDocument::fromJson(next.weightsJson().toUtf8()).object()},
                              {QStringLiteral("detail"), detail},
                              {QStringLiteral("revision"), next.revision}};
    audit::AuditLog log(m_db, &m_clock, m_actor);
    ORRERY_TRY(log.appendWithinTransaction({{QStringLiteral("deploy.") + kind, QStringLiteral("endpoint %1").arg(next.endpoint), detail,
                                             QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Compact))}}));
    ORRERY_TRY(registry::queueWebhookEvent(m_db, registry::webhook_event::kDeploymentChanged, next.model, payload, now));
    return Status();
}

Result<Deployment> DeploymentStore::commitChange(Change &change, const Deployment &nextIn, const QString &kind, const QString &detail, bool movesChampion)
{
    Deployment next = nextIn;
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(next.revision, bumpRevision());
    next.updated = now;

    if (movesChampion && next.stableVersion) {
        registry::ModelRegistry registry(m_db, &m_clock, m_actor);
        auto champion = registry.versionByAlias(next.model, QStringLiteral("champion"));
        if (!champion || champion->version != next.stableVersion) {
            ORRERY_ASSIGN_OR_RETURN(const QString blocker, registry.promotionBlocker(next.model, next.stableVersion));
            if (blocker.isEmpty())
                ORRERY_TRY(registry.promoteWithinTransaction(next.model, next.stableVersion,
                                                            QStringLiteral("serves endpoint %1 (%2)").arg(next.endpoint, kind)).status());
            else
                next.message = QStringLiteral("champion unchanged: %1").arg(blocker);
        }
    }

    ORRERY_ASSIGN_OR_RETURN(auto up, m_db.prepare(QStringLiteral("INSERT OR REPLACE INTO deployments (%1) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
                                                      .arg(QLatin1String(kColumns))));
    up.bind(1, next.endpoint).bind(2, next.model).bind(3, next.stableVersion).bind(4, next.candidateVersion).bind(5, strategyName(next.strategy))
        .bind(6, phaseName(next.phase)).bind(7, stepsText(next.steps)).bind(8, next.stepIndex).bind(9, next.canaryWeight).bind(10, next.pauseMs)
        .bind(11, next.analysis).bind(12, next.minRequests).bind(13, next.maxInconclusive).bind(14, next.inconclusive).bind(15, next.stepStarted)
        .bind(16, next.message).bind(17, next.revision).bind(18, next.updated);
    ORRERY_TRY(up.run());

    ORRERY_TRY(recordHistory(next, kind, detail, now));
    ORRERY_TRY(change.tx.commit());
    return next;
}

Result<Deployment> DeploymentStore::start(const StartRequest &request)
{
    ORRERY_TRY(validateEndpointName(request.endpoint));
    ORRERY_TRY(validateAnalysis(request.analysis));
    ORRERY_TRY(validateSteps(request.steps));
    if (request.minRequests < 1 || request.maxInconclusive < 0 || request.pauseMs < 0)
        return invalidArgument(QStringLiteral("--min-requests must be at least 1, and the pause and --max-inconclusive not negative"));
    Change change(m_db);
    ORRERY_TRY(change.tx.status());
    ORRERY_ASSIGN_OR_RETURN(const int version, resolveServable(request.model, request.version, request.alias));
    auto existing = read(request.endpoint);
    if (!existing && existing.status().code() != ErrorCode::NotFound)
        return existing.status();
    Deployment next;
    if (existing) {
        next = *existing;
        if (next.model != request.model)
            return Status(ErrorCode::FailedPrecondition, QStringLiteral("endpoint '%1' serves model %2; deploy %3 on another endpoint").arg(request.endpoint, next.model, request.model));
        if (next.rollingOut())
            return Status(ErrorCode::FailedPrecondition, QStringLiteral("endpoint '%1' is busy: a %2 rollout of v%3 is %4; promote or abort it first")
                                                             .arg(request.endpoint, strategyName(next.strategy)).arg(next.candidateVersion).arg(phaseName(next.phase)));
        if (next.stableVersion == version)
            return Status(ErrorCode::FailedPrecondition, QStringLiteral("endpoint '%1' already serves %2 v%3").arg(request.endpoint, request.model).arg(version));
    } else {
        next.endpoint = request.endpoint;
        next.model = request.model;
    }
    next.strategy = request.strategyGiven ? request.strategy : (next.stableVersion ? Strategy::Canary : Strategy::Direct);
    if (next.strategy != Strategy::Direct && next.stableVersion == 0)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("endpoint '%1' serves nothing yet, so a %2 rollout has nothing to compare with; start it with --strategy direct")
                                                         .arg(request.endpoint, strategyName(next.strategy)));
    next.steps = request.steps;
    next.pauseMs = request.pauseMs;
    next.analysis = request.analysis.trimmed();
    next.minRequests = request.minRequests;
    next.maxInconclusive = request.maxInconclusive;
    next.inconclusive = 0;
    next.stepStarted = 0;
    next.message.clear();
    const int before = next.stableVersion;
    if (next.strategy == Strategy::Direct) {
        next.stableVersion = version;
        next.candidateVersion = 0;
        next.phase = Phase::Healthy;
        next.stepIndex = 0;
        next.canaryWeight = 0;
        return commitChange(change, next, QStringLiteral("started"),
                            request.reason.isEmpty() ? QStringLiteral("%1 → v%2 directly").arg(versionText(before)).arg(version) : request.reason, true);
    }
    next.candidateVersion = version;
    next.phase = Phase::Progressing;
    next.stepIndex = 0;
    next.canaryWeight = next.strategy == Strategy::Canary ? next.steps.first() : 0;
    const QString how = next.strategy == Strategy::Canary ? QStringLiteral("canary %1 at %2 %").arg(stepsText(next.steps)).arg(next.canaryWeight)
                      : next.strategy == Strategy::BlueGreen ? QStringLiteral("blue-green, preview on %1").arg(previewEndpoint(next.endpoint))
                                                             : QStringLiteral("shadow: v%1 gets a copy of the traffic").arg(version);
    return commitChange(change, next, QStringLiteral("started"),
                        request.reason.isEmpty() ? QStringLiteral("v%1 → v%2: %3").arg(before).arg(version).arg(how) : request.reason, false);
}

Result<Deployment> DeploymentStore::pause(const QString &endpoint, const QString &reason)
{
    Change change(m_db);
    ORRERY_TRY(change.tx.status());
    ORRERY_ASSIGN_OR_RETURN(Deployment next, read(endpoint));
    if (next.phase != Phase::Progressing)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("endpoint '%1' has no rollout in progress to pause (it is %2)").arg(endpoint, phaseName(next.phase)));
    next.phase = Phase::Paused;
    return commitChange(change, next, QStringLiteral("paused"), reason.isEmpty() ? QStringLiteral("paused by hand") : reason, false);
}

Result<Deployment> DeploymentStore::resume(const QString &endpoint)
{
    Change change(m_db);
    ORRERY_TRY(change.tx.status());
    ORRERY_ASSIGN_OR_RETURN(Deployment next, read(endpoint));
    if (next.phase != Phase::Paused)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("endpoint '%1' is not paused (it is %2)").arg(endpoint, phaseName(next.phase)));
    next.phase = Phase::Progressing;
    next.stepStarted = 0; // the step's pause is timed again from when the server applies this
    next.inconclusive = 0;
    return commitChange(change, next, QStringLiteral("resumed"), QStringLiteral("resumed at step %1 (%2 %)").arg(next.stepIndex + 1).arg(next.canaryWeight), false);
}

Result<Deployment> DeploymentStore::promote(const QString &endpoint, const QString &reason)
{
    Change change(m_db);
    ORRERY_TRY(change.tx.status());
    ORRERY_ASSIGN_OR_RETURN(Deployment next, read(endpoint));
    if (!next.rollingOut())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("endpoint '%1' has no rollout to promote (it is %2, serving v%3)").arg(endpoint, phaseName(next.phase)).arg(next.stableVersion));
    ORRERY_TRY(resolveServable(next.model, next.candidateVersion, QString()).status());
    const int before = next.stableVersion;
    next.stableVersion = next.candidateVersion;
    next.candidateVersion = 0;
    next.phase = Phase::Healthy;
    next.canaryWeight = 0;
    next.stepIndex = next.steps.isEmpty() ? 0 : int(next.steps.size()) - 1;
    next.message.clear();
    return commitChange(change, next, QStringLiteral("promoted"),
                        reason.isEmpty() ? QStringLiteral("v%1 → v%2, promoted by hand").arg(before).arg(next.stableVersion) : reason, true);
}

Result<Deployment> DeploymentStore::abort(const QString &endpoint, const QString &reason)
{
    Change change(m_db);
    ORRERY_TRY(change.tx.status());
    ORRERY_ASSIGN_OR_RETURN(Deployment next, read(endpoint));
    if (!next.rollingOut())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("endpoint '%1' has no rollout to abort (it is %2)").arg(endpoint, phaseName(next.phase)));
    next.phase = Phase::Aborted;
    next.canaryWeight = 0;
    next.message = reason.isEmpty() ? QStringLiteral("aborted by hand") : reason;
    return commitChange(change, next, QStringLiteral("aborted"), next.message, false);
}

Result<Deployment> DeploymentStore::retry(const QString &endpoint)
{
    Change change(m_db);
    ORRERY_TRY(change.tx.status());
    ORRERY_ASSIGN_OR_RETURN(Deployment next, read(endpoint));
    if (next.phase != Phase::Aborted || next.candidateVersion == 0)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("endpoint '%1' has no aborted rollout to retry (it is %2)").arg(endpoint, phaseName(next.phase)));
    ORRERY_TRY(resolveServable(next.model, next.candidateVersion, QString()).status());
    next.phase = Phase::Progressing;
    next.stepIndex = 0;
    next.canaryWeight = next.strategy == Strategy::Canary && !next.steps.isEmpty() ? next.steps.first() : 0;
    next.inconclusive = 0;
    next.stepStarted = 0;
    next.message.clear();
    return commitChange(change, next, QStringLiteral("retried"), QStringLiteral("v%1 again from its first step").arg(next.candidateVersion), false);
}

Result<Deployment> DeploymentStore::rollback(const QString &endpoint, int version, const QString &reason)
{
    Change change(m_db);
    ORRERY_TRY(change.tx.status());
    ORRERY_ASSIGN_OR_RETURN(Deployment next, read(endpoint));
    if (version == 0) {
        // The version that served before the current stable: the newest event whose stable differs.
        ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT stable_version FROM deployment_events WHERE endpoint = ? AND stable_version != ? "
                                                                    "AND stable_version != 0 ORDER BY time DESC, id DESC LIMIT 1")));
        s.bind(1, endpoint).bind(2, next.stableVersion);
        if (s.next())
            version = int(s.int64(0));
        ORRERY_TRY(s.status());
        if (version == 0)
            return Status(ErrorCode::FailedPrecondition, QStringLiteral("endpoint '%1' has served only v%2; name the version to roll back to").arg(endpoint).arg(next.stableVersion));
    }
    if (version == next.stableVersion && !next.rollingOut())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("endpoint '%1' already serves v%2").arg(endpoint).arg(version));
    ORRERY_TRY(resolveServable(next.model, version, QString()).status().withContext(QStringLiteral("rollback of '%1'").arg(endpoint)));
    const int before = next.stableVersion;
    next.stableVersion = version;
    next.candidateVersion = 0;
    next.phase = Phase::Healthy;
    next.canaryWeight = 0;
    next.stepIndex = 0;
    next.message = reason;
    return commitChange(change, next, QStringLiteral("rolled_back"),
                        reason.isEmpty() ? QStringLiteral("v%1 → v%2").arg(before).arg(version) : QStringLiteral("v%1 → v%2: %3").arg(before).arg(version).arg(reason), true);
}

Status DeploymentStore::remove(const QString &endpoint, const QString &reason)
{
    Change change(m_db);
    ORRERY_TRY(change.tx.status());
    ORRERY_ASSIGN_OR_RETURN(Deployment gone, read(endpoint));
    ORRERY_ASSIGN_OR_RETURN(auto del, m_db.prepare(QStringLiteral("DELETE FROM deployments WHERE endpoint = ?")));
    del.bind(1, endpoint);
    ORRERY_TRY(del.run());
    // The event keeps the history; a removed endpoint routes nothing.
    gone.stableVersion = 0;
    gone.candidateVersion = 0;
    gone.phase = Phase::Healthy;
    ORRERY_ASSIGN_OR_RETURN(gone.revision, bumpRevision());
    ORRERY_TRY(recordHistory(gone, QStringLiteral("removed"), reason, m_clock.now().toMSecsSinceEpoch()));
    return change.tx.commit();
}

Result<bool> DeploymentStore::controllerUpdate(const Deployment &expected, const Deployment &next, const QString &kind, const QString &detail)
{
    Change change(m_db);
    ORRERY_TRY(change.tx.status());
    ORRERY_ASSIGN_OR_RETURN(const Deployment now, read(expected.endpoint));
    if (now.revision != expected.revision)
        return false; // a command changed it meanwhile: the controller looks again
    const bool completes = expected.candidateVersion != 0 && next.candidateVersion == 0 && next.stableVersion == expected.candidateVersion;
    ORRERY_TRY(commitChange(change, next, kind, detail, completes).status());
    return true;
}

Result<bool> DeploymentStore::markStepStarted(const QString &endpoint, qint64 expectedRevision, qint64 ms)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("UPDATE deployments SET step_started = ? WHERE endpoint = ? AND revision = ?")));
    s.bind(1, ms).bind(2, endpoint).bind(3, expectedRevision);
    ORRERY_TRY(s.run());
    return m_db.changes() == 1;
}

} // namespace orrery::deploy
