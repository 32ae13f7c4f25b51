// Executor::Impl's worker pool: `workers` threads that take a Task from the queue, run that one
// stage and hand back a Done. A built-in stage (`orrery-cli stage TYPE …`) runs in-process and
// polls the cancel flag and its own timeout through its StageContext; any other cmd runs as
// processes through core/exec, which kills them on cancel or timeout. Workers touch only
// their Task, the options, the cancel flag and the two queues (under the mutex); everything else
// belongs to the coordinating thread.

#include "core/exec/executor.h"
#include "core/pipeline/executor_impl.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>

#include <exception>
#include <mutex>

namespace orrery::pipeline {

namespace {

void appendLog(QFile &log, const QString &line)
{
    log.write(line.toUtf8());
    if (!line.endsWith(QLatin1Char('\n')))
        log.write("\n");
    log.flush();
}

} // namespace

void Executor::Impl::startWorkers()
{
    const int n = qMax(1, opt.workers);
    for (int i = 0; i < n; ++i)
        threads.emplace_back([this] { workerLoop(); });
}

void Executor::Impl::stopWorkers()
{
    {
        std::lock_guard<std::mutex> lock(mutex);
        stopping = true;
    }
    taskReady.notify_all();
    for (auto &t : threads)
        if (t.joinable())
            t.join();
    threads.clear();
}

void Executor::Impl::workerLoop()
{
    for (;;) {
        Task task;
        {
            std::unique_lock<std::mutex> lock(mutex);
            taskReady.wait(lock, [this] { return stopping || !tasks.empty(); });
            if (tasks.empty())
                return;
            task = std::move(tasks.front());
            tasks.pop_front();
        }
        Done d = execute(task);
        {
            std::lock_guard<std::mutex> lock(mutex);
            done.push_back(std::move(d));
        }
        doneReady.notify_all();
    }
}

Executor::Impl::Done Executor::Impl::execute(const Task &task)
{
    Done d;
    d.index = task.index;
    d.startMs = nowMs();
    QElapsedTimer timer;
    timer.start();
    if (task.builtin) {
        QFile log(task.logPath);
        log.open(QIODevice::WriteOnly | QIODevice::Append);
        const StageType *type = opt.registry->type(task.builtin->type);
        StageImpl impl = opt.registry->impl(task.builtin->type);
        auto args = parseStageArgs(*type, task.builtin->args);
        if (!args) {
            d.state = StageState::Failed;
            d.reason = args.status().message();
        } else {
            StageContext ctx;
            ctx.workDir = task.workDir;
            ctx.args = *args;
            ctx.workspaceRoot = root;
            ctx.pipelineRunId = parentRunId;
            ctx.cliDir = opt.cliDir;
            std::atomic<bool> timedOut{false};
            const qint64 timeout = opt.stageTimeoutMs;
            ctx.isCancelled = [&] {
                if (timeout > 0 && timer.elapsed() > timeout)
                    timedOut = true;
                return cancel.load() || timedOut.load();
            };
            ctx.log = [&](const QString &line) { appendLog(log, line); };
            appendLog(log, QStringLiteral("$ %1  (built-in, in-process)").arg(task.stage.commandLine()));
            Status s;
            try {
                s = impl(ctx);
            } catch (const std::exception &ex) {
                s = internalError(QStringLiteral("stage %1 threw: %2").arg(task.builtin->type, QString::fromUtf8(ex.what())));
            }
            d.metrics = ctx.metrics;
            if (timedOut) {
                d.state = StageState::TimedOut;
                d.reason = QStringLiteral("took longer than the stage timeout (%1 s) and was stopped").arg(double(timeout) / 1000.0);
            } else if (cancel.load() && !s.isOk()) {
                d.state = StageState::Cancelled;
                d.reason = QStringLiteral("cancelled");
            } else if (!s.isOk()) {
                d.state = StageState::Failed;
                d.reason = s.message();
                appendLog(log, QStringLiteral("error: ") + s.message());
            } else if (!ctx.findings.isEmpty()) {
                d.state = StageState::CheckFailed;
                d.findings = ctx.findings;
                d.reason = QStringLiteral("%1 check(s) failed").arg(ctx.findings.size());
                for (const auto &f : ctx.findings)
                    appendLog(log, QStringLiteral("FAILED: ") + f);
            }
        }
    } else {
        exec::JobSpec job;
        job.name = QStringLiteral("stage ") + task.stage.name;
        job.workDir = task.workDir;
        job.logPath = task.logPath;
        job.resources = task.placement.resources;
        // The run's stage timeout or the stage's own time limit, whichever is tighter.
        job.timeoutMs = exec::tighterLimit(opt.stageTimeoutMs, task.placement.timeLimitMs);
        if (!opt.cliDir.isEmpty())
            job.env.insert(QStringLiteral("PATH"), opt.cliDir + QLatin1Char(':') + job.env.value(QStringLiteral("PATH")));
        // A run the command tracks (orrery-cli train) hangs under this stage's run.
        if (!task.runId.isEmpty())
            job.env.insert(QStringLiteral("ORRERY_PARENT_RUN_ID"), task.runId);
        exec::Executor &executor = *task.executor;
        // The coordinator tells onStage (a card, the terminal) as the job moves: queued, running.
        auto onUpdate = [this, &task, &d](const exec::JobStatus &status) {
            d.job = status;
            {
                std::lock_guard<std::mutex> lock(mutex);
                jobUpdates.emplace_back(task.index, status);
            }
            doneReady.notify_all();
        };
        for (const QString &cmd : task.stage.cmd) {
            {
                QFile log(task.logPath);
                log.open(QIODevice::WriteOnly | QIODevice::Append);
                appendLog(log, QStringLiteral("$ ") + cmd);
            }
            job.commandLine = cmd;
            auto r = executor.run(job, &cancel, onUpdate);
            if (r && !r->jobDir.isEmpty())
                d.jobDirs.append(r->jobDir); // however it ended: a failed training's run is recorded too
            if (!r) {
                d.state = StageState::Failed;
                d.reason = r.status().message();
                break;
            }
            if (r->state == exec::JobState::TimedOut) {
                d.state = StageState::TimedOut;
                d.reason = r->reason.isEmpty() ? QStringLiteral("took longer than the stage timeout (%1 s); its processes were killed").arg(double(job.timeoutMs) / 1000.0)
                                               : QStringLiteral("took longer than its time limit (%1 s): %2").arg(double(job.timeoutMs) / 1000.0).arg(r->reason);
                break;
            }
            if (r->state == exec::JobState::Cancelled) {
                d.state = StageState::Cancelled;
                d.reason = r->reason.isEmpty() ? QStringLiteral("cancelled; its processes were killed") : QStringLiteral("cancelled: ") + r->reason;
                break;
            }
            if (r->state != exec::JobState::Succeeded) {
                d.state = StageState::Failed;
                if (r->state == exec::JobState::Crashed)
                    d.reason = QStringLiteral("'%1' crashed").arg(cmd);
                else if (r->state == exec::JobState::Failed)
                    d.reason = QStringLiteral("'%1' exited with status %2").arg(cmd).arg(r->exitCode);
                else
                    d.reason = QStringLiteral("'%1' %2 on %3: %4").arg(cmd, exec::jobStateName(r->state), executor.name(), r->reason);
                break;
            }
        }
    }
    d.durationMs = timer.elapsed();
    return d;
}

} // namespace orrery::pipeline
