#pragma once
// PipelineRunner: runs the saved pipeline with core/pipeline's Executor on a worker thread (a
// common::Job), as `orrery-cli run` does — tracked, skipping up-to-date stages. The executor's
// per-stage callback runs on the worker; it is forwarded to the runner's thread as a queued call,
// so stageChanged() and finished() are emitted on the GUI thread and the GUI never waits.
// cancel() sets the job's flag: running processes are killed, built-ins stop at their next check.

#include "core/common/status.h"
#include "core/pipeline/executor.h"

#include <QObject>
#include <QPointer>

namespace orrery::common {
class Job;
}

namespace orrery::ui {

class PipelineRunner : public QObject {
    Q_OBJECT
public:
    explicit PipelineRunner(QObject *parent = nullptr);
    ~PipelineRunner() override;

    bool isRunning() const;
    // targets empty: all stages. cliDir: where orrery-cli is, for command stages that call it.
    Status start(const QString &root, const QStringList &targets, const QString &cliDir, bool force = false);
    void cancel();
    common::Job *job() const { return m_job; }

Q_SIGNALS:
    void started(const QString &jobTitle);
    void stageChanged(const orrery::pipeline::StageReport &report);
    void progressChanged(qint64 done, qint64 total, const QString &text);
    // status: the pipeline could not run at all (bad dvc.yaml, missing dep); stage failures are
    // in the stages' reports.
    void finished(const orrery::Status &status, bool cancelled);

private:
    common::Job *m_job = nullptr;
};

} // namespace orrery::ui
