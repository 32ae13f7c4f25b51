// orrery-cli: the headless front of Orrery. Parses the command line and hands over to a command;
// commands wire core objects and print, nothing else.
#include "app/cli/cli.h"

#include "core/common/clock.h"
#include "core/common/system_info.h"

#include <QCoreApplication>

#include <cstdio>

using namespace orrery;

namespace {

void printHelp()
{
    std::printf("Usage: orrery-cli [--workspace DIR] COMMAND [ARGS…]\n\n"
                "Orrery, the MLOps workbench, from a terminal. Every command takes --help and\n"
                "--workspace DIR (default: the current folder).\n\nCommands:\n");
    for (const auto &c : cli::commands())
        std::printf("  %-10s %s\n", c.name, c.summary);
    std::printf("\nExit status: 0 done; 1 a check found a problem; 2 an error (usage, bad input, I/O).\n"
                "Options:\n  --help     this text\n  --version  versions of Orrery and the libraries it uses\n");
}

void printVersion()
{
    std::printf("orrery-cli %s\n", qPrintable(common::orreryVersion()));
    for (const auto &[name, version] : common::libraryVersions())
        if (name != QLatin1String("Orrery"))
            std::printf("  %-9s %s\n", qPrintable(name), qPrintable(version));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("orrery-cli"));
    QCoreApplication::setApplicationVersion(common::orreryVersion());
    // A scenario's compressed clock (core/common/clock.h): a bad setting stops every command here,
    // before it records a time on the wrong clock.
    if (const Status clock = common::checkClockEnvironment(); !clock) {
        std::fprintf(stderr, "orrery-cli: %s\n", qPrintable(clock.message()));
        return cli::ExitError;
    }

    // --workspace DIR may stand before or after the command; it is taken out here and handed to
    // the command in its Context.
    cli::Context context;
    context.program = QStringLiteral("orrery-cli");
    QStringList args = app.arguments().mid(1);
    QString commandName;
    QStringList rest;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--workspace")) {
            if (i + 1 >= args.size()) {
                std::fprintf(stderr, "orrery-cli: --workspace needs a folder\n");
                return cli::ExitError;
            }
            context.workspaceDir = args[++i];
        } else if (a.startsWith(QLatin1String("--workspace="))) {
            context.workspaceDir = a.mid(12);
        } else if (commandName.isEmpty() && !a.startsWith(QLatin1Char('-'))) {
            commandName = a;
        } else if (commandName.isEmpty() && (a == QLatin1String("--help") || a == QLatin1String("-h"))) {
            printHelp();
            return cli::ExitOk;
        } else if (commandName.isEmpty() && (a == QLatin1String("--version") || a == QLatin1String("-v"))) {
            printVersion();
            return cli::ExitOk;
        } else if (commandName.isEmpty()) {
            std::fprintf(stderr, "orrery-cli: unknown option '%s' before the command\nRun 'orrery-cli --help' for usage.\n", qPrintable(a));
            return cli::ExitError;
        } else {
            rest << a;
        }
    }
    if (context.workspaceDir.isEmpty() && args.contains(QStringLiteral("--workspace=")))
        return cli::fail(QStringLiteral("--workspace needs a folder"));
    if (commandName.isEmpty()) {
        printHelp();
        return cli::ExitError;
    }
    if (commandName == QLatin1String("help")) {
        printHelp();
        return cli::ExitOk;
    }
    context.args = rest;
    for (const auto &c : cli::commands())
        if (commandName == QLatin1String(c.name))
            return c.run(context);
    std::fprintf(stderr, "orrery-cli: unknown command '%s'\nRun 'orrery-cli --help' for the list of commands.\n", qPrintable(commandName));
    return cli::ExitError;
}
