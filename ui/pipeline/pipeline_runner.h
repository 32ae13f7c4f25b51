#pragma once
// PipelineRunner: runs the saved pipeline with core/pipeline's Executor on a worker thread (a
// common::Job), as `orrery-cli run` does — tracked, skipping up-to-date stages. The executor's
// per-stage callback runs on the worker; it is forwarded to the runner's thread as a queued call,
// so stageChanged() and finished() are emitted on the GUI thread and the GUI never waits.
// cancel() sets the job's flag: running processes are killed, built-ins stop at their next check.
//
// The Activity dock: with a JobTracker set, each run is a tracked job (the tracker owns it and
// the dock shows it, with Cancel — the same flag as cancel()). The job's progress is stages
// finished / stages selected with the running stages' names; its result says how the run ended:
// ok, cancelled, or an error naming the first stage that failed (or why nothing could run).
//
// The audit log: each run that ran is recorded as `orrery-cli run` records it
// (stages::recordPipelineRun), from the worker on its own connection.
//
// In-stage progress: while stages run, the tails of their logs are read every half second on the
// thread pool (never on the GUI thread) and what they print is parsed (stage_progress.h);
// stageProgress() reports it. Stages that print nothing countable report nothing.

#include "core/common/job.h"
#include "core/common/job_tracker.h"
#include "core/common/status.h"
#include "core/pipeline/executor.h"
#include "ui/pipeline/stage_progress.h"

#include <QHash>
#include <QObject>
#include <QPointer>

template <typename T>
class QFutureWatcher;
class QTimer;

namespace orrery::ui {

class PipelineRunner : public QObject {
    Q_OBJECT
public:
    explicit PipelineRunner(QObject *parent = nullptr);
    ~PipelineRunner() override;

    // Runs from now on are tracked jobs of `tracker` (null: the runner keeps them to itself).
    void setJobTracker(common::JobTracker *tracker) { m_tracker = tracker; }

    // From start() until finished() is emitted on this thread, after the last stage report: the
    // job itself ends on its worker a moment before those reach the GUI.
    bool isRunning() const { return m_running; }
    // targets empty: all stages. cliDir: where orrery-cli is, for command stages that call it.
    // stageCount: how many stages the run selects (targets and what they need), for the progress
    // total before the executor knows it; 0 when unknown.
    Status start(const QString &root, const QStringList &targets, const QString &cliDir, bool force = false,
                 int stageCount = 0);
    void cancel();
    common::Job *job() const { return m_job; }
    // Why the last finished run could not be written to the workspace's audit log (empty: it was,
    // or nothing ran). Set before finished() is emitted.
    QString auditProblem() const { return m_auditProblem; }

Q_SIGNALS:
    void started(const QString &jobTitle);
    void stageChanged(const orrery::pipeline::StageReport &report);
    void progressChanged(qint64 done, qint64 total, const QString &text);
    // What a running stage printed about its own progress (only when it printed something).
    void stageProgress(const QString &stage, qint64 done, qint64 total, const QString &label);
    // status: the pipeline could not run at all (bad dvc.yaml, missing dep); stage failures are
    // in the stages' reports.
    void finished(const orrery::Status &status, bool cancelled);

private:
    void noteStage(const pipeline::StageReport &report);
    void probeLogs();

    QPointer<common::Job> m_job;
    QPointer<common::JobTracker> m_tracker;
    QHash<QString, QString> m_runningLogs; // stage → log path, while it runs
    QTimer *m_probeTimer;
    QFutureWatcher<QHash<QString, StageProgress>> *m_probe;
    bool m_probing = false; // a tail read is in flight
    bool m_running = false;
    QString m_auditProblem;
};

} // namespace orrery::ui
