// orrery-cli run [STAGE…] [--force] [--dry-run]: run the pipeline of dvc.yaml — the command a CI
// job calls. Exit status 1 when a data test or a gate fails (each named, with why), 2 on errors
// (a stage that fails, a bad dvc.yaml, a missing dep, …).
#include "app/cli/cli.h"
#include "app/cli/workspace_job.h" // runJob

#include "core/common/job.h"
#include "core/pipeline/executor.h"
#include "core/stages/pipeline_run.h"
#include "core/vcs/repository.h"
#include "core/vcs/working_state.h"
#include "core/workspace/workspace.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>

#include <QHash>

#include <cstdio>
#include <memory>

namespace orrery::cli {
namespace {

QString symbol(pipeline::StageState s)
{
    using S = pipeline::StageState;
    switch (s) {
    case S::Ran: return QStringLiteral("ran      ");
    case S::Skipped: return QStringLiteral("skipped  ");
    case S::Restored: return QStringLiteral("restored ");
    case S::Frozen: return QStringLiteral("frozen   ");
    case S::WouldRun: return QStringLiteral("would run");
    case S::CheckFailed: return QStringLiteral("FAILED   ");
    case S::Failed: return QStringLiteral("ERROR    ");
    case S::TimedOut: return QStringLiteral("TIMEOUT  ");
    case S::Cancelled: return QStringLiteral("cancelled");
    case S::NotRun: return QStringLiteral("not run  ");
    case S::Pending: return QStringLiteral("running  ");
    }
    return QString();
}

} // namespace

int runRun(const Context &context)
{
    CommandParser cmd(context, QStringLiteral("run"),
                      QStringLiteral("Run the pipeline of dvc.yaml (all stages, or the named ones and what they need), skipping stages whose\n"
                                     "cmd, deps and params are unchanged since dvc.lock. Exit status 1 when a data test or gate fails."));
    cmd.parser().addPositionalArgument(QStringLiteral("STAGE"), QStringLiteral("Stages to run, with their upstream (default: all)."), QStringLiteral("[STAGE…]"));
    cmd.parser().addOption({QStringLiteral("force"), QStringLiteral("Run the selected stages even when nothing changed.")});
    cmd.parser().addOption({QStringLiteral("dry-run"), QStringLiteral("Say what would run and why; change nothing.")});
    cmd.parser().addOption({QStringLiteral("jobs"), QStringLiteral("Stages run at once (default: the number of cores)."), QStringLiteral("N")});
    cmd.parser().addOption({QStringLiteral("timeout"), QStringLiteral("Stop a stage that runs longer than this (default: none)."), QStringLiteral("SECONDS")});
    cmd.parser().addOption({QStringLiteral("no-track"), QStringLiteral("Do not record the run in the workspace's run history.")});
    cmd.addJsonOption();
    int code = 0;
    if (!cmd.parse(&code))
        return code;
    stages::PipelineRunRequest options;
    options.targets = cmd.positional();
    options.force = cmd.isSet(QStringLiteral("force"));
    options.dryRun = cmd.isSet(QStringLiteral("dry-run"));
    options.track = !cmd.isSet(QStringLiteral("no-track"));
    options.holder = QStringLiteral("orrery-cli run");
    // Started by a sweep's trial (core/tune): the pipeline run hangs under the sweep's run.
    options.parentRunId = qEnvironmentVariable("ORRERY_PARENT_RUN_ID");
    if (cmd.isSet(QStringLiteral("jobs"))) {
        bool ok = false;
        options.workers = cmd.value(QStringLiteral("jobs")).toInt(&ok);
        if (!ok || options.workers < 1 || options.workers > 256)
            return cmd.usageError(QStringLiteral("--jobs takes a number from 1 to 256"));
    }
    if (cmd.isSet(QStringLiteral("timeout"))) {
        bool ok = false;
        const double s = cmd.value(QStringLiteral("timeout")).toDouble(&ok);
        if (!ok || s <= 0)
            return cmd.usageError(QStringLiteral("--timeout takes a positive number of seconds"));
        options.stageTimeoutMs = qint64(s * 1000);
    }
    options.cliDir = QCoreApplication::applicationDirPath();
    const bool json = cmd.json();
    // The last job line printed per stage: a scheduler's state is polled, and said once.
    auto jobLines = std::make_shared<QHash<QString, QString>>();
    options.onStage = [json, jobLines](const pipeline::StageReport &r) {
        if (json)
            return;
        if (r.state == pipeline::StageState::Pending) {
            // A stage handed to a scheduler says where it is: queued with the reason, running on a node.
            if (r.executor != QLatin1String("local") && !r.job.id.isEmpty()) {
                if (r.job.finished())
                    return; // the stage's own line follows
                const QString line = QStringLiteral("          %1 %2").arg(r.name, exec::describeJob(r.executor, r.job));
                if (jobLines->value(r.name) == line)
                    return;
                jobLines->insert(r.name, line);
                out(line);
            }
            else if (r.executor != QLatin1String("local"))
                out(QStringLiteral("submit    %1 to %2 (%3)").arg(r.name, r.executor, r.reason));
            else if (r.job.id.isEmpty())
                out(QStringLiteral("running   %1 (%2)").arg(r.name, r.reason));
            else
                return;
        } else {
            QString line = QStringLiteral("%1 %2").arg(symbol(r.state), r.name);
            if (r.state == pipeline::StageState::Ran)
                line += QStringLiteral(" in %1 s").arg(double(r.durationMs) / 1000.0, 0, 'f', 2);
            else if (!r.reason.isEmpty())
                line += QStringLiteral(" (%1)").arg(r.reason);
            out(line);
        }
        std::fflush(stdout);
    };

    QString root;
    {
        auto ws = openWorkspace(context); // its errors name what is wrong with the folder
        if (!ws)
            return fail(ws.status());
        root = (*ws)->root();
    }
    // The same path as the window's editor: lock, stage types, executor and audit entry.
    auto outcome = runJob(QStringLiteral("pipeline"), [&](common::JobContext &job) {
        return stages::runWorkspacePipeline(root, options, &job);
    });
    if (!outcome)
        return fail(outcome.status());
    if (!outcome->audit)
        std::fprintf(stderr, "orrery-cli: warning: the audit log could not record pipeline.run: %s\n",
                     qPrintable(outcome->audit.message()));
    const pipeline::PipelineReport *report = &outcome->report;

    int exit = ExitOk;
    QJsonArray stagesJson;
    int ran = 0, skipped = 0, restored = 0, failed = 0, checks = 0;
    for (const auto &r : report->stages) {
        using S = pipeline::StageState;
        ran += r.state == S::Ran ? 1 : 0;
        skipped += r.state == S::Skipped || r.state == S::Frozen ? 1 : 0;
        restored += r.state == S::Restored ? 1 : 0;
        failed += r.state == S::Failed || r.state == S::TimedOut || r.state == S::Cancelled ? 1 : 0;
        checks += r.state == S::CheckFailed ? 1 : 0;
        stagesJson.append(QJsonObject{{QStringLiteral("name"), r.name},
                                      {QStringLiteral("state"), QString::fromLatin1(pipeline::stageStateName(r.state))},
                                      {QStringLiteral("reason"), r.reason},
                                      {QStringLiteral("findings"), QJsonArray::fromStringList(r.findings)},
                                      {QStringLiteral("duration_ms"), r.durationMs},
                                      {QStringLiteral("run_id"), r.runId},
                                      {QStringLiteral("log"), r.logPath},
                                      {QStringLiteral("executor"), r.executor},
                                      {QStringLiteral("job_id"), r.job.id},
                                      {QStringLiteral("node"), r.job.node}});
    }
    if (checks > 0)
        exit = ExitProblem;
    if (failed > 0 || report->cancelled)
        exit = ExitError;
    // As `dvc repro` does: name the files git should now track — dvc.lock and the .gitignore
    // entries that keep cached outs out of git — so a newcomer's `git status` is not a puzzle.
    QStringList toTrack;
    if (!options.dryRun && (ran > 0 || restored > 0)) {
        if (auto repo = vcs::Repository::initOrOpen(root); repo) {
            if (auto state = vcs::captureWorkingState(**repo, 0); state) {
                for (const QString &path : state->untracked + state->changed)
                    if (path == QLatin1String("dvc.lock") || path.endsWith(QLatin1String(".gitignore")))
                        toTrack << path;
            }
        }
        toTrack.sort();
        toTrack.removeDuplicates();
    }
    if (json) {
        printJson(QJsonObject{{QStringLiteral("run_id"), report->runId},
                              {QStringLiteral("to_track"), QJsonArray::fromStringList(toTrack)},
                              {QStringLiteral("dry_run"), options.dryRun},
                              {QStringLiteral("passed"), exit == ExitOk},
                              {QStringLiteral("stages"), stagesJson}});
    } else {
        out(QStringLiteral("%1: %2 ran, %3 up to date, %4 restored from the cache%5%6%7")
                .arg(options.dryRun ? QStringLiteral("dry run") : QStringLiteral("pipeline"))
                .arg(ran).arg(skipped).arg(restored)
                .arg(checks ? QStringLiteral(", %1 check(s) failed").arg(checks) : QString())
                .arg(failed ? QStringLiteral(", %1 failed").arg(failed) : QString())
                .arg(report->runId.isEmpty() ? QString() : QStringLiteral(" (run %1)").arg(report->runId)));
        if (!toTrack.isEmpty())
            out(QStringLiteral("\nTo track the changes with git, run:\n\n    git add %1\n").arg(toTrack.join(QLatin1Char(' '))));
    }
    // Which checks failed and why, and the errors with their logs: on stderr, for the CI log.
    for (const auto &r : report->stages) {
        if (r.state == pipeline::StageState::CheckFailed) {
            std::fprintf(stderr, "orrery-cli: stage '%s' failed its checks:\n", qPrintable(r.name));
            for (const auto &f : r.findings)
                std::fprintf(stderr, "  - %s\n", f.toUtf8().constData());
        } else if (r.state == pipeline::StageState::Failed || r.state == pipeline::StageState::TimedOut) {
            std::fprintf(stderr, "orrery-cli: stage '%s' failed: %s\n", qPrintable(r.name), r.reason.toUtf8().constData());
            if (!r.logTail.isEmpty())
                std::fprintf(stderr, "  last lines of its log (%s):\n    %s\n", qPrintable(r.logPath),
                             QString(r.logTail).replace(QLatin1Char('\n'), QStringLiteral("\n    ")).toUtf8().constData());
        }
    }
    return exit;
}

} // namespace orrery::cli
