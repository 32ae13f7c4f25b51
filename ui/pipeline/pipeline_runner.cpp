#include "ui/pipeline/pipeline_runner.h"

#include "core/common/job.h"
#include "core/common/job_tracker.h"
#include "core/stages/pipeline_run.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QPromise>
#include <QThread>
#include <QThreadPool>
#include <QTimer>

#include <memory>

namespace orrery::ui {

namespace {

using pipeline::StageState;

// How the run ended, written by the worker before its Job finishes and read after.
struct Outcome {
    std::atomic<bool> ran{false};       // the executor returned a report
    std::atomic<bool> cancelled{false}; // the report says cancelled
    QString auditProblem;               // why the run is not in the audit log; set before `ran`
};

bool failedState(StageState s)
{
    return s == StageState::Failed || s == StageState::CheckFailed || s == StageState::TimedOut;
}

// The job's result: ok, cancelled, or the first stage that failed (the dock shows it).
Status outcomeStatus(const pipeline::PipelineReport &report, common::JobContext &ctx)
{
    if (report.cancelled)
        return ctx.cancelledStatus();
    QStringList failed;
    QString first;
    for (const auto &r : report.stages) {
        if (!failedState(r.state))
            continue;
        if (first.isEmpty())
            first = r.state == StageState::CheckFailed
                        ? QObject::tr("%1: check failed%2").arg(r.name, r.findings.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(r.findings.first()))
                        : QObject::tr("%1 %2%3").arg(r.name, r.state == StageState::TimedOut ? QObject::tr("timed out") : QObject::tr("failed"),
                                                     r.reason.isEmpty() ? QString() : QStringLiteral(": ") + r.reason);
        failed << r.name;
    }
    if (failed.isEmpty())
        return Status::ok();
    if (failed.size() > 1)
        first += QObject::tr(" (and %n more)", nullptr, int(failed.size() - 1));
    return Status(ErrorCode::FailedPrecondition, first);
}

} // namespace

PipelineRunner::PipelineRunner(QObject *parent)
    : QObject(parent), m_probeTimer(new QTimer(this)), m_probe(new QFutureWatcher<QHash<QString, StageProgress>>(this))
{
    m_probeTimer->setInterval(500);
    connect(m_probeTimer, &QTimer::timeout, this, &PipelineRunner::probeLogs);
    connect(m_probe, &QFutureWatcherBase::finished, this, [this] {
        m_probing = false;
        if (m_probe->future().resultCount() == 0)
            return;
        const auto found = m_probe->result();
        for (auto it = found.cbegin(); it != found.cend(); ++it)
            if (m_runningLogs.contains(it.key())) // not ended while the tail was read
                Q_EMIT stageProgress(it.key(), it->done, it->total, it->label);
    });
}

PipelineRunner::~PipelineRunner()
{
    if (m_job) {
        // Cancels and waits for the worker (its queued calls to this runner die with it). A job
        // the tracker owns stays the tracker's, which deletes it once it reports finished.
        m_job->cancel();
        m_job->wait();
        if (m_job->parent() == this)
            delete m_job;
    }
}


Status PipelineRunner::start(const QString &root, const QStringList &targets, const QString &cliDir, bool force, int stageCount)
{
    if (isRunning())
        return Status(ErrorCode::Busy, tr("the pipeline is already running: cancel it first"));
    if (m_job && m_job->parent() == this)
        delete m_job;
    m_runningLogs.clear();
    auto outcome = std::make_shared<Outcome>();
    common::Job::Work work = [root, targets, cliDir, force, stageCount, outcome, this](common::JobContext &ctx) -> Status {
        // The same path as `orrery-cli run` (core/stages/pipeline_run.h): the workspace's pipeline
        // lock (a run from the terminal and one from the editor would race on the same outs and
        // dvc.lock; Busy names who holds it), the built-in stage types, the defaults, the audit entry.
        stages::PipelineRunRequest request;
        request.targets = targets;
        request.force = force;
        request.cliDir = cliDir;
        request.holder = QStringLiteral("the pipeline editor");
        // The job's progress, from the stage reports (the coordinating thread alone calls this).
        auto states = std::make_shared<QHash<QString, StageState>>();
        request.onStage = [this, &ctx, states, stageCount](const pipeline::StageReport &r) {
            states->insert(r.name, r.state);
            int done = 0;
            QStringList running;
            for (auto it = states->cbegin(); it != states->cend(); ++it) {
                if (it.value() == StageState::Pending)
                    running << it.key();
                else
                    ++done;
            }
            running.sort();
            const int total = qMax(stageCount, int(states->size()));
            ctx.setProgress(done, total, running.isEmpty() ? QString() : tr("running %1").arg(running.join(QStringLiteral(", "))));
            // Worker thread → the runner's thread; dropped if the runner is gone.
            QMetaObject::invokeMethod(this, [this, r] { noteStage(r); Q_EMIT stageChanged(r); }, Qt::QueuedConnection);
        };
        ctx.setProgress(0, stageCount, tr("checking the pipeline"));
        ORRERY_ASSIGN_OR_RETURN(auto result, stages::runWorkspacePipeline(root, request, &ctx));
        if (!result.audit)
            outcome->auditProblem = result.audit.message();
        outcome->ran = true;
        outcome->cancelled = result.report.cancelled;
        return outcomeStatus(result.report, ctx);
    };
    const QString name = QFileInfo(root).fileName();
    const QString title = targets.isEmpty() ? tr("Pipeline %1: all stages").arg(name)
                                            : tr("Pipeline %1: %2").arg(name, targets.join(QStringLiteral(", ")));
    auto *job = new common::Job(title, std::move(work), this);
    m_job = job;
    connect(job, &common::Job::progressChanged, this, &PipelineRunner::progressChanged);
    connect(job, &common::Job::finished, this, [this, job, outcome](const Status &st) {
        const bool cancelled = outcome->cancelled.load() || job->isCancelRequested();
        // The editor's finished(): only "could not run at all" is an error there; stage
        // failures reach it as stage reports. Queued after every stageChanged the worker posted.
        const Status editorStatus = outcome->ran.load() ? Status::ok() : st;
        const QString auditProblem = outcome->ran.load() ? outcome->auditProblem : QString();
        QMetaObject::invokeMethod(this, [this, editorStatus, cancelled, auditProblem] {
            m_probeTimer->stop();
            m_runningLogs.clear();
            m_running = false;
            m_auditProblem = auditProblem;
            Q_EMIT finished(editorStatus, cancelled);
        }, Qt::QueuedConnection);
    });
    m_running = true;
    if (m_tracker)
        m_tracker->startTracked(job); // takes it over and starts it; the dock shows it
    else
        job->start();
    m_probeTimer->start();
    Q_EMIT started(title);
    return Status::ok();
}

void PipelineRunner::cancel()
{
    if (m_job)
        m_job->cancel();
}

void PipelineRunner::noteStage(const pipeline::StageReport &report)
{
    if (report.state == StageState::Pending && !report.logPath.isEmpty())
        m_runningLogs.insert(report.name, report.logPath);
    else
        m_runningLogs.remove(report.name);
}

void PipelineRunner::probeLogs()
{
    if (m_runningLogs.isEmpty() || m_probing)
        return;
    // Read on the thread pool; the promise is the only thing the task shares with the runner.
    auto promise = std::make_shared<QPromise<QHash<QString, StageProgress>>>();
    m_probing = true;
    m_probe->setFuture(promise->future());
    QThreadPool::globalInstance()->start([promise, logs = m_runningLogs] {
        promise->start();
        QHash<QString, StageProgress> found;
        for (auto it = logs.cbegin(); it != logs.cend(); ++it)
            if (auto p = parseStageProgress(readLogTail(it.value())))
                found.insert(it.key(), *p);
        promise->addResult(found);
        promise->finish();
    });
}

} // namespace orrery::ui
