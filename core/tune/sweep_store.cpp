#include "core/tune/sweep_store.h"

#include "core/audit/audit_log.h"
#include "core/common/clock.h"
#include "core/common/system_info.h"
#include "core/store/database.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSysInfo>

#include <cerrno>
#include <cmath>
#include <csignal>

namespace orrery::tune {
namespace {

const char *kSweepColumns = "id, name, file, spec, metric, direction, run_id, state, reason, owner_pid, owner_host, created, updated, finished";
const char *kTrialColumns = "number, state, params, point, source, value, steps, run_id, reason, started, finished, job";

QString json(const QJsonObject &o) { return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)); }

QString pointText(const Point &p)
{
    QJsonArray a;
    for (double v : p)
        a.append(std::isnan(v) ? QJsonValue() : QJsonValue(v));
    return QString::fromUtf8(QJsonDocument(a).toJson(QJsonDocument::Compact));
}

Point parsePoint(const QString &text)
{
    const QJsonArray a = QJsonDocument::fromJson(text.toUtf8()).array();
    Point p;
    p.reserve(size_t(a.size()));
    for (const auto &v : a)
        p.push_back(v.isDouble() ? v.toDouble() : std::nan(""));
    return p;
}

Result<Sweep> sweepFromRow(const store::Statement &s)
{
    Sweep w;
    w.id = s.int64(0);
    w.name = s.text(1);
    w.file = s.text(2);
    ORRERY_ASSIGN_OR_RETURN(w.spec, SweepSpec::fromJson(QJsonDocument::fromJson(s.text(3).toUtf8()).object()));
    w.metric = s.text(4);
    w.direction = s.text(5) == QLatin1String("minimize") ? Direction::Minimize : Direction::Maximize;
    w.runId = s.text(6);
    w.state = s.text(7);
    w.reason = s.text(8);
    w.ownerPid = s.int64(9);
    w.ownerHost = s.text(10);
    w.created = s.int64(11);
    w.updated = s.int64(12);
    w.finished = s.isNull(13) ? 0 : s.int64(13);
    return w;
}

Trial trialFromRow(const store::Statement &s)
{
    Trial t;
    t.number = int(s.int64(0));
    t.state = parseTrialState(s.text(1));
    t.params = QJsonDocument::fromJson(s.text(2).toUtf8()).object();
    t.point = parsePoint(s.text(3));
    t.source = s.text(4);
    if (!s.isNull(5))
        t.value = s.real(5);
    t.steps = int(s.int64(6));
    t.runId = s.text(7);
    t.reason = s.text(8);
    t.started = s.isNull(9) ? 0 : s.int64(9);
    t.finished = s.isNull(10) ? 0 : s.int64(10);
    t.job = s.text(11);
    return t;
}

bool processAlive(qint64 pid) { return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM); }

} // namespace

QString trialStateName(TrialState state)
{
    switch (state) {
    case TrialState::Queued: return QStringLiteral("queued");
    case TrialState::Running: return QStringLiteral("running");
    case TrialState::Complete: return QStringLiteral("complete");
    case TrialState::Pruned: return QStringLiteral("pruned");
    case TrialState::Failed: return QStringLiteral("failed");
    }
    return QString();
}

TrialState parseTrialState(const QString &text)
{
    if (text == QLatin1String("queued"))
        return TrialState::Queued;
    if (text == QLatin1String("running"))
        return TrialState::Running;
    if (text == QLatin1String("complete"))
        return TrialState::Complete;
    if (text == QLatin1String("pruned"))
        return TrialState::Pruned;
    return TrialState::Failed;
}

SweepStore::SweepStore(store::Database &db, const common::Clock *clock, QString actor)
    : m_db(db), m_clock(clock ? *clock : common::Clock::system()), m_actor(actor.isEmpty() ? common::osUserName() : std::move(actor))
{
}

Status SweepStore::audit(const QString &action, const Sweep &sweep, const QString &reason, const QJsonObject &details)
{
    audit::AuditLog log(m_db, &m_clock, m_actor);
    return log.appendWithinTransaction({{action, QStringLiteral("sweep %1").arg(sweep.name), reason, json(details)}});
}

Result<Sweep> SweepStore::create(const SweepSpec &spec)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(const auto existing, find(spec.name));
    if (existing)
        return Status(ErrorCode::AlreadyExists, QStringLiteral("a sweep named '%1' exists (%2, %3); `orrery-cli tune resume %1` continues it, or give this one another name (name: in the sweep file)")
                                                    .arg(spec.name, existing->state, existing->file));
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(auto insert, m_db.prepare(QStringLiteral(
        "INSERT INTO sweeps (name, file, spec, metric, direction, state, owner_pid, owner_host, created, updated) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)")));
    ORRERY_TRY(insert.bind(1, spec.name).bind(2, spec.file).bind(3, json(spec.toJson())).bind(4, spec.metric).bind(5, directionName(spec.direction))
                   .bind(6, qint64(QCoreApplication::applicationPid())).bind(7, QSysInfo::machineHostName()).bind(8, now).bind(9, now).run());
    ORRERY_ASSIGN_OR_RETURN(auto id, m_db.prepare(QStringLiteral("SELECT last_insert_rowid()")));
    if (!id.next())
        return id.status().isOk() ? internalError(QStringLiteral("no id for the new sweep")) : id.status();
    ORRERY_ASSIGN_OR_RETURN(const Sweep sweep, byId(id.int64(0)));
    ORRERY_TRY(audit(QStringLiteral("sweep.created"), sweep, QString(),
                     QJsonObject{{QStringLiteral("file"), spec.file}, {QStringLiteral("metric"), spec.metric}, {QStringLiteral("trials"), spec.trials},
                                 {QStringLiteral("sampler"), spec.sampler.type}, {QStringLiteral("pruner"), spec.pruner.type}}));
    ORRERY_TRY(tx.commit());
    return sweep;
}

Result<std::optional<Sweep>> SweepStore::find(const QString &name)
{
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral("SELECT %1 FROM sweeps WHERE name = ?").arg(QLatin1String(kSweepColumns))));
    q.bind(1, name);
    if (!q.next()) {
        ORRERY_TRY(q.status());
        return std::optional<Sweep>();
    }
    ORRERY_ASSIGN_OR_RETURN(Sweep sweep, sweepFromRow(q));
    return std::optional<Sweep>(std::move(sweep));
}

Result<Sweep> SweepStore::byId(qint64 id)
{
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral("SELECT %1 FROM sweeps WHERE id = ?").arg(QLatin1String(kSweepColumns))));
    q.bind(1, id);
    if (!q.next())
        return q.status().isOk() ? notFound(QStringLiteral("no sweep %1").arg(id)) : q.status();
    return sweepFromRow(q);
}

Result<QVector<Sweep>> SweepStore::list()
{
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral("SELECT %1 FROM sweeps ORDER BY id DESC").arg(QLatin1String(kSweepColumns))));
    QVector<Sweep> out;
    while (q.next()) {
        ORRERY_ASSIGN_OR_RETURN(Sweep sweep, sweepFromRow(q));
        out.push_back(std::move(sweep));
    }
    ORRERY_TRY(q.status());
    return out;
}

Result<Sweep> SweepStore::claim(qint64 id)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(Sweep sweep, byId(id));
    const qint64 self = QCoreApplication::applicationPid();
    const QString host = QSysInfo::machineHostName();
    const bool ours = sweep.ownerPid == self && sweep.ownerHost == host;
    if (sweep.state == QLatin1String("running") && !ours && sweep.ownerHost == host && processAlive(sweep.ownerPid))
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("sweep '%1' is being run by process %2; stop it (Ctrl-C or kill %2) before resuming it here")
                                                         .arg(sweep.name).arg(sweep.ownerPid));
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(auto requeue, m_db.prepare(QStringLiteral(
        "UPDATE sweep_trials SET state = 'queued', value = NULL, steps = 0, run_id = '', started = NULL, finished = NULL "
        "WHERE sweep_id = ? AND state = 'running'")));
    ORRERY_TRY(requeue.bind(1, id).run());
    ORRERY_ASSIGN_OR_RETURN(auto dropSteps, m_db.prepare(QStringLiteral(
        "DELETE FROM sweep_steps WHERE sweep_id = ? AND number IN (SELECT number FROM sweep_trials WHERE sweep_id = ? AND state = 'queued')")));
    ORRERY_TRY(dropSteps.bind(1, id).bind(2, id).run());
    ORRERY_ASSIGN_OR_RETURN(auto own, m_db.prepare(QStringLiteral(
        "UPDATE sweeps SET state = 'running', reason = '', owner_pid = ?, owner_host = ?, updated = ?, finished = NULL WHERE id = ?")));
    ORRERY_TRY(own.bind(1, self).bind(2, host).bind(3, now).bind(4, id).run());
    if (!ours || sweep.state != QLatin1String("running"))
        ORRERY_TRY(audit(QStringLiteral("sweep.resumed"), sweep, QString(), QJsonObject{{QStringLiteral("was"), sweep.state}}));
    ORRERY_TRY(tx.commit());
    return byId(id);
}

Status SweepStore::setRunId(qint64 id, const QString &runId)
{
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral("UPDATE sweeps SET run_id = ?, updated = ? WHERE id = ?")));
    return q.bind(1, runId).bind(2, m_clock.now().toMSecsSinceEpoch()).bind(3, id).run();
}

Status SweepStore::finish(qint64 id, const QString &state, const QString &reason)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(const Sweep sweep, byId(id));
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral("UPDATE sweeps SET state = ?, reason = ?, updated = ?, finished = ? WHERE id = ?")));
    ORRERY_TRY(q.bind(1, state).bind(2, reason).bind(3, now).bind(4, now).bind(5, id).run());
    ORRERY_ASSIGN_OR_RETURN(const SweepSummary s, summary(id, sweep.direction));
    QJsonObject details{{QStringLiteral("complete"), s.complete}, {QStringLiteral("pruned"), s.pruned}, {QStringLiteral("failed"), s.failed}};
    if (s.bestTrial) {
        details.insert(QStringLiteral("best_trial"), *s.bestTrial);
        details.insert(QStringLiteral("best_value"), *s.bestValue);
    }
    ORRERY_TRY(audit(QStringLiteral("sweep.") + state, sweep, reason, details));
    return tx.commit();
}

Status SweepStore::addTrial(qint64 sweepId, const Trial &t)
{
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral(
        "INSERT INTO sweep_trials (sweep_id, number, state, params, point, source, started) VALUES (?, ?, ?, ?, ?, ?, ?)")));
    q.bind(1, sweepId).bind(2, t.number).bind(3, trialStateName(t.state)).bind(4, json(t.params)).bind(5, pointText(t.point)).bind(6, t.source);
    if (t.state == TrialState::Running)
        q.bind(7, m_clock.now().toMSecsSinceEpoch());
    else
        q.bindNull(7);
    return q.run();
}

Status SweepStore::startTrial(qint64 sweepId, int number)
{
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral("UPDATE sweep_trials SET state = 'running', started = ? WHERE sweep_id = ? AND number = ?")));
    return q.bind(1, m_clock.now().toMSecsSinceEpoch()).bind(2, sweepId).bind(3, number).run();
}

Status SweepStore::setTrialJob(qint64 sweepId, int number, const QString &job)
{
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral("UPDATE sweep_trials SET job = ? WHERE sweep_id = ? AND number = ?")));
    return q.bind(1, job).bind(2, sweepId).bind(3, number).run();
}

Status SweepStore::addStep(qint64 sweepId, int number, int step, double value)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral("INSERT OR REPLACE INTO sweep_steps (sweep_id, number, step, value) VALUES (?, ?, ?, ?)")));
    q.bind(1, sweepId).bind(2, number).bind(3, step);
    if (std::isnan(value))
        q.bindNull(4);
    else
        q.bind(4, value);
    ORRERY_TRY(q.run());
    ORRERY_ASSIGN_OR_RETURN(auto t, m_db.prepare(QStringLiteral("UPDATE sweep_trials SET steps = ? WHERE sweep_id = ? AND number = ?")));
    ORRERY_TRY(t.bind(1, step).bind(2, sweepId).bind(3, number).run());
    return tx.commit();
}

Status SweepStore::finishTrial(qint64 sweepId, const Trial &t)
{
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral(
        "UPDATE sweep_trials SET state = ?, value = ?, steps = ?, run_id = ?, reason = ?, finished = ? WHERE sweep_id = ? AND number = ?")));
    q.bind(1, trialStateName(t.state));
    if (t.value && std::isfinite(*t.value))
        q.bind(2, *t.value);
    else
        q.bindNull(2);
    return q.bind(3, t.steps).bind(4, t.runId).bind(5, t.reason).bind(6, m_clock.now().toMSecsSinceEpoch()).bind(7, sweepId).bind(8, t.number).run();
}

Status SweepStore::requeueTrial(qint64 sweepId, int number)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral(
        "UPDATE sweep_trials SET state = 'queued', value = NULL, steps = 0, run_id = '', reason = '', started = NULL, finished = NULL "
        "WHERE sweep_id = ? AND number = ?")));
    ORRERY_TRY(q.bind(1, sweepId).bind(2, number).run());
    ORRERY_ASSIGN_OR_RETURN(auto steps, m_db.prepare(QStringLiteral("DELETE FROM sweep_steps WHERE sweep_id = ? AND number = ?")));
    ORRERY_TRY(steps.bind(1, sweepId).bind(2, number).run());
    return tx.commit();
}

Result<QVector<Trial>> SweepStore::trials(qint64 sweepId)
{
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral("SELECT %1 FROM sweep_trials WHERE sweep_id = ? ORDER BY number").arg(QLatin1String(kTrialColumns))));
    q.bind(1, sweepId);
    QVector<Trial> out;
    while (q.next())
        out.push_back(trialFromRow(q));
    ORRERY_TRY(q.status());
    return out;
}

Result<QVector<Trial>> SweepStore::trialsChangedSince(qint64 sweepId, qint64 changedSinceMs)
{
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral(
        "SELECT %1 FROM sweep_trials WHERE sweep_id = ?1 AND (finished >= ?2 OR finished IS NULL) ORDER BY number")
                                                     .arg(QLatin1String(kTrialColumns))));
    q.bind(1, sweepId).bind(2, changedSinceMs);
    QVector<Trial> out;
    while (q.next())
        out.push_back(trialFromRow(q));
    ORRERY_TRY(q.status());
    return out;
}

Result<QVector<TrialStep>> SweepStore::steps(qint64 sweepId)
{
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral("SELECT number, step, value FROM sweep_steps WHERE sweep_id = ? ORDER BY number, step")));
    q.bind(1, sweepId);
    QVector<TrialStep> out;
    while (q.next())
        out.push_back({int(q.int64(0)), int(q.int64(1)), q.isNull(2) ? std::nan("") : q.real(2)});
    ORRERY_TRY(q.status());
    return out;
}

Result<SweepSummary> SweepStore::summary(qint64 sweepId, Direction direction)
{
    SweepSummary s;
    ORRERY_ASSIGN_OR_RETURN(auto counts, m_db.prepare(QStringLiteral("SELECT state, COUNT(*), SUM(steps) FROM sweep_trials WHERE sweep_id = ? GROUP BY state")));
    counts.bind(1, sweepId);
    while (counts.next()) {
        const int n = int(counts.int64(1));
        s.stepsUsed += counts.int64(2);
        switch (parseTrialState(counts.text(0))) {
        case TrialState::Queued: s.queued = n; break;
        case TrialState::Running: s.running = n; break;
        case TrialState::Complete: s.complete = n; break;
        case TrialState::Pruned: s.pruned = n; break;
        case TrialState::Failed: s.failed = n; break;
        }
    }
    ORRERY_TRY(counts.status());
    ORRERY_ASSIGN_OR_RETURN(auto best, m_db.prepare(QStringLiteral(
        "SELECT number, value FROM sweep_trials WHERE sweep_id = ? AND state = 'complete' AND value IS NOT NULL ORDER BY value %1, number LIMIT 1")
                                                        .arg(direction == Direction::Minimize ? QLatin1String("ASC") : QLatin1String("DESC"))));
    best.bind(1, sweepId);
    if (best.next()) {
        s.bestTrial = int(best.int64(0));
        s.bestValue = best.real(1);
    }
    ORRERY_TRY(best.status());
    return s;
}

} // namespace orrery::tune
