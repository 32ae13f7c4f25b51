#pragma once
// KubernetesExecutor: a job handed to Kubernetes as a batch/v1 Job, followed as if it ran here.
// Orrery schedules nothing itself (DESIGN.md) and talks to the cluster only through `kubectl`,
// so whatever the user's kubeconfig says (contexts, credentials, exec plugins) holds as it does in
// a terminal:
//
//   kubectl [--context C] --namespace NS apply -f JOBFOLDER/job.json
//   kubectl [--context C] --namespace NS get job NAME -o json            ┐ every pollMs, until the
//   kubectl [--context C] --namespace NS get pods -l job-name=NAME -o json ┘ Job has a verdict
//   kubectl [--context C] --namespace NS logs job/NAME                   appended to the job's log
//   kubectl [--context C] --namespace NS delete job NAME --wait=false --cascade=foreground   on cancel
//
// The manifest (kubernetes_job_manifest.h) is written into a job folder under the workspace's
// `.orrery/jobs/` and kept there, so a person can see what was applied. The pod finds that folder
// in ORRERY_JOB_DIR (kJobDirVariable) and leaves its run journal there; JobStatus::jobDir names it
// for the submitting process, which records it (the pod never opens the workspace database). States are read by
// kubernetes_job_state.h: pending with the scheduler's or the kubelet's reason, running on its
// node, then how it ended. The log is read once the Job has ended (or before it is deleted on
// cancel): `kubectl logs` of a finished pod is the whole output, and one read cannot interleave
// with a stream that broke halfway. A Job deleted by someone else ends cancelled, with the reason
// "deleted outside Orrery"; one the API server stays silent about for apiSilenceMs is lost.
//
// Before anything is applied (check): kubectl must be on PATH, the job must name an image, and
// the context must exist — the one named, or kubectl's current one — each error naming the fix.
//
// Threads: as Executor — run() blocks its worker thread, polling every `pollMs`.

#include "core/exec/executor.h"

namespace orrery::exec {

struct KubernetesOptions {
    QString jobRoot;         // job folders are made under it (the workspace's .orrery/jobs)
    QString workspaceRoot;   // mounted into the pod at the same path; empty: each job's workDir
    int pollMs = 1000;
    // How long the API server may stay unreachable before the job counts as lost.
    int apiSilenceMs = 60000;
    // After a cancel, how long to wait for the Job to be gone before reporting it cancelled.
    int cancelWaitMs = 30000;
    int ttlSecondsAfterFinished = 3600;
};

class KubernetesExecutor final : public Executor {
public:
    explicit KubernetesExecutor(KubernetesOptions options);
    QString name() const override { return QStringLiteral("kubernetes"); }
    Result<JobStatus> run(const JobSpec &job, const std::atomic<bool> *cancel,
                          const std::function<void(const JobStatus &)> &onUpdate = {}) override;
    Status check(const QString &what, const Resources &resources, const QProcessEnvironment &env) const override;

private:
    KubernetesOptions m_options;
};

} // namespace orrery::exec
