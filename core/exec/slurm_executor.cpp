#include "core/exec/slurm_executor.h"

#include "core/common/atomic_file.h"

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

namespace {

struct Ran {
    int exitCode = -1;
    QString out;
    QString err;
};

// A short Slurm command (sbatch, scontrol, scancel, sinfo) with the job's environment; they answer
// in well under a second unless the controller is down, which they report themselves.
Result<Ran> slurmCommand(const QString &program, const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForStarted(10000))
        return ioError(QStringLiteral("could not start %1: %2").arg(program, p.errorString()));
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished(2000);
        return ioError(QStringLiteral("%1 %2 did not answer within 60 s").arg(program, args.join(QLatin1Char(' '))));
    }
    Ran r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromLocal8Bit(p.readAllStandardOutput()).trimmed();
    r.err = QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
    return r;
}

QString shellQuoted(const QString &s)
{
    QString q = s;
    q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

// A name Slurm shows in squeue and that is safe as a folder name.
QString safeName(const QString &name)
{
    QString s = name;
    s.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("-"));
    return s.left(60);
}

QString field(const QString &record, const QString &key)
{
    const QRegularExpression re(QStringLiteral("(?:^|\\s)%1=(\\S*)").arg(key));
    return re.match(record).captured(1);
}

// What one `scontrol show job -o` record says, in the executor's terms.
JobStatus statusOf(const QString &record, bool cancelRequested)
{
    JobStatus s;
    const QString state = field(record, QStringLiteral("JobState"));
    const QString reason = field(record, QStringLiteral("Reason"));
    const QString nodes = field(record, QStringLiteral("NodeList"));
    const QStringList exit = field(record, QStringLiteral("ExitCode")).split(QLatin1Char(':'));
    const int code = exit.value(0).toInt();
    const int signal = exit.value(1).toInt();
    s.node = nodes == QLatin1String("(null)") ? QString() : nodes;
    s.exitCode = code;
    if (state == QLatin1String("PENDING") || state == QLatin1String("CONFIGURING") || state == QLatin1String("REQUEUED")
        || state == QLatin1String("REQUEUE_HOLD") || state == QLatin1String("RESV_DEL_HOLD") || state == QLatin1String("SUSPENDED")) {
        s.state = JobState::Pending;
        s.reason = state == QLatin1String("PENDING") ? reason : state.toLower() + (reason == QLatin1String("None") ? QString() : QStringLiteral(": ") + reason);
    } else if (state == QLatin1String("RUNNING") || state == QLatin1String("COMPLETING") || state == QLatin1String("STAGE_OUT")
               || state == QLatin1String("SIGNALING") || state == QLatin1String("RESIZING") || state == QLatin1String("STOPPED")) {
        s.state = JobState::Running;
    } else if (state == QLatin1String("COMPLETED")) {
        s.state = JobState::Succeeded;
    } else if (state == QLatin1String("FAILED") || state == QLatin1String("OUT_OF_MEMORY")) {
        s.state = JobState::Failed;
        if (state == QLatin1String("OUT_OF_MEMORY"))
            s.reason = QStringLiteral("Slurm killed it for using more memory than it asked for (OUT_OF_MEMORY); ask for more memory");
        else if (signal != 0 || (code > 128 && code < 128 + NSIG)) {
            const int sig = signal != 0 ? signal : code - 128;
            s.state = JobState::Crashed;
            s.reason = QStringLiteral("signal %1, %2").arg(sig).arg(QString::fromLocal8Bit(::strsignal(sig)));
        }
    } else if (state == QLatin1String("TIMEOUT") || state == QLatin1String("DEADLINE")) {
        s.state = JobState::TimedOut;
        s.reason = QStringLiteral("Slurm stopped it at its time limit (%1)").arg(state);
    } else if (state == QLatin1String("CANCELLED")) {
        s.state = JobState::Cancelled;
        if (!cancelRequested)
            s.reason = QStringLiteral("cancelled outside Orrery (scancel or an administrator)");
    } else if (state.isEmpty()) {
        s.state = JobState::Lost;
        s.reason = QStringLiteral("Slurm's record of the job has no state: %1").arg(record.left(200));
    } else {
        // NODE_FAIL, PREEMPTED, BOOT_FAIL, REVOKED, …: Slurm lost it; the next run reruns it.
        s.state = JobState::Lost;
        s.reason = QStringLiteral("Slurm ended it with %1%2").arg(state, reason == QLatin1String("None") || reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(reason));
    }
    return s;
}

bool sameView(const JobStatus &a, const JobStatus &b)
{
    return a.state == b.state && a.reason == b.reason && a.node == b.node;
}

} // namespace

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

    QStringList args = {QStringLiteral("--parsable"), QStringLiteral("--job-name=orrery-") + safeName(job.name),
                        QStringLiteral("--chdir=") + job.workDir, QStringLiteral("--open-mode=append")};
    if (!job.logPath.isEmpty())
        args << QStringLiteral("--output=") + job.logPath;
    else
        args << QStringLiteral("--output=") + QDir(folder).filePath(QStringLiteral("log"));
    const Resources &r = job.resources;
    if (r.cpus > 0)
        args << QStringLiteral("--cpus-per-task=%1").arg(r.cpus);
    if (r.memoryMb > 0)
        args << QStringLiteral("--mem=%1M").arg(r.memoryMb);
    if (r.gpus > 0)
        args << QStringLiteral("--gres=gpu:%1").arg(r.gpus);
    if (!r.partition.isEmpty())
        args << QStringLiteral("--partition=") + r.partition;
    if (r.tasks() > 1)
        args << QStringLiteral("--nodes=%1").arg(std::max(1, r.nodes)) << QStringLiteral("--ntasks-per-node=%1").arg(std::max(1, r.tasksPerNode));
    if (job.timeoutMs > 0)
        args << QStringLiteral("--time=") + slurmTimeLimit(job.timeoutMs);
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

    JobStatus last;
    last.id = id;
    last.jobDir = folder;
    last.state = JobState::Pending;
    if (onUpdate)
        onUpdate(last);
    bool cancelSent = false;
    QElapsedTimer silence;
    for (;;) {
        if (cancel && cancel->load() && !cancelSent) {
            cancelSent = true;
            auto sc = slurmCommand(scancel, {id}, job.env);
            if (!sc || sc->exitCode != 0)
                qWarning("scancel %s failed: %s", qPrintable(id), qPrintable(sc ? sc->err : sc.status().message()));
        }
        auto shown = slurmCommand(scontrol, {QStringLiteral("show"), QStringLiteral("job"), id, QStringLiteral("-o")}, job.env);
        JobStatus now;
        if (shown && shown->exitCode == 0 && !shown->out.isEmpty()) {
            silence.invalidate();
            now = statusOf(shown->out.section(QLatin1Char('\n'), 0, 0), cancelSent);
        } else if (shown && shown->err.contains(QLatin1String("Invalid job id"), Qt::CaseInsensitive)) {
            // Slurm has forgotten the job (MinJobAge passed, or its state was lost). The script's
            // exit status says how it ended, if it got that far.
            QFile f(exitFile);
            if (f.open(QIODevice::ReadOnly)) {
                now.exitCode = QString::fromUtf8(f.readAll()).trimmed().toInt();
                now.state = now.exitCode == 0 ? JobState::Succeeded : JobState::Failed;
            } else {
                now.state = JobState::Lost;
                now.reason = QStringLiteral("job %1 vanished from Slurm's queue without an exit status (Slurm says: %2); run the stage again")
                                 .arg(id, shown->err);
            }
        } else {
            // The controller does not answer: wait for it, up to a limit.
            if (!silence.isValid())
                silence.start();
            if (silence.elapsed() > m_options.controllerSilenceMs) {
                now.state = JobState::Lost;
                now.reason = QStringLiteral("Slurm's controller did not answer for %1 s about job %2: %3")
                                 .arg(m_options.controllerSilenceMs / 1000).arg(id, shown ? shown->err : shown.status().message());
            } else {
                now = last;
            }
        }
        now.id = id;
        now.jobDir = folder;
        if (!sameView(now, last) || now.finished()) {
            last = now;
            if (onUpdate)
                onUpdate(now);
        }
        if (now.finished())
            return now;
        for (int waited = 0; waited < m_options.pollMs; waited += 25) {
            if (cancel && cancel->load() && !cancelSent)
                break;
            QThread::msleep(25);
        }
    }
}

} // namespace orrery::exec
