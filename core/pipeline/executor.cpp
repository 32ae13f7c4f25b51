// Executor: the public API (stage state names, the report's summaries, Executor itself) and the
// run loop of Executor::Impl — load dvc.yaml, dvc.lock and the graph, check the selection, then
// repeatedly decide the stages whose upstream is done, start the ones to run on the worker pool,
// and take in the ones that ended, until nothing is running or left; at the end dvc.lock is
// fsynced and the pipeline's tracked run closed. A failed stage marks its downstream stages not
// run. The class's contract is in executor.h; Impl's members in executor_impl.h.

#include "core/pipeline/executor.h"

#include "core/common/clock.h"

#include "core/common/job.h"
#include "core/common/yaml_check.h"
#include "core/pipeline/executor_impl.h"
#include "core/store/database.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/run_journal_import.h"
#include "core/tracking/run_manifest.h"
#include "core/tracking/tracking_store.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>

#include <chrono>
#include <mutex>

namespace orrery::pipeline {

const char *stageStateName(StageState s)
{
    switch (s) {
    case StageState::Pending: return "pending";
    case StageState::Skipped: return "skipped";
    case StageState::Restored: return "restored";
    case StageState::Ran: return "ran";
    case StageState::Failed: return "failed";
    case StageState::CheckFailed: return "check_failed";
    case StageState::TimedOut: return "timed_out";
    case StageState::Cancelled: return "cancelled";
    case StageState::NotRun: return "not_run";
    case StageState::WouldRun: return "would_run";
    case StageState::Frozen: return "frozen";
    }
    return "?";
}

bool PipelineReport::anyCheckFailed() const
{
    for (const auto &s : stages)
        if (s.state == StageState::CheckFailed)
            return true;
    return false;
}

bool PipelineReport::anyFailed() const
{
    for (const auto &s : stages)
        if (s.state == StageState::Failed || s.state == StageState::TimedOut || s.state == StageState::Cancelled)
            return true;
    return cancelled;
}

namespace {

bool okState(StageState s)
{
    return s == StageState::Skipped || s == StageState::Restored || s == StageState::Ran || s == StageState::WouldRun || s == StageState::Frozen;
}

QString logTail(const QString &path, int lines = 20)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QString();
    const qint64 size = f.size();
    if (size > 16384)
        f.seek(size - 16384);
    QStringList all = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
    while (!all.isEmpty() && all.last().isEmpty())
        all.removeLast();
    return all.mid(qMax(0, int(all.size()) - lines)).join(QLatin1Char('\n'));
}

} // namespace

Executor::Impl::Impl(Executor &ex, const QString &r, ExecutorOptions &o)
    : e(ex), root(r), opt(o), clock(o.clock ? *o.clock : common::Clock::system())
{
}

qint64 Executor::Impl::nowMs() const
{
    return clock.now().toMSecsSinceEpoch();
}

Executor::Impl::~Impl() { stopWorkers(); }

// ---- the run ----

void Executor::Impl::markDownstreamNotRun(int failed)
{
    QVector<int> stack = graph->downstream(failed);
    while (!stack.isEmpty()) {
        const int j = stack.takeLast();
        if (reports[j].state != StageState::Pending || !selection.contains(j))
            continue;
        reports[j].state = StageState::NotRun;
        reports[j].reason = QStringLiteral("not run: upstream stage '%1' %2").arg(reports[failed].name,
                                                                                  reports[failed].state == StageState::NotRun      ? QStringLiteral("did not run")
                                                                                  : reports[failed].state == StageState::Cancelled ? QStringLiteral("was cancelled")
                                                                                  : reports[failed].state == StageState::CheckFailed ? QStringLiteral("failed its checks")
                                                                                                                                       : QStringLiteral("failed"));
        if (opt.onStage)
            opt.onStage(reports[j]);
        stack += graph->downstream(j);
    }
}

void Executor::Impl::settle(int i, StageState state, const QString &reason)
{
    reports[i].state = state;
    reports[i].reason = reason;
    if (opt.onStage)
        opt.onStage(reports[i]);
    if (!okState(state))
        markDownstreamNotRun(i);
}

Status Executor::Impl::loadPipeline()
{
    ORRERY_ASSIGN_OR_RETURN(auto loaded, PipelineFile::load(root));
    file = loaded;
    ORRERY_ASSIGN_OR_RETURN(auto l, LockFile::load(root));
    lock = l;
    ORRERY_ASSIGN_OR_RETURN(auto g, PipelineGraph::build(file.stages()));
    graph = g;
    if (opt.targets.isEmpty()) {
        selection = graph->order();
    } else {
        ORRERY_ASSIGN_OR_RETURN(auto sel, graph->withUpstream(opt.targets));
        selection = sel;
    }
    const int n = int(graph->stages().size());
    reports.resize(n);
    for (int i = 0; i < n; ++i) {
        reports[i].name = graph->stages()[i].name;
        reports[i].builtin = graph->stages()[i].cmd.size() == 1 && parseBuiltinCall(graph->stages()[i].cmd.front()).has_value();
    }
    decisions = QVector<Decided>(n);
    decided = QVector<bool>(n, false);
    launched = QVector<bool>(n, false);
    running = 0;
    ORRERY_TRY(loadPlacements());
    return validate();
}

Status Executor::Impl::loadPlacements()
{
    ORRERY_ASSIGN_OR_RETURN(auto placed, exec::loadPlacements(root));
    placements = placed;
    QStringList names;
    for (const Stage &s : graph->stages())
        names << s.name;
    for (auto it = placements.stages.cbegin(); it != placements.stages.cend(); ++it)
        if (!names.contains(it.key()))
            return invalidArgument(QStringLiteral("%1:%2: executors.yaml places stage '%3', which dvc.yaml does not have; %4the stages are: %5")
                                       .arg(placements.file).arg(placements.stageLines.value(it.key())).arg(it.key(),
                                            common::nearestWord(it.key(), names), names.join(QStringLiteral(", "))));
    // A built-in stage that records into the workspace database runs here only: a job elsewhere
    // never opens it (stage_type.h, needsWorkspaceDatabase).
    if (!opt.commandExecutor && opt.registry) {
        for (int i : selection) {
            const Stage &s = graph->stages()[i];
            const exec::Placement p = placements.forStage(s.name);
            if (p.executor == QLatin1String("local"))
                continue;
            for (const QString &cmd : s.cmd) {
                const auto call = parseBuiltinCall(cmd);
                const StageType *type = call ? opt.registry->type(call->type) : nullptr;
                if (!type || !type->needsWorkspaceDatabase)
                    continue;
                const QString where = placements.stages.contains(s.name)
                                          ? QStringLiteral("%1:%2").arg(placements.file).arg(placements.stageLines.value(s.name))
                                          : QStringLiteral("%1 (default)").arg(placements.file);
                return invalidArgument(QStringLiteral("%1: stage '%2' is placed on %3, but its `orrery-cli stage %4` records into the workspace "
                                                      "database, which a job on another node never opens (SQLite is unsafe over a shared "
                                                      "filesystem); set `executor: local` for stage %2 in executors.yaml")
                                           .arg(where, s.name, p.executor, call->type));
            }
        }
    }
    // Every executor the selection needs is made now, so a missing one fails the run before any
    // stage starts, not halfway through.
    executors = std::make_unique<exec::ExecutorSet>(root);
    if (!opt.commandExecutor && !opt.dryRun) {
        for (int i : selection) {
            const exec::Placement p = placements.forStage(graph->stages()[i].name);
            ORRERY_ASSIGN_OR_RETURN(exec::Executor * executor, executors->get(p.executor));
            ORRERY_TRY(executor->check(QStringLiteral("stage ") + graph->stages()[i].name, p.resources, QProcessEnvironment::systemEnvironment()));
        }
    }
    for (int i : selection)
        reports[i].executor = opt.commandExecutor ? opt.commandExecutor->name() : placements.forStage(reports[i].name).executor;
    return Status::ok();
}

Status Executor::Impl::hashWhatTheSelectionTouches()
{
    // The stat cache answers for unchanged files, so a pipeline with nothing to do costs stats only.
    QStringList paths;
    for (int i : selection) {
        const Stage &s = graph->stages()[i];
        for (const QString &d : s.deps)
            paths << workspacePath(s, d);
        for (const QString &o : s.outputPaths())
            paths << workspacePath(s, o);
    }
    paths.removeDuplicates();
    auto hashed = outs->hash(paths);
    return hashed ? Status::ok() : hashed.status();
}

bool Executor::Impl::settleWithoutRunning(int i, const Decided &d)
{
    switch (d.what) {
    case Decision::Skip:
        settle(i, StageState::Skipped, d.reason);
        return true;
    case Decision::Frozen:
        settle(i, StageState::Frozen, d.reason);
        return true;
    case Decision::WouldRun:
        settle(i, StageState::WouldRun, d.reason);
        return true;
    case Decision::Fail:
        settle(i, StageState::Failed, d.reason);
        return true;
    case Decision::Restore: {
        Status st;
        for (const auto &[p, md5] : d.restore) {
            st = outs->restore(p, md5);
            if (!st.isOk())
                break;
        }
        if (st.isOk())
            st = writeLock(d.current);
        if (st.isOk())
            settle(i, StageState::Restored, d.reason);
        else
            settle(i, StageState::Failed, QStringLiteral("restoring its outs failed: %1").arg(st.message()));
        return true;
    }
    case Decision::Run:
        break;
    }
    return false;
}

Status Executor::Impl::launch(int i, const Decided &d)
{
    const Stage &s = graph->stages()[i];
    // Outs are removed first: after a crash, a half-written out is never taken for a result.
    for (const auto &[kind, o] : s.allOutputs()) {
        const QString p = workspacePath(s, o.path);
        if (!o.persist)
            ORRERY_TRY(outs->remove(p));
        else
            outs->forget(p);
        QDir().mkpath(QFileInfo(QDir(root).filePath(p)).absolutePath());
    }
    Task t;
    t.index = i;
    t.stage = s;
    t.placement = placements.forStage(s.name);
    if (opt.commandExecutor) {
        t.executor = opt.commandExecutor;
    } else {
        ORRERY_ASSIGN_OR_RETURN(t.executor, executors->get(t.placement.executor));
    }
    // A built-in stage runs in-process only here; placed elsewhere, its `orrery-cli stage …`
    // command runs there like any other.
    if (s.cmd.size() == 1 && (opt.commandExecutor || t.placement.executor == QLatin1String("local")))
        t.builtin = parseBuiltinCall(s.cmd.front());
    t.workDir = s.wdir.isEmpty() ? root : QDir(root).filePath(s.wdir);
    if (store) {
        ORRERY_ASSIGN_OR_RETURN(auto child, startChildRun(i, d, &t.logPath));
        reports[i].runId = child;
        t.runId = child;
    } else {
        const QString dir = root + QStringLiteral("/.orrery/tmp/pipeline-logs");
        QDir().mkpath(dir);
        t.logPath = dir + QLatin1Char('/') + s.name + QStringLiteral(".log");
        QFile::remove(t.logPath);
    }
    reports[i].logPath = t.logPath;
    reports[i].state = StageState::Pending;
    reports[i].reason = d.reason;
    if (opt.onStage)
        opt.onStage(reports[i]);
    launched[i] = true; // stays Pending until it ends
    {
        std::lock_guard<std::mutex> lk(mutex);
        tasks.push_back(std::move(t));
    }
    taskReady.notify_one();
    ++running;
    return Status::ok();
}

Result<bool> Executor::Impl::scheduleReadyStages(common::JobContext *job)
{
    bool progressed = false;
    for (int i : selection) {
        if (reports[i].state != StageState::Pending || launched[i])
            continue;
        bool ready = true;
        for (int u : graph->upstream(i))
            if (!okState(reports[u].state))
                ready = false;
        if (!ready)
            continue;
        if (!decided[i]) {
            ORRERY_ASSIGN_OR_RETURN(auto d, decide(i));
            decisions[i] = d;
            decided[i] = true;
        }
        if (settleWithoutRunning(i, decisions[i])) {
            progressed = true;
            continue;
        }
        if (running >= qMax(1, opt.workers))
            continue;
        const Status started = launch(i, decisions[i]);
        if (!started.isOk())
            settle(i, StageState::Failed, started.message());
        progressed = true;
        if (job && started.isOk()) {
            int finished = 0;
            for (int k : selection)
                finished += reports[k].state != StageState::Pending ? 1 : 0;
            job->setProgress(finished, selection.size(), QStringLiteral("running %1").arg(graph->stages()[i].name));
        }
    }
    return progressed;
}

Status Executor::Impl::importJournals(const Done &dn)
{
    QFile log(reports[dn.index].logPath);
    log.open(QIODevice::WriteOnly | QIODevice::Append);
    for (const QString &dir : dn.jobDirs) {
        auto imported = tracking::importRunJournal(e.m_db, root, dir, &clock);
        if (!imported) {
            log.write(QStringLiteral("orrery: the run journal of %1 could not be recorded: %2\n").arg(dir, imported.status().message()).toUtf8());
            return imported.status().withContext(QStringLiteral("recording the runs its job journaled"));
        }
        for (const QString &w : imported->warnings)
            log.write(QStringLiteral("orrery: %1\n").arg(w).toUtf8());
        if (!imported->recorded.isEmpty())
            log.write(QStringLiteral("orrery: recorded run(s) %1 from %2\n").arg(imported->recorded.join(QStringLiteral(", ")), imported->journal).toUtf8());
    }
    return Status::ok();
}

void Executor::Impl::recordDone(Done &dn)
{
    --running;
    const int i = dn.index;
    // Before the stage itself: its runs are in the database by the time its outs and run are.
    if (const Status journals = importJournals(dn); !journals && (dn.state == StageState::Ran || dn.state == StageState::CheckFailed)) {
        dn.state = StageState::Failed;
        dn.reason = journals.message();
    }
    reports[i].durationMs = dn.durationMs;
    reports[i].job = dn.job;
    reports[i].findings = dn.findings;
    if (dn.state == StageState::Ran) {
        const Status st = recordFinished(i, decisions[i]);
        if (!st.isOk()) {
            dn.state = StageState::Failed;
            dn.reason = st.message();
        }
    }
    finishChildRun(i, dn, decisions[i]);
    if (dn.state != StageState::Ran)
        reports[i].logTail = logTail(reports[i].logPath);
    settle(i, dn.state, dn.state == StageState::Ran ? decisions[i].reason : dn.reason);
}

PipelineReport Executor::Impl::finishRun(Status &fatal)
{
    stopWorkers();
    if (lockWritten) {
        const Status synced = lock.save(root); // the same bytes, now fsynced with the folder
        if (!synced.isOk() && fatal.isOk())
            fatal = synced;
    }
    PipelineReport report;
    report.cancelled = cancel.load();
    for (int i : selection) {
        if (reports[i].state == StageState::Pending) {
            reports[i].state = StageState::NotRun;
            reports[i].reason = report.cancelled ? QStringLiteral("not run: cancelled") : QStringLiteral("not run");
        }
        report.stages.append(reports[i]);
    }
    if (store) {
        if (writer)
            (void)writer->close();
        const tracking::RunStatus status = report.cancelled ? tracking::RunStatus::Killed
            : (report.anyFailed() || report.anyCheckFailed() || !fatal.isOk()) ? tracking::RunStatus::Failed
                                                                                : tracking::RunStatus::Finished;
        QJsonObject manifest = baseManifest;
        QJsonArray stagesJson;
        for (const auto &r : report.stages)
            stagesJson.append(QJsonObject{{QStringLiteral("name"), r.name}, {QStringLiteral("state"), QString::fromLatin1(stageStateName(r.state))},
                                          {QStringLiteral("run_id"), r.runId}, {QStringLiteral("duration_ms"), r.durationMs}});
        manifest.insert(QStringLiteral("pipeline"), stagesJson);
        (void)tracking::saveManifest(e.m_db, parentRunId, tracking::RunManifest{manifest});
        (void)store->updateRun(parentRunId, &status, nowMs(), QString());
        report.runId = parentRunId;
    }
    return report;
}

Result<PipelineReport> Executor::Impl::run(common::JobContext *job)
{
    ORRERY_TRY(loadPipeline());
    outs = std::make_unique<OutputStore>(root, &e.m_db);
    ORRERY_TRY(hashWhatTheSelectionTouches());
    if (opt.track && !opt.dryRun)
        ORRERY_TRY(startTracking());

    // Schedule what is ready, wait for what runs, until nothing runs and nothing moved. A fatal
    // error (a decision that cannot be made) stops new launches; what runs is waited for.
    startWorkers();
    Status fatal;
    for (;;) {
        if (job && job->isCancelled() && !cancel.load())
            cancel = true;
        bool progressed = false;
        if (!cancel.load() && fatal.isOk()) {
            auto scheduled = scheduleReadyStages(job);
            if (scheduled)
                progressed = *scheduled;
            else
                fatal = scheduled.status();
        }
        if (running == 0 && !progressed)
            break;
        if (running == 0)
            continue;
        std::deque<Done> finished;
        std::deque<std::pair<int, exec::JobStatus>> updates;
        {
            std::unique_lock<std::mutex> lk(mutex);
            doneReady.wait_for(lk, std::chrono::milliseconds(100), [this] { return !done.empty() || !jobUpdates.empty(); });
            finished.swap(done);
            updates.swap(jobUpdates);
        }
        for (const auto &[i, status] : updates) {
            if (reports[i].state != StageState::Pending)
                continue;
            reports[i].job = status;
            if (opt.onStage)
                opt.onStage(reports[i]);
        }
        for (Done &dn : finished)
            recordDone(dn);
    }
    PipelineReport report = finishRun(fatal);
    if (!fatal.isOk())
        return fatal;
    return report;
}

QStringList Executor::Impl::QProcess_split(const QString &c)
{
    return QProcess::splitCommand(c);
}

Executor::Executor(QString root, store::Database &db, ExecutorOptions options)
    : m_root(std::move(root)), m_db(db), m_options(std::move(options))
{
}

Executor::~Executor() = default;

Result<PipelineReport> Executor::run(common::JobContext *job)
{
    if (!m_options.registry)
        return internalError(QStringLiteral("Executor needs a StageRegistry"));
    Impl impl(*this, m_root, m_options);
    return impl.run(job);
}

} // namespace orrery::pipeline
