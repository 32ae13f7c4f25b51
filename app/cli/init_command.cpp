// orrery-cli init [DIR] and orrery-cli demo DIR (demo replay: demo_replay_command.cpp)
#include "app/cli/cli.h"
#include "app/cli/workspace_job.h"

#include "core/demo/demo_workspace.h"
#include "core/workspace/workspace.h"

#include <QJsonArray>
#include <QJsonObject>

namespace orrery::cli {

int runInit(const Context &context)
{
    CommandParser p(context, QStringLiteral("init"),
                    QStringLiteral("Turn a folder into an Orrery workspace: a git repository (created when there is none),\n"
                                   ".orrery/ with the database and cache, .gitignore entries, and DVC's .dvc/config."));
    p.parser().addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("The folder (default: --workspace or the current folder)."), QStringLiteral("[DIR]"));
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    if (p.positional().size() > 1)
        return p.usageError(QStringLiteral("init takes at most one folder, got %1").arg(p.positional().size()));
    const QString dir = p.positional().isEmpty() ? workspaceRootFor(context) : p.positional().first();

    auto report = workspace::Workspace::init(dir);
    if (!report)
        return fail(report.status());
    if (p.json()) {
        printJson(QJsonObject{{QStringLiteral("root"), report->root},
                              {QStringLiteral("already_workspace"), report->alreadyWorkspace},
                              {QStringLiteral("created_git_repository"), report->createdGitRepository},
                              {QStringLiteral("created"), QJsonArray::fromStringList(report->created)}});
        return ExitOk;
    }
    if (report->alreadyWorkspace) {
        out(QStringLiteral("%1 is already an Orrery workspace; nothing changed.").arg(report->root));
        return ExitOk;
    }
    out(QStringLiteral("Initialized an Orrery workspace in %1").arg(report->root));
    for (const QString &path : report->created)
        out(QStringLiteral("  created %1").arg(path));
    out(QStringLiteral("Open it with: orrery %1").arg(report->root));
    return ExitOk;
}

int runDemoReplay(const Context &context);
int runDemoScenario(const Context &context);

int runDemo(const Context &context)
{
    for (const QString &arg : context.args)
        if (arg == QLatin1String("--scenario") || arg.startsWith(QLatin1String("--scenario=")))
            return runDemoScenario(context);
    if (context.args.value(0) == QLatin1String("replay")) { // a folder named replay: demo ./replay
        Context rest = context;
        rest.args.removeFirst();
        return runDemoReplay(rest);
    }
    CommandParser p(context, QStringLiteral("demo"),
                    QStringLiteral("Create a demo workspace in a new folder: a synthetic card-fraud dataset\n"
                                   "(50,000 transactions, about 1% fraud) and a README.\n"
                                   "`demo replay --endpoint E` replays its traffic to a served endpoint, with delayed labels (demo replay --help).\n"
                                   "`demo DIR --scenario drift|bad-challenger` runs the continuous-training loop's story (demo DIR --scenario drift --help)."));
    p.parser().addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("A new or empty folder."));
    p.parser().addOption({QStringLiteral("rows"), QStringLiteral("Number of transactions (default 50000)."), QStringLiteral("N"), QStringLiteral("50000")});
    p.parser().addOption({QStringLiteral("seed"), QStringLiteral("Seed of the generator (default 42)."), QStringLiteral("SEED"), QStringLiteral("42")});
    p.parser().addOption({QStringLiteral("baseline-trainer"),
                          QStringLiteral("Train with the in-process baseline logistic regression instead of the LibTorch MLP.")});
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    if (p.positional().size() != 1)
        return p.usageError(QStringLiteral("demo needs exactly one folder"));
    bool ok = false;
    demo::DemoOptions options;
    options.rows = p.value(QStringLiteral("rows")).toLongLong(&ok);
    if (!ok || options.rows < 100 || options.rows > 100'000'000)
        return p.usageError(QStringLiteral("--rows must be a whole number from 100 to 100000000, got '%1'").arg(p.value(QStringLiteral("rows"))));
    if (p.isSet(QStringLiteral("baseline-trainer")))
        options.trainer = demo::DemoTrainer::Baseline;
    options.seed = p.value(QStringLiteral("seed")).toULongLong(&ok);
    if (!ok)
        return p.usageError(QStringLiteral("--seed must be a non-negative whole number, got '%1'").arg(p.value(QStringLiteral("seed"))));

    auto created = runJob(QStringLiteral("demo workspace"),
                          [&](common::JobContext &job) { return demo::createDemoWorkspace(p.positional().first(), options, &job); });
    if (!created)
        return fail(created.status());
    const demo::DemoReport &report = *created;
    if (p.json()) {
        printJson(QJsonObject{{QStringLiteral("root"), report.root},
                              {QStringLiteral("dataset"), report.datasetPath},
                              {QStringLiteral("rows"), report.rows},
                              {QStringLiteral("fraud_rows"), report.fraudRows},
                              {QStringLiteral("created"), QJsonArray::fromStringList(report.created)}});
        return ExitOk;
    }
    out(QStringLiteral("Created the demo workspace %1").arg(report.root));
    out(QStringLiteral("  %1: %2 transactions, %3 fraud (%4%)")
            .arg(report.datasetPath)
            .arg(report.rows)
            .arg(report.fraudRows)
            .arg(100.0 * double(report.fraudRows) / double(report.rows), 0, 'f', 2));
    out(QStringLiteral("  README.md: what is in it and what to try"));
    out(QStringLiteral("Open it with: orrery %1").arg(report.root));
    return ExitOk;
}

} // namespace orrery::cli
