#include "core/exec/command_runner.h"

#include <QElapsedTimer>
#include <QProcess>

#include <csignal>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

namespace orrery::exec {

Result<CommandResult> runCommand(const QString &commandLine, const CommandOptions &options)
{
    QProcess p;
    p.setProgram(QStringLiteral("/bin/sh"));
    p.setArguments({QStringLiteral("-c"), commandLine});
    p.setWorkingDirectory(options.workDir);
    p.setProcessEnvironment(options.env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setStandardOutputFile(options.logPath, QIODevice::Append);
    p.setStandardInputFile(QProcess::nullDevice());
    // A group of its own: kill(-pid) then reaches every process the command started. And no
    // signal blocked, whatever this thread blocked (ct run and tune take SIGINT and SIGTERM with
    // sigtimedwait): a blocked mask survives exec, and the command could not be stopped by SIGTERM.
    const pid_t parent = ::getpid();
    const bool killWithParent = options.killWithParent;
    p.setChildProcessModifier([parent, killWithParent] {
        ::setpgid(0, 0);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (killWithParent) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent) // the parent died before prctl took effect
                ::_exit(137);
        }
    });
    p.start();
    if (!p.waitForStarted(10000))
        return ioError(QStringLiteral("cannot start '%1' in %2: %3").arg(commandLine, options.workDir, p.errorString()));
    CommandResult r;
    r.pid = p.processId();
    if (options.onStarted)
        options.onStarted(r.pid);
    QElapsedTimer timer;
    timer.start();
    qint64 termSentAt = -1;
    while (!p.waitForFinished(50)) {
        if (p.state() == QProcess::NotRunning)
            break;
        const bool cancel = options.cancel && options.cancel->load();
        const bool timeout = options.timeoutMs > 0 && timer.elapsed() > options.timeoutMs;
        if ((cancel || timeout) && termSentAt < 0) {
            r.cancelled = cancel;
            r.timedOut = !cancel && timeout;
            ::kill(-pid_t(r.pid), SIGTERM);
            termSentAt = timer.elapsed();
        } else if (termSentAt >= 0 && timer.elapsed() - termSentAt > options.killGraceMs) {
            ::kill(-pid_t(r.pid), SIGKILL);
        }
    }
    // Anything the command left running in its group goes too.
    ::kill(-pid_t(r.pid), SIGKILL);
    r.crashed = p.exitStatus() == QProcess::CrashExit;
    r.exitCode = p.exitCode();
    return r;
}

QString captureOutput(const QString &program, const QStringList &args, int timeoutMs)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, args);
    if (!p.waitForStarted(timeoutMs))
        return QString();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(1000);
        return QString();
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return QString();
    return QString::fromUtf8(p.readAll()).trimmed();
}

} // namespace orrery::exec
