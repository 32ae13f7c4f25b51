#pragma once
// What Kubernetes says about a Job, in the executor's terms: the Job as `kubectl get job NAME
// -o json` prints it and its pods as `kubectl get pods -l job-name=NAME -o json` prints them
// (the Job controller labels its pods with job-name).
//
// - Pending, with the reason a person can act on: the pod's PodScheduled=False condition
//   ("Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.") or its container's waiting
//   reason ("ImagePullBackOff: Back-off pulling image …", "ContainerCreating"); no reason while
//   the Job controller has not made the pod yet.
// - Running on spec.nodeName — also while the pod has ended but the Job has no verdict yet: the
//   Job's Complete or Failed condition is what decides, never the pod alone.
// - Complete → succeeded. Failed with DeadlineExceeded → timed out (activeDeadlineSeconds).
//   Otherwise the container's terminated state says how: OOMKilled → failed with the reason;
//   a signal (or a shell's 128 + N) → crashed; any other exit code → failed with it. A Job that
//   failed with no container that ended (evicted, its pod deleted) → lost, with Kubernetes' words.
//
// Pure functions of their input; KubernetesExecutor calls kubectl.

#include "core/exec/executor.h"

#include <QJsonArray>
#include <QJsonObject>

namespace orrery::exec {

// `job`: the Job object; `pods`: the items of the pod list (any order; the newest is read).
JobStatus kubernetesJobStatus(const QJsonObject &job, const QJsonArray &pods);

} // namespace orrery::exec
