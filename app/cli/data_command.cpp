// orrery-cli data SUBCOMMAND …: data versioning (add, status, checkout, diff, gc, push, pull) and
// data quality (schema, validate, stats). Each subcommand is its own function; this file routes.
#include "app/cli/cli.h"

#include <cstdio>

namespace orrery::cli {

// Declared here, defined in data_*_command(s).cpp.
int runDataAdd(const Context &);
int runDataStatus(const Context &);
int runDataCheckout(const Context &);
int runDataDiff(const Context &);
int runDataGc(const Context &);
int runDataPush(const Context &);
int runDataPull(const Context &);
int runDataRemote(const Context &);
int runDataSchema(const Context &);
int runDataValidate(const Context &);
int runDataStats(const Context &);

namespace {
struct Subcommand {
    const char *name;
    const char *summary;
    int (*run)(const Context &);
};

const Subcommand kSubcommands[] = {
    {"add", "track files or folders: hash, cache, write PATH.dvc", runDataAdd},
    {"status", "what differs from the .dvc files (modified, missing, not in cache)", runDataStatus},
    {"checkout", "restore tracked data from the cache (never overwrites unsaved work)", runDataCheckout},
    {"diff", "data added, removed, modified between two revisions", runDataDiff},
    {"gc", "free cache objects nothing refers to (dry run unless --force)", runDataGc},
    {"push", "copy needed objects to a folder remote", runDataPush},
    {"pull", "fetch needed objects from a folder remote and check out", runDataPull},
    {"remote", "add or list folder remotes (.dvc/config)", runDataRemote},
    {"schema", "infer a CSV file's data tests into a YAML schema beside it", runDataSchema},
    {"validate", "check a CSV file against its schema; exit 1 on violations", runDataValidate},
    {"stats", "per-column statistics of a CSV file (counts, quantiles, top values)", runDataStats},
};

void printDataHelp()
{
    std::printf("Usage: orrery-cli data SUBCOMMAND [ARGS…]\n\nData versioning and data tests.\n\nSubcommands:\n");
    for (const auto &s : kSubcommands)
        std::printf("  %-10s %s\n", s.name, s.summary);
    std::printf("\nRun 'orrery-cli data SUBCOMMAND --help' for its options.\n");
}
} // namespace

int runData(const Context &context)
{
    if (context.args.isEmpty() || context.args.first() == QLatin1String("--help") || context.args.first() == QLatin1String("-h")) {
        printDataHelp();
        return context.args.isEmpty() ? ExitError : ExitOk;
    }
    const QString name = context.args.first();
    for (const auto &s : kSubcommands) {
        if (name == QLatin1String(s.name)) {
            Context sub = context;
            sub.args = context.args.mid(1);
            sub.program = context.program + QStringLiteral(" data");
            return s.run(sub);
        }
    }
    std::fprintf(stderr, "orrery-cli data: unknown subcommand '%s'\nRun 'orrery-cli data --help' for the list.\n", qPrintable(name));
    return ExitError;
}

} // namespace orrery::cli
