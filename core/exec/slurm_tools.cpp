#include "core/exec/slurm_tools.h"

#include "core/exec/slurm_executor.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QThread>

#include <algorithm>
#include <csignal>
#include <cstring>

namespace orrery::exec {

namespace {

bool sameView(const JobStatus &a, const JobStatus &b)
{
    return a.state == b.state && a.reason == b.reason && a.node == b.node;
}


} // namespace

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

QString safeName(const QString &name)
{
    QString s = name;
    s.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("-"));
    return s.left(60);
}

QString slurmField(const QString &record, const QString &key)
{
    const QRegularExpression re(QStringLiteral("(?:^|\\s)%1=(\\S*)").arg(key));
    return re.match(record).captured(1);
}

JobStatus slurmStatusOf(const QString &record, bool cancelRequested)
{
    JobStatus s;
    const QString state = slurmField(record, QStringLiteral("JobState"));
    const QString reason = slurmField(record, QStringLiteral("Reason"));
    const QString nodes = slurmField(record, QStringLiteral("NodeList"));
    const QStringList exit = slurmField(record, QStringLiteral("ExitCode")).split(QLatin1Char(':'));
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

QStringList sbatchArguments(const JobSpec &job, const QString &outputPath)
{
    QStringList args = {QStringLiteral("--parsable"), QStringLiteral("--job-name=orrery-") + safeName(job.name),
                        QStringLiteral("--chdir=") + job.workDir, QStringLiteral("--open-mode=append")};
    args << QStringLiteral("--output=") + outputPath;
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
    return args;
}

Result<Ran> SlurmTools::showJob(const QString &id) const
{
    return slurmCommand(scontrol, {QStringLiteral("show"), QStringLiteral("job"), id, QStringLiteral("-o")}, env);
}

Result<JobStatus> followSlurmJob(const SlurmTools &tools, const QString &id, const QString &jobDir, const QString &exitFile,
                                 const std::function<Result<Ran>()> &record, const std::atomic<bool> *cancel,
                                 const std::function<void(const JobStatus &)> &onUpdate)
{
    JobStatus last;
    last.id = id;
    last.jobDir = jobDir;
    last.state = JobState::Pending;
    if (onUpdate)
        onUpdate(last);
    bool cancelSent = false;
    QElapsedTimer silence;
    for (;;) {
        if (cancel && cancel->load() && !cancelSent) {
            cancelSent = true;
            auto sc = slurmCommand(tools.scancel, {id}, tools.env);
            if (!sc || sc->exitCode != 0)
                qWarning("scancel %s failed: %s", qPrintable(id), qPrintable(sc ? sc->err : sc.status().message()));
        }
        auto shown = record();
        JobStatus now;
        if (shown && shown->exitCode == 0 && !shown->out.isEmpty()) {
            silence.invalidate();
            now = slurmStatusOf(shown->out.section(QLatin1Char('\n'), 0, 0), cancelSent);
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
            if (silence.elapsed() > tools.controllerSilenceMs) {
                now.state = JobState::Lost;
                now.reason = QStringLiteral("Slurm's controller did not answer for %1 s about job %2: %3")
                                 .arg(tools.controllerSilenceMs / 1000).arg(id, shown ? shown->err : shown.status().message());
            } else {
                now = last;
            }
        }
        now.id = id;
        now.jobDir = jobDir;
        if (!sameView(now, last) || now.finished()) {
            last = now;
            if (onUpdate)
                onUpdate(now);
        }
        if (now.finished())
            return now;
        for (int waited = 0; waited < tools.pollMs; waited += 25) {
            if (cancel && cancel->load() && !cancelSent)
                break;
            QThread::msleep(25);
        }
    }
}

} // namespace orrery::exec
