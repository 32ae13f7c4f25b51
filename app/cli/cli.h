#pragma once
// Shared plumbing of orrery-cli's commands: argument parsing with --help on every command,
// the --workspace option, exit codes, --json output, and running long work as a Job with a
// progress bar on a terminal and Ctrl-C to cancel.
//
// Exit status (docs/architecture.md, "The command line"): 0 done; 1 a check found a problem; 2 an error (usage, bad input, I/O).

#include "core/common/status.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace orrery::common {
class JobContext;
}
namespace orrery::workspace {
class Workspace;
}

namespace orrery::cli {

enum Exit { ExitOk = 0, ExitProblem = 1, ExitError = 2 };

struct Context {
    QString program;       // "orrery-cli"
    QString workspaceDir;  // from --workspace, empty for "the current folder"
    QStringList args;      // the command's own arguments, after its name
};

struct Command {
    const char *name;
    const char *summary;
    std::function<int(const Context &)> run;
};

const std::vector<Command> &commands();

// A parser for `orrery-cli NAME`, with --help and --workspace already added. parseOrExit prints
// usage errors and --help itself; it returns false when the command should end with `exitCode`.
class CommandParser {
public:
    CommandParser(const Context &context, const QString &command, const QString &description);
    QCommandLineParser &parser() { return m_parser; }
    void addJsonOption();
    bool parse(int *exitCode);
    bool json() const { return m_json && m_parser.isSet(QStringLiteral("json")); }
    QStringList positional() const { return m_parser.positionalArguments(); }
    QString value(const QString &name) const { return m_parser.value(name); }
    bool isSet(const QString &name) const { return m_parser.isSet(name); }
    int usageError(const QString &message) const;

private:
    const Context &m_context;
    QString m_command;
    QCommandLineParser m_parser;
    bool m_json = false;
};

// Prints "orrery-cli: <message>" to stderr and returns ExitError.
int fail(const Status &status);
int fail(const QString &message);
void out(const QString &text); // a line on stdout
void printJson(const QJsonValue &value);

// The workspace for --workspace (or the current folder, searching upward).
Result<std::unique_ptr<workspace::Workspace>> openWorkspace(const Context &context);
QString workspaceRootFor(const Context &context); // --workspace or the current folder, absolute

// Records a state change in the workspace's audit log; a failure to record is a warning on
// stderr (the change itself already happened).
void recordAudit(workspace::Workspace &ws, const QString &action, const QString &target, const QJsonObject &details);

// Runs `work` as a Job: a progress bar on stderr when it is a terminal and the work takes over a
// second; Ctrl-C cancels the job (a second Ctrl-C ends the process).
Status runWithProgress(const QString &title, const std::function<Status(common::JobContext &)> &work);

// Runs `work` as a Job that SIGINT and SIGTERM stop cleanly, for long-running commands (ct run,
// tune): the first signal cancels the job (said through `log`), a second ends the process at once
// (`atOnce` said, exit 1). The signals are blocked before the job's thread starts and taken by
// sigtimedwait(), never by a handler, so every thread inherits the mask.
Status runStoppable(const QString &title, const std::function<Status(common::JobContext &)> &work,
                    const std::function<void(const QString &)> &log, const QString &atOnce);

// Replaces this process with orrery-train (LibTorch's half, next to orrery-cli; see
// app/train/main.cpp) run with `args`: returns only when it cannot be started. `command` names
// the orrery-cli command in the error.
int execTrainer(const QString &command, const QStringList &args);
// The same for any LibTorch executable beside orrery-cli (orrery-train, orrery-serve).
int execSibling(const QString &command, const QString &executable, const QStringList &args);

} // namespace orrery::cli
