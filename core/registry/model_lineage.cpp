#include "core/registry/model_lineage.h"

#include "core/store/database.h"
#include "core/tracking/tracking_store.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

#include <optional>
#include <utility>

namespace orrery::registry {

namespace {

Result<QJsonObject> manifestOf(store::Database &db, const QString &runId)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT manifest FROM run_manifests WHERE run_id = ?")));
    s.bind(1, runId);
    const QJsonObject manifest = s.next() ? QJsonDocument::fromJson(s.text(0).toUtf8()).object() : QJsonObject();
    ORRERY_TRY(s.status());
    return manifest;
}

// The newest stage run whose manifest lists `path` at `md5` among its outs: (run id, manifest).
Result<std::optional<std::pair<QString, QJsonObject>>> producerOf(store::Database &db, const QString &path, const QString &md5)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT m.run_id, m.manifest FROM run_manifests m JOIN runs r ON r.id = m.run_id "
                                                              "WHERE m.manifest LIKE ? ORDER BY r.start_time DESC")));
    s.bind(1, QStringLiteral("%\"outs\"%") + md5 + QLatin1Char('%'));
    while (s.next()) {
        const QJsonObject m = QJsonDocument::fromJson(s.text(1).toUtf8()).object();
        for (const QJsonValue &o : m.value(QStringLiteral("outs")).toArray()) {
            const QJsonObject out = o.toObject();
            if (out.value(QStringLiteral("md5")).toString() == md5 && out.value(QStringLiteral("path")).toString() == path)
                return std::optional<std::pair<QString, QJsonObject>>({s.text(0), m});
        }
    }
    ORRERY_TRY(s.status());
    return std::optional<std::pair<QString, QJsonObject>>();
}

} // namespace

Result<QJsonObject> lineageOfRun(store::Database &db, const QString &runId, const QString &pipelineRunId, const QString &workspaceRoot)
{
    tracking::TrackingStore store(db);
    ORRERY_ASSIGN_OR_RETURN(auto run, store.run(runId));
    QJsonObject lineage{{QStringLiteral("run_id"), run.info.runId},
                        {QStringLiteral("run_name"), run.info.runName},
                        {QStringLiteral("experiment_id"), run.info.experimentId}};
    // The pipeline run: up the parent tags to the run tagged orrery.pipeline (orrery-train's run
    // hangs under the train stage's run, which hangs under the pipeline run), else the parent.
    auto parentOf = [](const QVector<tracking::KeyValue> &tags) {
        for (const auto &t : tags)
            if (t.key == QLatin1String("mlflow.parentRunId"))
                return t.value;
        return QString();
    };
    QString parent = parentOf(run.tags);
    QString stageRun;
    int steps = 0; // a few levels at most; parent tags can make a cycle
    for (QString up = parent; !up.isEmpty() && steps++ < 4;) {
        auto above = store.run(up);
        if (!above)
            break;
        bool isPipeline = false;
        for (const auto &t : std::as_const(above->tags))
            isPipeline |= t.key == QLatin1String("orrery.pipeline") && t.value == QLatin1String("true");
        if (isPipeline) {
            parent = up;
            break;
        }
        stageRun = up;
        up = parentOf(above->tags);
    }
    if (parent.isEmpty())
        parent = pipelineRunId;
    lineage.insert(QStringLiteral("parent_run_id"), parent);
    if (!stageRun.isEmpty() && stageRun != parent)
        lineage.insert(QStringLiteral("stage_run_id"), stageRun);

    QJsonObject params, metrics;
    for (const auto &p : std::as_const(run.params))
        params.insert(p.key, p.value);
    for (const auto &m : std::as_const(run.metrics))
        metrics.insert(m.key, m.value);
    lineage.insert(QStringLiteral("params"), params);
    lineage.insert(QStringLiteral("metrics"), metrics);

    // Code from the run's manifest; data from the manifests of the run and of every run of the
    // same pipeline run (the load stage read the dataset version, the train stage its split).
    ORRERY_ASSIGN_OR_RETURN(const QJsonObject manifest, manifestOf(db, runId));
    const QJsonObject code = manifest.value(QStringLiteral("code")).toObject();
    lineage.insert(QStringLiteral("commit"), code.value(QStringLiteral("commit")).toString());
    lineage.insert(QStringLiteral("branch"), code.value(QStringLiteral("branch")).toString());
    lineage.insert(QStringLiteral("dirty"), code.value(QStringLiteral("dirty")).toBool());

    // Data: what the training read (its run's manifest and its stage run's deps), then upstream —
    // each dep back to the stage run that produced that version of it (its manifest's outs), and
    // that run's deps in turn, across pipeline runs that skipped the stage because it was up to
    // date. What is produced by no stage is a source (the dataset version, a schema). Only what
    // the model depends on: not the outputs of stages after training.
    QJsonArray data;
    QSet<QString> seen;
    QVector<std::pair<QJsonObject, QString>> todo; // (entry, the run that read it)
    const auto addDeps = [&](const QJsonObject &m, const QString &reader) {
        for (const QJsonValue &d : m.value(QStringLiteral("data")).toArray())
            todo.push_back({d.toObject(), reader});
    };
    addDeps(manifest, runId);
    if (!stageRun.isEmpty() && stageRun != parent) {
        ORRERY_ASSIGN_OR_RETURN(const QJsonObject stageManifest, manifestOf(db, stageRun));
        addDeps(stageManifest, stageRun);
    }
    for (int i = 0; i < todo.size() && i < 1000; ++i) {
        const QJsonObject d = todo[i].first;
        QString path = d.value(QStringLiteral("path")).toString();
        if (!workspaceRoot.isEmpty() && path.startsWith(workspaceRoot + QLatin1Char('/')))
            path = path.mid(workspaceRoot.size() + 1);
        const QString md5 = d.value(QStringLiteral("md5")).toString();
        if (path.isEmpty() || seen.contains(path + md5))
            continue;
        seen.insert(path + md5);
        std::optional<std::pair<QString, QJsonObject>> producer;
        if (!md5.isEmpty()) {
            ORRERY_ASSIGN_OR_RETURN(producer, producerOf(db, path, md5));
        }
        data.append(QJsonObject{{QStringLiteral("path"), path},
                                {QStringLiteral("md5"), md5},
                                {QStringLiteral("run_id"), todo[i].second},
                                {QStringLiteral("produced_by"), producer ? producer->first : QString()}});
        if (producer)
            addDeps(producer->second, producer->first);
    }
    lineage.insert(QStringLiteral("data"), data);
    return lineage;
}

Result<QString> runOfModelFile(store::Database &db, const QString &md5)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT t.run_id FROM tags t JOIN runs r ON r.id = t.run_id "
                                                              "WHERE t.key = 'orrery.model_md5' AND t.value = ? ORDER BY r.start_time DESC LIMIT 1")));
    s.bind(1, md5);
    const QString run = s.next() ? s.text(0) : QString();
    ORRERY_TRY(s.status());
    return run;
}

} // namespace orrery::registry
