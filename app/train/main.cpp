// orrery-train: the LibTorch half of `orrery-cli train`.
//
// Why a sibling executable: LibTorch's static initialisers cost ~0.65 s at every process start,
// so orrery-cli must not link it (ctest cli_links_no_gui_or_torch). `orrery-cli train …` execs
// this program, found next to orrery-cli, with the same arguments — simpler than a dlopen'd
// module (no plugin ABI, no symbol visibility games) and the exit status, stdout and stderr are
// the user's directly. The pipeline's train stage can run `orrery-cli train CONFIG.yaml` as a
// subprocess, or call core/train/trainer.h in process.
//
//   orrery-train CONFIG.yaml [--workspace DIR] [--json] [--resume RUN_ID | --resume-from FILE]
//                [--output DIR] [--export DIR] [--nproc N | --rank R --world-size W --master HOST:PORT]
//   orrery-train predict MODEL.pt --input X.csv --output Y.csv        (batch_predict.h)
//
// --export DIR also writes the trained model to DIR/model.pt when the run is tracked: the out of
// a pipeline's train stage, which evaluate and later stages read as a file.
//
// --nproc N starts N ranks of itself on this machine (like torchrun --nproc-per-node) with a
// free port on 127.0.0.1 and waits for them; rank 0 records the run and prints the result.
// Without --rank/--world-size/--master, torchrun's variables RANK, WORLD_SIZE, MASTER_ADDR and
// MASTER_PORT (all four) say the same: how a task that Slurm started (core/exec's SlurmExecutor,
// several tasks) joins the others without a command line of its own.
//
// Only rank 0 opens the workspace's database (it records the run); the other ranks may run on
// other machines, where SQLite's WAL and locks over NFS are unsafe (DESIGN.md, "Processes"), so
// they only find the workspace's folder. Resuming, they take the checkpoint from
// ORRERY_RESUME_CHECKPOINT, which whoever started them (--nproc here, `train --slurm`) resolved.
// In a job on another node (ORRERY_JOB_DIR set: core/exec's Slurm and Kubernetes executors) rank 0
// does not open it either: it journals the run into the job folder (core/train/run_recorder.h),
// and the process that submitted the job records it there; resuming, the checkpoint comes in
// ORRERY_RESUME_CHECKPOINT as for the other ranks.
// On Slurm, the run is tagged with the job (orrery.executor, orrery.job_id, orrery.node).
// Exit status: 0 trained; 2 bad input, I/O, a diverged run or a cancel (message on stderr).

#include "app/train/batch_predict.h"
#include "core/common/atomic_file.h"
#include "core/common/clock.h"
#include "core/common/job.h"
#include "core/exec/executor.h"
#include "core/exec/report_channel.h"
#include "core/train/run_recorder.h"
#include "core/train/trainer.h"
#include "core/workspace/workspace.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QTcpServer>

#include <atomic>
#include <cmath>
#include <optional>
#include <csignal>
#include <cstdio>
#include <unistd.h>

using namespace orrery;

namespace {

std::atomic<int> g_interrupts{0};
std::atomic<bool> g_stopReports{false}; // a trial waiting for its verdict stops waiting on a signal
void onInterrupt(int)
{
    g_stopReports.store(true);
    if (g_interrupts.fetch_add(1) >= 1)
        _exit(130);
}

int fail(const QString &message)
{
    std::fprintf(stderr, "orrery-cli train: %s\n", qPrintable(message));
    return 2;
}

int freePort()
{
    QTcpServer s;
    if (!s.listen(QHostAddress::LocalHost, 0))
        return 0;
    return s.serverPort();
}

// Runs N ranks of this program and waits; the first failure ends the others. `resumeCheckpoint`:
// resuming, the checkpoint the ranks other than 0 start from (they open no database).
int launch(const QStringList &forwarded, int nproc, const QString &resumeCheckpoint)
{
    const int port = freePort();
    if (port == 0)
        return fail(QStringLiteral("no free TCP port on 127.0.0.1 for the rendezvous"));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (!resumeCheckpoint.isEmpty())
        env.insert(QStringLiteral("ORRERY_RESUME_CHECKPOINT"), resumeCheckpoint);
    std::vector<std::unique_ptr<QProcess>> ranks;
    for (int r = 0; r < nproc; ++r) {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(env);
        p->setProgram(QCoreApplication::applicationFilePath());
        p->setArguments(forwarded + QStringList{QStringLiteral("--rank"), QString::number(r), QStringLiteral("--world-size"),
                                                QString::number(nproc), QStringLiteral("--master"),
                                                QStringLiteral("127.0.0.1:%1").arg(port)});
        // Rank 0 speaks for the run; the others' output would only repeat it.
        p->setProcessChannelMode(r == 0 ? QProcess::ForwardedChannels : QProcess::ForwardedErrorChannel);
        if (r != 0)
            p->setStandardOutputFile(QProcess::nullDevice());
        p->start();
        if (!p->waitForStarted(10000))
            return fail(QStringLiteral("could not start rank %1: %2").arg(r).arg(p->errorString()));
        ranks.push_back(std::move(p));
    }
    int worst = 0;
    int running = nproc;
    std::vector<bool> done(size_t(nproc), false);
    while (running > 0) {
        for (int r = 0; r < nproc; ++r) {
            if (done[size_t(r)])
                continue;
            if (ranks[size_t(r)]->waitForFinished(50) || ranks[size_t(r)]->state() == QProcess::NotRunning) {
                done[size_t(r)] = true;
                --running;
                const int code = ranks[size_t(r)]->exitStatus() == QProcess::NormalExit ? ranks[size_t(r)]->exitCode() : 2;
                if (code != 0 && worst == 0) {
                    worst = code;
                    for (auto &other : ranks)
                        if (other->state() != QProcess::NotRunning)
                            other->terminate();
                }
            }
        }
        if (g_interrupts.load() > 0)
            for (auto &p : ranks)
                if (p->state() != QProcess::NotRunning)
                    p->terminate();
    }
    return worst;
}

// The workspace: --workspace, or the current folder's (or a parent's); empty when there is none.
QString workspaceRootFor(const QCommandLineParser &parser)
{
    if (parser.isSet(QStringLiteral("workspace")))
        return QDir(parser.value(QStringLiteral("workspace"))).absolutePath();
    auto found = workspace::Workspace::findRoot(QDir::currentPath());
    return found ? *found : QString();
}

// torchrun's rendezvous variables, when all four are set (a task Slurm started for
// SlurmExecutor); false with an error in `failure` when they are set but not numbers.
bool distributedFromEnvironment(train::DistributedConfig *d, QString *failure)
{
    const char *names[] = {"RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"};
    for (const char *name : names)
        if (qEnvironmentVariableIsEmpty(name))
            return false;
    bool rankOk = false, worldOk = false, portOk = false;
    d->rank = qEnvironmentVariable("RANK").toInt(&rankOk);
    d->worldSize = qEnvironmentVariable("WORLD_SIZE").toInt(&worldOk);
    d->masterPort = qEnvironmentVariable("MASTER_PORT").toInt(&portOk);
    d->masterHost = qEnvironmentVariable("MASTER_ADDR");
    if (!rankOk || !worldOk || !portOk)
        *failure = QStringLiteral("RANK=%1, WORLD_SIZE=%2 and MASTER_PORT=%3 must be whole numbers (torchrun's variables, "
                                  "which Orrery's Slurm jobs set; or give --rank/--world-size/--master)")
                       .arg(qEnvironmentVariable("RANK"), qEnvironmentVariable("WORLD_SIZE"), qEnvironmentVariable("MASTER_PORT"));
    return true;
}

// Run `runId`'s latest checkpoint in the workspace at `root`, for ranks that open no database.
Result<QString> resumeCheckpoint(const QString &root, const QString &runId)
{
    if (root.isEmpty())
        return invalidArgument(QStringLiteral("resuming run %1 needs the workspace it ran in (--workspace DIR)").arg(runId));
    ORRERY_ASSIGN_OR_RETURN(auto ws, workspace::Workspace::open(root));
    train::TrainRequest lookup;
    lookup.databasePath = ws->databasePath();
    lookup.cacheRoot = ws->cacheDir();
    return train::RunRecorder::latestCheckpoint(lookup, runId);
}

void printSummary(const train::TrainOutcome &o)
{
    std::printf("trained: %lld steps, %d epochs%s\n", static_cast<long long>(o.steps), o.epochs,
                o.stoppedEarly ? qPrintable(QStringLiteral(" (stopped early; best epoch %1)").arg(o.bestEpoch)) : "");
    if (!o.runId.isEmpty())
        std::printf("run: %s\n", qPrintable(o.runId));
    if (!o.modelArtifact.isEmpty())
        std::printf("model: %s\n", qPrintable(o.modelArtifact));
    else if (!o.modelPath.isEmpty())
        std::printf("model: %s\n", qPrintable(o.modelPath));
    for (auto it = o.validation.overall.begin(); it != o.validation.overall.end(); ++it)
        std::printf("validation %s: %.6g\n", qPrintable(it.key()), it.value());
    for (auto it = o.test.overall.begin(); it != o.test.overall.end(); ++it)
        std::printf("test %s: %.6g\n", qPrintable(it.key()), it.value());
}

int trainerMain(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // The compressed clock (core/common/clock.h) a pipeline run hands on: checked first.
    if (const Status clock = common::checkClockEnvironment(); !clock)
        return fail(clock.message());
    if (argc > 1 && qstrcmp(argv[1], "predict") == 0) {
        QStringList arguments = app.arguments();
        arguments.removeAt(1);
        return runBatchPredict(arguments);
    }
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Train a model from a YAML config (see core/train/trainer_config.h for its keys)."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("CONFIG"), QStringLiteral("the training config (YAML)"));
    parser.addOptions({
        {QStringLiteral("workspace"), QStringLiteral("the workspace (default: the current folder or a parent)"), QStringLiteral("DIR")},
        {QStringLiteral("json"), QStringLiteral("print the outcome as one JSON object")},
        {QStringLiteral("resume"), QStringLiteral("continue run RUN_ID from its latest checkpoint"), QStringLiteral("RUN_ID")},
        {QStringLiteral("resume-from"), QStringLiteral("continue from this checkpoint file"), QStringLiteral("FILE")},
        {QStringLiteral("output"), QStringLiteral("without a workspace: where the model and checkpoints go"), QStringLiteral("DIR")},
        {QStringLiteral("export"), QStringLiteral("also write the trained model to DIR/model.pt (a pipeline stage's out)"), QStringLiteral("DIR")},
        {QStringLiteral("nproc"), QStringLiteral("start N data-parallel ranks on this machine"), QStringLiteral("N")},
        {QStringLiteral("rank"), QStringLiteral("this process's rank (with --world-size and --master)"), QStringLiteral("R")},
        {QStringLiteral("world-size"), QStringLiteral("how many ranks train together"), QStringLiteral("W")},
        {QStringLiteral("master"), QStringLiteral("rank 0's rendezvous address"), QStringLiteral("HOST:PORT")},
    });
    if (!parser.parse(app.arguments())) {
        std::fprintf(stderr, "orrery-cli train: %s\n%s", qPrintable(parser.errorText()), qPrintable(parser.helpText()));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        std::printf("Usage: orrery-cli train CONFIG.yaml [--nproc N | --rank R --world-size W --master HOST:PORT]\n"
                    "       orrery-cli train CONFIG.yaml --slurm [--nodes N] [--ntasks-per-node K] [--partition P]\n"
                    "                        [--cpus-per-task C] [--mem M] [--time T]   (one Slurm job of N x K ranks)\n\n%s",
                    qPrintable(parser.helpText().section(QLatin1Char('\n'), 1)));
        return 0;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return fail(QStringLiteral("give exactly one CONFIG.yaml (orrery-cli train --help)"));

    struct sigaction action = {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);

    auto intOption = [&](const QString &name, int *out) {
        bool ok = false;
        *out = parser.value(name).toInt(&ok);
        return ok;
    };
    if (parser.isSet(QStringLiteral("nproc"))) {
        int nproc = 0;
        if (!intOption(QStringLiteral("nproc"), &nproc) || nproc < 1 || nproc > 256)
            return fail(QStringLiteral("--nproc needs a number of processes between 1 and 256"));
        if (parser.isSet(QStringLiteral("rank")) || parser.isSet(QStringLiteral("world-size")) || parser.isSet(QStringLiteral("master")))
            return fail(QStringLiteral("--nproc starts the ranks itself; give either --nproc or --rank/--world-size/--master"));
        if (nproc > 1) {
            QStringList forwarded = app.arguments().mid(1);
            const int at = int(forwarded.indexOf(QStringLiteral("--nproc")));
            if (at >= 0)
                forwarded.remove(at, 2);
            else
                forwarded.removeIf([](const QString &a) { return a.startsWith(QLatin1String("--nproc=")); });
            QString checkpoint = qEnvironmentVariable("ORRERY_RESUME_CHECKPOINT");
            if (parser.isSet(QStringLiteral("resume")) && qEnvironmentVariableIsEmpty(exec::kJobDirVariable)) {
                auto found = resumeCheckpoint(workspaceRootFor(parser), parser.value(QStringLiteral("resume")));
                if (!found)
                    return fail(found.status().message());
                checkpoint = *found;
            }
            return launch(forwarded, nproc, checkpoint);
        }
    }

    train::TrainRequest request;
    auto config = train::loadTrainConfig(positional.first());
    if (!config)
        return fail(config.status().message());
    request.config = *config;
    if (parser.isSet(QStringLiteral("world-size")) || parser.isSet(QStringLiteral("rank")) || parser.isSet(QStringLiteral("master"))) {
        auto &d = request.distributed;
        if (!intOption(QStringLiteral("world-size"), &d.worldSize) || !intOption(QStringLiteral("rank"), &d.rank))
            return fail(QStringLiteral("--rank and --world-size need whole numbers (and go together with --master HOST:PORT)"));
        const QString master = parser.value(QStringLiteral("master"));
        const int colon = int(master.lastIndexOf(QLatin1Char(':')));
        bool ok = false;
        d.masterPort = colon > 0 ? master.mid(colon + 1).toInt(&ok) : 0;
        if (!ok || colon <= 0)
            return fail(QStringLiteral("--master needs HOST:PORT (rank 0's address), e.g. 127.0.0.1:29500"));
        d.masterHost = master.left(colon);
    } else if (QString failure; distributedFromEnvironment(&request.distributed, &failure)) {
        if (!failure.isEmpty())
            return fail(failure);
    }
    const int rank = request.distributed.rank;
    // Started by Slurm: the run says which job and nodes trained it.
    if (!qEnvironmentVariableIsEmpty("SLURM_JOB_ID"))
        request.tags = {{QStringLiteral("orrery.executor"), QStringLiteral("slurm")},
                        {QStringLiteral("orrery.job_id"), qEnvironmentVariable("SLURM_JOB_ID")},
                        {QStringLiteral("orrery.node"), qEnvironmentVariable("SLURM_JOB_NODELIST")}};

    // The workspace: --workspace, or the current folder's; none is fine with --output. Only rank 0
    // opens its database (see the top of this file).
    const QString root = workspaceRootFor(parser);
    const QString jobDir = qEnvironmentVariable(exec::kJobDirVariable);
    std::unique_ptr<workspace::Workspace> ws;
    if (rank == 0 && !jobDir.isEmpty() && !root.isEmpty()) {
        // A job on another node: the run goes into the job folder's journal.
        request.workspaceRoot = root;
        request.jobDir = jobDir;
        request.workRoot = QDir(jobDir).filePath(QStringLiteral("train"));
        if (parser.isSet(QStringLiteral("resume")))
            request.resumeFrom = qEnvironmentVariable("ORRERY_RESUME_CHECKPOINT");
    } else if (rank != 0) {
        request.workspaceRoot = root;
        if (parser.isSet(QStringLiteral("resume"))) {
            request.resumeFrom = qEnvironmentVariable("ORRERY_RESUME_CHECKPOINT");
            if (request.resumeFrom.isEmpty())
                return fail(QStringLiteral("rank %1 cannot look run %2's checkpoint up: only rank 0 opens the workspace's database. "
                                           "Start the ranks with --nproc or `train --slurm` (they pass it on), or give every rank "
                                           "--resume-from CHECKPOINT")
                                .arg(rank).arg(parser.value(QStringLiteral("resume"))));
        }
    } else if (!root.isEmpty()) {
        auto opened = workspace::Workspace::open(root);
        if (!opened)
            return fail(opened.status().message());
        ws = std::move(*opened);
        request.workspaceRoot = ws->root();
        request.databasePath = ws->databasePath();
        request.workRoot = ws->tempDir() + QStringLiteral("/train");
        request.cacheRoot = ws->cacheDir();
    } else if (!parser.isSet(QStringLiteral("output"))) {
        return fail(QStringLiteral("no workspace here (run orrery-cli init, pass --workspace DIR, or --output DIR to train without tracking)"));
    }
    request.outputDir = parser.isSet(QStringLiteral("output")) ? QDir(parser.value(QStringLiteral("output"))).absolutePath() : QString();
    if (rank == 0)
        request.resumeRunId = parser.value(QStringLiteral("resume"));
    // Started by a pipeline's command stage: the run hangs under that stage's run (and so under
    // the pipeline run), which is how a registered model's lineage finds the pipeline.
    request.parentRunId = qEnvironmentVariable("ORRERY_PARENT_RUN_ID");
    if (parser.isSet(QStringLiteral("resume-from")))
        request.resumeFrom = parser.value(QStringLiteral("resume-from"));
    if (parser.isSet(QStringLiteral("resume")) && parser.isSet(QStringLiteral("resume-from")))
        return fail(QStringLiteral("give --resume RUN_ID or --resume-from FILE, not both"));

    // A sweep's trial: each epoch's validation metrics go to the sweep's controller, whose pruner
    // may stop the training there (core/exec/report_channel.h).
    const std::optional<exec::ReportWriter> reporter = exec::ReportWriter::fromEnvironment();
    if (reporter)
        request.onEpoch = [&reporter](int epoch, const QMap<QString, double> &validation) {
            QJsonObject values;
            for (auto it = validation.begin(); it != validation.end(); ++it)
                values.insert(it.key(), std::isfinite(it.value()) ? QJsonValue(it.value()) : QJsonValue());
            return reporter->report(epoch, values, &g_stopReports) == exec::Verdict::Continue;
        };

    // Every check on the input happens here, before the training thread exists.
    auto prepared = train::prepareTraining(request);
    if (!prepared)
        return fail(prepared.status().message());

    Result<train::TrainOutcome> outcome = internalError(QStringLiteral("training did not run"));
    common::Job job(QStringLiteral("train"), [&](common::JobContext &ctx) {
        outcome = train::runTraining(**prepared, &ctx);
        return outcome.isOk() ? Status::ok() : outcome.status();
    });
    job.start();
    // On a terminal the progress line is rewritten in place; into a file or a pipe (a pipeline's
    // stage log, which the editor reads for the node's percentage) a whole line every 2 s at most.
    const bool tty = isatty(fileno(stderr));
    qint64 lastShown = -1;
    QElapsedTimer sinceLine;
    sinceLine.start();
    while (!job.wait(200)) {
        if (g_interrupts.load() > 0)
            job.cancel();
        if (job.progressTotal() <= 0 || job.progressDone() == lastShown || (!tty && sinceLine.elapsed() < 2000))
            continue;
        lastShown = job.progressDone();
        sinceLine.restart();
        std::fprintf(stderr, tty ? "\r%s  step %lld/%lld " : "%s  step %lld/%lld\n", qPrintable(job.progressText()),
                     static_cast<long long>(lastShown), static_cast<long long>(job.progressTotal()));
        if (!tty)
            std::fflush(stderr);
    }
    if (tty && lastShown >= 0)
        std::fprintf(stderr, "\n");
    if (!outcome) {
        if (reporter)
            (void)reporter->writeResult(QJsonObject{{QStringLiteral("error"), outcome.status().message()}});
        return fail(outcome.status().message());
    }
    if (request.distributed.rank != 0)
        return 0;
    if (reporter)
        (void)reporter->writeResult(outcome->toJson());
    if (parser.isSet(QStringLiteral("export"))) {
        QFile model(outcome->modelPath);
        if (!model.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read the trained model %1: %2").arg(outcome->modelPath, model.errorString()));
        const QString dir = parser.value(QStringLiteral("export"));
        if (!QDir().mkpath(dir))
            return fail(QStringLiteral("cannot create %1").arg(dir));
        if (const Status s = common::writeFileAtomically(dir + QStringLiteral("/model.pt"), model.readAll()); !s)
            return fail(s.message());
    }
    if (parser.isSet(QStringLiteral("json")))
        std::printf("%s\n", QJsonDocument(outcome->toJson()).toJson(QJsonDocument::Compact).constData());
    else
        printSummary(*outcome);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    // Every object of the run — the workspace's database, the run's metric writer, the training —
    // is closed when trainerMain returns; what it writes is on disk by then.
    const int code = trainerMain(argc, argv);
    std::fflush(nullptr);
    // Then leave without running static destructors: LibTorch's tear down its thread pools while
    // their threads are still ending, and about one exit in a hundred aborted in malloc
    // (`malloc_consolidate(): invalid chunk size` as a pool thread freed its cache during
    // __cxa_finalize) — after the run had finished and said so. Nothing of ours needs them.
    std::_Exit(code);
}
