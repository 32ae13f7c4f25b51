#include "core/pipeline/executor.h"

#include "core/common/atomic_file.h"
#include "core/common/clock.h"
#include "core/common/hashing.h"
#include "core/common/job.h"
#include "core/data/file_hasher.h"
#include "core/pipeline/command_runner.h"
#include "core/pipeline/lock_file.h"
#include "core/pipeline/output_store.h"
#include "core/pipeline/pipeline_file.h"
#include "core/pipeline/pipeline_graph.h"
#include "core/store/database.h"
#include "core/data/data_repository.h"
#include "core/tracking/artifact_store.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/run_manifest.h"
#include "core/tracking/tracking_store.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace orrery::pipeline {

const char *stageStateName(StageState s)
{
    switch (s) {
    case StageState::Pending: return "pending";
    case StageState::Skipped: return "skipped";
    case StageState::Restored: return "restored";
    case StageState::Ran: return "ran";
    case StageState::Failed: return "failed";
    case StageState::CheckFailed: return "check_failed";
    case StageState::TimedOut: return "timed_out";
    case StageState::Cancelled: return "cancelled";
    case StageState::NotRun: return "not_run";
    case StageState::WouldRun: return "would_run";
    case StageState::Frozen: return "frozen";
    }
    return "?";
}

bool PipelineReport::anyCheckFailed() const
{
    for (const auto &s : stages)
        if (s.state == StageState::CheckFailed)
            return true;
    return false;
}

bool PipelineReport::anyFailed() const
{
    for (const auto &s : stages)
        if (s.state == StageState::Failed || s.state == StageState::TimedOut || s.state == StageState::Cancelled)
            return true;
    return cancelled;
}

namespace {

bool okState(StageState s)
{
    return s == StageState::Skipped || s == StageState::Restored || s == StageState::Ran || s == StageState::WouldRun || s == StageState::Frozen;
}

struct Task {
    int index = -1;
    Stage stage;
    std::optional<BuiltinCall> builtin;
    QString workDir;
    QString logPath;
};

struct Done {
    int index = -1;
    StageState state = StageState::Ran;
    QString reason;
    QStringList findings;
    QVector<std::pair<QString, double>> metrics;
    qint64 startMs = 0;
    qint64 durationMs = 0;
};

void appendLog(QFile &log, const QString &line)
{
    log.write(line.toUtf8());
    if (!line.endsWith(QLatin1Char('\n')))
        log.write("\n");
    log.flush();
}

QString logTail(const QString &path, int lines = 20)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QString();
    const qint64 size = f.size();
    if (size > 16384)
        f.seek(size - 16384);
    QStringList all = QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
    while (!all.isEmpty() && all.last().isEmpty())
        all.removeLast();
    return all.mid(qMax(0, int(all.size()) - lines)).join(QLatin1Char('\n'));
}

// Flattened numbers of a metrics file (JSON, or YAML read as a superset): "a.b" → value.
void collectNumbers(const ParamValue &v, const QString &prefix, QVector<std::pair<QString, double>> *out)
{
    if (v.kind() == ParamValue::Kind::Map) {
        for (const auto &[k, x] : v.entries())
            collectNumbers(x, prefix.isEmpty() ? k : prefix + QLatin1Char('.') + k, out);
    } else if (v.kind() == ParamValue::Kind::Int || v.kind() == ParamValue::Kind::Float) {
        if (!prefix.isEmpty())
            out->append({prefix, v.toDouble()});
    }
}

// As `dvc repro` does: a cached out is ignored by git in its folder's .gitignore ("/name"), so
// the data lives in the cache and dvc.lock, and the run's "dirty" flag stays about code.
Status ignoreInGit(const QString &root, const QString &workspacePath)
{
    const QFileInfo out(QDir(root).filePath(workspacePath));
    const QString gitignore = out.absolutePath() + QStringLiteral("/.gitignore");
    const QString entry = QLatin1Char('/') + out.fileName();
    QByteArray content;
    QFile f(gitignore);
    if (f.exists()) {
        if (!f.open(QIODevice::ReadOnly))
            return ioError(QStringLiteral("cannot read %1: %2").arg(gitignore, f.errorString()));
        content = f.readAll();
        f.close();
        for (const QByteArray &line : content.split('\n'))
            if (line.trimmed() == entry.toUtf8())
                return Status::ok();
    }
    if (!content.isEmpty() && !content.endsWith('\n'))
        content += '\n';
    content += entry.toUtf8() + '\n';
    return common::writeFileAtomically(gitignore, content);
}

} // namespace

struct Executor::Impl {
    Executor &e;
    const QString &root;
    ExecutorOptions &opt;
    PipelineFile file;
    LockFile lock;
    std::optional<PipelineGraph> graph;
    QVector<int> selection;
    QVector<StageReport> reports;
    QVector<LockStage> pendingLock; // the inputs each running stage was decided on
    QHash<QString, ParamValue> paramsFiles;
    std::unique_ptr<OutputStore> outs;

    // Tracking.
    std::unique_ptr<tracking::TrackingStore> store;
    std::unique_ptr<tracking::MetricWriter> writer;
    QString experimentId;
    QString parentRunId;
    QJsonObject baseManifest;
    QHash<QString, QJsonObject> interpreters;

    // The worker pool.
    std::mutex mutex;
    std::condition_variable taskReady, doneReady;
    std::deque<Task> tasks;
    std::deque<Done> done;
    std::vector<std::thread> threads;
    std::atomic<bool> cancel{false};
    bool stopping = false;

    Impl(Executor &ex, const QString &r, ExecutorOptions &o) : e(ex), root(r), opt(o) {}
    ~Impl() { stopWorkers(); }

    void startWorkers()
    {
        const int n = qMax(1, opt.workers);
        for (int i = 0; i < n; ++i)
            threads.emplace_back([this] { workerLoop(); });
    }

    void stopWorkers()
    {
        {
            std::lock_guard<std::mutex> lock(mutex);
            stopping = true;
        }
        taskReady.notify_all();
        for (auto &t : threads)
            if (t.joinable())
                t.join();
        threads.clear();
    }

    void workerLoop()
    {
        for (;;) {
            Task task;
            {
                std::unique_lock<std::mutex> lock(mutex);
                taskReady.wait(lock, [this] { return stopping || !tasks.empty(); });
                if (tasks.empty())
                    return;
                task = std::move(tasks.front());
                tasks.pop_front();
            }
            Done d = execute(task);
            {
                std::lock_guard<std::mutex> lock(mutex);
                done.push_back(std::move(d));
            }
            doneReady.notify_all();
        }
    }

    Done execute(const Task &task)
    {
        Done d;
        d.index = task.index;
        d.startMs = QDateTime::currentMSecsSinceEpoch();
        QElapsedTimer timer;
        timer.start();
        if (task.builtin) {
            QFile log(task.logPath);
            log.open(QIODevice::WriteOnly | QIODevice::Append);
            const StageType *type = opt.registry->type(task.builtin->type);
            StageImpl impl = opt.registry->impl(task.builtin->type);
            auto args = parseStageArgs(*type, task.builtin->args);
            if (!args) {
                d.state = StageState::Failed;
                d.reason = args.status().message();
            } else {
                StageContext ctx;
                ctx.workDir = task.workDir;
                ctx.args = *args;
                std::atomic<bool> timedOut{false};
                const qint64 timeout = opt.stageTimeoutMs;
                ctx.isCancelled = [&] {
                    if (timeout > 0 && timer.elapsed() > timeout)
                        timedOut = true;
                    return cancel.load() || timedOut.load();
                };
                ctx.log = [&](const QString &line) { appendLog(log, line); };
                appendLog(log, QStringLiteral("$ %1  (built-in, in-process)").arg(task.stage.commandLine()));
                Status s;
                try {
                    s = impl(ctx);
                } catch (const std::exception &ex) {
                    s = internalError(QStringLiteral("stage %1 threw: %2").arg(task.builtin->type, QString::fromUtf8(ex.what())));
                }
                d.metrics = ctx.metrics;
                if (timedOut) {
                    d.state = StageState::TimedOut;
                    d.reason = QStringLiteral("took longer than the stage timeout (%1 s) and was stopped").arg(double(timeout) / 1000.0);
                } else if (cancel.load() && !s.isOk()) {
                    d.state = StageState::Cancelled;
                    d.reason = QStringLiteral("cancelled");
                } else if (!s.isOk()) {
                    d.state = StageState::Failed;
                    d.reason = s.message();
                    appendLog(log, QStringLiteral("error: ") + s.message());
                } else if (!ctx.findings.isEmpty()) {
                    d.state = StageState::CheckFailed;
                    d.findings = ctx.findings;
                    d.reason = QStringLiteral("%1 check(s) failed").arg(ctx.findings.size());
                    for (const auto &f : ctx.findings)
                        appendLog(log, QStringLiteral("FAILED: ") + f);
                }
            }
        } else {
            CommandOptions co;
            co.workDir = task.workDir;
            co.logPath = task.logPath;
            co.timeoutMs = opt.stageTimeoutMs;
            co.cancel = &cancel;
            if (!opt.cliDir.isEmpty())
                co.env.insert(QStringLiteral("PATH"), opt.cliDir + QLatin1Char(':') + co.env.value(QStringLiteral("PATH")));
            for (const QString &cmd : task.stage.cmd) {
                {
                    QFile log(task.logPath);
                    log.open(QIODevice::WriteOnly | QIODevice::Append);
                    appendLog(log, QStringLiteral("$ ") + cmd);
                }
                auto r = runCommand(cmd, co);
                if (!r) {
                    d.state = StageState::Failed;
                    d.reason = r.status().message();
                    break;
                }
                if (r->timedOut) {
                    d.state = StageState::TimedOut;
                    d.reason = QStringLiteral("took longer than the stage timeout (%1 s); its processes were killed").arg(double(opt.stageTimeoutMs) / 1000.0);
                    break;
                }
                if (r->cancelled) {
                    d.state = StageState::Cancelled;
                    d.reason = QStringLiteral("cancelled; its processes were killed");
                    break;
                }
                if (r->crashed || r->exitCode != 0) {
                    d.state = StageState::Failed;
                    d.reason = r->crashed ? QStringLiteral("'%1' crashed").arg(cmd)
                                          : QStringLiteral("'%1' exited with status %2").arg(cmd).arg(r->exitCode);
                    break;
                }
            }
        }
        d.durationMs = timer.elapsed();
        return d;
    }

    // ---- checks before anything runs ----

    Result<ParamValue> paramsFile(const QString &name)
    {
        if (paramsFiles.contains(name))
            return paramsFiles.value(name);
        auto loaded = loadParamsFile(QDir(root).filePath(name), name);
        if (!loaded)
            return loaded.status();
        paramsFiles.insert(name, *loaded);
        return *loaded;
    }

    Result<LockParams> paramValues(const Stage &s)
    {
        LockParams out;
        for (const ParamRef &ref : s.params) {
            const bool exists = QFile::exists(QDir(root).filePath(ref.file));
            auto file = paramsFile(ref.file);
            if (!file)
                return file.status();
            auto it = std::find_if(out.begin(), out.end(), [&](const auto &p) { return p.first == ref.file; });
            if (it == out.end()) {
                out.emplace_back(ref.file, std::vector<std::pair<QString, ParamValue>>{});
                it = out.end() - 1;
            }
            if (ref.key.isEmpty()) {
                for (const auto &entry : file->entries())
                    it->second.push_back(entry);
                continue;
            }
            const ParamValue *v = file->find(ref.key);
            if (!v)
                return invalidArgument(QStringLiteral("stage '%1' reads the param '%2', which %3: add it to %4 or remove it from the stage's params")
                                           .arg(s.name, ref.key, exists ? QStringLiteral("%1 does not have").arg(ref.file) : QStringLiteral("cannot be found (%1 does not exist)").arg(ref.file), ref.file));
            it->second.emplace_back(ref.key, *v);
        }
        return out;
    }

    Status validate()
    {
        const auto &stages = graph->stages();
        for (int i : selection) {
            const Stage &s = stages[i];
            for (const QString &c : s.cmd) {
                const QString trimmed = c.trimmed();
                const QStringList argv = QProcess_split(trimmed);
                if (argv.size() >= 2 && QFileInfo(argv[0]).fileName() == QLatin1String("orrery-cli") && argv[1] == QLatin1String("stage")) {
                    if (argv.size() < 3)
                        return invalidArgument(QStringLiteral("stage '%1': 'orrery-cli stage' needs a stage type (known: %2)").arg(s.name, opt.registry->names().join(QStringLiteral(", "))));
                    const QString type = argv[2];
                    if (!opt.registry || !opt.registry->type(type))
                        return invalidArgument(QStringLiteral("stage '%1': unknown stage type '%2' in its cmd (known: %3)")
                                                   .arg(s.name, type, opt.registry ? opt.registry->names().join(QStringLiteral(", ")) : QString()));
                    if (auto call = parseBuiltinCall(trimmed)) {
                        auto args = parseStageArgs(*opt.registry->type(type), call->args);
                        if (!args)
                            return invalidArgument(QStringLiteral("stage '%1': %2").arg(s.name, args.status().message()));
                    }
                }
            }
            auto params = paramValues(s);
            if (!params)
                return params.status();
            for (const QString &d : s.deps) {
                const QString wp = workspacePath(s, d);
                if (graph->producerOf(wp) >= 0)
                    continue;
                if (!QFileInfo::exists(QDir(root).filePath(wp)))
                    return notFound(QStringLiteral("stage '%1' depends on '%2', which does not exist and which no stage writes: create it, fix the path, or add the stage that makes it")
                                        .arg(s.name, wp));
            }
        }
        return Status::ok();
    }

    static QStringList QProcess_split(const QString &c);

    // ---- decisions ----

    enum class Decision { Skip, Restore, Run, WouldRun, Frozen, Fail };
    struct Decided {
        Decision what = Decision::Run;
        QString reason;
        LockStage current;                       // cmd, deps, params now
        QVector<std::pair<QString, QString>> restore; // path → md5
    };

    QString runCacheKey(const LockStage &cur) const
    {
        QString text = cur.cmd.join(QStringLiteral("\n")) + QStringLiteral("\n--deps\n");
        for (const auto &d : cur.deps)
            text += d.path + QLatin1Char(' ') + d.md5 + QLatin1Char('\n');
        text += QStringLiteral("--params\n");
        for (const auto &[file, keys] : cur.params)
            for (const auto &[k, v] : keys)
                text += file + QLatin1Char(':') + k + QLatin1Char('=') + v.canonical() + QLatin1Char('\n');
        return common::md5Hex(text.toUtf8());
    }

    QString runCachePath(const QString &key) const
    {
        return outs->cache().root() + QStringLiteral("/orrery-runs/") + key.left(2) + QLatin1Char('/') + key + QStringLiteral(".json");
    }

    static bool paramsEqual(const LockParams &a, const LockParams &b)
    {
        if (a.size() != b.size())
            return false;
        for (size_t i = 0; i < a.size(); ++i) {
            if (a[i].first != b[i].first || a[i].second.size() != b[i].second.size())
                return false;
            for (size_t k = 0; k < a[i].second.size(); ++k)
                if (a[i].second[k].first != b[i].second[k].first || a[i].second[k].second != b[i].second[k].second)
                    return false;
        }
        return true;
    }

    Result<Decided> decide(int i)
    {
        const Stage &s = graph->stages()[i];
        Decided d;
        if (s.frozen) {
            d.what = Decision::Frozen;
            d.reason = QStringLiteral("frozen in dvc.yaml: never run");
            return d;
        }
        if (opt.dryRun)
            for (int u : graph->upstream(i))
                if (reports[u].state == StageState::WouldRun) {
                    d.what = Decision::WouldRun;
                    d.reason = QStringLiteral("an upstream stage ('%1') would run").arg(reports[u].name);
                    return d;
                }
        d.current.name = s.name;
        d.current.cmd = s.cmd;
        QStringList depPaths;
        for (const QString &dep : s.deps)
            depPaths << workspacePath(s, dep);
        auto hashes = outs->hash(depPaths);
        if (!hashes)
            return hashes.status();
        for (const QString &p : depPaths) {
            const PathHash h = hashes->value(p);
            if (!h.exists) {
                d.what = Decision::Fail;
                d.reason = QStringLiteral("its dep '%1' does not exist (the stage that writes it did not)").arg(p);
                return d;
            }
            d.current.deps.append({p, h.md5, h.size, h.nfiles, false});
        }
        auto params = paramValues(s);
        if (!params)
            return params.status();
        d.current.params = *params;
        d.current.normalize();

        if (opt.force) {
            d.what = opt.dryRun ? Decision::WouldRun : Decision::Run;
            d.reason = QStringLiteral("--force");
            return d;
        }
        if (s.alwaysChanged) {
            d.what = opt.dryRun ? Decision::WouldRun : Decision::Run;
            d.reason = QStringLiteral("always_changed");
            return d;
        }
        const LockStage *locked = lock.stage(s.name);
        QString why;
        if (!locked) {
            why = QStringLiteral("not in dvc.lock yet");
        } else if (locked->cmd != d.current.cmd) {
            why = QStringLiteral("its cmd changed");
        } else {
            // deps: compare by path; legacy (DVC 2.x) entries by their own hashing.
            QStringList changed;
            if (locked->deps.size() != d.current.deps.size())
                changed << QStringLiteral("the list of deps");
            for (const auto &cur : d.current.deps) {
                const LockHash *old = nullptr;
                for (const auto &l : locked->deps)
                    if (l.path == cur.path)
                        old = &l;
                if (!old) {
                    changed << cur.path;
                    continue;
                }
                QString now = cur.md5;
                if (old->legacy && cur.nfiles < 0) {
                    auto legacy = data::legacyMd5OfFile(QDir(root).filePath(cur.path));
                    if (legacy)
                        now = *legacy;
                }
                if (now != old->md5)
                    changed << cur.path;
            }
            if (!changed.isEmpty()) {
                why = QStringLiteral("dep changed: %1").arg(changed.join(QStringLiteral(", ")));
            } else if (!paramsEqual(locked->params, d.current.params)) {
                QStringList keys;
                for (const auto &[file, kv] : d.current.params)
                    for (const auto &[k, v] : kv) {
                        bool same = false;
                        for (const auto &[lf, lkv] : locked->params)
                            if (lf == file)
                                for (const auto &[lk, lv] : lkv)
                                    if (lk == k && lv == v)
                                        same = true;
                        if (!same)
                            keys << k;
                    }
                why = QStringLiteral("params changed: %1").arg(keys.isEmpty() ? QStringLiteral("a param was removed") : keys.join(QStringLiteral(", ")));
            }
        }
        if (why.isEmpty()) {
            // Inputs as recorded: the outs must be as recorded too, or come back from the cache.
            QStringList outPaths;
            for (const QString &p : s.outputPaths())
                outPaths << workspacePath(s, p);
            auto now = outs->hash(outPaths);
            if (!now)
                return now.status();
            QStringList differing;
            for (const QString &p : outPaths) {
                const LockHash *rec = locked->out(p);
                if (!rec) {
                    differing << p;
                    continue;
                }
                const PathHash h = now->value(p);
                if (h.exists && h.md5 == rec->md5)
                    continue;
                if (outs->canRestore(rec->md5))
                    d.restore.append({p, rec->md5});
                else
                    differing << p;
            }
            if (differing.isEmpty()) {
                d.what = d.restore.isEmpty() ? Decision::Skip : (opt.dryRun ? Decision::WouldRun : Decision::Restore);
                d.reason = d.restore.isEmpty() ? QStringLiteral("up to date") : QStringLiteral("outs restored from the cache (dvc.lock)");
                if (opt.dryRun && !d.restore.isEmpty())
                    d.reason = QStringLiteral("would restore its outs from the cache");
                if (!d.restore.isEmpty())
                    d.current.outs = locked->outs;
                return d;
            }
            why = QStringLiteral("outs changed or missing: %1").arg(differing.join(QStringLiteral(", ")));
        }
        // The run cache: the same inputs ran before (another branch, an earlier params.yaml).
        QFile entry(runCachePath(runCacheKey(d.current)));
        if (entry.open(QIODevice::ReadOnly)) {
            const QJsonArray cachedOuts = QJsonDocument::fromJson(entry.readAll()).object().value(QStringLiteral("outs")).toArray();
            QVector<std::pair<QString, QString>> restore;
            QVector<LockHash> lockOuts;
            bool complete = !cachedOuts.isEmpty() && cachedOuts.size() == s.outputPaths().size();
            for (const auto &v : cachedOuts) {
                const QJsonObject o = v.toObject();
                LockHash h{o.value(QStringLiteral("path")).toString(), o.value(QStringLiteral("md5")).toString(),
                           qint64(o.value(QStringLiteral("size")).toDouble(-1)), qint64(o.value(QStringLiteral("nfiles")).toDouble(-1)), false};
                if (!outs->canRestore(h.md5)) {
                    complete = false;
                    break;
                }
                restore.append({h.path, h.md5});
                lockOuts.append(h);
            }
            if (complete) {
                d.what = opt.dryRun ? Decision::WouldRun : Decision::Restore;
                d.reason = QStringLiteral("%1; the same inputs ran before: outs restored from the run cache").arg(why);
                d.restore = restore;
                d.current.outs = lockOuts;
                return d;
            }
        }
        d.what = opt.dryRun ? Decision::WouldRun : Decision::Run;
        d.reason = why;
        return d;
    }

    // ---- tracking ----

    QJsonObject interpreterFor(const Stage &s)
    {
        const QStringList argv = QProcess_split(s.cmd.value(0));
        if (argv.isEmpty())
            return {};
        const QString program = argv[0];
        const QString base = QFileInfo(program).fileName();
        if (interpreters.contains(program))
            return interpreters.value(program);
        QJsonObject o{{QStringLiteral("program"), program}};
        static const QStringList known = {QStringLiteral("python"), QStringLiteral("python3"), QStringLiteral("Rscript"), QStringLiteral("R"),
                                          QStringLiteral("node"), QStringLiteral("julia"), QStringLiteral("bash"), QStringLiteral("sh"), QStringLiteral("perl")};
        const bool python = base.startsWith(QLatin1String("python"));
        if (python || known.contains(base)) {
            o.insert(QStringLiteral("version"), captureOutput(program, {QStringLiteral("--version")}));
            if (python) {
                o.insert(QStringLiteral("executable"), captureOutput(program, {QStringLiteral("-c"), QStringLiteral("import sys; print(sys.executable)")}));
                const QString packages = captureOutput(
                    program, {QStringLiteral("-c"),
                              QStringLiteral("import importlib.metadata as m\nprint('\\n'.join(sorted({d.metadata['Name'] + '==' + d.version for d in m.distributions() if d.metadata['Name']})))")},
                    30000);
                o.insert(QStringLiteral("packages"), QJsonArray::fromStringList(packages.split(QLatin1Char('\n'), Qt::SkipEmptyParts)));
            }
        }
        interpreters.insert(program, o);
        return o;
    }

    Status startTracking()
    {
        store = std::make_unique<tracking::TrackingStore>(e.m_db);
        auto exp = store->experimentByName(QStringLiteral("pipeline"));
        if (exp) {
            experimentId = exp->id;
        } else {
            auto created = store->createExperiment(QStringLiteral("pipeline"));
            if (!created)
                return created.status();
            experimentId = *created;
        }
        auto w = tracking::MetricWriter::open(e.m_db.path());
        if (!w)
            return w.status();
        writer = std::move(*w);
        auto run = store->createRun(experimentId, QStringLiteral("pipeline"), 0,
                                    {{QStringLiteral("orrery.pipeline"), QStringLiteral("true")},
                                     {QStringLiteral("orrery.pipeline.targets"), opt.targets.isEmpty() ? QStringLiteral("(all)") : opt.targets.join(QLatin1Char(' '))},
                                     {QStringLiteral("orrery.pipeline.force"), opt.force ? QStringLiteral("true") : QStringLiteral("false")}});
        if (!run)
            return run.status();
        parentRunId = run->runId;
        auto manifest = tracking::captureManifest(root, {}, {});
        if (manifest)
            baseManifest = manifest->json;
        return Status::ok();
    }

    Result<QString> startChildRun(int i, const Decided &d, QString *logPath)
    {
        const Stage &s = graph->stages()[i];
        QVector<tracking::KeyValue> tags = {{QStringLiteral("mlflow.parentRunId"), parentRunId},
                                            {QStringLiteral("orrery.stage"), s.name},
                                            {QStringLiteral("orrery.stage.cmd"), s.commandLine().left(4000)},
                                            {QStringLiteral("orrery.stage.reason"), d.reason.left(4000)}};
        auto run = store->createRun(experimentId, s.name, 0, tags);
        if (!run)
            return run.status();
        // The log is written beside the workspace's temporary files while the stage runs, and
        // stored as the run's artifact stage.log when it ends.
        const QString dir = root + QStringLiteral("/.orrery/tmp/pipeline-logs/") + run->runId;
        QDir().mkpath(dir);
        *logPath = dir + QStringLiteral("/stage.log");
        QVector<tracking::KeyValue> params;
        for (const auto &[file, kv] : d.current.params)
            for (const auto &[k, v] : kv)
                params.append({file == QLatin1String("params.yaml") ? k : file + QLatin1Char(':') + k, v.interpolationText().left(6000)});
        if (!params.isEmpty() && params.size() <= tracking::Limits::kMaxBatchParams)
            ORRERY_TRY(store->logBatchParamsAndTags(run->runId, params, {}));
        return run->runId;
    }

    void finishChildRun(int i, const Done &done, const Decided &d)
    {
        StageReport &r = reports[i];
        if (r.runId.isEmpty() || !store)
            return;
        const Stage &s = graph->stages()[i];
        QVector<std::pair<QString, double>> metrics = done.metrics;
        if (done.state == StageState::Ran) {
            for (const auto &m : s.metrics) {
                auto v = loadParamsFile(QDir(root).filePath(workspacePath(s, m.path)), m.path);
                if (v)
                    collectNumbers(*v, QString(), &metrics);
            }
        }
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (const auto &[k, v] : metrics)
            if (tracking::TrackingStore::validateMetricKey(k).isOk())
                writer->log(r.runId, k, {0, now, v});
        QJsonObject manifest = baseManifest;
        QJsonArray data;
        QVector<std::pair<QString, qint64>> seeds;
        for (const auto &dep : d.current.deps)
            data.append(QJsonObject{{QStringLiteral("path"), dep.path}, {QStringLiteral("md5"), dep.md5}});
        manifest.insert(QStringLiteral("data"), data);
        QJsonObject seedObject;
        for (const auto &[file, kv] : d.current.params)
            for (const auto &[k, v] : kv)
                if (k.contains(QLatin1String("seed")) && v.kind() == ParamValue::Kind::Int)
                    seedObject.insert(k, QString::number(v.toInt()));
        if (auto call = parseBuiltinCall(s.cmd.value(0)))
            for (int a = 0; a + 1 < call->args.size(); ++a)
                if (call->args[a] == QLatin1String("--seed"))
                    seedObject.insert(QStringLiteral("%1.seed").arg(call->type), call->args[a + 1]);
        manifest.insert(QStringLiteral("seeds"), seedObject);
        QJsonObject stageInfo{{QStringLiteral("name"), s.name},
                              {QStringLiteral("cmd"), QJsonArray::fromStringList(s.cmd)},
                              {QStringLiteral("wdir"), s.wdir.isEmpty() ? QStringLiteral(".") : s.wdir},
                              {QStringLiteral("builtin"), r.builtin},
                              {QStringLiteral("state"), QString::fromLatin1(stageStateName(done.state))},
                              {QStringLiteral("started"), QDateTime::fromMSecsSinceEpoch(done.startMs, Qt::UTC).toString(Qt::ISODateWithMs)},
                              {QStringLiteral("duration_ms"), done.durationMs},
                              {QStringLiteral("log"), QStringLiteral("stage.log")}};
        manifest.insert(QStringLiteral("stage"), stageInfo);
        if (!r.builtin)
            manifest.insert(QStringLiteral("interpreter"), interpreterFor(s));
        (void)tracking::saveManifest(e.m_db, r.runId, tracking::RunManifest{manifest});
        if (QFile::exists(r.logPath)) {
            tracking::ArtifactStore artifacts(e.m_db, data::DataRepository::cacheDirFor(root));
            (void)artifacts.addFile(QStringLiteral("%1/%2/artifacts/stage.log").arg(experimentId, r.runId), r.logPath);
        }
        // Both tags in one transaction (each commit is an fsync).
        QVector<tracking::KeyValue> tags = {{QStringLiteral("orrery.stage.duration_ms"), QString::number(done.durationMs)}};
        if (!done.reason.isEmpty())
            tags.append({QStringLiteral("orrery.stage.result"), done.reason.left(4000)});
        (void)store->logBatchParamsAndTags(r.runId, {}, tags);
        const tracking::RunStatus status = done.state == StageState::Ran ? tracking::RunStatus::Finished
            : done.state == StageState::Cancelled                        ? tracking::RunStatus::Killed
                                                                         : tracking::RunStatus::Failed;
        (void)store->updateRun(r.runId, &status, now, QString());
    }

    // ---- the run ----

    void markDownstreamNotRun(int failed)
    {
        QVector<int> stack = graph->downstream(failed);
        while (!stack.isEmpty()) {
            const int j = stack.takeLast();
            if (reports[j].state != StageState::Pending || !selection.contains(j))
                continue;
            reports[j].state = StageState::NotRun;
            reports[j].reason = QStringLiteral("not run: upstream stage '%1' %2").arg(reports[failed].name,
                                                                                      reports[failed].state == StageState::NotRun      ? QStringLiteral("did not run")
                                                                                      : reports[failed].state == StageState::Cancelled ? QStringLiteral("was cancelled")
                                                                                      : reports[failed].state == StageState::CheckFailed ? QStringLiteral("failed its checks")
                                                                                                                                           : QStringLiteral("failed"));
            if (opt.onStage)
                opt.onStage(reports[j]);
            stack += graph->downstream(j);
        }
    }

    Status recordFinished(int i, Decided &d)
    {
        const Stage &s = graph->stages()[i];
        LockStage entry = d.current;
        entry.outs.clear();
        QString runCacheJson;
        QJsonArray cachedOuts;
        bool allCached = true;
        for (const auto &[kind, o] : s.allOutputs()) {
            const QString p = workspacePath(s, o.path);
            Result<PathHash> h = o.cache ? outs->save(p) : outs->hashOne(p);
            if (!h && h.status().code() == ErrorCode::NotFound)
                return notFound(QStringLiteral("stage '%1' finished but did not write its out '%2'").arg(s.name, p));
            if (!h)
                return h.status();
            if (!h->exists)
                return notFound(QStringLiteral("stage '%1' finished but did not write its out '%2'").arg(s.name, p));
            entry.outs.append({p, h->md5, h->size, h->nfiles, false});
            if (!o.cache)
                allCached = false;
            else
                ORRERY_TRY(ignoreInGit(root, p));
            cachedOuts.append(QJsonObject{{QStringLiteral("path"), p}, {QStringLiteral("md5"), h->md5}, {QStringLiteral("size"), double(h->size)}, {QStringLiteral("nfiles"), double(h->nfiles)}});
        }
        d.current = entry;
        ORRERY_TRY(writeLock(entry));
        if (allCached && !cachedOuts.isEmpty()) {
            const QString path = runCachePath(runCacheKey(entry));
            QDir().mkpath(QFileInfo(path).absolutePath());
            (void)common::writeFileAtomically(path, QJsonDocument(QJsonObject{{QStringLiteral("stage"), s.name}, {QStringLiteral("outs"), cachedOuts}}).toJson(QJsonDocument::Compact));
        }
        return Status::ok();
    }

    Status writeLock(const LockStage &entry)
    {
        // Re-read: another `run` of a different target may have written entries meanwhile.
        lock.upsert(entry);
        QStringList order;
        for (const auto &st : file.stages())
            order << st.name;
        lock.orderBy(order);
        // After each stage: a complete new file renamed over the old one (a crash of this process
        // leaves the old lock or the new, never a mix). The fsync that makes it survive a power
        // cut too is paid once, when the run ends (an fsync per stage cost ~10 ms each here).
        const QString path = QDir(root).filePath(QStringLiteral("dvc.lock"));
        const QString temp = path + QStringLiteral(".orrery-tmp");
        {
            QFile f(temp);
            if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(lock.serialize()) < 0 || !f.flush())
                return ioError(QStringLiteral("cannot write %1: %2").arg(temp, f.errorString()));
        }
        if (::rename(QFile::encodeName(temp).constData(), QFile::encodeName(path).constData()) != 0)
            return ioError(QStringLiteral("cannot replace %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
        lockWritten = true;
        return Status::ok();
    }
    bool lockWritten = false;

    Result<PipelineReport> run(common::JobContext *job)
    {
        auto loaded = PipelineFile::load(root);
        if (!loaded)
            return loaded.status();
        file = *loaded;
        auto l = LockFile::load(root);
        if (!l)
            return l.status();
        lock = *l;
        auto g = PipelineGraph::build(file.stages());
        if (!g)
            return g.status();
        graph = *g;
        if (opt.targets.isEmpty()) {
            selection = graph->order();
        } else {
            auto sel = graph->withUpstream(opt.targets);
            if (!sel)
                return sel.status();
            selection = *sel;
        }
        reports.resize(graph->stages().size());
        for (int i = 0; i < reports.size(); ++i) {
            reports[i].name = graph->stages()[i].name;
            reports[i].builtin = graph->stages()[i].cmd.size() == 1 && parseBuiltinCall(graph->stages()[i].cmd.front()).has_value();
        }
        ORRERY_TRY(validate());

        outs = std::make_unique<OutputStore>(root, &e.m_db);
        {
            // One pass over every file the selection reads or writes that exists now: the stat
            // cache answers for unchanged files, so a pipeline with nothing to do costs stats only.
            QStringList paths;
            for (int i : selection) {
                const Stage &s = graph->stages()[i];
                for (const QString &d : s.deps)
                    paths << workspacePath(s, d);
                for (const QString &o : s.outputPaths())
                    paths << workspacePath(s, o);
            }
            paths.removeDuplicates();
            auto pre = outs->hash(paths);
            if (!pre)
                return pre.status();
        }
        if (opt.track && !opt.dryRun)
            ORRERY_TRY(startTracking());

        QVector<Decided> decisions(graph->stages().size());
        QVector<bool> decided(graph->stages().size(), false);
        QVector<bool> launched(graph->stages().size(), false);
        int running = 0;
        startWorkers();
        Status fatal;
        auto finishState = [&](int i, StageState st, const QString &reason) {
            reports[i].state = st;
            reports[i].reason = reason;
            if (opt.onStage)
                opt.onStage(reports[i]);
            if (!okState(st))
                markDownstreamNotRun(i);
        };

        for (;;) {
            if (job && job->isCancelled() && !cancel.load())
                cancel = true;
            bool progressed = false;
            if (!cancel.load() && fatal.isOk()) {
                for (int i : selection) {
                    if (reports[i].state != StageState::Pending || launched[i])
                        continue;
                    bool ready = true;
                    for (int u : graph->upstream(i))
                        if (!okState(reports[u].state))
                            ready = false;
                    if (!ready)
                        continue;
                    if (!decided[i]) {
                        auto d = decide(i);
                        if (!d) {
                            fatal = d.status();
                            break;
                        }
                        decisions[i] = *d;
                        decided[i] = true;
                    }
                    Decided &d = decisions[i];
                    switch (d.what) {
                    case Decision::Skip:
                        finishState(i, StageState::Skipped, d.reason);
                        progressed = true;
                        continue;
                    case Decision::Frozen:
                        finishState(i, StageState::Frozen, d.reason);
                        progressed = true;
                        continue;
                    case Decision::WouldRun:
                        finishState(i, StageState::WouldRun, d.reason);
                        progressed = true;
                        continue;
                    case Decision::Fail:
                        finishState(i, StageState::Failed, d.reason);
                        progressed = true;
                        continue;
                    case Decision::Restore: {
                        Status st;
                        for (const auto &[p, md5] : d.restore) {
                            st = outs->restore(p, md5);
                            if (!st.isOk())
                                break;
                        }
                        if (st.isOk())
                            st = writeLock(d.current);
                        if (st.isOk())
                            finishState(i, StageState::Restored, d.reason);
                        else
                            finishState(i, StageState::Failed, QStringLiteral("restoring its outs failed: %1").arg(st.message()));
                        progressed = true;
                        continue;
                    }
                    case Decision::Run:
                        break;
                    }
                    if (running >= qMax(1, opt.workers))
                        continue;
                    // Start it.
                    const Stage &s = graph->stages()[i];
                    Status prep;
                    for (const auto &[kind, o] : s.allOutputs()) {
                        const QString p = workspacePath(s, o.path);
                        if (!o.persist)
                            prep = outs->remove(p);
                        else
                            outs->forget(p);
                        if (!prep.isOk())
                            break;
                        QDir().mkpath(QFileInfo(QDir(root).filePath(p)).absolutePath());
                    }
                    Task t;
                    t.index = i;
                    t.stage = s;
                    if (s.cmd.size() == 1)
                        t.builtin = parseBuiltinCall(s.cmd.front());
                    t.workDir = s.wdir.isEmpty() ? root : QDir(root).filePath(s.wdir);
                    if (store) {
                        auto child = startChildRun(i, d, &t.logPath);
                        if (!child)
                            prep = child.status();
                        else
                            reports[i].runId = *child;
                    } else {
                        const QString dir = root + QStringLiteral("/.orrery/tmp/pipeline-logs");
                        QDir().mkpath(dir);
                        t.logPath = dir + QLatin1Char('/') + s.name + QStringLiteral(".log");
                        QFile::remove(t.logPath);
                    }
                    reports[i].logPath = t.logPath;
                    if (!prep.isOk()) {
                        finishState(i, StageState::Failed, prep.message());
                        progressed = true;
                        continue;
                    }
                    reports[i].state = StageState::Pending;
                    reports[i].reason = d.reason;
                    if (opt.onStage)
                        opt.onStage(reports[i]);
                    launched[i] = true; // stays Pending until it ends
                    {
                        std::lock_guard<std::mutex> lk(mutex);
                        tasks.push_back(std::move(t));
                    }
                    taskReady.notify_one();
                    ++running;
                    progressed = true;
                    if (job) {
                        int finished = 0;
                        for (int k : selection)
                            finished += reports[k].state != StageState::Pending ? 1 : 0;
                        job->setProgress(finished, selection.size(), QStringLiteral("running %1").arg(s.name));
                    }
                }
            }
            if (running == 0 && !progressed)
                break;
            if (running == 0)
                continue;
            std::deque<Done> finished;
            {
                std::unique_lock<std::mutex> lk(mutex);
                doneReady.wait_for(lk, std::chrono::milliseconds(100), [this] { return !done.empty(); });
                finished.swap(done);
            }
            for (Done &dn : finished) {
                --running;
                const int i = dn.index;
                reports[i].durationMs = dn.durationMs;
                reports[i].findings = dn.findings;
                if (dn.state == StageState::Ran) {
                    Status st = recordFinished(i, decisions[i]);
                    if (!st.isOk()) {
                        dn.state = StageState::Failed;
                        dn.reason = st.message();
                    }
                }
                finishChildRun(i, dn, decisions[i]);
                if (dn.state != StageState::Ran)
                    reports[i].logTail = logTail(reports[i].logPath);
                finishState(i, dn.state, dn.state == StageState::Ran ? decisions[i].reason : dn.reason);
            }
        }
        stopWorkers();
        if (lockWritten) {
            const Status synced = lock.save(root); // the same bytes, now fsynced with the folder
            if (!synced.isOk() && fatal.isOk())
                fatal = synced;
        }
        PipelineReport report;
        report.cancelled = cancel.load();
        for (int i : selection) {
            if (reports[i].state == StageState::Pending) {
                reports[i].state = StageState::NotRun;
                reports[i].reason = report.cancelled ? QStringLiteral("not run: cancelled") : QStringLiteral("not run");
            }
            report.stages.append(reports[i]);
        }
        if (store) {
            if (writer)
                (void)writer->close();
            const tracking::RunStatus status = report.cancelled ? tracking::RunStatus::Killed
                : (report.anyFailed() || report.anyCheckFailed() || !fatal.isOk()) ? tracking::RunStatus::Failed
                                                                                    : tracking::RunStatus::Finished;
            QJsonObject manifest = baseManifest;
            QJsonArray stagesJson;
            for (const auto &r : report.stages)
                stagesJson.append(QJsonObject{{QStringLiteral("name"), r.name}, {QStringLiteral("state"), QString::fromLatin1(stageStateName(r.state))},
                                              {QStringLiteral("run_id"), r.runId}, {QStringLiteral("duration_ms"), r.durationMs}});
            manifest.insert(QStringLiteral("pipeline"), stagesJson);
            (void)tracking::saveManifest(e.m_db, parentRunId, tracking::RunManifest{manifest});
            (void)store->updateRun(parentRunId, &status, QDateTime::currentMSecsSinceEpoch(), QString());
            report.runId = parentRunId;
        }
        if (!fatal.isOk())
            return fatal;
        return report;
    }
};

QStringList Executor::Impl::QProcess_split(const QString &c)
{
    return QProcess::splitCommand(c);
}

Executor::Executor(QString root, store::Database &db, ExecutorOptions options)
    : m_root(std::move(root)), m_db(db), m_options(std::move(options))
{
}

Executor::~Executor() = default;

Result<PipelineReport> Executor::run(common::JobContext *job)
{
    if (!m_options.registry)
        return internalError(QStringLiteral("Executor needs a StageRegistry"));
    Impl impl(*this, m_root, m_options);
    return impl.run(job);
}

} // namespace orrery::pipeline
