#pragma once
// Where a command runs: the one interface between what runs work (the pipeline's stage workers,
// a sweep's trials) and where it runs. Today: LocalExecutor, a process group on this machine
// (command_runner.h); the scale-out issue adds Slurm and Kubernetes Jobs behind the same
// interface, so neither the pipeline nor core/tune changes when they land.
//
// A job is one shell command with its folder, log file, environment, time limit and the
// resources a scheduler would ask for (a local run ignores them). run() follows the job to its
// end — pending (queued by a scheduler), running (on a node, with its pid or job id), then how it
// ended — and reports each change through onUpdate, so a card or a trial table can show it.
//
// Threads: run() blocks its calling thread (a worker); `cancel` may be set from any thread and
// ends the job (local: SIGTERM to its process group, SIGKILL after the grace period); onUpdate is
// called on the calling thread.

#include "core/common/status.h"

#include <QProcessEnvironment>
#include <QString>
#include <QVector>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>

namespace orrery::exec {

// What a scheduler is asked for; 0 / empty: its default. A local run ignores them.
struct Resources {
    int cpus = 0;
    qint64 memoryMb = 0;
    int gpus = 0;
    QString partition;   // Slurm
    // Slurm: one job of nodes × tasksPerNode tasks (0: 1), each running the whole command under
    // `srun` with torchrun's rendezvous variables set (slurm_executor.h, "Several tasks").
    int nodes = 0;
    int tasksPerNode = 0;

    int tasks() const { return (nodes > 0 ? nodes : 1) * (tasksPerNode > 0 ? tasksPerNode : 1); }
    QString nameSpace;   // Kubernetes
    QString image;       // Kubernetes
    QString volumeClaim; // Kubernetes: the PersistentVolumeClaim holding the workspace; empty: a hostPath
    QString context;     // Kubernetes: kubectl's context; empty: its current one
};

struct JobSpec {
    QString name;          // what the job is, for messages and schedulers ("stage train", "trial 12")
    QString commandLine;   // run by /bin/sh -c
    QString workDir;
    QString logPath;       // stdout and stderr appended here
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    qint64 timeoutMs = 0;  // 0: none
    int killGraceMs = 2000;
    // The job ends when the process that submitted it dies (a sweep's trial: a controller killed
    // with kill -9 must not leave trainings running whose results nobody records). Locally: the
    // command's process is killed with its parent; its command should `exec` the real work.
    bool endsWithSubmitter = false;
    Resources resources;
};

enum class JobState {
    Pending,    // submitted, not started (a scheduler's queue)
    Running,
    Succeeded,  // exit code 0
    Failed,     // a non-zero exit code
    Crashed,    // ended by a signal (also a shell's 128 + N status: the command under it died of N)
    TimedOut,   // killed at the time limit
    Cancelled,  // killed because `cancel` was set
    Lost,       // the scheduler lost it (node failure, preemption)
};

struct JobStatus {
    JobState state = JobState::Pending;
    int exitCode = 0;
    QString id;       // the pid, or a scheduler's job id
    QString node;     // where it runs ("" for this machine)
    QString reason;   // pending or lost: the scheduler's reason; crashed: the signal; else empty
    // A job on another node (Slurm, Kubernetes): its folder, which the command also finds in
    // ORRERY_JOB_DIR (kJobDirVariable) and where it leaves its results — its run journal
    // (core/tracking/run_journal.h) — for the submitting process to record. Empty locally.
    QString jobDir;

    bool finished() const { return state != JobState::Pending && state != JobState::Running; }
};

// Set by every executor that runs a job away from this machine, to the job's folder: a command
// that sees it never opens the workspace database (DESIGN.md, "Processes": SQLite's WAL and
// locks are unsafe over NFS) and leaves what it would record there instead.
inline constexpr char kJobDirVariable[] = "ORRERY_JOB_DIR";

// The tighter of two time limits in milliseconds, where 0 means none.
inline qint64 tighterLimit(qint64 a, qint64 b) { return a <= 0 ? b : b <= 0 ? a : std::min(a, b); }

// "succeeded", "timed out", … for messages and JSON.
QString jobStateName(JobState state);

// A job where it is now, short enough for a card and a terminal line: "queued · slurm job 1234 ·
// Resources" (the scheduler's reason), "running 3.2 s · slurm job 1234 on n1", "failed · slurm
// job 1234"; locally "running · pid 4711". `elapsed` ("12 s"), when given, follows the state.
QString describeJob(const QString &executor, const JobStatus &status, const QString &elapsed = QString());

// Alike jobs a scheduler runs as one (a Slurm job array: a grid or random sweep's trials),
// submitted together and each followed on a thread of its own.
class JobArray {
public:
    virtual ~JobArray() = default;
    // The scheduler's id of the whole array.
    virtual QString id() const = 0;
    virtual int size() const = 0;
    // Blocks until task `index` ends; `cancel` cancels that task alone. Any thread.
    virtual Result<JobStatus> follow(int index, const std::atomic<bool> *cancel,
                                     const std::function<void(const JobStatus &)> &onUpdate = {}) = 0;
};

class Executor {
public:
    virtual ~Executor() = default;
    // "local", "slurm", "kubernetes".
    virtual QString name() const = 0;
    // Runs the job to its end. An error when it could not be submitted or started at all (no
    // shell, a bad folder); otherwise how it ended.
    virtual Result<JobStatus> run(const JobSpec &job, const std::atomic<bool> *cancel,
                                  const std::function<void(const JobStatus &)> &onUpdate = {}) = 0;
    // Whether a job asking for `resources` could be submitted at all (the scheduler's tools are
    // there, the partition exists), so that a pipeline fails before its first stage, not at the
    // stage placed wrongly. `what` names the job in the message.
    // Whether submitArray() works here (a scheduler with job arrays).
    virtual bool runsArrays() const { return false; }
    // `jobs` (alike: the first one's resources and time limit hold for all) as one array, at most
    // `maxParallel` at once; each keeps its own command, folder, log and environment.
    virtual Result<std::shared_ptr<JobArray>> submitArray(const QString &name, const QVector<JobSpec> &jobs, int maxParallel)
    {
        Q_UNUSED(jobs);
        Q_UNUSED(maxParallel);
        return invalidArgument(QStringLiteral("%1: the %2 executor runs no job arrays").arg(name, this->name()));
    }
    virtual Status check(const QString &what, const Resources &resources, const QProcessEnvironment &env) const
    {
        Q_UNUSED(what);
        Q_UNUSED(resources);
        Q_UNUSED(env);
        return Status::ok();
    }
};

class LocalExecutor final : public Executor {
public:
    QString name() const override { return QStringLiteral("local"); }
    Result<JobStatus> run(const JobSpec &job, const std::atomic<bool> *cancel,
                          const std::function<void(const JobStatus &)> &onUpdate = {}) override;
};

// The executor for processes on this machine; lives as long as the program.
Executor &localExecutor();

} // namespace orrery::exec
