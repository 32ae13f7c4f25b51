#include "core/train/run_recorder.h"

#include "core/common/clock.h"
#include "core/store/database.h"
#include "core/tracking/artifact_store.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/run_journal.h"
#include "core/tracking/run_manifest.h"
#include "core/tracking/tracking_store.h"
#include "core/train/trainer.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>

#include <algorithm>

namespace orrery::train {

struct RunRecorder::Impl {
    std::unique_ptr<store::Database> db;
    std::unique_ptr<tracking::MetricWriter> writer;
    // A job on another node: everything goes to the journal in its folder, nothing to the database.
    std::unique_ptr<tracking::RunJournalWriter> journal;
    QHash<QString, QString> journaled; // artifact path → its copy in the job folder
    QString experimentId;
    QString workRoot;
    QString cacheRoot;
    QHash<QString, int> series;
    const common::Clock *clock = &common::Clock::system();
    qint64 nowMs() const { return clock->now().toMSecsSinceEpoch(); }
};

namespace {

QVector<tracking::KeyValue> startTags(const TrainRequest &request)
{
    QVector<tracking::KeyValue> tags{{QStringLiteral("orrery.source"), QStringLiteral("train")},
                                     {QStringLiteral("orrery.task"), QLatin1String(taskName(request.config.task))}};
    if (!request.parentRunId.isEmpty())
        tags.append({QStringLiteral("mlflow.parentRunId"), request.parentRunId});
    return tags;
}

QVector<tracking::KeyValue> paramValues(const QVector<std::pair<QString, QString>> &params)
{
    QVector<tracking::KeyValue> kv;
    for (const auto &[k, v] : params)
        kv.append({k, v.left(tracking::Limits::kMaxParamValueLength)});
    return kv;
}

QVector<tracking::DataInput> dataInputs(const TrainRequest &request, const QString &dataMd5)
{
    QVector<tracking::DataInput> inputs;
    if (!request.config.data.path.isEmpty())
        inputs.append({request.config.data.path, dataMd5});
    return inputs;
}

} // namespace

RunRecorder::RunRecorder() : d(std::make_unique<Impl>()) {}
RunRecorder::~RunRecorder()
{
    if (d->writer)
        (void)d->writer->close();
}

Result<QString> RunRecorder::latestCheckpoint(const TrainRequest &request, const QString &runId)
{
    if (!request.jobDir.isEmpty()) {
        // On another node the database stays closed: whoever submitted the job looked it up.
        if (!request.resumeFrom.isEmpty())
            return request.resumeFrom;
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("run %1's checkpoint cannot be looked up in a job on another node (it never opens the workspace's "
                                     "database); the submitter passes it in ORRERY_RESUME_CHECKPOINT").arg(runId));
    }
    store::OpenOptions o;
    ORRERY_ASSIGN_OR_RETURN(auto db, store::Database::open(request.databasePath, o));
    tracking::TrackingStore store(*db, request.clock);
    auto info = store.runInfo(runId);
    if (!info)
        return notFound(QStringLiteral("no run '%1' to resume in this workspace (orrery-cli runs list shows the runs)").arg(runId));
    tracking::ArtifactStore artifacts(*db, request.cacheRoot, request.clock);
    const QString folder = QStringLiteral("%1/%2/artifacts/checkpoints").arg(info->experimentId, runId);
    ORRERY_ASSIGN_OR_RETURN(auto entries, artifacts.list(folder));
    qint64 latest = -1;
    for (const auto &e : entries)
        if (!e.isDir && e.name.startsWith(QLatin1String("step-")) && e.name.endsWith(QLatin1String(".pt")))
            latest = std::max(latest, e.name.mid(5).chopped(3).toLongLong());
    if (latest < 0)
        return notFound(QStringLiteral("run %1 has no checkpoint to resume from (set training.checkpoint_every)").arg(runId));
    return artifacts.fileFor(QStringLiteral("%1/step-%2.pt").arg(folder).arg(latest));
}

Result<std::unique_ptr<RunRecorder>> RunRecorder::start(const TrainRequest &request, const QVector<std::pair<QString, QString>> &params,
                                                        const QString &dataMd5)
{
    std::unique_ptr<RunRecorder> r(new RunRecorder);
    if (request.clock)
        r->d->clock = request.clock;
    r->d->workRoot = request.workRoot;
    if (!request.jobDir.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(r->d->journal, tracking::RunJournalWriter::open(request.jobDir));
        tracking::JournalRunStart s;
        s.startTime = r->d->nowMs();
        if (!request.resumeRunId.isEmpty()) {
            s.runId = request.resumeRunId;
            s.resume = true;
            s.tags = {{QStringLiteral("orrery.resumed_at"), common::toIsoUtc(r->d->clock->now())}};
        } else {
            s.experiment = request.config.tracking.experiment.isEmpty() ? QStringLiteral("Default") : request.config.tracking.experiment;
            s.runName = request.config.tracking.runName;
            s.tags = startTags(request);
        }
        ORRERY_ASSIGN_OR_RETURN(r->m_runId, r->d->journal->start(s));
        if (!s.resume) {
            ORRERY_TRY(r->d->journal->params(r->m_runId, paramValues(params)));
            auto manifest = tracking::captureManifest(request.workspaceRoot, dataInputs(request, dataMd5),
                                                      {{QStringLiteral("training.seed"), qint64(request.config.loop.seed)}});
            if (manifest)
                ORRERY_TRY(r->d->journal->manifest(r->m_runId, manifest->json));
        }
        return r;
    }
    store::OpenOptions o;
    ORRERY_ASSIGN_OR_RETURN(auto db, store::Database::open(request.databasePath, o));
    r->d->db = std::move(db);
    r->d->cacheRoot = request.cacheRoot;
    tracking::TrackingStore store(*r->d->db, r->d->clock);
    if (!request.resumeRunId.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(auto info, store.runInfo(request.resumeRunId));
        r->m_runId = info.runId;
        r->d->experimentId = info.experimentId;
        const tracking::RunStatus running = tracking::RunStatus::Running;
        ORRERY_ASSIGN_OR_RETURN(auto updated, store.updateRun(r->m_runId, &running, 0, QString()));
        ORRERY_TRY(store.setTag(r->m_runId, {QStringLiteral("orrery.resumed_at"), common::toIsoUtc(r->d->clock->now())}));
    } else {
        const QString name = request.config.tracking.experiment.isEmpty() ? QStringLiteral("Default") : request.config.tracking.experiment;
        auto e = store.experimentByName(name);
        if (e) {
            r->d->experimentId = e->id;
        } else {
            ORRERY_ASSIGN_OR_RETURN(auto created, store.createExperiment(name));
            r->d->experimentId = created;
        }
        ORRERY_ASSIGN_OR_RETURN(auto run, store.createRun(r->d->experimentId, request.config.tracking.runName, 0, startTags(request)));
        r->m_runId = run.runId;
        const QVector<tracking::KeyValue> kv = paramValues(params);
        for (int i = 0; i < kv.size(); i += tracking::Limits::kMaxBatchParams)
            ORRERY_TRY(store.logBatchParamsAndTags(r->m_runId, kv.mid(i, tracking::Limits::kMaxBatchParams), {}));
        auto manifest = tracking::captureManifest(request.workspaceRoot, dataInputs(request, dataMd5),
                                                  {{QStringLiteral("training.seed"), qint64(request.config.loop.seed)}});
        if (manifest)
            ORRERY_TRY(tracking::saveManifest(*r->d->db, r->m_runId, *manifest));
    }
    ORRERY_ASSIGN_OR_RETURN(auto writer, tracking::MetricWriter::open(request.databasePath, 100, r->d->clock));
    r->d->writer = std::move(writer);
    return r;
}

QString RunRecorder::workDir() const
{
    const QString dir = QStringLiteral("%1/%2").arg(d->workRoot, m_runId);
    QDir().mkpath(dir);
    return dir;
}

QString RunRecorder::artifactUri(const QString &path) const
{
    // Journaled, the experiment's id is known only once the submitter has imported the run.
    if (d->journal)
        return QStringLiteral("runs:/%1/%2").arg(m_runId, path);
    return QStringLiteral("mlflow-artifacts:/%1/%2/artifacts/%3").arg(d->experimentId, m_runId, path);
}

Status RunRecorder::logArtifact(const QString &path, const QString &file)
{
    if (d->journal) {
        auto copy = d->journal->artifact(m_runId, path, file);
        if (!copy)
            return copy.status().withContext(QStringLiteral("logging artifact %1").arg(path));
        d->journaled.insert(path, *copy);
        return Status::ok();
    }
    tracking::ArtifactStore artifacts(*d->db, d->cacheRoot, d->clock);
    auto entry = artifacts.addFile(QStringLiteral("%1/%2/artifacts/%3").arg(d->experimentId, m_runId, path), file);
    return entry ? Status::ok() : entry.status().withContext(QStringLiteral("logging artifact %1").arg(path));
}

Result<QString> RunRecorder::artifactFile(const QString &path)
{
    if (d->journal) {
        if (!d->journaled.contains(path))
            return notFound(QStringLiteral("run %1 logged no artifact %2").arg(m_runId, path));
        return d->journaled.value(path);
    }
    tracking::ArtifactStore artifacts(*d->db, d->cacheRoot, d->clock);
    return artifacts.fileFor(QStringLiteral("%1/%2/artifacts/%3").arg(d->experimentId, m_runId, path));
}

void RunRecorder::metric(const QString &key, qint64 step, double value)
{
    if (d->journal) {
        d->journal->metric(m_runId, key, {step, d->nowMs(), value});
        return;
    }
    auto it = d->series.find(key);
    if (it == d->series.end())
        it = d->series.insert(key, d->writer->series(m_runId, key));
    d->writer->log(*it, {step, d->nowMs(), value});
}

Status RunRecorder::setTag(const QString &key, const QString &value)
{
    if (d->journal)
        return d->journal->tags(m_runId, {{key, value.left(tracking::Limits::kMaxTagValueLength)}});
    tracking::TrackingStore store(*d->db, d->clock);
    return store.setTag(m_runId, {key, value.left(tracking::Limits::kMaxTagValueLength)});
}

Status RunRecorder::flush() { return d->journal ? d->journal->flush() : d->writer->flush(); }

Status RunRecorder::finish(tracking::RunStatus status, const QString &reason)
{
    if (d->journal)
        return d->journal->end(m_runId, status, d->nowMs(), reason.left(5000));
    ORRERY_TRY(d->writer->flush());
    tracking::TrackingStore store(*d->db, d->clock);
    ORRERY_ASSIGN_OR_RETURN(auto updated, store.updateRun(m_runId, &status, d->nowMs(), QString()));
    if (!reason.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(auto s, d->db->prepare(QStringLiteral("UPDATE runs SET status_reason = ? WHERE id = ?")));
        s.bind(1, reason.left(5000)).bind(2, m_runId);
        ORRERY_TRY(s.run());
        ORRERY_TRY(setTag(QStringLiteral("orrery.failure_reason"), reason));
    }
    return Status::ok();
}

} // namespace orrery::train
