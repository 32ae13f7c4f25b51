// RolloutController: applying desired state and driving canaries in the serving process
// (rollout_controller.h).

#include "core/deploy/rollout_controller.h"

#include "core/common/clock.h"
#include "core/deploy/deployment_store.h"
#include "core/deploy/rollout_analysis.h"
#include "core/deploy/server_record.h"
#include "core/registry/model_file.h"
#include "core/registry/model_registry.h"
#include "core/serve/inference_service.h"
#include "core/serve/metrics_text.h"
#include "core/store/database.h"

#include <QHash>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

namespace orrery::deploy {

namespace {

using Steady = std::chrono::steady_clock;

void warn(const QString &message)
{
    std::fprintf(stderr, "orrery-serve: %s\n", qPrintable(message));
    std::fflush(stderr);
}

struct StepState {
    QString key;
    serve::VersionSnapshot canaryBase, stableBase;
    Steady::time_point started;
};

// The step a canary deployment stands at, as far as timing and baselines go.
QString stepKey(const Deployment &d)
{
    return QStringLiteral("%1|%2|%3|%4|%5").arg(d.candidateVersion).arg(d.stableVersion).arg(d.stepIndex).arg(phaseName(d.phase)).arg(d.canaryWeight);
}

class RolloutMetrics : public serve::MetricsSource {
public:
    void publish(const QVector<Deployment> &deployments)
    {
        std::lock_guard lock(m_mutex);
        m_deployments = deployments;
    }
    void appendMetrics(QByteArray &out) const override
    {
        std::lock_guard lock(m_mutex);
        serve::appendMetricFamily(out, "orrery_rollout_step", "gauge", "The canary step a rollout stands at (1-based; 0: no rollout).");
        for (const auto &d : m_deployments) {
            out += "orrery_rollout_step{";
            serve::appendLabel(out, "endpoint", d.endpoint);
            out += "} " + QByteArray::number(d.rollingOut() ? d.stepIndex + 1 : 0) + '\n';
        }
        serve::appendMetricFamily(out, "orrery_rollout_canary_weight", "gauge", "Percent of the endpoint's traffic the rollout's candidate gets.");
        for (const auto &d : m_deployments) {
            out += "orrery_rollout_canary_weight{";
            serve::appendLabel(out, "endpoint", d.endpoint);
            out += "} " + QByteArray::number(d.rollingOut() && d.strategy == Strategy::Canary ? d.canaryWeight : 0) + '\n';
        }
    }

private:
    mutable std::mutex m_mutex;
    QVector<Deployment> m_deployments;
};

} // namespace

struct RolloutController::Impl {
    QString databasePath;
    QString cacheRoot;
    serve::InferenceService &service;
    LoadModel load;
    Options o;
    std::unique_ptr<store::Database> db;
    std::unique_ptr<DeploymentStore> store;
    const common::Clock *clock = nullptr;
    std::thread thread;
    std::mutex m;
    std::condition_variable wake;
    bool stopping = false;
    std::atomic<qint64> applied{-1};
    qint64 serverId = 0;
    Steady::time_point lastBeat;
    QHash<QString, std::shared_ptr<const serve::InferenceModel>> models; // md5 → loaded model
    QHash<QString, serve::EndpointRoutes> lastRoutes;                   // endpoint → as applied, models dropped
    QVector<Deployment> deployments;                                     // as of the applied revision
    QHash<QString, StepState> steps;                                     // endpoint → its canary step
    std::shared_ptr<RolloutMetrics> metrics = std::make_shared<RolloutMetrics>();

    Impl(serve::InferenceService &s) : service(s) {}
    Result<serve::RouteVersion> routeVersion(const QString &endpoint, const Deployment &d, int version, int weight);
    Status apply(qint64 revision);
    void tick();
    void loop();
    serve::VersionSnapshot snapshot(const QString &endpoint, int version) const
    {
        const auto m = service.metrics(endpoint, QString::number(version));
        return m ? m->snapshot() : serve::VersionSnapshot{};
    }
};

RolloutController::RolloutController(QString databasePath, QString cacheRoot, serve::InferenceService &service, LoadModel load, Options options)
    : d(std::make_unique<Impl>(service))
{
    d->databasePath = std::move(databasePath);
    d->cacheRoot = std::move(cacheRoot);
    d->load = std::move(load);
    d->o = options;
    d->clock = options.clock ? options.clock : &common::Clock::system();
}

RolloutController::~RolloutController() { stop(); }

qint64 RolloutController::appliedRevision() const { return d->applied.load(); }

std::shared_ptr<const serve::MetricsSource> RolloutController::metricsSource() const { return d->metrics; }

Status RolloutController::start(const QString &host, int port)
{
    ORRERY_ASSIGN_OR_RETURN(d->db, store::Database::open(d->databasePath));
    d->store = std::make_unique<DeploymentStore>(*d->db, d->cacheRoot, d->clock, QStringLiteral("orrery-serve"));
    ORRERY_TRY(liveServers(*d->db, true).status()); // drops the rows of servers that died here
    ORRERY_ASSIGN_OR_RETURN(d->serverId, recordServer(*d->db, host, port, d->clock->nowMs()));
    ORRERY_ASSIGN_OR_RETURN(const qint64 revision, d->store->revision());
    ORRERY_TRY(d->apply(revision));
    d->lastBeat = Steady::now();
    d->thread = std::thread([this] { d->loop(); });
    return Status();
}

void RolloutController::stop()
{
    if (!d->thread.joinable())
        return;
    {
        std::lock_guard lock(d->m);
        d->stopping = true;
    }
    d->wake.notify_all();
    d->thread.join();
    if (d->serverId)
        if (const Status s = removeServer(*d->db, d->serverId); !s)
            warn(QStringLiteral("could not remove this server's record: %1").arg(s.message()));
    d->db.reset();
}

void RolloutController::Impl::loop()
{
    std::unique_lock lock(m);
    while (!stopping) {
        lock.unlock();
        if (auto revision = store->revision(); !revision) {
            warn(revision.status().message());
        } else if (*revision != applied.load()) {
            if (const Status s = apply(*revision); !s)
                warn(s.message());
        }
        tick();
        if (Steady::now() - lastBeat >= std::chrono::milliseconds(o.heartbeatMs)) {
            lastBeat = Steady::now();
            if (const Status s = heartbeatServer(*db, serverId, applied.load(), clock->nowMs()); !s)
                warn(s.message());
        }
        lock.lock();
        wake.wait_for(lock, std::chrono::milliseconds(o.pollMs), [&] { return stopping; });
    }
}

Result<serve::RouteVersion> RolloutController::Impl::routeVersion(const QString &endpoint, const Deployment &dep, int version, int weight)
{
    registry::ModelRegistry registry(*db);
    ORRERY_ASSIGN_OR_RETURN(const registry::ModelVersion v, registry.version(dep.model, version));
    ORRERY_ASSIGN_OR_RETURN(const QString path, registry::verifiedModelPath(cacheRoot, v));
    serve::RouteVersion r{QString::number(version), v.modelMd5, nullptr, weight};
    if (service.runs(endpoint, r.version, r.md5))
        return r;
    auto &model = models[v.modelMd5];
    if (!model) {
        auto loaded = load(path);
        if (!loaded) {
            models.remove(v.modelMd5);
            return loaded.status().withContext(QStringLiteral("%1 v%2").arg(dep.model).arg(version));
        }
        model = *loaded;
    }
    r.model = model;
    return r;
}

Status RolloutController::Impl::apply(qint64 revision)
{
    ORRERY_ASSIGN_OR_RETURN(QVector<Deployment> wanted, store->list());
    std::vector<serve::EndpointRoutes> routes;
    QVector<std::pair<Deployment, QString>> broken; // candidates that cannot serve: their rollouts abort
    for (const Deployment &dep : std::as_const(wanted)) {
        serve::EndpointRoutes e;
        e.endpoint = dep.endpoint;
        bool stableFailed = false;
        for (const auto &[version, weight] : dep.weights()) {
            auto r = routeVersion(dep.endpoint, dep, version, weight);
            if (!r) {
                if (version == dep.candidateVersion && dep.rollingOut()) {
                    broken.append({dep, r.status().message()});
                    e.versions.clear();
                    if (auto stable = routeVersion(dep.endpoint, dep, dep.stableVersion, 100))
                        e.versions.push_back(*stable);
                    else
                        stableFailed = true;
                    break;
                }
                warn(QStringLiteral("endpoint %1: %2").arg(dep.endpoint, r.status().message()));
                stableFailed = true;
                break;
            }
            e.versions.push_back(*r);
        }
        if (stableFailed || e.versions.empty()) {
            if (lastRoutes.contains(dep.endpoint))
                routes.push_back(lastRoutes.value(dep.endpoint)); // keeps what it served
            continue;
        }
        if (dep.rollingOut() && dep.strategy == Strategy::Shadow) {
            if (auto r = routeVersion(dep.endpoint, dep, dep.candidateVersion, 0))
                e.shadow = *r;
            else
                broken.append({dep, r.status().message()});
        }
        routes.push_back(e);
        if (dep.rollingOut() && dep.strategy == Strategy::BlueGreen) {
            const QString preview = previewEndpoint(dep.endpoint);
            if (auto r = routeVersion(preview, dep, dep.candidateVersion, 100))
                routes.push_back(serve::EndpointRoutes{preview, {*r}, {}});
            else
                broken.append({dep, r.status().message()});
        }
    }
    ORRERY_TRY(service.setRoutes(routes, o.drainMs));
    lastRoutes.clear();
    QSet<QString> used;
    for (auto e : routes) {
        for (auto &v : e.versions) {
            used.insert(v.md5);
            v.model = nullptr;
        }
        if (e.shadow) {
            used.insert(e.shadow->md5);
            e.shadow->model = nullptr;
        }
        lastRoutes.insert(e.endpoint, e);
    }
    for (auto it = models.begin(); it != models.end();)
        it = used.contains(it.key()) ? std::next(it) : models.erase(it);
    deployments = wanted;
    applied = revision;
    metrics->publish(wanted);

    // Canary steps: a step the server has not timed yet starts now.
    QHash<QString, StepState> kept;
    const qint64 nowMs = clock->nowMs();
    for (const Deployment &dep : std::as_const(wanted)) {
        if (!(dep.rollingOut() && dep.strategy == Strategy::Canary))
            continue;
        const QString key = stepKey(dep);
        StepState st = steps.value(dep.endpoint);
        if (st.key != key) {
            st.key = key;
            st.canaryBase = snapshot(dep.endpoint, dep.candidateVersion);
            st.stableBase = snapshot(dep.endpoint, dep.stableVersion);
            st.started = Steady::now();
            if (dep.phase == Phase::Progressing)
                if (auto marked = store->markStepStarted(dep.endpoint, dep.revision, nowMs); !marked)
                    warn(marked.status().message());
        }
        kept.insert(dep.endpoint, st);
    }
    steps = kept;

    for (const auto &[dep, why] : std::as_const(broken)) {
        Deployment next = dep;
        next.phase = Phase::Aborted;
        next.canaryWeight = 0;
        next.message = QStringLiteral("v%1 cannot serve: %2").arg(dep.candidateVersion).arg(why);
        if (auto done = store->controllerUpdate(dep, next, QStringLiteral("aborted"), next.message); !done)
            warn(done.status().message());
    }
    return Status();
}

void RolloutController::Impl::tick()
{
    for (const Deployment &dep : std::as_const(deployments)) {
        if (!(dep.rollingOut() && dep.phase == Phase::Progressing && dep.strategy == Strategy::Canary) || !steps.contains(dep.endpoint))
            continue;
        StepState &st = steps[dep.endpoint];
        // The pause is clock time; its real wait is shorter on a compressed clock (clock.h).
        if (Steady::now() - st.started < std::chrono::milliseconds(clock->realMs(dep.pauseMs)))
            continue;
        const AnalysisResult result = analyseStep(dep.analysis, snapshot(dep.endpoint, dep.candidateVersion).minus(st.canaryBase),
                                                  snapshot(dep.endpoint, dep.stableVersion).minus(st.stableBase), dep.minRequests);
        Deployment next = dep;
        QString kind, detail;
        const int total = int(dep.steps.size());
        switch (result.verdict) {
        case AnalysisResult::Verdict::Pass: {
            const int nextIndex = dep.stepIndex + 1;
            if (nextIndex >= total || dep.steps[nextIndex] >= 100) {
                next.stableVersion = dep.candidateVersion;
                next.candidateVersion = 0;
                next.phase = Phase::Healthy;
                next.canaryWeight = 0;
                next.stepIndex = total - 1;
                next.message.clear();
                kind = QStringLiteral("completed");
                detail = QStringLiteral("v%1 → v%2: step %3 of %4 (%5 %) passed, v%2 takes all traffic; %6")
                             .arg(dep.stableVersion).arg(dep.candidateVersion).arg(dep.stepIndex + 1).arg(total).arg(dep.canaryWeight).arg(result.summary);
            } else {
                next.stepIndex = nextIndex;
                next.canaryWeight = dep.steps[nextIndex];
                next.inconclusive = 0;
                next.stepStarted = 0;
                kind = QStringLiteral("step");
                detail = QStringLiteral("step %1 of %2: %3 % → %4 %; %5").arg(nextIndex + 1).arg(total).arg(dep.canaryWeight).arg(next.canaryWeight).arg(result.summary);
            }
            break;
        }
        case AnalysisResult::Verdict::Fail:
            next.phase = Phase::Aborted;
            next.canaryWeight = 0;
            next.message = QStringLiteral("aborted at step %1 (%2 %): %3").arg(dep.stepIndex + 1).arg(dep.canaryWeight).arg(result.summary);
            kind = QStringLiteral("aborted");
            detail = next.message;
            break;
        case AnalysisResult::Verdict::Inconclusive:
            if (dep.inconclusive >= dep.maxInconclusive) {
                next.phase = Phase::Aborted;
                next.canaryWeight = 0;
                next.message = QStringLiteral("aborted at step %1 (%2 %) after %3 extended pauses: %4")
                                   .arg(dep.stepIndex + 1).arg(dep.canaryWeight).arg(dep.inconclusive).arg(result.summary);
                kind = QStringLiteral("aborted");
                detail = next.message;
            } else {
                next.inconclusive = dep.inconclusive + 1;
                kind = QStringLiteral("inconclusive");
                detail = QStringLiteral("step %1: %2; the pause is extended (%3 of %4)").arg(dep.stepIndex + 1).arg(result.summary).arg(next.inconclusive).arg(dep.maxInconclusive);
                st.started = Steady::now();
            }
            break;
        }
        auto done = store->controllerUpdate(dep, next, kind, detail);
        if (!done)
            warn(done.status().message());
        // Either way the next poll reads the new revision (ours, or the command's that won).
    }
}

} // namespace orrery::deploy
