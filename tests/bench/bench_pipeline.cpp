// bench pipeline: what the executor itself costs.
//   bench_pipeline WORKDIR [CLI]
// - per no-op stage: a chain of 100 stages whose work is nothing (a built-in no-op, in-process),
//   run untracked and tracked (each stage a child run with its manifest); and a chain of 100
//   `true` command stages (a process each).
// - a 200-stage pipeline with everything up to date: the time to decide there is nothing to do,
//   in-process (untracked, tracked) and as `orrery-cli run` (a whole process, when CLI is given).
// Prints `bench NAME VALUE UNIT` lines. Median of 5 runs each.
#include "core/pipeline/executor.h"
#include "core/store/database.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace orrery;
using namespace orrery::pipeline;

namespace {

[[noreturn]] void die(const Status &s)
{
    std::fprintf(stderr, "bench_pipeline: %s\n", qPrintable(s.message()));
    std::exit(2);
}

void write(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        die(ioError(path));
    f.write(bytes);
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

std::unique_ptr<store::Database> openDb(const QString &root)
{
    store::OpenOptions o;
    o.create = true;
    QDir().mkpath(root + QStringLiteral("/.orrery"));
    auto db = store::Database::open(root + QStringLiteral("/.orrery/orrery.db"), o);
    if (!db)
        die(db.status());
    return std::move(*db);
}

// Runs the pipeline in `root`; milliseconds.
double runOnce(const QString &root, store::Database &db, const StageRegistry &registry, bool track, bool force, int expectRan)
{
    ExecutorOptions o;
    o.registry = &registry;
    o.track = track;
    o.force = force;
    o.workers = 2;
    Executor e(root, db, o);
    QElapsedTimer t;
    t.start();
    auto r = e.run();
    const double ms = double(t.nsecsElapsed()) / 1e6;
    if (!r)
        die(r.status());
    int ran = 0;
    for (const auto &s : r->stages) {
        if (s.state == StageState::Ran)
            ++ran;
        else if (s.state != StageState::Skipped)
            die(internalError(QStringLiteral("stage %1 ended %2: %3").arg(s.name, QString::fromLatin1(stageStateName(s.state)), s.reason)));
    }
    if (expectRan >= 0 && ran != expectRan)
        die(internalError(QStringLiteral("expected %1 stages to run, %2 did").arg(expectRan).arg(ran)));
    return ms;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList a = app.arguments();
    if (a.size() < 2) {
        std::fprintf(stderr, "usage: bench_pipeline WORKDIR [ORRERY_CLI]\n");
        return 2;
    }
    const QString work = QDir(a[1]).absolutePath();
    const QString cliPath = a.size() > 2 ? QFileInfo(a[2]).absoluteFilePath() : QString();
    QDir(work).removeRecursively();
    StageRegistry registry;
    StageType noop;
    noop.name = QStringLiteral("noop");
    noop.summary = QStringLiteral("does nothing");
    registry.add(noop, [](StageContext &) { return Status::ok(); });

    // 1. Overhead per no-op stage: a chain of 100 (each waits for the one before).
    constexpr int kChain = 100;
    {
        const QString root = work + QStringLiteral("/chain-builtin");
        QByteArray yaml = "stages:\n";
        for (int i = 0; i < kChain; ++i)
            yaml += QStringLiteral("  s%1:\n    cmd: orrery-cli stage noop\n").arg(i).toUtf8();
        write(root + QStringLiteral("/dvc.yaml"), yaml);
        auto db = openDb(root);
        std::vector<double> untracked, tracked;
        for (int k = 0; k < 5; ++k)
            untracked.push_back(runOnce(root, *db, registry, false, true, kChain) / kChain);
        for (int k = 0; k < 5; ++k)
            tracked.push_back(runOnce(root, *db, registry, true, true, kChain) / kChain);
        std::printf("bench pipeline_noop_stage_overhead %.3f ms\n", median(untracked));
        std::printf("bench pipeline_noop_stage_overhead_tracked %.3f ms\n", median(tracked));
    }
    {
        const QString root = work + QStringLiteral("/chain-command");
        QByteArray yaml = "stages:\n";
        for (int i = 0; i < kChain; ++i)
            yaml += QStringLiteral("  s%1:\n    cmd: 'true'\n").arg(i).toUtf8();
        write(root + QStringLiteral("/dvc.yaml"), yaml);
        auto db = openDb(root);
        std::vector<double> v;
        for (int k = 0; k < 5; ++k)
            v.push_back(runOnce(root, *db, registry, false, true, kChain) / kChain);
        std::printf("bench pipeline_true_command_stage %.3f ms\n", median(v));
    }

    // 2. 200 stages, each reading a source file and the previous stage's out, all up to date.
    constexpr int kStages = 200;
    const QString root = work + QStringLiteral("/cached-200");
    {
        QByteArray yaml = "stages:\n";
        for (int i = 0; i < kStages; ++i) {
            write(root + QStringLiteral("/src/in%1.txt").arg(i), QByteArray(1024, char('a' + i % 26)));
            yaml += QStringLiteral("  s%1:\n    cmd: 'true'\n    deps:\n    - src/in%1.txt\n").arg(i).toUtf8();
            if (i > 0)
                yaml += QStringLiteral("    - out/o%1.txt\n").arg(i - 1).toUtf8();
            yaml += QStringLiteral("    outs:\n    - out/o%1.txt:\n        persist: true\n").arg(i).toUtf8();
            write(root + QStringLiteral("/out/o%1.txt").arg(i), QByteArray::number(i));
        }
        write(root + QStringLiteral("/dvc.yaml"), yaml);
    }
    if (a.size() > 2) {
        // A real workspace (git, .dvc/config), so `orrery-cli run` below sees what the executor does.
        QProcess init;
        init.start(cliPath, {QStringLiteral("init"), root});
        init.waitForFinished(60000);
        if (init.exitCode() != 0)
            die(internalError(QString::fromUtf8(init.readAllStandardError())));
    }
    auto db = openDb(root);
    runOnce(root, *db, registry, false, false, kStages); // fills dvc.lock, the cache and the stat cache
    std::vector<double> untracked, tracked;
    for (int k = 0; k < 5; ++k)
        untracked.push_back(runOnce(root, *db, registry, false, false, 0));
    for (int k = 0; k < 5; ++k)
        tracked.push_back(runOnce(root, *db, registry, true, false, 0));
    std::printf("bench pipeline_200_cached_nothing_to_do %.1f ms\n", median(untracked));
    std::printf("bench pipeline_200_cached_nothing_to_do_tracked %.1f ms\n", median(tracked));
    db.reset();
    if (a.size() > 2) {
        // The whole command as CI runs it (process start, workspace open, tracked run, audit).
        for (const bool dry : {true, false}) {
            std::vector<double> cli;
            for (int k = 0; k < 5; ++k) {
                QProcess p;
                p.setWorkingDirectory(root);
                QElapsedTimer t;
                t.start();
                p.start(cliPath, dry ? QStringList{QStringLiteral("run"), QStringLiteral("--dry-run")} : QStringList{QStringLiteral("run")});
                p.waitForFinished(60000);
                cli.push_back(double(t.nsecsElapsed()) / 1e6);
                const QByteArray out = p.readAllStandardOutput();
                if (p.exitCode() != 0 || !out.contains("0 ran, 200 up to date"))
                    die(internalError(QStringLiteral("orrery-cli run did not find the pipeline up to date: %1 %2")
                                          .arg(QString::fromUtf8(p.readAllStandardError()), QString::fromUtf8(out.right(2000)))));
            }
            std::printf("bench pipeline_200_cached_cli_%s %.1f ms\n", dry ? "dry_run" : "run_tracked", median(cli));
        }
    }
    QDir(work).removeRecursively();
    return 0;
}
