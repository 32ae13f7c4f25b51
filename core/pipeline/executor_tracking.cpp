// Executor::Impl's tracking, on the coordinating thread: the pipeline's tracked run (experiment
// "pipeline") with its targets and --force as tags; a child run per stage that runs (tag
// mlflow.parentRunId) with its params, then the numbers of its metrics files, its log as the
// artifact stage.log, its timings, seeds and reproducibility manifest; and, for a command stage,
// the interpreter its cmd runs (version, and for Python its installed packages), captured once
// per program.

#include "core/data/data_repository.h"
#include "core/exec/command_runner.h"
#include "core/pipeline/executor_impl.h"
#include "core/store/database.h"
#include "core/tracking/artifact_store.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/run_manifest.h"
#include "core/tracking/tracking_store.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>

namespace orrery::pipeline {

namespace {

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

} // namespace

QJsonObject Executor::Impl::interpreterFor(const Stage &s)
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
        o.insert(QStringLiteral("version"), exec::captureOutput(program, {QStringLiteral("--version")}));
        if (python) {
            o.insert(QStringLiteral("executable"), exec::captureOutput(program, {QStringLiteral("-c"), QStringLiteral("import sys; print(sys.executable)")}));
            const QString packages = exec::captureOutput(
                program, {QStringLiteral("-c"),
                          QStringLiteral("import importlib.metadata as m\nprint('\\n'.join(sorted({d.metadata['Name'] + '==' + d.version for d in m.distributions() if d.metadata['Name']})))")},
                30000);
            o.insert(QStringLiteral("packages"), QJsonArray::fromStringList(packages.split(QLatin1Char('\n'), Qt::SkipEmptyParts)));
        }
    }
    interpreters.insert(program, o);
    return o;
}

Status Executor::Impl::startTracking()
{
    store = std::make_unique<tracking::TrackingStore>(e.m_db, &clock);
    auto exp = store->experimentByName(QStringLiteral("pipeline"));
    if (exp) {
        experimentId = exp->id;
    } else {
        ORRERY_ASSIGN_OR_RETURN(auto created, store->createExperiment(QStringLiteral("pipeline")));
        experimentId = created;
    }
    ORRERY_ASSIGN_OR_RETURN(auto w, tracking::MetricWriter::open(e.m_db.path(), 100, &clock));
    writer = std::move(w);
    QVector<tracking::KeyValue> tags{{QStringLiteral("orrery.pipeline"), QStringLiteral("true")},
                                     {QStringLiteral("orrery.pipeline.targets"), opt.targets.isEmpty() ? QStringLiteral("(all)") : opt.targets.join(QLatin1Char(' '))},
                                     {QStringLiteral("orrery.pipeline.force"), opt.force ? QStringLiteral("true") : QStringLiteral("false")}};
    if (!opt.parentRunId.isEmpty())
        tags.push_back({QStringLiteral("mlflow.parentRunId"), opt.parentRunId});
    ORRERY_ASSIGN_OR_RETURN(auto run, store->createRun(experimentId, QStringLiteral("pipeline"), 0, tags));
    parentRunId = run.runId;
    auto manifest = tracking::captureManifest(root, {}, {});
    if (manifest)
        baseManifest = manifest->json;
    return Status::ok();
}

Result<QString> Executor::Impl::startChildRun(int i, const Decided &d, QString *logPath)
{
    const Stage &s = graph->stages()[i];
    QVector<tracking::KeyValue> tags = {{QStringLiteral("mlflow.parentRunId"), parentRunId},
                                        {QStringLiteral("orrery.stage"), s.name},
                                        {QStringLiteral("orrery.stage.cmd"), s.commandLine().left(4000)},
                                        {QStringLiteral("orrery.stage.reason"), d.reason.left(4000)}};
    ORRERY_ASSIGN_OR_RETURN(auto run, store->createRun(experimentId, s.name, 0, tags));
    // The log is written beside the workspace's temporary files while the stage runs, and
    // stored as the run's artifact stage.log when it ends.
    const QString dir = root + QStringLiteral("/.orrery/tmp/pipeline-logs/") + run.runId;
    QDir().mkpath(dir);
    *logPath = dir + QStringLiteral("/stage.log");
    QVector<tracking::KeyValue> params;
    for (const auto &[file, kv] : d.current.params)
        for (const auto &[k, v] : kv)
            // DVC's own spelling for a param of another file: "other.yaml:lr".
            params.append({tracking::TrackingStore::paramKeyFor(file == QLatin1String("params.yaml") ? k : file + QLatin1Char(':') + k),
                           v.interpolationText().left(6000)});
    // In batches of MLflow's limit: a stage with many params keeps them all.
    for (qsizetype from = 0; from < params.size(); from += tracking::Limits::kMaxBatchParams)
        ORRERY_TRY(store->logBatchParamsAndTags(run.runId, params.mid(from, tracking::Limits::kMaxBatchParams), {}));
    return run.runId;
}

void Executor::Impl::finishChildRun(int i, const Done &done, const Decided &d)
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
    const qint64 now = nowMs();
    for (const auto &[k, v] : metrics)
        if (tracking::TrackingStore::validateMetricKey(k).isOk())
            writer->log(r.runId, k, {0, now, v});
    QJsonObject manifest = baseManifest;
    QJsonArray data;
    // Workspace paths here (dvc.lock's are relative to the stage's wdir): lineage matches a dep
    // with the out of another stage's run by path.
    for (const auto &dep : d.current.deps)
        data.append(QJsonObject{{QStringLiteral("path"), workspacePath(s, dep.path)}, {QStringLiteral("md5"), dep.md5}});
    manifest.insert(QStringLiteral("data"), data);
    // What the stage made: a model version's lineage follows a dep back to the stage run that
    // produced it (core/registry/model_lineage.h), across pipeline runs that skipped that stage.
    QJsonArray outs;
    for (const auto &out : d.current.outs)
        outs.append(QJsonObject{{QStringLiteral("path"), workspacePath(s, out.path)}, {QStringLiteral("md5"), out.md5}});
    manifest.insert(QStringLiteral("outs"), outs);
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
                          {QStringLiteral("executor"), r.executor},
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
    // The tags in one transaction (each commit is an fsync).
    QVector<tracking::KeyValue> tags = {{QStringLiteral("orrery.stage.duration_ms"), QString::number(done.durationMs)}};
    if (!done.reason.isEmpty())
        tags.append({QStringLiteral("orrery.stage.result"), done.reason.left(4000)});
    // Where it ran: a stage that ran on Slurm names its job and node (the cache does not care).
    tags.append({QStringLiteral("orrery.executor"), r.executor});
    if (r.executor != QLatin1String("local") && !done.job.id.isEmpty()) {
        tags.append({QStringLiteral("orrery.job_id"), done.job.id});
        if (!done.job.node.isEmpty())
            tags.append({QStringLiteral("orrery.node"), done.job.node});
    }
    (void)store->logBatchParamsAndTags(r.runId, {}, tags);
    const tracking::RunStatus status = done.state == StageState::Ran ? tracking::RunStatus::Finished
        : done.state == StageState::Cancelled                        ? tracking::RunStatus::Killed
                                                                     : tracking::RunStatus::Failed;
    (void)store->updateRun(r.runId, &status, now, QString());
}

} // namespace orrery::pipeline
