#include "core/exec/executor.h"

#include "core/exec/command_runner.h"

#include <csignal>
#include <cstring>

namespace orrery::exec {

QString jobStateName(JobState state)
{
    switch (state) {
    case JobState::Pending: return QStringLiteral("queued");
    case JobState::Running: return QStringLiteral("running");
    case JobState::Succeeded: return QStringLiteral("succeeded");
    case JobState::Failed: return QStringLiteral("failed");
    case JobState::Crashed: return QStringLiteral("crashed");
    case JobState::TimedOut: return QStringLiteral("timed out");
    case JobState::Cancelled: return QStringLiteral("cancelled");
    case JobState::Lost: return QStringLiteral("lost");
    }
    return QString();
}

QString describeJob(const QString &executor, const JobStatus &status, const QString &elapsed)
{
    const bool local = executor.isEmpty() || executor == QLatin1String("local");
    QStringList parts;
    QString state = jobStateName(status.state);
    if (!elapsed.isEmpty())
        state += QLatin1Char(' ') + elapsed;
    parts << state;
    if (!status.id.isEmpty())
        parts << (local ? QStringLiteral("pid ") + status.id : QStringLiteral("%1 job %2").arg(executor, status.id))
                     + (status.state == JobState::Running && !status.node.isEmpty() ? QStringLiteral(" on ") + status.node : QString());
    // Slurm's "None" means it has not looked at the job yet.
    if (!status.reason.isEmpty() && status.reason != QLatin1String("None"))
        parts << status.reason;
    return parts.join(QStringLiteral(" · "));
}

Result<JobStatus> LocalExecutor::run(const JobSpec &job, const std::atomic<bool> *cancel,
                                     const std::function<void(const JobStatus &)> &onUpdate)
{
    CommandOptions options;
    options.workDir = job.workDir;
    options.logPath = job.logPath;
    options.env = job.env;
    options.timeoutMs = job.timeoutMs;
    options.killGraceMs = job.killGraceMs;
    options.cancel = cancel;
    options.killWithParent = job.endsWithSubmitter;
    JobStatus status;
    options.onStarted = [&](qint64 pid) {
        status.state = JobState::Running;
        status.id = QString::number(pid);
        if (onUpdate)
            onUpdate(status);
    };
    ORRERY_ASSIGN_OR_RETURN(const CommandResult ran, runCommand(job.commandLine, options));
    status.exitCode = ran.exitCode;
    if (ran.cancelled)
        status.state = JobState::Cancelled;
    else if (ran.timedOut)
        status.state = JobState::TimedOut;
    else if (ran.crashed)
        status.state = JobState::Crashed;
    else
        status.state = ran.exitCode == 0 ? JobState::Succeeded : JobState::Failed;
    // /bin/sh reports a command that a signal ended as 128 + the signal's number (dash does not
    // exec the last command, so the shell outlives it): that is a crash, not an exit status.
    if (status.state == JobState::Failed && ran.exitCode > 128 && ran.exitCode < 128 + NSIG) {
        const int signal = ran.exitCode - 128;
        status.state = JobState::Crashed;
        status.reason = QStringLiteral("signal %1, %2").arg(signal).arg(QString::fromLocal8Bit(::strsignal(signal)));
    } else if (status.state == JobState::Crashed) {
        status.reason = QStringLiteral("killed by a signal");
    }
    if (onUpdate)
        onUpdate(status);
    return status;
}

Executor &localExecutor()
{
    static LocalExecutor local;
    return local;
}

} // namespace orrery::exec
