#pragma once
// The pieces SlurmExecutor and SlurmJobArray share, private to core/exec: running Slurm's short
// commands, reading a `scontrol show job -o` record in the executor's terms, sbatch's arguments for
// a job's resources, and following one job (or one array task) to its end.
//
// Threads: free functions; a SlurmTools is a value each following thread holds.

#include "core/common/status.h"
#include "core/exec/executor.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>

namespace orrery::exec {

struct Ran {
    int exitCode = -1;
    QString out;
    QString err;
};

// A short Slurm command (sbatch, scontrol, scancel, sinfo) with the job's environment; they answer
// in well under a second unless the controller is down, which they report themselves.
Result<Ran> slurmCommand(const QString &program, const QStringList &args, const QProcessEnvironment &env);

QString shellQuoted(const QString &s);
// A name Slurm shows in squeue and that is safe as a folder name.
QString safeName(const QString &name);
// KEY's value in one `scontrol show job -o` record.
QString slurmField(const QString &record, const QString &key);
// What one `scontrol show job -o` record says, in the executor's terms.
JobStatus slurmStatusOf(const QString &record, bool cancelRequested);

// sbatch's options for `job` (name, folder, its resources and time limit), its output to `outputPath`.
QStringList sbatchArguments(const JobSpec &job, const QString &outputPath);

struct SlurmTools {
    QString scontrol;
    QString scancel;
    QProcessEnvironment env;
    int pollMs = 500;
    int controllerSilenceMs = 60000;

    Result<Ran> showJob(const QString &id) const;
};

// Follows job `id` (its folder `jobDir`, reported in each JobStatus) to its end: `record()` asks
// Slurm about it now (scontrol's answer); the job's script leaves its exit status in `exitFile`,
// which says how a job Slurm has forgotten ended.
// Cancel sends scancel once and waits for Slurm to end it.
Result<JobStatus> followSlurmJob(const SlurmTools &tools, const QString &id, const QString &jobDir, const QString &exitFile,
                                 const std::function<Result<Ran>()> &record, const std::atomic<bool> *cancel,
                                 const std::function<void(const JobStatus &)> &onUpdate);

} // namespace orrery::exec
