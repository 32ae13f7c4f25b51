#include "core/tracking/tracking_store.h"

#include "core/common/clock.h"

#include "core/common/system_info.h"
#include "core/store/database.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QRegularExpression>
#include <QSysInfo>
#include <QUuid>

#include <cerrno>
#include <csignal>

namespace orrery::tracking {
namespace {

Status alreadyExists(QString m)
{
    return {ErrorCode::AlreadyExists, std::move(m)};
}

} // namespace

QString generatedRunName()
{
    static const char *adjectives[] = {"amber", "bold", "calm", "deft", "eager", "fleet", "grand", "keen", "lucid", "merry", "noble", "quiet", "rapid", "sly", "stoic", "vivid"};
    static const char *nouns[] = {"comet", "delta", "ember", "falcon", "glacier", "harbor", "lynx", "meadow", "nebula", "orbit", "prism", "quasar", "raven", "summit", "tide", "willow"};
    const quint32 r = QUuid::createUuid().data1;
    return QStringLiteral("%1-%2-%3").arg(QLatin1String(adjectives[r % 16]), QLatin1String(nouns[(r / 16) % 16])).arg((r / 256) % 1000);
}

RunInfo readRunInfo(const store::Statement &s)
{
    RunInfo info;
    info.runId = s.text(0);
    info.experimentId = QString::number(s.int64(1));
    info.runName = s.text(2);
    info.userId = s.text(3);
    parseRunStatus(s.text(4), &info.status);
    info.startTime = s.int64(5);
    info.endTime = s.isNull(6) ? 0 : s.int64(6);
    info.lifecycleStage = s.text(7);
    info.artifactUri = s.text(8);
    info.statusReason = s.text(9);
    return info;
}

const char *const kRunColumns = "id, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri, status_reason";

TrackingStore::TrackingStore(store::Database &db, const common::Clock *clock)
    : m_db(db), m_clock(clock ? *clock : common::Clock::system())
{
}

qint64 TrackingStore::nowMs() const
{
    return m_clock.now().toMSecsSinceEpoch();
}

Status TrackingStore::validateKey(const QString &kind, const QString &key)
{
    static const QRegularExpression allowed(QStringLiteral("^[/\\w.\\- ]+$"), QRegularExpression::UseUnicodePropertiesOption);
    static const QRegularExpression allowedParam(QStringLiteral("^[/\\w.\\- :]+$"), QRegularExpression::UseUnicodePropertiesOption);
    const bool param = kind == QLatin1String("param");
    if (key.isEmpty())
        return invalidArgument(QStringLiteral("%1 key must not be empty").arg(kind));
    if (key.toUtf8().size() > Limits::kMaxKeyLength)
        return invalidArgument(QStringLiteral("%1 key '%2…' is %3 bytes long; the limit is %4")
                                   .arg(kind, key.left(40)).arg(key.toUtf8().size()).arg(Limits::kMaxKeyLength));
    if (!(param ? allowedParam : allowed).match(key).hasMatch())
        return invalidArgument(QStringLiteral("invalid %1 key '%2': keys may only contain letters, digits, '_', '-', '.', ' '%3 and '/'")
                                   .arg(kind, key, param ? QStringLiteral(", ':'") : QString()));
    if (key.startsWith(QLatin1Char('/')) || key.split(QLatin1Char('/')).contains(QStringLiteral("..")))
        return invalidArgument(QStringLiteral("invalid %1 key '%2': it would name a path outside the run ('..' or a leading '/')").arg(kind, key));
    return Status::ok();
}

QString TrackingStore::paramKeyFor(const QString &name)
{
    if (validateKey(QStringLiteral("param"), name).isOk())
        return name;
    static const QRegularExpression refused(QStringLiteral("[^/\\w.\\- :]"), QRegularExpression::UseUnicodePropertiesOption);
    QString key = name;
    key.replace(refused, QStringLiteral("_"));
    // No empty key, no leading '/', no '..' segment.
    QStringList parts = key.split(QLatin1Char('/'));
    for (QString &part : parts)
        if (part == QLatin1String(".."))
            part = QStringLiteral("__");
    key = parts.join(QLatin1Char('/'));
    while (key.startsWith(QLatin1Char('/')))
        key[0] = QLatin1Char('_');
    if (key.isEmpty())
        key = QStringLiteral("_");
    while (key.toUtf8().size() > Limits::kMaxKeyLength)
        key.chop(1);
    return key;
}

Result<QString> TrackingStore::createExperiment(const QString &name, const QString &artifactLocation, const QVector<KeyValue> &tags)
{
    if (name.trimmed().isEmpty())
        return invalidArgument(QStringLiteral("an experiment needs a name"));
    if (name.size() > Limits::kMaxExperimentNameLength)
        return invalidArgument(QStringLiteral("experiment name is longer than %1 characters").arg(Limits::kMaxExperimentNameLength));
    for (const KeyValue &t : tags)
        ORRERY_TRY(validateKey(QStringLiteral("tag"), t.key));
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto exists, m_db.prepare(QStringLiteral("SELECT id FROM experiments WHERE name = ?")));
    exists.bind(1, name);
    if (exists.next())
        return alreadyExists(QStringLiteral("Experiment '%1' already exists.").arg(name));
    ORRERY_TRY(exists.status());
    ORRERY_ASSIGN_OR_RETURN(auto insert,
        m_db.prepare(QStringLiteral("INSERT INTO experiments(id, name, artifact_location, creation_time, last_update_time) "
                                    "VALUES ((SELECT coalesce(max(id), 0) + 1 FROM experiments), ?, ?, ?, ?)")));
    const qint64 now = nowMs();
    insert.bind(1, name).bind(2, artifactLocation).bind(3, now).bind(4, now);
    ORRERY_TRY(insert.run());
    const QString id = QString::number(m_db.lastInsertRowId());
    if (artifactLocation.isEmpty()) {
        auto fix = m_db.prepare(QStringLiteral("UPDATE experiments SET artifact_location = ? WHERE id = ?"));
        fix->bind(1, QStringLiteral("mlflow-artifacts:/") + id).bind(2, id.toLongLong());
        ORRERY_TRY(fix->run());
    }
    auto tag = m_db.prepare(QStringLiteral("INSERT OR REPLACE INTO experiment_tags(experiment_id, key, value) VALUES (?,?,?)"));
    for (const KeyValue &t : tags) {
        tag->reset();
        tag->bind(1, id.toLongLong()).bind(2, t.key).bind(3, t.value);
        ORRERY_TRY(tag->run());
    }
    ORRERY_TRY(tx.commit());
    return id;
}

Result<Experiment> TrackingStore::experiment(const QString &id)
{
    bool ok = false;
    const qint64 numeric = id.toLongLong(&ok);
    if (!ok)
        return notFound(QStringLiteral("No Experiment with id=%1 exists").arg(id));
    ORRERY_ASSIGN_OR_RETURN(auto s,
        m_db.prepare(QStringLiteral(
            "SELECT id, name, artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments WHERE id = ?")));
    s.bind(1, numeric);
    if (!s.next())
        return s.status().isOk() ? Result<Experiment>(notFound(QStringLiteral("No Experiment with id=%1 exists").arg(id))) : s.status();
    Experiment e{QString::number(s.int64(0)), s.text(1), s.text(2), s.text(3), s.int64(4), s.int64(5), {}};
    auto tags = m_db.prepare(QStringLiteral("SELECT key, value FROM experiment_tags WHERE experiment_id = ? ORDER BY key"));
    tags->bind(1, numeric);
    while (tags->next())
        e.tags.append({tags->text(0), tags->text(1)});
    return e;
}

Result<Experiment> TrackingStore::experimentByName(const QString &name)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT id FROM experiments WHERE name = ?")));
    s.bind(1, name);
    if (!s.next())
        return s.status().isOk() ? Result<Experiment>(notFound(QStringLiteral("Could not find experiment with name '%1'").arg(name))) : s.status();
    return experiment(QString::number(s.int64(0)));
}

Result<QVector<Experiment>> TrackingStore::experiments(ViewType view)
{
    ORRERY_ASSIGN_OR_RETURN(auto s,
        m_db.prepare(QStringLiteral("SELECT id FROM experiments WHERE (?1 = 2) OR (?1 = 0 AND lifecycle_stage = 'active') "
                                    "OR (?1 = 1 AND lifecycle_stage = 'deleted') ORDER BY id")));
    s.bind(1, int(view));
    QVector<Experiment> all;
    QStringList ids;
    while (s.next())
        ids << QString::number(s.int64(0));
    ORRERY_TRY(s.status());
    for (const QString &id : ids) {
        ORRERY_ASSIGN_OR_RETURN(auto e, experiment(id));
        all.append(e);
    }
    return all;
}

Status TrackingStore::setExperimentLifecycle(const QString &id, bool deleted)
{
    ORRERY_ASSIGN_OR_RETURN(auto e, experiment(id));
    if (id == QLatin1String("0") && deleted)
        return invalidArgument(QStringLiteral("The default experiment cannot be deleted"));
    const QString stage = deleted ? QStringLiteral("deleted") : QStringLiteral("active");
    if (e.lifecycleStage == stage)
        return Status::ok(); // already so: its runs keep the stages they have
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(
        auto s, m_db.prepare(QStringLiteral("UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE id = ?")));
    s.bind(1, stage).bind(2, nowMs()).bind(3, e.id.toLongLong());
    ORRERY_TRY(s.run());
    ORRERY_ASSIGN_OR_RETURN(
        auto runs, m_db.prepare(QStringLiteral("UPDATE runs SET lifecycle_stage = ? WHERE experiment_id = ? AND lifecycle_stage != ?")));
    runs.bind(1, stage).bind(2, e.id.toLongLong()).bind(3, stage);
    ORRERY_TRY(runs.run());
    return tx.commit();
}

Status TrackingStore::renameExperiment(const QString &id, const QString &newName)
{
    if (newName.trimmed().isEmpty())
        return invalidArgument(QStringLiteral("Invalid experiment name '%1': an experiment needs a name").arg(newName));
    if (newName.size() > Limits::kMaxExperimentNameLength)
        return invalidArgument(QStringLiteral("Experiment name '%1…' is %2 characters long; the limit is %3")
                                   .arg(newName.left(40)).arg(newName.size()).arg(Limits::kMaxExperimentNameLength));
    ORRERY_ASSIGN_OR_RETURN(auto e, experiment(id));
    if (e.lifecycleStage != QLatin1String("active"))
        return {ErrorCode::FailedPrecondition, QStringLiteral("Cannot rename a non-active experiment.")};
    if (e.name == newName)
        return Status::ok();
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto exists, m_db.prepare(QStringLiteral("SELECT id, lifecycle_stage FROM experiments WHERE name = ?")));
    exists.bind(1, newName);
    if (exists.next())
        return alreadyExists(QStringLiteral("Experiment(name=%1) already exists: experiment %2 (%3) has that name.")
                                 .arg(newName).arg(exists.int64(0)).arg(exists.text(1)));
    ORRERY_TRY(exists.status());
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("UPDATE experiments SET name = ?, last_update_time = ? WHERE id = ?")));
    s.bind(1, newName).bind(2, nowMs()).bind(3, e.id.toLongLong());
    ORRERY_TRY(s.run());
    return tx.commit();
}

Status TrackingStore::setExperimentTag(const QString &id, const KeyValue &tag)
{
    ORRERY_TRY(validateKey(QStringLiteral("tag"), tag.key));
    if (tag.value.size() > Limits::kMaxTagValueLength)
        return invalidArgument(QStringLiteral("tag value for '%1' is longer than %2").arg(tag.key).arg(Limits::kMaxTagValueLength));
    ORRERY_ASSIGN_OR_RETURN(auto e, experiment(id));
    if (e.lifecycleStage != QLatin1String("active"))
        return invalidArgument(QStringLiteral("The experiment %1 must be in the 'active' state").arg(id));
    auto s = m_db.prepare(QStringLiteral("INSERT OR REPLACE INTO experiment_tags(experiment_id, key, value) VALUES (?,?,?)"));
    s->bind(1, id.toLongLong()).bind(2, tag.key).bind(3, tag.value);
    return s->run();
}

Result<RunInfo> TrackingStore::createRun(const QString &experimentId, const QString &runNameArg, qint64 startTime,
                                         const QVector<KeyValue> &tags, const QString &userId)
{
    ORRERY_ASSIGN_OR_RETURN(auto e, experiment(experimentId.isEmpty() ? QStringLiteral("0") : experimentId));
    if (e.lifecycleStage != QLatin1String("active"))
        return invalidArgument(QStringLiteral("The experiment %1 must be in the 'active' state to create runs").arg(e.id));
    QString runName = runNameArg;
    for (const KeyValue &t : tags) {
        ORRERY_TRY(validateKey(QStringLiteral("tag"), t.key));
        if (t.key == QLatin1String("mlflow.runName")) {
            if (!runName.isEmpty() && runName != t.value)
                return invalidArgument(QStringLiteral("Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values "
                                                      "(run_name='%1', mlflow.runName='%2').").arg(runName, t.value));
            runName = t.value;
        }
    }
    if (runName.isEmpty())
        runName = generatedRunName();
    RunInfo info;
    info.runId = QUuid::createUuid().toString(QUuid::Id128);
    info.runName = runName;
    info.experimentId = e.id;
    info.userId = userId.isEmpty() ? common::osUserName() : userId;
    info.status = RunStatus::Running;
    info.startTime = startTime > 0 ? startTime : nowMs();
    info.lifecycleStage = QStringLiteral("active");
    info.artifactUri = QStringLiteral("mlflow-artifacts:/%1/%2/artifacts").arg(e.id, info.runId);

    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto insert,
        m_db.prepare(QStringLiteral("INSERT INTO runs(id, experiment_id, name, user_id, status, start_time, heartbeat_time, "
                                    "artifact_uri, host, pid) VALUES (?,?,?,?,?,?,?,?,?,?)")));
    insert.bind(1, info.runId).bind(2, e.id.toLongLong()).bind(3, info.runName).bind(4, info.userId)
        .bind(5, QString::fromLatin1(runStatusName(info.status))).bind(6, info.startTime).bind(7, nowMs()).bind(8, info.artifactUri)
        .bind(9, QSysInfo::machineHostName()).bind(10, qint64(0));
    ORRERY_TRY(insert.run());
    auto tag = m_db.prepare(QStringLiteral("INSERT OR REPLACE INTO tags(run_id, key, value) VALUES (?,?,?)"));
    QVector<KeyValue> allTags = tags;
    bool hasName = false;
    for (const KeyValue &t : tags)
        hasName = hasName || t.key == QLatin1String("mlflow.runName");
    if (!hasName)
        allTags.append({QStringLiteral("mlflow.runName"), runName});
    for (const KeyValue &t : allTags) {
        tag->reset();
        tag->bind(1, info.runId).bind(2, t.key).bind(3, t.value);
        ORRERY_TRY(tag->run());
    }
    ORRERY_TRY(tx.commit());
    return info;
}

Result<RunInfo> TrackingStore::runInfo(const QString &runId)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT %1 FROM runs WHERE id = ?").arg(QLatin1String(kRunColumns))));
    s.bind(1, runId);
    if (!s.next())
        return s.status().isOk() ? Result<RunInfo>(notFound(QStringLiteral("Run '%1' not found").arg(runId))) : s.status();
    return readRunInfo(s);
}

Result<Run> TrackingStore::run(const QString &runId)
{
    ORRERY_ASSIGN_OR_RETURN(auto info, runInfo(runId));
    Run r;
    r.info = info;
    auto params = m_db.prepare(QStringLiteral("SELECT key, value FROM params WHERE run_id = ? ORDER BY key"));
    params->bind(1, runId);
    while (params->next())
        r.params.append({params->text(0), params->text(1)});
    auto tags = m_db.prepare(QStringLiteral("SELECT key, value FROM tags WHERE run_id = ? ORDER BY key"));
    tags->bind(1, runId);
    while (tags->next())
        r.tags.append({tags->text(0), tags->text(1)});
    auto metrics = m_db.prepare(QStringLiteral("SELECT key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_id = ? ORDER BY key"));
    metrics->bind(1, runId);
    while (metrics->next())
        r.metrics.append({metrics->text(0), metrics->int64(4) ? std::nan("") : metrics->real(1), metrics->int64(2), metrics->int64(3)});
    ORRERY_TRY(metrics->status());
    ORRERY_ASSIGN_OR_RETURN(auto inputs,
        m_db.prepare(QStringLiteral("SELECT d.id, d.name, d.digest, d.source_type, d.source, d.schema, d.profile "
                                    "FROM run_inputs i JOIN datasets d ON d.id = i.dataset_id WHERE i.run_id = ? ORDER BY i.rowid")));
    inputs.bind(1, runId);
    QVector<qint64> datasetIds;
    while (inputs.next()) {
        DatasetInput in;
        datasetIds.append(inputs.int64(0));
        in.dataset = {inputs.text(1), inputs.text(2), inputs.text(3), inputs.text(4), std::nullopt, std::nullopt};
        if (!inputs.isNull(5))
            in.dataset.schema = inputs.text(5);
        if (!inputs.isNull(6))
            in.dataset.profile = inputs.text(6);
        r.datasetInputs.append(in);
    }
    ORRERY_TRY(inputs.status());
    if (!datasetIds.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(auto tags,
            m_db.prepare(QStringLiteral("SELECT dataset_id, key, value FROM input_tags WHERE run_id = ? ORDER BY dataset_id, key")));
        tags.bind(1, runId);
        while (tags.next()) {
            const int at = int(datasetIds.indexOf(tags.int64(0)));
            if (at >= 0)
                r.datasetInputs[at].tags.append({tags.text(1), tags.text(2)});
        }
        ORRERY_TRY(tags.status());
    }
    return r;
}

Result<RunInfo> TrackingStore::updateRun(const QString &runId, const RunStatus *status, qint64 endTime, const QString &runName)
{
    ORRERY_TRY(checkActiveRun(runId));
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    if (status) {
        auto s = m_db.prepare(QStringLiteral("UPDATE runs SET status = ? WHERE id = ?"));
        s->bind(1, QString::fromLatin1(runStatusName(*status))).bind(2, runId);
        ORRERY_TRY(s->run());
    }
    if (endTime > 0) {
        auto s = m_db.prepare(QStringLiteral("UPDATE runs SET end_time = ? WHERE id = ?"));
        s->bind(1, endTime).bind(2, runId);
        ORRERY_TRY(s->run());
    }
    if (!runName.isEmpty()) {
        auto s = m_db.prepare(QStringLiteral("UPDATE runs SET name = ? WHERE id = ?"));
        s->bind(1, runName).bind(2, runId);
        ORRERY_TRY(s->run());
        auto t = m_db.prepare(QStringLiteral("INSERT OR REPLACE INTO tags(run_id, key, value) VALUES (?, 'mlflow.runName', ?)"));
        t->bind(1, runId).bind(2, runName);
        ORRERY_TRY(t->run());
    }
    ORRERY_TRY(tx.commit());
    return runInfo(runId);
}

Status TrackingStore::setRunLifecycle(const QString &runId, bool deleted)
{
    ORRERY_ASSIGN_OR_RETURN(auto info, runInfo(runId));
    auto s = m_db.prepare(QStringLiteral("UPDATE runs SET lifecycle_stage = ? WHERE id = ?"));
    s->bind(1, deleted ? QStringLiteral("deleted") : QStringLiteral("active")).bind(2, runId);
    return s->run();
}

Status TrackingStore::checkActiveRun(const QString &runId)
{
    ORRERY_ASSIGN_OR_RETURN(auto info, runInfo(runId));
    if (info.lifecycleStage != QLatin1String("active"))
        return invalidArgument(QStringLiteral("The run %1 must be in the 'active' state. Current state is %2.").arg(runId, info.lifecycleStage));
    return Status::ok();
}

Status TrackingStore::logParam(const QString &runId, const KeyValue &param)
{
    return logBatchParamsAndTags(runId, {param}, {});
}

Status TrackingStore::setTag(const QString &runId, const KeyValue &tag)
{
    return logBatchParamsAndTags(runId, {}, {tag});
}

Status TrackingStore::deleteTag(const QString &runId, const QString &key)
{
    ORRERY_TRY(checkActiveRun(runId));
    auto s = m_db.prepare(QStringLiteral("DELETE FROM tags WHERE run_id = ? AND key = ?"));
    s->bind(1, runId).bind(2, key);
    ORRERY_TRY(s->run());
    if (m_db.changes() == 0)
        return notFound(QStringLiteral("No tag with name: %1 in run with id %2").arg(key, runId));
    return Status::ok();
}

Status TrackingStore::logBatchParamsAndTags(const QString &runId, const QVector<KeyValue> &params, const QVector<KeyValue> &tags)
{
    for (const KeyValue &p : params) {
        ORRERY_TRY(validateKey(QStringLiteral("param"), p.key));
        if (p.value.size() > Limits::kMaxParamValueLength)
            return invalidArgument(QStringLiteral("param '%1' has a value of %2 characters; the limit is %3").arg(p.key).arg(p.value.size()).arg(Limits::kMaxParamValueLength));
    }
    for (const KeyValue &t : tags) {
        ORRERY_TRY(validateKey(QStringLiteral("tag"), t.key));
        if (t.value.size() > Limits::kMaxTagValueLength)
            return invalidArgument(QStringLiteral("tag '%1' has a value of %2 characters; the limit is %3").arg(t.key).arg(t.value.size()).arg(Limits::kMaxTagValueLength));
    }
    ORRERY_TRY(checkActiveRun(runId));
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    auto existing = m_db.prepare(QStringLiteral("SELECT value FROM params WHERE run_id = ? AND key = ?"));
    auto insertParam = m_db.prepare(QStringLiteral("INSERT OR IGNORE INTO params(run_id, key, value) VALUES (?,?,?)"));
    for (const KeyValue &p : params) {
        existing->reset();
        existing->bind(1, runId).bind(2, p.key);
        if (existing->next() && existing->text(0) != p.value)
            return invalidArgument(QStringLiteral("Changing param values is not allowed. Param with key='%1' was already logged with value='%2' "
                                                  "for run ID='%3'. Attempted logging new value '%4'.").arg(p.key, existing->text(0), runId, p.value));
        insertParam->reset();
        insertParam->bind(1, runId).bind(2, p.key).bind(3, p.value);
        ORRERY_TRY(insertParam->run());
    }
    auto insertTag = m_db.prepare(QStringLiteral("INSERT OR REPLACE INTO tags(run_id, key, value) VALUES (?,?,?)"));
    for (const KeyValue &t : tags) {
        insertTag->reset();
        insertTag->bind(1, runId).bind(2, t.key).bind(3, t.value);
        ORRERY_TRY(insertTag->run());
        if (t.key == QLatin1String("mlflow.runName")) {
            auto rename = m_db.prepare(QStringLiteral("UPDATE runs SET name = ? WHERE id = ?"));
            rename->bind(1, t.value).bind(2, runId);
            ORRERY_TRY(rename->run());
        }
    }
    return tx.commit();
}

namespace {

Status tooLong(int index, const char *field, const char *what, qsizetype size, int limit)
{
    return invalidArgument(QStringLiteral("%1 exceeds the maximum length of %2: datasets[%3].%4 is %5 characters long.")
                               .arg(QLatin1String(what)).arg(limit).arg(index).arg(QLatin1String(field)).arg(size));
}

Status checkDatasetInput(int i, const DatasetInput &in)
{
    const Dataset &d = in.dataset;
    const std::pair<const char *, const QString *> required[] = {
        {"name", &d.name}, {"digest", &d.digest}, {"source_type", &d.sourceType}, {"source", &d.source}};
    for (const auto &[field, value] : required)
        if (value->isEmpty())
            return invalidArgument(QStringLiteral("Missing value for required parameter 'datasets[%1].dataset.%2': a dataset needs a name, "
                                                  "a digest, a source_type and a source.").arg(i).arg(QLatin1String(field)));
    if (d.name.size() > Limits::kMaxDatasetNameSize)
        return tooLong(i, "dataset.name", "Dataset name", d.name.size(), Limits::kMaxDatasetNameSize);
    if (d.digest.size() > Limits::kMaxDatasetDigestSize)
        return tooLong(i, "dataset.digest", "Dataset digest", d.digest.size(), Limits::kMaxDatasetDigestSize);
    if (d.source.size() > Limits::kMaxDatasetSourceSize)
        return tooLong(i, "dataset.source", "Dataset source", d.source.size(), Limits::kMaxDatasetSourceSize);
    if (d.schema && d.schema->size() > Limits::kMaxDatasetSchemaSize)
        return tooLong(i, "dataset.schema", "Dataset schema", d.schema->size(), Limits::kMaxDatasetSchemaSize);
    if (d.profile && d.profile->size() > Limits::kMaxDatasetProfileSize)
        return tooLong(i, "dataset.profile", "Dataset profile", d.profile->size(), Limits::kMaxDatasetProfileSize);
    for (int t = 0; t < in.tags.size(); ++t) {
        const KeyValue &tag = in.tags[t];
        const QString place = QStringLiteral("tags[%1]").arg(t);
        if (tag.key.isEmpty())
            return invalidArgument(QStringLiteral("Missing value for required parameter 'datasets[%1].%2.key': an input tag needs a key.").arg(i).arg(place));
        if (tag.key.size() > Limits::kMaxInputTagKeySize)
            return tooLong(i, qPrintable(place + QStringLiteral(".key")), "Input tag key", tag.key.size(), Limits::kMaxInputTagKeySize);
        if (tag.value.size() > Limits::kMaxInputTagValueSize)
            return tooLong(i, qPrintable(place + QStringLiteral(".value")), "Input tag value", tag.value.size(), Limits::kMaxInputTagValueSize);
    }
    return Status::ok();
}

} // namespace

Status TrackingStore::logInputs(const QString &runId, const QVector<DatasetInput> &inputs)
{
    if (inputs.size() > Limits::kMaxDatasetsPerBatch)
        return invalidArgument(QStringLiteral("A batch logging request can contain at most %1 datasets; got %2.")
                                   .arg(Limits::kMaxDatasetsPerBatch).arg(inputs.size()));
    for (int i = 0; i < inputs.size(); ++i)
        ORRERY_TRY(checkDatasetInput(i, inputs[i]));
    ORRERY_TRY(checkActiveRun(runId));
    ORRERY_ASSIGN_OR_RETURN(auto info, runInfo(runId));
    const qint64 experimentId = info.experimentId.toLongLong();
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    auto find = m_db.prepare(QStringLiteral("SELECT id FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?"));
    auto addDataset = m_db.prepare(QStringLiteral("INSERT INTO datasets(experiment_id, name, digest, source_type, source, schema, profile) "
                                                  "VALUES (?,?,?,?,?,?,?)"));
    auto addInput = m_db.prepare(QStringLiteral("INSERT OR IGNORE INTO run_inputs(run_id, dataset_id) VALUES (?,?)"));
    auto addTag = m_db.prepare(QStringLiteral("INSERT OR REPLACE INTO input_tags(run_id, dataset_id, key, value) VALUES (?,?,?,?)"));
    for (auto *s : {&find, &addDataset, &addInput, &addTag})
        if (!*s)
            return s->status();
    for (const DatasetInput &in : inputs) {
        const Dataset &d = in.dataset;
        find->reset();
        find->bind(1, experimentId).bind(2, d.name).bind(3, d.digest);
        qint64 datasetId = -1;
        if (find->next())
            datasetId = find->int64(0);
        ORRERY_TRY(find->status());
        if (datasetId < 0) {
            addDataset->reset();
            addDataset->bind(1, experimentId).bind(2, d.name).bind(3, d.digest).bind(4, d.sourceType).bind(5, d.source);
            if (d.schema)
                addDataset->bind(6, *d.schema);
            else
                addDataset->bindNull(6);
            if (d.profile)
                addDataset->bind(7, *d.profile);
            else
                addDataset->bindNull(7);
            ORRERY_TRY(addDataset->run());
            datasetId = m_db.lastInsertRowId();
        }
        addInput->reset();
        addInput->bind(1, runId).bind(2, datasetId);
        ORRERY_TRY(addInput->run());
        if (m_db.changes() == 0)
            continue; // already an input of this run: MLflow keeps the first one's tags
        for (const KeyValue &t : in.tags) {
            addTag->reset();
            addTag->bind(1, runId).bind(2, datasetId).bind(3, t.key).bind(4, t.value);
            ORRERY_TRY(addTag->run());
        }
    }
    return tx.commit();
}

Result<int> TrackingStore::markDeadRuns(qint64 staleHeartbeatMs)
{
    ORRERY_ASSIGN_OR_RETURN(
        auto s, m_db.prepare(QStringLiteral("SELECT id, host, pid, heartbeat_time FROM runs WHERE status = 'RUNNING'")));
    const QString host = QSysInfo::machineHostName();
    const qint64 now = nowMs();
    // A client's silence is real time; heartbeats are recorded on the clock (core/common/clock.h).
    const qint64 staleMs = m_clock.clockMs(staleHeartbeatMs);
    QVector<std::pair<QString, QString>> dead;
    while (s.next()) {
        const qint64 pid = s.int64(2);
        const qint64 heartbeat = s.int64(3);
        if (pid > 0 && s.text(1) == host && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
            dead.append({s.text(0), QStringLiteral("the process that ran it (PID %1) ended without finishing the run").arg(pid)});
        else if (pid <= 0 && now - heartbeat > staleMs)
            dead.append({s.text(0), QStringLiteral("no sign of life since %1 (no metric or heartbeat for %2 minutes)")
                                         .arg(QDateTime::fromMSecsSinceEpoch(heartbeat, Qt::UTC).toString(Qt::ISODate))
                                         .arg((now - heartbeat) / 60000)});
    }
    ORRERY_TRY(s.status());
    if (dead.isEmpty())
        return 0;
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    auto mark = m_db.prepare(QStringLiteral("UPDATE runs SET status = 'FAILED', end_time = ?, status_reason = ? WHERE id = ? AND status = 'RUNNING'"));
    for (const auto &[id, reason] : dead) {
        mark->reset();
        mark->bind(1, now).bind(2, reason).bind(3, id);
        ORRERY_TRY(mark->run());
    }
    ORRERY_TRY(tx.commit());
    return int(dead.size());
}

} // namespace orrery::tracking
