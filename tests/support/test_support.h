#pragma once
// The helpers every test uses to set the scene and run programs: files, processes, orrery-cli and
// git. One copy, so that each one checks what it must.
//
// The rule — nothing fails quietly:
// - What a test asks a helper to *do* (write or read a file, run git, start a program and let it
//   finish) either happens or the test executable stops at once with qFatal, naming the command,
//   its exit status and its stderr. A test cannot go on past a set-up step that did not happen.
// - What a test *asserts* — the exit code, stdout and stderr of orrery-cli or of another program —
//   comes back in a ProcessResult, for the test to check with QCOMPARE / QVERIFY. A program that
//   was killed by a signal is reported as crashed (code is kCrashed, never a real exit code), so
//   `QCOMPARE(r.code, 0)` fails on a crash instead of reading a meaningless exit code.
// - A program that cannot be started, or that does not finish within its timeout, is not an
//   outcome: it is killed and the test stops with qFatal.
//
// Threads: every function may be called from any thread (each starts its own QProcess and waits
// on it); qFatal stops the whole process whichever thread calls it.

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <optional>

class QTemporaryDir;

namespace orrery::testing {

// Long enough for a loaded 2-core machine; short enough that a hang ends inside CTest's TIMEOUT.
constexpr int kDefaultProcessTimeoutMs = 120000;

struct ProcessResult {
    static constexpr int kCrashed = -1000; // not an exit status a process can have

    QString command;      // program and arguments, for messages
    int code = kCrashed;  // the exit code; kCrashed when the process was ended by a signal
    bool crashed = false; // ended by a signal (SIGKILL, SIGSEGV, abort…)
    QString out;          // stdout, UTF-8
    QString err;          // stderr, UTF-8

    bool ok() const { return !crashed && code == 0; }
    // "exit 2", or "crashed", for messages.
    QString status() const;
    // Command, status, stdout and stderr in one text, for QVERIFY2 messages.
    QString describe() const;
};

struct ProcessOptions {
    QString workingDirectory;                        // empty: the test's own
    std::optional<QProcessEnvironment> environment;  // nullopt: the test's own
    int timeoutMs = kDefaultProcessTimeoutMs;
    QByteArray input;                                // written to stdin, which is then closed
};

// Runs `program` with `args` to its end. qFatal when it cannot start or outlives its timeout.
ProcessResult run(const QString &program, const QStringList &args, const ProcessOptions &options = {});

// The orrery-cli built beside the tests.
QString cliPath();
// Runs orrery-cli (see run()); its exit code is the caller's to check.
ProcessResult runCli(const QStringList &args, const QString &workingDirectory = QString());
ProcessResult runCli(const QStringList &args, const ProcessOptions &options);

// Runs git (with a fixed identity, no signing, default branch "main", so the machine's config
// cannot change a test's commits) and returns its stdout. qFatal unless git exits 0.
QString git(const QString &workingDirectory, const QStringList &args);
// git, for the few tests that expect it to fail: the result, unchecked.
ProcessResult gitResult(const QString &workingDirectory, const QStringList &args);

// Writes `content` to `path` (creating its folder, replacing the file) and returns `path`.
// qFatal when the file cannot be written in full.
QString writeFile(const QString &path, const QByteArray &content);
// The same for `relativePath` inside `dir`.
QString writeFile(const QTemporaryDir &dir, const QString &relativePath, const QByteArray &content);
// The whole file. qFatal when it cannot be read (a test that expects a file to be absent says
// so with QFile::exists).
QByteArray readFile(const QString &path);

} // namespace orrery::testing
