#pragma once
// SlurmExecutor: a job handed to Slurm, followed as if it ran here. Orrery never schedules work
// itself (DESIGN.md): it writes a batch script into a job folder, submits it with
// `sbatch --parsable`, follows it with `scontrol show job` (pending with Slurm's reason, running
// on its node, how it ended and its exit code), cancels it with `scancel`, and lets Slurm enforce
// the time limit (TIMEOUT) and the resources it was given.
//
// The job folder and the log are on the filesystem the nodes share with this machine (the
// workspace's `.orrery/jobs/`): Slurm appends the command's output to the stage's log itself, and
// the script records the command's exit status in the folder (`exit-code`), so a job whose
// record Slurm has already purged still ends with its real status; one that vanished with no
// status is Lost. Nothing on the node opens the workspace database: the command finds the job
// folder in ORRERY_JOB_DIR (kJobDirVariable) and leaves its run journal there, and JobStatus::jobDir
// tells the submitting process where to import it from (core/tracking/run_journal_import.h).
//
// Before submitting: sbatch must be on PATH and a named partition must exist (both errors name
// the fix); Slurm's own refusal (resources beyond the partition's limits) is returned verbatim.
//
// Several tasks (Resources::nodes × tasksPerNode > 1; `orrery-cli train --slurm`, executors.yaml's
// `nodes:` / `tasks_per_node:`): one job whose batch script starts the command once per task with
// `srun --kill-on-bad-exit=1` (one failing task ends the others). Each task gets torchrun's
// rendezvous variables, which `orrery-cli train` reads when no --rank flags are given:
//   RANK, LOCAL_RANK, WORLD_SIZE   SLURM_PROCID, SLURM_LOCALID, SLURM_NTASKS
//   MASTER_ADDR                    the allocation's first node (`scontrol show hostnames`), where
//                                  srun's block distribution puts task 0
//   MASTER_PORT                    20000 + job id mod 10000: below Linux's ephemeral ports, and two
//                                  jobs sharing a node collide only 10000 job ids apart
// The job's exit status is that of a task that failed by itself (srun's own, the highest of its
// tasks', would be the signal it then sent the others).
//
// Threads: as Executor — run() blocks its worker thread, polling every `pollMs`.

#include "core/exec/executor.h"

namespace orrery::exec {

struct SlurmOptions {
    QString jobRoot;        // job folders are made under it (the workspace's .orrery/jobs)
    int pollMs = 500;
    // How long the controller may stay unreachable before the job counts as lost.
    int controllerSilenceMs = 60000;
};

class SlurmExecutor final : public Executor {
public:
    explicit SlurmExecutor(SlurmOptions options);
    QString name() const override { return QStringLiteral("slurm"); }
    Result<JobStatus> run(const JobSpec &job, const std::atomic<bool> *cancel,
                          const std::function<void(const JobStatus &)> &onUpdate = {}) override;
    Status check(const QString &what, const Resources &resources, const QProcessEnvironment &env) const override;
    // One `sbatch --array=0-(N-1)%maxParallel` (slurm_job_array.h): each task's command, folder,
    // environment and log from its own script in the array's folder.
    bool runsArrays() const override { return true; }
    Result<std::shared_ptr<JobArray>> submitArray(const QString &name, const QVector<JobSpec> &jobs, int maxParallel) override;

private:
    SlurmOptions m_options;
};

// Slurm's `--time` for `ms`: whole minutes, rounded up — Slurm keeps time limits in minutes (a
// "0:05" request becomes 1 minute) and checks them about every 30 s, so a job overruns its limit
// by up to a minute before it is stopped (KillWait later, SIGKILL).
QString slurmTimeLimit(qint64 ms);

// The batch script's lines that run `commandFile` (shell-quoted): `/bin/sh FILE` for one task, the
// rendezvous variables and `srun` for several ("Several tasks" above), each task's own exit status
// left in `taskExitPrefix`RANK (shell-quoted) and the script's `$?` the status to report.
QString slurmLaunchLines(const Resources &resources, const QString &commandFile, const QString &taskExitPrefix);

} // namespace orrery::exec
