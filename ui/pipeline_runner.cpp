#include "ui/pipeline_runner.h"

#include "core/common/job.h"
#include "core/stages/builtin_stages.h"
#include "core/store/database.h"
#include "core/workspace/workspace.h"

#include <QThread>

#include <memory>

namespace orrery::ui {

PipelineRunner::PipelineRunner(QObject *parent) : QObject(parent) {}

PipelineRunner::~PipelineRunner()
{
    delete m_job; // cancels and waits for the worker
}

bool PipelineRunner::isRunning() const
{
    return m_job && !m_job->isFinished();
}

Status PipelineRunner::start(const QString &root, const QStringList &targets, const QString &cliDir, bool force)
{
    if (isRunning())
        return Status(ErrorCode::Busy, tr("the pipeline is already running: cancel it first"));
    delete m_job;
    auto cancelled = std::make_shared<std::atomic<bool>>(false);
    common::Job::Work work = [root, targets, cliDir, force, cancelled, this](common::JobContext &ctx) -> Status {
        auto ws = workspace::Workspace::open(root);
        if (!ws)
            return ws.status();
        auto db = (*ws)->openConnection();
        if (!db)
            return db.status();
        pipeline::StageRegistry registry;
        stages::registerBuiltinStages(registry);
        pipeline::ExecutorOptions options;
        options.targets = targets;
        options.force = force;
        options.workers = qBound(1, QThread::idealThreadCount(), 4);
        options.cliDir = cliDir;
        options.registry = &registry;
        options.onStage = [this](const pipeline::StageReport &r) {
            // Worker thread → the runner's thread; dropped if the runner is gone.
            QMetaObject::invokeMethod(this, [this, r] { Q_EMIT stageChanged(r); }, Qt::QueuedConnection);
        };
        pipeline::Executor executor(root, **db, options);
        auto report = executor.run(&ctx);
        if (!report)
            return report.status();
        cancelled->store(report->cancelled);
        return Status::ok();
    };
    m_job = new common::Job(tr("Pipeline run"), std::move(work), this);
    connect(m_job, &common::Job::progressChanged, this, &PipelineRunner::progressChanged);
    connect(m_job, &common::Job::finished, this, [this, cancelled](const Status &st) {
        // Queued after every stageChanged the worker posted before it returned.
        QMetaObject::invokeMethod(this, [this, st, cancelled] { Q_EMIT finished(st, cancelled->load() || m_job->isCancelRequested()); },
                                  Qt::QueuedConnection);
    });
    m_job->start();
    Q_EMIT started(m_job->title());
    return Status::ok();
}

void PipelineRunner::cancel()
{
    if (m_job)
        m_job->cancel();
}

} // namespace orrery::ui
