#include "core/ct/trigger_evaluator.h"

#include "core/common/clock.h"
#include "core/common/duration.h"
#include "core/ct/data_step.h"
#include "core/ct/iteration_store.h"
#include "core/ct/loop_state_store.h"
#include "core/ct/trigger_sources.h"
#include "core/store/database.h"

#include <QDateTime>

namespace orrery::ct {
namespace {

QString iso(qint64 ms) { return common::toIsoUtc(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)); }

qint64 nextUtcDay(qint64 ms)
{
    const QDate day = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).date().addDays(1);
    return QDateTime(day, QTime(0, 0), Qt::UTC).toMSecsSinceEpoch();
}

} // namespace

QString blockedName(Blocked b)
{
    switch (b) {
    case Blocked::None: return QString();
    case Blocked::Paused: return QStringLiteral("paused");
    case Blocked::Active: return QStringLiteral("active");
    case Blocked::Cooldown: return QStringLiteral("cooldown");
    case Blocked::DailyMax: return QStringLiteral("daily_max");
    case Blocked::Data: return QStringLiteral("data");
    }
    return QString();
}

TriggerEvaluator::TriggerEvaluator(const CtConfig &config, store::Database &db, QString root, const common::Clock &clock)
    : m_config(config), m_db(db), m_root(std::move(root)), m_clock(clock)
{
}

Result<TriggerDecision> TriggerEvaluator::evaluate(bool record)
{
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    const TriggerConfig &t = m_config.triggers;
    TriggerDecision d;
    ORRERY_ASSIGN_OR_RETURN(d.watched, watchedSnapshot(m_root, t.watchedFiles, t.watchedFolders));

    LoopStateStore states(m_db, &m_clock);
    ORRERY_ASSIGN_OR_RETURN(LoopState state, states.read());
    bool unseen = state.triggersFrom == 0 || !state.watchedKnown;
    for (auto it = d.watched.begin(); it != d.watched.end() && !unseen; ++it)
        unseen = !state.watched.contains(it.key());
    if (unseen && record) {
        ORRERY_TRY(states.initialiseTriggers(now, &d.watched));
        ORRERY_ASSIGN_OR_RETURN(state, states.read());
    } else if (unseen) {
        if (state.triggersFrom == 0)
            state.triggersFrom = now;
        for (auto it = d.watched.begin(); it != d.watched.end(); ++it)
            if (!state.watched.contains(it.key()))
                state.watched.insert(it.key(), it.value());
    }
    if (t.schedule) {
        const QDateTime next = t.schedule->nextAfter(QDateTime::fromMSecsSinceEpoch(now, Qt::UTC));
        d.nextSchedule = next.isValid() ? next.toMSecsSinceEpoch() : 0;
    }

    // Who fires, by priority.
    if (state.manualRequested > 0) {
        if (t.manual)
            d.firing.append({QStringLiteral("manual"), QStringLiteral("asked for by %1 at %2%3")
                                                           .arg(state.manualBy, iso(state.manualRequested),
                                                                state.manualReason.isEmpty() ? QString() : QStringLiteral(": ") + state.manualReason)});
    }
    if (!t.alerts.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(const auto alerts, firedAlerts(m_db, t.alerts, m_config.endpoint, state.triggersFrom));
        if (!alerts.isEmpty()) {
            QStringList titles;
            for (const FiredAlert &a : alerts)
                if (titles.size() < 5)
                    titles << QStringLiteral("%1 at %2").arg(a.title, iso(a.firedAt));
            d.firing.append({QStringLiteral("alert"), QStringLiteral("%1 alert%2 fired: %3%4")
                                                          .arg(alerts.size())
                                                          .arg(alerts.size() == 1 ? QString() : QStringLiteral("s"), titles.join(QStringLiteral("; ")),
                                                               alerts.size() > titles.size() ? QStringLiteral("; …") : QString())});
        }
    }
    if (!t.watchedFiles.isEmpty() || !t.watchedFolders.isEmpty()) {
        const QStringList changes = dataChanges(state.watched, d.watched);
        if (!changes.isEmpty())
            d.firing.append({QStringLiteral("data"), QStringLiteral("new data: %1").arg(changes.join(QStringLiteral("; ")))});
    }
    if (t.schedule)
        if (const auto due = dueScheduleRun(*t.schedule, state.triggersFrom, now))
            d.firing.append({QStringLiteral("schedule"), QStringLiteral("schedule \"%1\": the run due at %2").arg(t.schedule->expression(), iso(*due))});

    if (d.firing.isEmpty()) {
        d.reason = QStringLiteral("no trigger fires");
        if (d.nextSchedule)
            d.reason += QStringLiteral("; the schedule's next run is at %1").arg(iso(d.nextSchedule));
        if (state.paused)
            d.blocked = Blocked::Paused;
        return d;
    }
    QStringList reasons;
    for (const TriggerFiring &f : d.firing)
        reasons << QStringLiteral("%1 (%2)").arg(f.kind, f.reason);
    const QString fired = reasons.join(QStringLiteral(", "));

    if (state.paused) {
        d.blocked = Blocked::Paused;
        d.reason = QStringLiteral("the loop is paused (by %1%2), so nothing starts; pending: %3")
                       .arg(state.pausedBy, state.pausedReason.isEmpty() ? QString() : QStringLiteral(": ") + state.pausedReason, fired);
        return d;
    }
    IterationStore iterations(m_db, &m_clock);
    ORRERY_ASSIGN_OR_RETURN(const auto active, iterations.active());
    if (active) {
        d.blocked = Blocked::Active;
        d.reason = QStringLiteral("%1 is %2 (one iteration at a time); pending: %3").arg(active->title(), iterationStateName(active->state), fired);
        return d;
    }
    const PolicyConfig &p = m_config.policies;
    if (state.lastRetrain > 0 && now < state.lastRetrain + p.cooldownMs) {
        d.blocked = Blocked::Cooldown;
        d.blockedUntil = state.lastRetrain + p.cooldownMs;
        d.reason = QStringLiteral("cool-down: the last iteration started at %1 and the cool-down is %2, so nothing starts before %3; pending: %4")
                       .arg(iso(state.lastRetrain), common::durationText(p.cooldownMs), iso(d.blockedUntil), fired);
        return d;
    }
    const int today = state.countOnDay(now);
    if (today >= p.maxPerDay) {
        d.blocked = Blocked::DailyMax;
        d.blockedUntil = nextUtcDay(now);
        d.reason = QStringLiteral("daily maximum: %1 iteration%2 started today (UTC), max_per_day is %3, so nothing starts before %4; pending: %5")
                       .arg(today)
                       .arg(today == 1 ? QString() : QStringLiteral("s"))
                       .arg(p.maxPerDay)
                       .arg(iso(d.blockedUntil), fired);
        return d;
    }
    if (p.minRows > 0) {
        ORRERY_ASSIGN_OR_RETURN(const qint64 rows, newLabelledRows(m_root, m_config, m_db));
        if (rows < p.minRows) {
            d.blocked = Blocked::Data;
            d.reason = QStringLiteral("waiting for data: %1 new labelled production row%2 with logged inputs, policies.min_rows is %3; pending: %4")
                           .arg(rows)
                           .arg(rows == 1 ? QString() : QStringLiteral("s"))
                           .arg(p.minRows)
                           .arg(fired);
            return d;
        }
    }
    d.start = true;
    d.kind = d.firing.first().kind;
    d.reason = fired;
    return d;
}

} // namespace orrery::ct
