// orrery-cli train CONFIG.yaml --slurm [--nodes N] [--ntasks-per-node K] [--partition P]
//                 [--cpus-per-task C] [--mem M] [--time T] [train's own options]
//
// Data-parallel training as ONE Slurm job of N × K tasks (core/exec's SlurmExecutor, "Several
// tasks"): each task runs `orrery-cli train CONFIG … --rank "$RANK" --world-size "$WORLD_SIZE"
// --master "$MASTER_ADDR:$MASTER_PORT"`, the variables the batch script sets from Slurm's
// (SLURM_PROCID, SLURM_NTASKS, the allocation's first node, a port from the job id), so the ranks
// meet through the same Gloo rendezvous as --nproc's. No rank opens the workspace's database (the
// nodes may reach it only over NFS): rank 0 journals the run (tagged with the job and its nodes)
// into the job folder, and this process records it when the job ends (run_journal_import.h).
//
// This process only submits and follows: it checks the config and the partition before anything
// is submitted, says on stderr how the job stands as it changes ("queued · slurm job 12 ·
// Resources", "running · slurm job 12 on n1"), copies the job's log (the ranks' stderr) to stderr
// as it grows, prints rank 0's stdout (the summary, or --json's object) when the job ends, and
// exits with the training's status. SIGINT/SIGTERM cancel the job (scancel) and wait for Slurm to
// end it; a second signal leaves at once.
//
// The job's files — the log, each rank's stdout, the batch script's folder — are in one folder
// under the workspace's .orrery/jobs/ (without a workspace, the --output folder's slurm-jobs/),
// which the nodes must share with this machine.

#include "app/cli/cli.h"
#include "app/cli/train_slurm_command.h"

#include "core/common/duration.h"
#include "core/common/job.h"
#include "core/exec/placement.h"
#include "core/exec/slurm_executor.h"
#include "core/tracking/run_journal_import.h"
#include "core/train/run_recorder.h"
#include "core/train/trainer.h"
#include "core/train/trainer_config.h"
#include "core/workspace/workspace.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <atomic>
#include <cstdio>
#include <thread>

namespace orrery::cli {

namespace {

QString shellQuoted(const QString &s)
{
    QString q = s;
    q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

struct SlurmRequest {
    exec::Resources resources;
    qint64 timeLimitMs = 0;
    QStringList forwarded; // train's own arguments, for every task
    QString config;        // the positional CONFIG.yaml, as given
};

// Takes the Slurm options out of `args`; the rest is train's. Usage errors as InvalidArgument.
Result<SlurmRequest> parseSlurmArgs(const QStringList &args)
{
    SlurmRequest r;
    // train's options that take a value, so their value is not mistaken for the config.
    const QStringList trainValued = {QStringLiteral("--resume"), QStringLiteral("--resume-from"), QStringLiteral("--output"), QStringLiteral("--export")};
    const QStringList slurmValued = {QStringLiteral("--nodes"), QStringLiteral("--ntasks-per-node"), QStringLiteral("--partition"),
                                     QStringLiteral("--cpus-per-task"), QStringLiteral("--mem"), QStringLiteral("--time")};
    QMap<QString, QString> slurm;
    for (int i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        const QString name = a.section(QLatin1Char('='), 0, 0);
        if (a == QLatin1String("--slurm"))
            continue;
        if (name == QLatin1String("--nproc") || name == QLatin1String("--rank") || name == QLatin1String("--world-size") || name == QLatin1String("--master"))
            return invalidArgument(QStringLiteral("%1 does not go with --slurm: the job starts its ranks itself (--nodes N --ntasks-per-node K)").arg(name));
        if (slurmValued.contains(name)) {
            QString value;
            if (a.contains(QLatin1Char('=')))
                value = a.section(QLatin1Char('='), 1);
            else if (i + 1 < args.size())
                value = args[++i];
            else
                return invalidArgument(QStringLiteral("%1 needs a value").arg(name));
            slurm.insert(name, value);
            continue;
        }
        r.forwarded << a;
        if (trainValued.contains(a) && i + 1 < args.size()) {
            r.forwarded << args[++i];
        } else if (!a.startsWith(QLatin1Char('-'))) {
            if (!r.config.isEmpty())
                return invalidArgument(QStringLiteral("give exactly one CONFIG.yaml (got '%1' and '%2')").arg(r.config, a));
            r.config = a;
        }
    }
    if (r.config.isEmpty())
        return invalidArgument(QStringLiteral("give the training's CONFIG.yaml (orrery-cli train CONFIG.yaml --slurm …)"));
    auto count = [&](const QString &name, int *out) -> Status {
        if (!slurm.contains(name))
            return Status::ok();
        bool ok = false;
        *out = slurm.value(name).toInt(&ok);
        if (!ok || *out < 1 || *out > 4096)
            return invalidArgument(QStringLiteral("%1 needs a whole number from 1 to 4096, not '%2'").arg(name, slurm.value(name)));
        return Status::ok();
    };
    ORRERY_TRY(count(QStringLiteral("--nodes"), &r.resources.nodes));
    ORRERY_TRY(count(QStringLiteral("--ntasks-per-node"), &r.resources.tasksPerNode));
    ORRERY_TRY(count(QStringLiteral("--cpus-per-task"), &r.resources.cpus));
    r.resources.partition = slurm.value(QStringLiteral("--partition"));
    if (slurm.contains(QStringLiteral("--mem"))) {
        auto mb = exec::parseMemoryMb(slurm.value(QStringLiteral("--mem")));
        if (!mb)
            return mb.status().withContext(QStringLiteral("--mem"));
        r.resources.memoryMb = *mb;
    }
    if (slurm.contains(QStringLiteral("--time"))) {
        const QString t = slurm.value(QStringLiteral("--time"));
        // A bare number is minutes to Slurm and seconds to Orrery's durations: ask for the unit.
        bool bare = false;
        t.toDouble(&bare);
        if (bare)
            return invalidArgument(QStringLiteral("--time %1: give a unit, e.g. %1m or %1s (a bare number means minutes to sbatch and seconds to Orrery)").arg(t));
        auto ms = common::parseDurationMs(t, 365LL * 24 * 3'600'000);
        if (!ms)
            return ms.status().withContext(QStringLiteral("--time"));
        r.timeLimitMs = *ms;
    }
    return r;
}

// Copies what a growing file gains to stderr.
class LogFollower {
public:
    explicit LogFollower(QString path) : m_path(std::move(path)) {}
    void copyNew()
    {
        QFile f(m_path);
        if (!f.open(QIODevice::ReadOnly) || f.size() <= m_offset)
            return;
        f.seek(m_offset);
        const QByteArray more = f.readAll();
        m_offset += more.size();
        std::fwrite(more.constData(), 1, size_t(more.size()), stderr);
        std::fflush(stderr);
    }

private:
    QString m_path;
    qint64 m_offset = 0;
};

void say(const QString &line)
{
    std::fprintf(stderr, "orrery-cli train: %s\n", qPrintable(line));
    std::fflush(stderr);
}

} // namespace

int runTrainOnSlurm(const Context &context)
{
    auto parsed = parseSlurmArgs(context.args);
    if (!parsed)
        return fail(QStringLiteral("train --slurm: ") + parsed.status().message());
    SlurmRequest &r = *parsed;
    const bool several = r.resources.tasks() > 1;

    // Everything that can be wrong with the input, before anything is submitted.
    // (The data is only looked for: reading it whole is the ranks' work, not the submitting machine's.)
    const QString configPath = QDir::current().absoluteFilePath(r.config);
    auto config = train::loadTrainConfig(configPath);
    if (!config)
        return fail(config.status());
    if (Status s = train::validateTrainConfig(*config); !s)
        return fail(s);
    if (!config->data.path.isEmpty() && !QFileInfo(config->data.path).isReadable())
        return fail(QStringLiteral("%1: data.path %2 is not a readable file; the ranks would fail on it (paths are relative to the config's folder)")
                        .arg(configPath, config->data.path));

    // The workspace (found here, its database untouched: rank 0 records the run), or --output.
    QString root;
    if (auto found = workspace::Workspace::findRoot(workspaceRootFor(context)))
        root = *found;
    else if (!context.workspaceDir.isEmpty())
        return fail(found.status());
    const int outputAt = int(r.forwarded.indexOf(QStringLiteral("--output")));
    QString jobRoot;
    if (!root.isEmpty())
        jobRoot = QDir(root).filePath(QStringLiteral(".orrery/jobs"));
    else if (outputAt >= 0 && outputAt + 1 < r.forwarded.size())
        jobRoot = QDir(QDir::current().absoluteFilePath(r.forwarded[outputAt + 1])).filePath(QStringLiteral("slurm-jobs"));
    else
        return fail(QStringLiteral("no workspace here (run orrery-cli init, pass --workspace DIR, or --output DIR to train without tracking)"));
    // One folder per training: the log, each rank's stdout, and the executor's job folder.
    const QString folder = QDir(jobRoot).filePath(QStringLiteral("train-%1-%2").arg(QDateTime::currentMSecsSinceEpoch()).arg(QCoreApplication::applicationPid()));
    if (!QDir().mkpath(folder))
        return fail(QStringLiteral("cannot make the job folder %1").arg(folder));

    exec::JobSpec job;
    job.name = QStringLiteral("train ") + QFileInfo(configPath).completeBaseName();
    job.workDir = QDir::currentPath();
    job.resources = r.resources;
    job.timeoutMs = r.timeLimitMs;
    job.logPath = QDir(folder).filePath(QStringLiteral("log"));
    const QString stdoutPrefix = QDir(folder).filePath(QStringLiteral("stdout-"));

    // Resuming: no rank opens the database on the node (rank 0 journals the run), so the
    // checkpoint is looked up here.
    const int resumeAt = int(r.forwarded.indexOf(QStringLiteral("--resume")));
    if (resumeAt >= 0 && resumeAt + 1 < r.forwarded.size()) {
        if (root.isEmpty())
            return fail(QStringLiteral("resuming run %1 needs the workspace it ran in (--workspace DIR)").arg(r.forwarded[resumeAt + 1]));
        auto ws = workspace::Workspace::open(root);
        if (!ws)
            return fail(ws.status());
        train::TrainRequest lookup;
        lookup.databasePath = (*ws)->databasePath();
        lookup.cacheRoot = (*ws)->cacheDir();
        auto checkpoint = train::RunRecorder::latestCheckpoint(lookup, r.forwarded[resumeAt + 1]);
        if (!checkpoint)
            return fail(checkpoint.status());
        job.env.insert(QStringLiteral("ORRERY_RESUME_CHECKPOINT"), *checkpoint);
    }

    // Each task: this orrery-cli (on the filesystem the nodes share), train's arguments, the rank
    // from the batch script's variables; its stdout into the job folder, its stderr into the log.
    QStringList command = {QStringLiteral("exec"), shellQuoted(QCoreApplication::applicationFilePath()), QStringLiteral("train")};
    for (const QString &a : r.forwarded)
        command << shellQuoted(a);
    if (!root.isEmpty())
        command << QStringLiteral("--workspace") << shellQuoted(root);
    if (several)
        command << QStringLiteral("--rank \"$RANK\" --world-size \"$WORLD_SIZE\" --master \"$MASTER_ADDR:$MASTER_PORT\"");
    command << QStringLiteral(">%1\"${RANK:-0}\"").arg(shellQuoted(stdoutPrefix));
    job.commandLine = command.join(QLatin1Char(' '));

    exec::SlurmOptions options;
    options.jobRoot = folder;
    exec::SlurmExecutor slurm(options);
    // Before the job's thread: the tools and the partition, each error naming the fix.
    if (Status s = slurm.check(job.name, job.resources, job.env); !s)
        return fail(s);

    exec::JobStatus ended;
    const Status ran = runStoppable(
        QStringLiteral("train on Slurm"),
        [&](common::JobContext &ctx) -> Status {
            std::atomic<bool> cancel{false};
            std::atomic<bool> done{false};
            Result<exec::JobStatus> result = internalError(QStringLiteral("the Slurm job was not followed"));
            std::thread follower([&] {
                QString shown; // Slurm's first "Reason=None" adds nothing to the submission's line
                result = slurm.run(job, &cancel, [&shown](const exec::JobStatus &s) {
                    const QString line = exec::describeJob(QStringLiteral("slurm"), s);
                    if (!s.finished() && line != shown)
                        say(line);
                    shown = line;
                });
                done.store(true);
            });
            LogFollower log(job.logPath);
            while (!done.load()) {
                if (ctx.isCancelled())
                    cancel.store(true);
                log.copyNew();
                QThread::msleep(200);
            }
            follower.join();
            log.copyNew();
            if (!result)
                return result.status();
            ended = *result;
            return Status::ok();
        },
        say, QStringLiteral("stopped at once; the Slurm job may still run (scancel it)"));
    if (!ran)
        return fail(ran);

    // Rank 0 journaled the run in the job folder (however the job ended): recorded here.
    if (!root.isEmpty() && !ended.jobDir.isEmpty()) {
        auto ws = workspace::Workspace::open(root);
        if (!ws)
            return fail(ws.status());
        auto imported = tracking::importRunJournal((*ws)->database(), root, ended.jobDir);
        if (!imported)
            return fail(imported.status().withContext(QStringLiteral("recording the run the job journaled")));
        for (const QString &w : imported->warnings)
            say(w);
    }
    say(exec::describeJob(QStringLiteral("slurm"), ended) + (ended.node.isEmpty() ? QString() : QStringLiteral(" · ran on ") + ended.node));
    if (ended.state != exec::JobState::Succeeded) {
        say(QStringLiteral("the job's log: %1").arg(job.logPath));
        if (ended.state == exec::JobState::Failed && ended.exitCode > 0 && ended.exitCode < 128)
            return ended.exitCode;
        return ExitError;
    }
    QFile result(stdoutPrefix + QLatin1Char('0'));
    if (!result.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("the job succeeded but rank 0's output %1 cannot be read: %2").arg(result.fileName(), result.errorString()));
    const QByteArray text = result.readAll();
    std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    std::fflush(stdout);
    return ExitOk;
}

} // namespace orrery::cli
