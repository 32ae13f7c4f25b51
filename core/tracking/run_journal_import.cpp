#include "core/tracking/run_journal_import.h"

#include "core/common/clock.h"
#include "core/data/content_cache.h"
#include "core/store/database.h"
#include "core/tracking/artifact_store.h"
#include "core/tracking/metric_block.h"
#include "core/tracking/run_journal.h"
#include "core/tracking/run_manifest.h"
#include "core/tracking/tracking_store.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>

#include <cmath>

namespace orrery::tracking {

namespace {

struct JournalArtifact {
    int line = 0;
    QString path, file, md5;
    qint64 size = 0;
};

// Everything one start record and the records after it say about its run.
struct RunPlan {
    int line = 0; // of the start record
    QString runId, session, experiment, name, parent, user, host;
    qint64 startTime = 0;
    bool resume = false;
    QVector<std::pair<KeyValue, int>> params; // with the line each came from
    QVector<KeyValue> tags;
    QJsonObject manifest;
    bool hasManifest = false;
    QMap<QString, QVector<MetricPoint>> metrics;
    QVector<JournalArtifact> artifacts;
    bool ended = false;
    RunStatus status = RunStatus::Failed;
    qint64 endTime = 0;
    QString reason;
};

class Where {
public:
    Where(QString path) : m_path(std::move(path)) {}
    Status error(int line, const QString &what) const { return invalidArgument(QStringLiteral("%1:%2: %3").arg(m_path).arg(line).arg(what)); }
    QString at(int line) const { return QStringLiteral("%1:%2").arg(m_path).arg(line); }

private:
    QString m_path;
};

Result<QVector<KeyValue>> keyValuesOf(const Where &w, int line, const QJsonValue &v, const QString &kind)
{
    if (!v.isObject())
        return w.error(line, QStringLiteral("'%1s' is not an object of %1s").arg(kind));
    QVector<KeyValue> out;
    const QJsonObject o = v.toObject();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!it.value().isString())
            return w.error(line, QStringLiteral("%1 '%2' has no text value").arg(kind, it.key()));
        if (Status s = TrackingStore::validateKey(kind, it.key()); !s)
            return w.error(line, s.message());
        out.append({it.key(), it.value().toString()});
    }
    return out;
}

// The journal's records, grouped into runs in the order they started.
Result<QVector<RunPlan>> plansOf(const RunJournalContents &c)
{
    const Where w(c.path);
    QVector<RunPlan> plans;
    QHash<QString, int> current; // run id → its latest plan
    for (const JournalRecord &r : c.records) {
        const QString type = r.json.value(QLatin1String("type")).toString();
        const QString run = r.json.value(QLatin1String("run")).toString();
        if (run.isEmpty())
            return w.error(r.line, QStringLiteral("the record names no run (\"run\")"));
        if (type == QLatin1String("start")) {
            RunPlan p;
            p.line = r.line;
            p.runId = run;
            p.session = r.json.value(QLatin1String("session")).toString();
            p.experiment = r.json.value(QLatin1String("experiment")).toString(QStringLiteral("Default"));
            p.name = r.json.value(QLatin1String("name")).toString();
            p.parent = r.json.value(QLatin1String("parent")).toString();
            p.user = r.json.value(QLatin1String("user")).toString();
            p.host = r.json.value(QLatin1String("host")).toString();
            p.startTime = r.json.value(QLatin1String("start_time")).toInteger();
            p.resume = r.json.value(QLatin1String("resume")).toBool();
            if (p.session.isEmpty() || p.startTime <= 0)
                return w.error(r.line, QStringLiteral("the start of run %1 has no session or start_time").arg(run));
            ORRERY_ASSIGN_OR_RETURN(p.tags, keyValuesOf(w, r.line, r.json.value(QLatin1String("tags")), QStringLiteral("tag")));
            current.insert(run, int(plans.size()));
            plans.append(p);
            continue;
        }
        if (!current.contains(run))
            return w.error(r.line, QStringLiteral("a '%1' record of run %2 before the run's start record").arg(type, run));
        RunPlan &p = plans[current.value(run)];
        if (p.ended)
            return w.error(r.line, QStringLiteral("a '%1' record of run %2 after the run's end record").arg(type, run));
        if (type == QLatin1String("params")) {
            ORRERY_ASSIGN_OR_RETURN(auto kv, keyValuesOf(w, r.line, r.json.value(QLatin1String("params")), QStringLiteral("param")));
            for (const KeyValue &k : kv)
                p.params.append({k, r.line});
        } else if (type == QLatin1String("tags")) {
            ORRERY_ASSIGN_OR_RETURN(auto kv, keyValuesOf(w, r.line, r.json.value(QLatin1String("tags")), QStringLiteral("tag")));
            p.tags += kv;
        } else if (type == QLatin1String("manifest")) {
            p.manifest = r.json.value(QLatin1String("manifest")).toObject();
            p.hasManifest = true;
        } else if (type == QLatin1String("metrics")) {
            const QJsonArray points = r.json.value(QLatin1String("points")).toArray();
            for (const QJsonValue &pv : points) {
                const QJsonArray a = pv.toArray();
                double value = 0;
                if (a.size() != 4 || !a[0].isString() || !a[1].isDouble() || !a[2].isDouble() || !parseJournalMetricValue(a[3], &value))
                    return w.error(r.line, QStringLiteral("a metric point is not [KEY, STEP, TIME, VALUE]: %1")
                                               .arg(QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact))));
                if (Status s = TrackingStore::validateMetricKey(a[0].toString()); !s)
                    return w.error(r.line, s.message());
                p.metrics[a[0].toString()].append({a[1].toInteger(), a[2].toInteger(), value});
            }
        } else if (type == QLatin1String("artifact")) {
            JournalArtifact a;
            a.line = r.line;
            a.path = r.json.value(QLatin1String("path")).toString();
            a.file = r.json.value(QLatin1String("file")).toString();
            a.md5 = r.json.value(QLatin1String("md5")).toString();
            a.size = r.json.value(QLatin1String("size")).toInteger(-1);
            auto clean = ArtifactStore::checkPath(a.path);
            if (!clean)
                return w.error(r.line, clean.status().message());
            a.path = *clean;
            auto file = ArtifactStore::checkPath(a.file); // inside the job folder, no ".."
            if (!file || !data::ContentCache::isValidHash(a.md5) || a.size < 0)
                return w.error(r.line, QStringLiteral("artifact '%1' has no valid file, md5 or size").arg(a.path));
            p.artifacts.append(a);
        } else if (type == QLatin1String("end")) {
            if (!parseRunStatus(r.json.value(QLatin1String("status")).toString(), &p.status))
                return w.error(r.line, QStringLiteral("'%1' is not a run status (RUNNING, SCHEDULED, FINISHED, FAILED, KILLED)")
                                           .arg(r.json.value(QLatin1String("status")).toString()));
            p.ended = true;
            p.endTime = r.json.value(QLatin1String("end_time")).toInteger();
            p.reason = r.json.value(QLatin1String("reason")).toString();
        } else {
            return w.error(r.line, QStringLiteral("unknown record type '%1' (start, params, manifest, tags, metrics, artifact, end)").arg(type));
        }
    }
    return plans;
}

// Appends `points` to a run's series as MetricWriter would: the newest block filled first, full
// blocks of kBlockPoints, their summaries and segments, and the run's latest value.
Status appendSeries(store::Database &db, const QString &runId, const QString &key, const QVector<MetricPoint> &points)
{
    qint64 block = 0;
    QVector<MetricPoint> tail;
    {
        ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT block, points FROM metric_points WHERE run_id = ? AND key = ? ORDER BY block DESC LIMIT 1")));
        s.bind(1, runId).bind(2, key);
        if (s.next()) {
            block = s.int64(0);
            tail = decodePoints(s.blob(1));
            if (tail.size() >= kBlockPoints) {
                ++block;
                tail.clear();
            }
        }
        ORRERY_TRY(s.status());
    }
    bool haveLatest = false;
    MetricPoint latest;
    {
        ORRERY_ASSIGN_OR_RETURN(auto l, db.prepare(QStringLiteral("SELECT value, timestamp, step, is_nan FROM latest_metrics WHERE run_id = ? AND key = ?")));
        l.bind(1, runId).bind(2, key);
        if (l.next()) {
            haveLatest = true;
            latest = {l.int64(2), l.int64(1), l.int64(3) ? std::nan("") : l.real(0)};
        }
        ORRERY_TRY(l.status());
    }
    ORRERY_ASSIGN_OR_RETURN(auto insertPoints, db.prepare(QStringLiteral("INSERT OR REPLACE INTO metric_points(run_id, key, block, points) VALUES (?,?,?,?)")));
    ORRERY_ASSIGN_OR_RETURN(auto insertSummary,
        db.prepare(QStringLiteral("INSERT OR REPLACE INTO metric_blocks(run_id, key, block, count, first_step, last_step, min_value, min_step, "
                                  "max_value, max_step, min_time, max_time) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")));
    ORRERY_ASSIGN_OR_RETURN(auto insertSegments, db.prepare(QStringLiteral("INSERT OR REPLACE INTO metric_segments(run_id, key, block, segments) VALUES (?,?,?,?)")));
    auto writeBlock = [&]() -> Status {
        insertPoints.reset();
        insertPoints.bind(1, runId).bind(2, key).bind(3, block).bind(4, encodePoints(tail));
        ORRERY_TRY(insertPoints.run());
        const BlockSummary sum = summarize(tail);
        insertSummary.reset();
        insertSummary.bind(1, runId).bind(2, key).bind(3, block).bind(4, sum.count).bind(5, sum.firstStep).bind(6, sum.lastStep);
        if (sum.hasValues)
            insertSummary.bind(7, sum.min.value).bind(8, sum.min.step).bind(9, sum.max.value).bind(10, sum.max.step).bind(11, sum.min.timestamp).bind(12, sum.max.timestamp);
        else
            insertSummary.bindNull(7).bindNull(8).bindNull(9).bindNull(10).bindNull(11).bindNull(12);
        ORRERY_TRY(insertSummary.run());
        insertSegments.reset();
        insertSegments.bind(1, runId).bind(2, key).bind(3, block).bind(4, encodeSegments(tail));
        return insertSegments.run();
    };
    for (const MetricPoint &p : points) {
        tail.append(p);
        if (!haveLatest || isLater(p, latest)) {
            latest = p;
            haveLatest = true;
        }
        if (tail.size() == kBlockPoints) {
            ORRERY_TRY(writeBlock());
            ++block;
            tail.clear();
        }
    }
    if (!tail.isEmpty())
        ORRERY_TRY(writeBlock());
    if (!haveLatest)
        return Status::ok();
    ORRERY_ASSIGN_OR_RETURN(auto put, db.prepare(QStringLiteral("INSERT OR REPLACE INTO latest_metrics(run_id, key, value, timestamp, step, is_nan) VALUES (?,?,?,?,?,?)")));
    put.bind(1, runId).bind(2, key);
    if (std::isnan(latest.value))
        put.bindNull(3);
    else
        put.bind(3, latest.value);
    put.bind(4, latest.timestamp).bind(5, latest.step).bind(6, std::isnan(latest.value) ? 1 : 0);
    return put.run();
}

// Whether the run exists, and the journal sessions already recorded into it.
struct RunState {
    bool exists = false;
    QString experimentId;
    QStringList sessions;
};

Result<RunState> runState(store::Database &db, const QString &runId)
{
    RunState st;
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT experiment_id FROM runs WHERE id = ?")));
    s.bind(1, runId);
    if (s.next()) {
        st.exists = true;
        st.experimentId = QString::number(s.int64(0));
    }
    ORRERY_TRY(s.status());
    ORRERY_ASSIGN_OR_RETURN(auto t, db.prepare(QStringLiteral("SELECT value FROM tags WHERE run_id = ? AND key = 'orrery.journal_sessions'")));
    t.bind(1, runId);
    if (t.next())
        st.sessions = t.text(0).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    ORRERY_TRY(t.status());
    return st;
}

Status putTag(store::Statement &insertTag, const QString &runId, const QString &key, const QString &value)
{
    insertTag.reset();
    insertTag.bind(1, runId).bind(2, key).bind(3, value.left(Limits::kMaxTagValueLength));
    return insertTag.run();
}

// One run, in one transaction. False when an earlier import recorded it already.
Result<bool> recordRun(store::Database &db, const QString &workspaceRoot, const QString &jobDir, const RunJournalContents &c, const RunPlan &p,
                       const common::Clock &clock, QStringList *warnings)
{
    const Where w(c.path);
    ORRERY_ASSIGN_OR_RETURN(RunState before, runState(db, p.runId));
    if (before.sessions.contains(p.session))
        return false;
    if (p.resume && !before.exists)
        return w.error(p.line, QStringLiteral("the journal continues run %1, which this workspace does not have").arg(p.runId));
    if (!p.resume && before.exists)
        return w.error(p.line, QStringLiteral("run %1 is already in this workspace but was not recorded from this journal; "
                                              "a job folder copied from another workspace?").arg(p.runId));
    // Outside the transaction, both idempotent: the experiment (by name) and the cache objects.
    QString experimentId = before.experimentId;
    TrackingStore tracking(db, &clock);
    if (!p.resume) {
        auto e = tracking.experimentByName(p.experiment);
        if (e) {
            experimentId = e->id;
        } else {
            ORRERY_ASSIGN_OR_RETURN(experimentId, tracking.createExperiment(p.experiment));
        }
    }
    data::ContentCache cache(workspaceRoot + QStringLiteral("/.orrery/cache")); // workspace::Workspace::cacheDirFor
    for (const JournalArtifact &a : p.artifacts) {
        const QString file = QDir(jobDir).filePath(a.file);
        auto stored = cache.addFile(file, a.md5);
        if (!stored)
            return w.error(a.line, QStringLiteral("artifact '%1' (%2) cannot be stored: %3").arg(a.path, file, stored.status().message()));
    }

    store::Transaction tx(db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(RunState now, runState(db, p.runId));
    if (now.sessions.contains(p.session))
        return false; // another process imported it meanwhile
    const qint64 nowMs = clock.now().toMSecsSinceEpoch();
    RunStatus status = p.status;
    qint64 endTime = p.endTime > 0 ? p.endTime : nowMs;
    QString reason = p.reason;
    if (!p.ended) {
        status = RunStatus::Failed;
        reason = QStringLiteral("its job ended before the run did (no end record in %1: killed, timed out or lost)").arg(c.path);
        warnings->append(QStringLiteral("%1: run %2 has no end record; recorded as FAILED").arg(w.at(p.line), p.runId));
    }
    if (!p.resume) {
        ORRERY_ASSIGN_OR_RETURN(auto insert,
            db.prepare(QStringLiteral("INSERT INTO runs(id, experiment_id, name, user_id, status, start_time, end_time, heartbeat_time, "
                                      "artifact_uri, host, pid, status_reason) VALUES (?,?,?,?,?,?,?,?,?,?,0,?)")));
        insert.bind(1, p.runId).bind(2, experimentId.toLongLong()).bind(3, p.name.isEmpty() ? generatedRunName() : p.name)
            .bind(4, p.user).bind(5, QString::fromLatin1(runStatusName(status))).bind(6, p.startTime).bind(7, endTime).bind(8, endTime)
            .bind(9, QStringLiteral("mlflow-artifacts:/%1/%2/artifacts").arg(experimentId, p.runId)).bind(10, p.host).bind(11, reason.left(5000));
        ORRERY_TRY(insert.run());
    } else {
        ORRERY_ASSIGN_OR_RETURN(auto update, db.prepare(QStringLiteral("UPDATE runs SET status = ?, end_time = ?, heartbeat_time = ?, status_reason = ? WHERE id = ?")));
        update.bind(1, QString::fromLatin1(runStatusName(status))).bind(2, endTime).bind(3, endTime).bind(4, reason.left(5000)).bind(5, p.runId);
        ORRERY_TRY(update.run());
    }

    ORRERY_ASSIGN_OR_RETURN(auto insertTag, db.prepare(QStringLiteral("INSERT OR REPLACE INTO tags(run_id, key, value) VALUES (?,?,?)")));
    if (!p.resume) {
        ORRERY_TRY(putTag(insertTag, p.runId, QStringLiteral("mlflow.runName"), p.name));
        if (!p.parent.isEmpty())
            ORRERY_TRY(putTag(insertTag, p.runId, QStringLiteral("mlflow.parentRunId"), p.parent));
    }
    for (const KeyValue &t : p.tags)
        ORRERY_TRY(putTag(insertTag, p.runId, t.key, t.value));
    if (!reason.isEmpty()) // as RunRecorder::finish tags it
        ORRERY_TRY(putTag(insertTag, p.runId, QStringLiteral("orrery.failure_reason"), reason));
    ORRERY_TRY(putTag(insertTag, p.runId, QStringLiteral("orrery.recorded_from"), QStringLiteral("journal")));
    ORRERY_TRY(putTag(insertTag, p.runId, QStringLiteral("orrery.journal"), QDir(workspaceRoot).relativeFilePath(c.path)));
    ORRERY_TRY(putTag(insertTag, p.runId, QStringLiteral("orrery.journal_sessions"), (now.sessions + QStringList{p.session}).join(QLatin1Char(' '))));

    ORRERY_ASSIGN_OR_RETURN(auto existing, db.prepare(QStringLiteral("SELECT value FROM params WHERE run_id = ? AND key = ?")));
    ORRERY_ASSIGN_OR_RETURN(auto insertParam, db.prepare(QStringLiteral("INSERT OR IGNORE INTO params(run_id, key, value) VALUES (?,?,?)")));
    for (const auto &[kv, line] : p.params) {
        const QString value = kv.value.left(Limits::kMaxParamValueLength);
        existing.reset();
        existing.bind(1, p.runId).bind(2, kv.key);
        if (existing.next() && existing.text(0) != value)
            return w.error(line, QStringLiteral("param '%1' of run %2 is '%3' in the workspace and '%4' in the journal").arg(kv.key, p.runId, existing.text(0), value));
        insertParam.reset();
        insertParam.bind(1, p.runId).bind(2, kv.key).bind(3, value);
        ORRERY_TRY(insertParam.run());
    }
    if (p.hasManifest)
        ORRERY_TRY(saveManifest(db, p.runId, RunManifest{p.manifest}));
    for (auto it = p.metrics.cbegin(); it != p.metrics.cend(); ++it)
        ORRERY_TRY(appendSeries(db, p.runId, it.key(), it.value()));
    for (const JournalArtifact &a : p.artifacts)
        ORRERY_TRY(indexArtifact(db, QStringLiteral("%1/%2/artifacts/%3").arg(experimentId, p.runId, a.path), p.runId, a.md5, a.size, nowMs));
    ORRERY_TRY(tx.commit());
    return true;
}

} // namespace

Result<JournalImport> importRunJournal(store::Database &db, const QString &workspaceRoot, const QString &jobDir, const common::Clock *clock)
{
    JournalImport out;
    const QString path = QDir(jobDir).filePath(QLatin1String(kRunJournalName));
    if (jobDir.isEmpty() || !QFileInfo::exists(path))
        return out;
    out.journal = path;
    ORRERY_ASSIGN_OR_RETURN(const RunJournalContents contents, readRunJournal(path));
    for (int line : contents.tornLines)
        out.warnings.append(QStringLiteral("%1:%2: a record the job did not finish writing (it was killed); the complete records before and after it are recorded")
                                .arg(path).arg(line));
    ORRERY_ASSIGN_OR_RETURN(const QVector<RunPlan> plans, plansOf(contents));
    const common::Clock &c = clock ? *clock : common::Clock::system();
    for (const RunPlan &p : plans) {
        ORRERY_ASSIGN_OR_RETURN(const bool recorded, recordRun(db, workspaceRoot, jobDir, contents, p, c, &out.warnings));
        (recorded ? out.recorded : out.alreadyRecorded).append(p.runId);
    }
    return out;
}

} // namespace orrery::tracking
