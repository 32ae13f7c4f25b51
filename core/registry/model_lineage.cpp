#include "core/registry/model_lineage.h"

#include "core/store/database.h"
#include "core/tracking/tracking_store.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

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

    QStringList runs{runId};
    if (!parent.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT t.run_id FROM tags t JOIN runs r ON r.id = t.run_id "
                                                                  "WHERE t.key = 'mlflow.parentRunId' AND t.value = ? ORDER BY r.start_time")));
        s.bind(1, parent);
        while (s.next())
            if (s.text(0) != runId)
                runs << s.text(0);
        ORRERY_TRY(s.status());
    }
    QJsonArray data;
    QSet<QString> seen;
    for (const QString &r : std::as_const(runs)) {
        ORRERY_ASSIGN_OR_RETURN(const QJsonObject m, r == runId ? Result<QJsonObject>(manifest) : manifestOf(db, r));
        for (const QJsonValue &d : m.value(QStringLiteral("data")).toArray()) {
            QString path = d.toObject().value(QStringLiteral("path")).toString();
            if (!workspaceRoot.isEmpty() && path.startsWith(workspaceRoot + QLatin1Char('/')))
                path = path.mid(workspaceRoot.size() + 1);
            const QString md5 = d.toObject().value(QStringLiteral("md5")).toString();
            if (path.isEmpty() || seen.contains(path + md5))
                continue;
            seen.insert(path + md5);
            data.append(QJsonObject{{QStringLiteral("path"), path}, {QStringLiteral("md5"), md5}, {QStringLiteral("run_id"), r}});
        }
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
