#include "core/ct/iteration_store.h"

#include "core/audit/audit_log.h"
#include "core/common/clock.h"
#include "core/common/system_info.h"
#include "core/ct/loop_state_store.h"
#include "core/store/database.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QSysInfo>

#include <cerrno>
#include <csignal>

namespace orrery::ct {
namespace {

const char *kColumns =
    "id, trigger_kind, trigger_detail, state, step, pipeline_run, data_version, data_commit, rows_through, model, model_version, "
    "endpoint, branch, worktree, outcome, reason, decided_by, owner_pid, owner_host, heartbeat, created, updated, finished, deploy_revision, champion_version";

// A process on another host that has not beaten for this long is taken as gone.
constexpr qint64 kRemoteOwnerTimeoutMs = 10 * 60'000;

Iteration fromRow(const store::Statement &s)
{
    Iteration i;
    i.id = s.int64(0);
    i.triggerKind = s.text(1);
    i.triggerDetail = s.text(2);
    i.state = parseIterationState(s.text(3));
    i.step = s.text(4);
    i.pipelineRun = s.text(5);
    i.dataVersion = s.text(6);
    i.dataCommit = s.text(7);
    i.rowsThrough = s.int64(8);
    i.model = s.text(9);
    i.modelVersion = int(s.int64(10));
    i.endpoint = s.text(11);
    i.branch = s.text(12);
    i.worktree = s.text(13);
    i.outcome = s.text(14);
    i.reason = s.text(15);
    i.decidedBy = s.text(16);
    i.ownerPid = s.int64(17);
    i.ownerHost = s.text(18);
    i.heartbeat = s.int64(19);
    i.created = s.int64(20);
    i.updated = s.int64(21);
    i.finished = s.isNull(22) ? 0 : s.int64(22);
    i.deployRevision = s.int64(23);
    i.championVersion = int(s.int64(24));
    return i;
}

IterationStep stepFromRow(const store::Statement &s)
{
    IterationStep st;
    st.id = s.int64(0);
    st.iterationId = s.int64(1);
    st.name = s.text(2);
    st.state = s.text(3);
    st.started = s.int64(4);
    st.finished = s.isNull(5) ? 0 : s.int64(5);
    st.reason = s.text(6);
    st.detail = QJsonDocument::fromJson(s.text(7).toUtf8()).object();
    return st;
}

QString json(const QJsonObject &o) { return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)); }

bool processAlive(qint64 pid) { return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM); }

} // namespace

QString iterationStateName(IterationState s)
{
    switch (s) {
    case IterationState::Running: return QStringLiteral("running");
    case IterationState::WaitingApproval: return QStringLiteral("waiting_approval");
    case IterationState::Approved: return QStringLiteral("approved");
    case IterationState::Done: return QStringLiteral("done");
    }
    return QString();
}

IterationState parseIterationState(const QString &text)
{
    if (text == QLatin1String("running"))
        return IterationState::Running;
    if (text == QLatin1String("waiting_approval"))
        return IterationState::WaitingApproval;
    if (text == QLatin1String("approved"))
        return IterationState::Approved;
    return IterationState::Done;
}

QStringList step::all() { return {kData, kPipeline, kGate, kApproval, kCanary, kPromote}; }

IterationOwner IterationOwner::thisProcess() { return {QCoreApplication::applicationPid(), QSysInfo::machineHostName()}; }

bool IterationOwner::isThisProcess() const
{
    const IterationOwner self = thisProcess();
    return pid == self.pid && host == self.host;
}

IterationStore::IterationStore(store::Database &db, const common::Clock *clock, QString actor)
    : m_db(db), m_clock(clock ? *clock : common::Clock::system()), m_actor(actor.isEmpty() ? common::osUserName() : std::move(actor))
{
}

Status IterationStore::audit(const QString &action, const Iteration &iteration, const QString &reason, const QJsonObject &details)
{
    audit::AuditLog log(m_db, &m_clock, m_actor);
    return log.appendWithinTransaction({{action, iteration.title(), reason, json(details)}});
}

Result<Iteration> IterationStore::create(const NewIteration &request)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(const auto current, active());
    if (current)
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("%1 is still %2 (step %3); one iteration runs at a time — wait for it, or decide it with `orrery-cli ct approve|reject %4`")
                          .arg(current->title(), iterationStateName(current->state), current->step.isEmpty() ? QStringLiteral("-") : current->step)
                          .arg(current->id));
    LoopStateStore states(m_db, &m_clock, m_actor);
    ORRERY_ASSIGN_OR_RETURN(const LoopState state, states.read());
    if (state.paused)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("the loop is paused (by %1%2); `orrery-cli ct resume` lets iterations start again")
                                                         .arg(state.pausedBy, state.pausedReason.isEmpty() ? QString() : QStringLiteral(": ") + state.pausedReason));
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(auto insert, m_db.prepare(QStringLiteral(
        "INSERT INTO ct_iterations (trigger_kind, trigger_detail, state, model, endpoint, owner_pid, owner_host, heartbeat, created, updated) "
        "VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)")));
    ORRERY_TRY(insert.bind(1, request.triggerKind).bind(2, request.triggerDetail).bind(3, request.model).bind(4, request.endpoint)
                   .bind(5, request.owner.pid).bind(6, request.owner.host).bind(7, now).bind(8, now).bind(9, now).run());
    const qint64 id = m_db.lastInsertRowId();

    // The policies' memory and the triggers it takes in, with the iteration or not at all.
    const QString today = utcDay(now);
    const int count = state.countOnDay(now) + 1;
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "UPDATE ct_state SET last_retrain = ?, day = ?, day_count = ?, triggers_from = ?, manual_requested = 0, manual_by = '', "
        "manual_reason = '', watched = COALESCE(?, watched), updated = ? WHERE id = 1")));
    s.bind(1, now).bind(2, today).bind(3, count).bind(4, now);
    if (request.watched)
        s.bind(5, json(*request.watched));
    else
        s.bindNull(5);
    ORRERY_TRY(s.bind(6, now).run());

    ORRERY_ASSIGN_OR_RETURN(Iteration created, get(id));
    ORRERY_TRY(audit(QStringLiteral("ct.iteration.started"), created, request.triggerDetail,
                     {{QStringLiteral("trigger"), request.triggerKind},
                      {QStringLiteral("model"), request.model},
                      {QStringLiteral("endpoint"), request.endpoint},
                      {QStringLiteral("pid"), request.owner.pid},
                      {QStringLiteral("host"), request.owner.host},
                      {QStringLiteral("today"), count}}));
    ORRERY_TRY(tx.commit());
    return created;
}

Result<IterationStep> IterationStore::startStep(qint64 iterationId, const QString &name, const QJsonObject &detail)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(const Iteration iteration, get(iterationId));
    if (iteration.state != IterationState::Running && iteration.state != IterationState::Approved)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("%1 is %2, so step '%3' cannot start").arg(iteration.title(), iterationStateName(iteration.state), name));
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("INSERT INTO ct_steps (iteration_id, name, state, started, detail) VALUES (?, ?, 'running', ?, ?)")));
    ORRERY_TRY(s.bind(1, iterationId).bind(2, name).bind(3, now).bind(4, json(detail)).run());
    const qint64 stepId = m_db.lastInsertRowId();
    ORRERY_ASSIGN_OR_RETURN(auto u, m_db.prepare(QStringLiteral("UPDATE ct_iterations SET step = ?, state = 'running', heartbeat = ?, updated = ? WHERE id = ?")));
    ORRERY_TRY(u.bind(1, name).bind(2, now).bind(3, now).bind(4, iterationId).run());
    QJsonObject details = detail;
    details.insert(QStringLiteral("step"), name);
    ORRERY_TRY(audit(QStringLiteral("ct.step.started"), iteration, QString(), details));
    ORRERY_TRY(tx.commit());
    IterationStep step;
    step.id = stepId;
    step.iterationId = iterationId;
    step.name = name;
    step.state = QStringLiteral("running");
    step.started = now;
    step.detail = detail;
    return step;
}

Result<IterationStep> IterationStore::finishStep(qint64 stepId, const QString &state, const QString &reason, const QJsonObject &detail)
{
    if (state != QLatin1String("succeeded") && state != QLatin1String("failed") && state != QLatin1String("skipped") && state != QLatin1String("interrupted"))
        return invalidArgument(QStringLiteral("a step ends succeeded, failed, skipped or interrupted, not '%1'").arg(state));
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral("SELECT id, iteration_id, name, state, started, finished, reason, detail FROM ct_steps WHERE id = ?")));
    q.bind(1, stepId);
    if (!q.next())
        return q.status().isOk() ? Result<IterationStep>(notFound(QStringLiteral("no ct step %1").arg(stepId))) : Result<IterationStep>(q.status());
    IterationStep step = stepFromRow(q);
    if (step.state != QLatin1String("running"))
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("step '%1' of ct iteration %2 already ended (%3)").arg(step.name).arg(step.iterationId).arg(step.state));
    ORRERY_ASSIGN_OR_RETURN(const Iteration iteration, get(step.iterationId));
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    for (auto it = detail.begin(); it != detail.end(); ++it)
        step.detail.insert(it.key(), it.value());
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("UPDATE ct_steps SET state = ?, finished = ?, reason = ?, detail = ? WHERE id = ?")));
    ORRERY_TRY(s.bind(1, state).bind(2, now).bind(3, reason).bind(4, json(step.detail)).bind(5, stepId).run());
    ORRERY_ASSIGN_OR_RETURN(auto u, m_db.prepare(QStringLiteral("UPDATE ct_iterations SET heartbeat = ?, updated = ? WHERE id = ?")));
    ORRERY_TRY(u.bind(1, now).bind(2, now).bind(3, step.iterationId).run());
    QJsonObject details = step.detail;
    details.insert(QStringLiteral("step"), step.name);
    ORRERY_TRY(audit(QStringLiteral("ct.step.") + state, iteration, reason, details));
    ORRERY_TRY(tx.commit());
    step.state = state;
    step.finished = now;
    step.reason = reason;
    return step;
}

Status IterationStore::update(const Iteration &i)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "UPDATE ct_iterations SET pipeline_run = ?, data_version = ?, data_commit = ?, rows_through = ?, model_version = ?, "
        "branch = ?, worktree = ?, deploy_revision = ?, champion_version = ?, updated = ? WHERE id = ?")));
    s.bind(1, i.pipelineRun).bind(2, i.dataVersion).bind(3, i.dataCommit).bind(4, i.rowsThrough).bind(5, i.modelVersion);
    s.bind(6, i.branch).bind(7, i.worktree).bind(8, i.deployRevision).bind(9, i.championVersion);
    return s.bind(10, m_clock.now().toMSecsSinceEpoch()).bind(11, i.id).run();
}

Status IterationStore::heartbeat(qint64 iterationId)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("UPDATE ct_iterations SET heartbeat = ? WHERE id = ? AND state = 'running'")));
    return s.bind(1, m_clock.now().toMSecsSinceEpoch()).bind(2, iterationId).run();
}

Result<Iteration> IterationStore::finish(qint64 iterationId, const QString &outcome, const QString &reason)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(Iteration iteration, get(iterationId));
    if (!iteration.active())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("%1 already ended (%2)").arg(iteration.title(), iteration.outcome));
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "UPDATE ct_iterations SET state = 'done', outcome = ?, reason = ?, owner_pid = 0, updated = ?, finished = ? WHERE id = ?")));
    ORRERY_TRY(s.bind(1, outcome).bind(2, reason).bind(3, now).bind(4, now).bind(5, iterationId).run());
    ORRERY_TRY(audit(QStringLiteral("ct.iteration.") + outcome, iteration, reason,
                     {{QStringLiteral("outcome"), outcome}, {QStringLiteral("step"), iteration.step}, {QStringLiteral("data_version"), iteration.dataVersion},
                      {QStringLiteral("data_commit"), iteration.dataCommit}, {QStringLiteral("model_version"), iteration.modelVersion}}));
    ORRERY_TRY(tx.commit());
    return get(iterationId);
}

Result<Iteration> IterationStore::park(qint64 iterationId, const QString &reason)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(Iteration iteration, get(iterationId));
    if (iteration.state != IterationState::Running)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("%1 is %2; only a running iteration waits for approval").arg(iteration.title(), iterationStateName(iteration.state)));
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "UPDATE ct_iterations SET state = 'waiting_approval', reason = ?, owner_pid = 0, owner_host = '', updated = ? WHERE id = ?")));
    ORRERY_TRY(s.bind(1, reason).bind(2, now).bind(3, iterationId).run());
    ORRERY_TRY(audit(QStringLiteral("ct.iteration.waiting_approval"), iteration, reason, {{QStringLiteral("step"), iteration.step}}));
    ORRERY_TRY(tx.commit());
    return get(iterationId);
}

Result<Iteration> IterationStore::approve(qint64 iterationId, const QString &reason) { return decide(iterationId, true, reason); }
Result<Iteration> IterationStore::reject(qint64 iterationId, const QString &reason) { return decide(iterationId, false, reason); }

Result<Iteration> IterationStore::decide(qint64 iterationId, bool approved, const QString &reason)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    auto found = get(iterationId);
    if (!found && found.status().code() == ErrorCode::NotFound)
        return notFound(QStringLiteral("there is no ct iteration %1; `orrery-cli ct list` shows them").arg(iterationId));
    ORRERY_ASSIGN_OR_RETURN(Iteration iteration, std::move(found));
    if (iteration.state != IterationState::WaitingApproval)
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("%1 is %2, not waiting for approval; only an iteration that waits (policies.require_approval) can be %3")
                          .arg(iteration.title(), iteration.active() ? iterationStateName(iteration.state) : QStringLiteral("done (%1)").arg(iteration.outcome),
                               approved ? QStringLiteral("approved") : QStringLiteral("rejected")));
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    const QString why = reason.isEmpty() ? QStringLiteral("%1 by %2").arg(approved ? QStringLiteral("approved") : QStringLiteral("rejected"), m_actor)
                                         : QStringLiteral("%1 by %2: %3").arg(approved ? QStringLiteral("approved") : QStringLiteral("rejected"), m_actor, reason);
    ORRERY_ASSIGN_OR_RETURN(auto st, m_db.prepare(QStringLiteral(
        "UPDATE ct_steps SET state = ?, finished = ?, reason = ? WHERE iteration_id = ? AND state = 'running'")));
    ORRERY_TRY(st.bind(1, approved ? QStringLiteral("succeeded") : QStringLiteral("failed")).bind(2, now).bind(3, why).bind(4, iterationId).run());
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(approved
        ? QStringLiteral("UPDATE ct_iterations SET state = 'approved', decided_by = ?, reason = ?, updated = ? WHERE id = ?")
        : QStringLiteral("UPDATE ct_iterations SET state = 'done', outcome = 'rejected', decided_by = ?, reason = ?, updated = ?, finished = ?5 WHERE id = ?4")));
    s.bind(1, m_actor).bind(2, why).bind(3, now).bind(4, iterationId);
    if (!approved)
        s.bind(5, now);
    ORRERY_TRY(s.run());
    ORRERY_TRY(audit(approved ? QStringLiteral("ct.iteration.approved") : QStringLiteral("ct.iteration.rejected"), iteration, reason,
                     {{QStringLiteral("by"), m_actor}, {QStringLiteral("step"), iteration.step}}));
    ORRERY_TRY(tx.commit());
    return get(iterationId);
}

Result<Iteration> IterationStore::adopt(qint64 iterationId, const QString &reason)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(const Iteration iteration, get(iterationId));
    if (iteration.state != IterationState::Running && iteration.state != IterationState::Approved)
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("%1 is %2: only a running iteration whose process is gone, or an approved one, can be taken on")
                                                         .arg(iteration.title(), iteration.active() ? iterationStateName(iteration.state) : QStringLiteral("done")));
    const IterationOwner me = IterationOwner::thisProcess();
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "UPDATE ct_iterations SET state = 'running', owner_pid = ?, owner_host = ?, heartbeat = ?, updated = ? WHERE id = ?")));
    ORRERY_TRY(s.bind(1, me.pid).bind(2, me.host).bind(3, now).bind(4, now).bind(5, iterationId).run());
    ORRERY_TRY(audit(QStringLiteral("ct.iteration.resumed"), iteration, reason,
                     {{QStringLiteral("step"), iteration.step}, {QStringLiteral("pid"), me.pid}, {QStringLiteral("host"), me.host},
                      {QStringLiteral("previous_pid"), iteration.ownerPid}}));
    ORRERY_TRY(tx.commit());
    return get(iterationId);
}

Result<QVector<Iteration>> IterationStore::recoverInterrupted(OwnerCheck check)
{
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto q, m_db.prepare(QStringLiteral("SELECT %1 FROM ct_iterations WHERE state = 'running' ORDER BY id").arg(QLatin1String(kColumns))));
    QVector<Iteration> running;
    while (q.next())
        running.append(fromRow(q));
    ORRERY_TRY(q.status());
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    const QString host = QSysInfo::machineHostName();
    QVector<Iteration> failed;
    for (Iteration &i : running) {
        const IterationOwner owner{i.ownerPid, i.ownerHost};
        if (owner.isThisProcess())
            continue;
        QString gone;
        if (check == OwnerCheck::AllOrphans)
            gone = QStringLiteral("the process that ran it (PID %1 on %2) no longer holds the loop's lock").arg(i.ownerPid).arg(i.ownerHost);
        else if (i.ownerHost == host && !processAlive(i.ownerPid))
            gone = QStringLiteral("the process that ran it (PID %1 on %2) has ended").arg(i.ownerPid).arg(i.ownerHost);
        else if (i.ownerHost != host && now - i.heartbeat > m_clock.clockMs(kRemoteOwnerTimeoutMs))
            gone = QStringLiteral("the process that ran it (PID %1 on %2) has not beaten since %3").arg(i.ownerPid).arg(i.ownerHost, common::toIsoUtc(QDateTime::fromMSecsSinceEpoch(i.heartbeat, Qt::UTC)));
        if (gone.isEmpty())
            continue;
        const QString reason = QStringLiteral("interrupted during step '%1': %2; failed cleanly (its worktree removed, nothing promoted)")
                                   .arg(i.step.isEmpty() ? QStringLiteral("-") : i.step, gone);
        ORRERY_ASSIGN_OR_RETURN(auto st, m_db.prepare(QStringLiteral("UPDATE ct_steps SET state = 'failed', finished = ?, reason = ? WHERE iteration_id = ? AND state = 'running'")));
        ORRERY_TRY(st.bind(1, now).bind(2, reason).bind(3, i.id).run());
        ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
            "UPDATE ct_iterations SET state = 'done', outcome = 'failed', reason = ?, owner_pid = 0, updated = ?, finished = ? WHERE id = ?")));
        ORRERY_TRY(s.bind(1, reason).bind(2, now).bind(3, now).bind(4, i.id).run());
        ORRERY_TRY(audit(QStringLiteral("ct.iteration.interrupted"), i, reason,
                         {{QStringLiteral("step"), i.step}, {QStringLiteral("pid"), i.ownerPid}, {QStringLiteral("host"), i.ownerHost},
                          {QStringLiteral("worktree"), i.worktree}}));
        i.state = IterationState::Done;
        i.outcome = outcome::kFailed;
        i.reason = reason;
        i.finished = now;
        failed.append(i);
    }
    ORRERY_TRY(tx.commit());
    return failed;
}

Result<Iteration> IterationStore::get(qint64 id)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT %1 FROM ct_iterations WHERE id = ?").arg(QLatin1String(kColumns))));
    s.bind(1, id);
    if (!s.next())
        return s.status().isOk() ? Result<Iteration>(notFound(QStringLiteral("there is no ct iteration %1").arg(id))) : Result<Iteration>(s.status());
    return fromRow(s);
}

Result<std::optional<Iteration>> IterationStore::active()
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT %1 FROM ct_iterations WHERE state != 'done' ORDER BY id DESC LIMIT 1").arg(QLatin1String(kColumns))));
    if (s.next())
        return std::optional<Iteration>(fromRow(s));
    ORRERY_TRY(s.status());
    return std::optional<Iteration>();
}

Result<QVector<Iteration>> IterationStore::list(int limit)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT %1 FROM ct_iterations ORDER BY id DESC LIMIT ?").arg(QLatin1String(kColumns))));
    s.bind(1, limit);
    QVector<Iteration> out;
    while (s.next())
        out.append(fromRow(s));
    ORRERY_TRY(s.status());
    return out;
}

Result<QVector<IterationStep>> IterationStore::steps(qint64 iterationId)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "SELECT id, iteration_id, name, state, started, finished, reason, detail FROM ct_steps WHERE iteration_id = ? ORDER BY id")));
    s.bind(1, iterationId);
    QVector<IterationStep> out;
    while (s.next())
        out.append(stepFromRow(s));
    ORRERY_TRY(s.status());
    return out;
}

Result<std::optional<Iteration>> IterationStore::byDataVersion(const QString &md5)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral("SELECT %1 FROM ct_iterations WHERE data_version = ? ORDER BY id DESC LIMIT 1").arg(QLatin1String(kColumns))));
    s.bind(1, md5);
    if (s.next())
        return std::optional<Iteration>(fromRow(s));
    ORRERY_TRY(s.status());
    return std::optional<Iteration>();
}

} // namespace orrery::ct
