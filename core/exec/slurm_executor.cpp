#include "core/exec/slurm_executor.h"

#include "core/common/atomic_file.h"
#include "core/exec/slurm_job_array.h"
#include "core/exec/slurm_tools.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <cstring>

namespace orrery::exec {

QString slurmTimeLimit(qint64 ms)
{
    return QString::number(std::max<qint64>(1, (ms + 59999) / 60000));
}

QString slurmLaunchLines(const Resources &resources, const QString &commandFile, const QString &taskExitPrefix)
{
    if (resources.tasks() <= 1)
        return QStringLiteral("/bin/sh %1\n").arg(commandFile);
    // Slurm 22.05's srun no longer takes --cpus-per-task from the batch job's environment: say it again.
    const QString cpus = resources.cpus > 0 ? QStringLiteral(" --cpus-per-task=%1").arg(resources.cpus) : QString();
    return QStringLiteral(
               "# %1 tasks (%2 node(s) x %3) meet as torchrun's ranks do: task 0 runs on the allocation's first\n"
               "# node, which serves the rendezvous on a port derived from the job id.\n"
               "MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1)\n"
               "MASTER_PORT=$((20000 + SLURM_JOB_ID % 10000))\n"
               "export MASTER_ADDR MASTER_PORT\n"
               "srun --kill-on-bad-exit=1%4 /bin/sh -c 'RANK=$SLURM_PROCID WORLD_SIZE=$SLURM_NTASKS LOCAL_RANK=$SLURM_LOCALID; "
               "export RANK WORLD_SIZE LOCAL_RANK; /bin/sh \"$0\"; c=$?; echo \"$c\" > \"$1$RANK\"; exit $c' %5 %6\n"
               "code=$?\n"
               "# srun exits with its tasks' highest status: when one failed, that is the signal it then sent the\n"
               "# others (143). The status a task ended with by itself says what went wrong.\n"
               "for f in %6*; do\n"
               "  [ -f \"$f\" ] || continue\n"
               "  c=$(cat \"$f\")\n"
               "  if [ \"$code\" -ne 0 ] && [ \"$c\" -gt 0 ] && [ \"$c\" -lt 128 ]; then code=$c; break; fi\n"
               "done\n"
               "(exit $code)\n")
        .arg(QString::number(resources.tasks()), QString::number(std::max(1, resources.nodes)), QString::number(std::max(1, resources.tasksPerNode)),
             cpus, commandFile, taskExitPrefix);
}

SlurmExecutor::SlurmExecutor(SlurmOptions options) : m_options(std::move(options)) {}

Status SlurmExecutor::check(const QString &what, const Resources &resources, const QProcessEnvironment &env) const
{
    const QString path = env.value(QStringLiteral("PATH"), qEnvironmentVariable("PATH"));
    const QStringList dirs = path.split(QLatin1Char(':'), Qt::SkipEmptyParts);
    for (const char *tool : {"sbatch", "scontrol", "scancel"})
        if (QStandardPaths::findExecutable(QLatin1String(tool), dirs).isEmpty())
            return invalidArgument(QStringLiteral("%1 runs on Slurm, but %2 is not on PATH (%3); install Slurm's client tools "
                                                  "(Debian: slurm-client) or set its executor to local in executors.yaml")
                                       .arg(what, QLatin1String(tool), path));
    if (resources.partition.isEmpty())
        return Status::ok();
    const QString scontrol = QStandardPaths::findExecutable(QStringLiteral("scontrol"), dirs);
    ORRERY_ASSIGN_OR_RETURN(const Ran part, slurmCommand(scontrol, {QStringLiteral("show"), QStringLiteral("partition"), resources.partition, QStringLiteral("-o")}, env));
    if (part.exitCode == 0 && !part.out.isEmpty())
        return Status::ok();
    QString known;
    const QString sinfo = QStandardPaths::findExecutable(QStringLiteral("sinfo"), dirs);
    if (!sinfo.isEmpty())
        if (auto list = slurmCommand(sinfo, {QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%R")}, env); list && list->exitCode == 0)
            known = list->out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).join(QStringLiteral(", "));
    return invalidArgument(QStringLiteral("%1 asks for Slurm partition '%2', which this cluster does not have (%3); its partitions: %4")
                               .arg(what, resources.partition, part.err.isEmpty() ? part.out : part.err, known.isEmpty() ? QStringLiteral("unknown") : known));
}

Result<JobStatus> SlurmExecutor::run(const JobSpec &job, const std::atomic<bool> *cancel,
                                     const std::function<void(const JobStatus &)> &onUpdate)
{
    ORRERY_TRY(check(job.name, job.resources, job.env));
    const QStringList dirs = job.env.value(QStringLiteral("PATH"), qEnvironmentVariable("PATH")).split(QLatin1Char(':'), Qt::SkipEmptyParts);
    const QString sbatch = QStandardPaths::findExecutable(QStringLiteral("sbatch"), dirs);
    const QString scontrol = QStandardPaths::findExecutable(QStringLiteral("scontrol"), dirs);
    const QString scancel = QStandardPaths::findExecutable(QStringLiteral("scancel"), dirs);

    // The job's folder: the script, the command, and the exit status the script leaves behind.
    const QString folder = QDir(m_options.jobRoot).filePath(
        QStringLiteral("%1-%2-%3").arg(safeName(job.name)).arg(QDateTime::currentMSecsSinceEpoch()).arg(quintptr(QThread::currentThreadId()) % 100000));
    if (!QDir().mkpath(folder))
        return ioError(QStringLiteral("cannot make the job folder %1").arg(folder));
    const QString commandFile = QDir(folder).filePath(QStringLiteral("command.sh"));
    const QString exitFile = QDir(folder).filePath(QStringLiteral("exit-code"));
    ORRERY_TRY(common::writeFileAtomically(commandFile, job.commandLine.toUtf8() + '\n'));
    const QString script = QStringLiteral(
                               "#!/bin/sh\n"
                               "# Orrery's batch script for %1: runs the command, then records its exit status\n"
                               "# where the submitting process finds it even after Slurm forgets the job.\n"
                               "%2"
                               "code=$?\n"
                               "echo \"$code\" > %3.tmp && mv -f %3.tmp %3\n"
                               "exit $code\n")
                               .arg(job.name, slurmLaunchLines(job.resources, shellQuoted(commandFile), shellQuoted(QDir(folder).filePath(QStringLiteral("task-exit-")))),
                                    shellQuoted(exitFile));
    const QString scriptFile = QDir(folder).filePath(QStringLiteral("job.sh"));
    ORRERY_TRY(common::writeFileAtomically(scriptFile, script.toUtf8()));

    QStringList args = sbatchArguments(job, job.logPath.isEmpty() ? QDir(folder).filePath(QStringLiteral("log")) : job.logPath);
    args << scriptFile;
    // sbatch hands its environment to the job: the job's folder goes with it (kJobDirVariable).
    QProcessEnvironment env = job.env;
    env.insert(QLatin1String(kJobDirVariable), folder);
    ORRERY_ASSIGN_OR_RETURN(const Ran submitted, slurmCommand(sbatch, args, env));
    if (submitted.exitCode != 0)
        return invalidArgument(QStringLiteral("Slurm refused %1: %2").arg(job.name, submitted.err.isEmpty() ? submitted.out : submitted.err));
    // --parsable prints "ID" or "ID;CLUSTER".
    const QString id = submitted.out.section(QLatin1Char(';'), 0, 0).trimmed();
    if (id.isEmpty())
        return internalError(QStringLiteral("sbatch accepted %1 but printed no job id (%2)").arg(job.name, submitted.err));

    SlurmTools tools{scontrol, scancel, job.env, m_options.pollMs, m_options.controllerSilenceMs};
    return followSlurmJob(tools, id, folder, exitFile, [&] { return tools.showJob(id); }, cancel, onUpdate);
}

} // namespace orrery::exec

namespace orrery::exec {

Result<std::shared_ptr<JobArray>> SlurmExecutor::submitArray(const QString &name, const QVector<JobSpec> &jobs, int maxParallel)
{
    if (jobs.isEmpty())
        return invalidArgument(QStringLiteral("%1: an empty job array").arg(name));
    const JobSpec &first = jobs.front();
    ORRERY_TRY(check(name, first.resources, first.env));
    const QStringList dirs = first.env.value(QStringLiteral("PATH"), qEnvironmentVariable("PATH")).split(QLatin1Char(':'), Qt::SkipEmptyParts);
    const QString sbatch = QStandardPaths::findExecutable(QStringLiteral("sbatch"), dirs);
    SlurmTools tools{QStandardPaths::findExecutable(QStringLiteral("scontrol"), dirs), QStandardPaths::findExecutable(QStringLiteral("scancel"), dirs),
                     first.env, m_options.pollMs, m_options.controllerSilenceMs};

    const QString folder = QDir(m_options.jobRoot).filePath(
        QStringLiteral("%1-%2-%3").arg(safeName(name)).arg(QDateTime::currentMSecsSinceEpoch()).arg(quintptr(QThread::currentThreadId()) % 100000));
    if (!QDir().mkpath(folder))
        return ioError(QStringLiteral("cannot make the job folder %1").arg(folder));
    // Each task: its own folder, environment (what differs from the submitter's, which sbatch
    // passes on), log, command and exit status.
    const QProcessEnvironment submitter = QProcessEnvironment::systemEnvironment();
    QStringList exitFiles, taskFolders;
    for (int i = 0; i < jobs.size(); ++i) {
        JobSpec job = jobs[i];
        // The task's own folder is its job folder (kJobDirVariable): its run journal goes there.
        const QString taskFolder = QDir(folder).filePath(QStringLiteral("task-%1").arg(i));
        if (!QDir().mkpath(taskFolder))
            return ioError(QStringLiteral("cannot make the job folder %1").arg(taskFolder));
        job.env.insert(QLatin1String(kJobDirVariable), taskFolder);
        const QString commandFile = QDir(taskFolder).filePath(QStringLiteral("command.sh"));
        const QString exitFile = QDir(taskFolder).filePath(QStringLiteral("exit-code"));
        const QString log = job.logPath.isEmpty() ? QDir(taskFolder).filePath(QStringLiteral("log")) : job.logPath;
        ORRERY_TRY(common::writeFileAtomically(commandFile, job.commandLine.toUtf8() + '\n'));
        QString exports;
        for (const QString &key : job.env.keys())
            if (!submitter.contains(key) || submitter.value(key) != job.env.value(key))
                exports += QStringLiteral("export %1=%2\n").arg(key, shellQuoted(job.env.value(key)));
        const QString task = QStringLiteral(
                                 "#!/bin/sh\n"
                                 "# Task %1 of Orrery's job array %2: %3\n"
                                 "cd %4 || exit 97\n"
                                 "%5"
                                 "exec >> %6 2>&1\n"
                                 "/bin/sh %7\n"
                                 "code=$?\n"
                                 "echo \"$code\" > %8.tmp && mv -f %8.tmp %8\n"
                                 "exit $code\n")
                                 .arg(QString::number(i), name, job.name, shellQuoted(job.workDir), exports, shellQuoted(log), shellQuoted(commandFile),
                                      shellQuoted(exitFile));
        ORRERY_TRY(common::writeFileAtomically(QDir(folder).filePath(QStringLiteral("task-%1.sh").arg(i)), task.toUtf8()));
        exitFiles << exitFile;
        taskFolders << taskFolder;
    }
    const QString script = QStringLiteral("#!/bin/sh\n"
                                          "# Orrery's job array %1: task N runs task-N.sh (its folder, environment, log and command).\n"
                                          "exec /bin/sh %2/task-\"$SLURM_ARRAY_TASK_ID\".sh\n")
                               .arg(name, shellQuoted(folder));
    const QString scriptFile = QDir(folder).filePath(QStringLiteral("job.sh"));
    ORRERY_TRY(common::writeFileAtomically(scriptFile, script.toUtf8()));

    JobSpec alike = first;
    alike.name = name;
    QStringList args = sbatchArguments(alike, QDir(folder).filePath(QStringLiteral("array-%a.out")));
    args << QStringLiteral("--array=0-%1%%2").arg(jobs.size() - 1).arg(std::max(1, maxParallel)) << scriptFile;
    ORRERY_ASSIGN_OR_RETURN(const Ran submitted, slurmCommand(sbatch, args, submitter));
    if (submitted.exitCode != 0)
        return invalidArgument(QStringLiteral("Slurm refused %1: %2").arg(name, submitted.err.isEmpty() ? submitted.out : submitted.err));
    const QString id = submitted.out.section(QLatin1Char(';'), 0, 0).trimmed();
    if (id.isEmpty())
        return internalError(QStringLiteral("sbatch accepted %1 but printed no job id (%2)").arg(name, submitted.err));
    return std::shared_ptr<JobArray>(std::make_shared<SlurmJobArray>(tools, id, taskFolders, exitFiles));
}

} // namespace orrery::exec
