#pragma once
// Runs a stage's shell command as a process: /bin/sh -c CMD in the stage's folder, stdout and
// stderr captured into the stage's log (interleaved as written), in a process group of its own so
// that a cancel or a timeout kills the whole tree (the shell and whatever it started), not only
// the shell: SIGTERM, then SIGKILL after a grace period.
//
// The one primitive under LocalExecutor (executor.h) and short helper commands.
//
// Threads: runCommand() blocks its calling thread; `cancel` may be set from
// any thread.

#include "core/common/status.h"

#include <QProcessEnvironment>
#include <QString>

#include <atomic>
#include <functional>

namespace orrery::exec {

struct CommandResult {
    int exitCode = 0;
    bool crashed = false;   // ended by a signal
    bool timedOut = false;
    bool cancelled = false;
    qint64 pid = 0;
};

struct CommandOptions {
    QString workDir;
    QString logPath;             // appended to
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    qint64 timeoutMs = 0;        // 0: none
    int killGraceMs = 2000;
    const std::atomic<bool> *cancel = nullptr;
    // The process is killed (SIGKILL) when the thread that started it ends — above all when this
    // process is killed: a sweep's trial must not outlive its controller. Only the command's own
    // process gets it (a shell's children do not): start it with `exec`.
    bool killWithParent = false;
    // Called on the running thread once the process has started, with its pid.
    std::function<void(qint64 pid)> onStarted;
};

// The process could not start (no shell, bad folder): an error; otherwise what happened.
Result<CommandResult> runCommand(const QString &commandLine, const CommandOptions &options);

// Output of a short command (an interpreter's --version), "" when it fails; at most `timeoutMs`.
QString captureOutput(const QString &program, const QStringList &args, int timeoutMs = 10000);

} // namespace orrery::exec
