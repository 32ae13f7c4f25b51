#pragma once
// The batch/v1 Job that runs one JobSpec on Kubernetes: what KubernetesExecutor applies with
// `kubectl apply -f`. Pure functions of their inputs (the name is drawn once, by the executor),
// so tests check the manifests offline, field by field and against the published API schema.
//
// The shape, and why:
// - one container, `/bin/sh -c COMMAND` in the job's folder, as LocalExecutor runs it;
// - backoffLimit 0 and restartPolicy Never: a failed stage fails once, with its own exit code,
//   as locally; retrying is the pipeline's decision (the next run reruns it), not the cluster's;
// - activeDeadlineSeconds from JobSpec::timeoutMs (Kubernetes then ends the Job with the
//   condition DeadlineExceeded, which the executor reports as timed out);
// - ttlSecondsAfterFinished: the cluster removes the Job an hour after it ends, long enough
//   for a person to look at it with kubectl; the executor has read its log by then;
// - requests equal to limits (cpu, memory in Mi, nvidia.com/gpu): the stage gets what
//   executors.yaml says and no more, as Slurm gives it;
// - the workspace as a volume mounted at the same path it has here — a PersistentVolumeClaim
//   when executors.yaml names one (volume_claim), else a hostPath of the workspace root (a
//   one-node cluster, or nodes that mount the same shared filesystem there) — so dvc.yaml's
//   paths, the stage's folder and .orrery/jobs mean the same inside the pod;
// - the pod runs as the submitting user (runAsUser/runAsGroup), so what the stage writes into
//   the workspace belongs to its owner, as after a local run (the Containerfile's image would
//   otherwise run as nobody and could not write there);
// - the environment: only what the job adds to this process's (ORRERY_PARENT_RUN_ID, a trial's
//   report channel) and every ORRERY_* variable (the compressed clock), never PATH, HOME or the
//   host's name: those name this machine's folders, which the image does not have — a copied
//   PATH would hide the image's own orrery-cli and python behind folders that do not exist there.

#include "core/exec/executor.h"

#include <QJsonArray>
#include <QJsonObject>

namespace orrery::exec {

struct KubernetesJobSettings {
    QString name;               // the Job's name (kubernetesJobName)
    QString workspaceRoot;      // mounted at the same path; empty: the job's workDir
    int ttlSecondsAfterFinished = 3600;
    qint64 runAsUser = -1;      // -1: the image's user
    qint64 runAsGroup = -1;
};

// A name Kubernetes accepts for a Job and for the job-name label of its pods (a DNS-1123 label,
// at most 63 characters) that no other Job has: "orrery-train-lx4k2f9q" for "stage train" —
// lowercase letters, digits and '-' from the job's name, then the time and random characters.
QString kubernetesJobName(const QString &jobName);

// "default" when `resources` names no namespace.
QString kubernetesNamespace(const Resources &resources);

// The container's environment (see above), sorted by name: the variables of `env` that start with
// ORRERY_ or that `submitter` (this process's environment) does not have with the same value,
// less PATH, HOME and the other names of this machine.
QJsonArray kubernetesJobEnv(const QProcessEnvironment &env, const QProcessEnvironment &submitter);

// The Job, as JSON (which `kubectl apply -f` reads as YAML).
QJsonObject kubernetesJobManifest(const JobSpec &job, const KubernetesJobSettings &settings,
                                  const QProcessEnvironment &submitter = QProcessEnvironment::systemEnvironment());

} // namespace orrery::exec
