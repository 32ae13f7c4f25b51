#include "core/demo/scenario_watch.h"

#include "core/common/clock.h"
#include "core/ct/iteration_store.h"
#include "core/deploy/deployment_store.h"
#include "core/monitor/alert_store.h"
#include "core/store/database.h"

#include <QJsonDocument>

#include <algorithm>

namespace orrery::demo {
namespace {

QString clockText(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("HH:mm:ss")); }

} // namespace

ScenarioWatch::ScenarioWatch(store::Database &db, QString endpoint, QString model) : m_db(db), m_endpoint(std::move(endpoint)), m_model(std::move(model)) {}

Status ScenarioWatch::baseline()
{
    ORRERY_ASSIGN_OR_RETURN(auto w, m_db.prepare(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM monitor_windows")));
    if (w.next())
        m_lastWindow = w.int64(0);
    ORRERY_TRY(w.status());
    monitor::AlertStore alerts(m_db);
    ORRERY_ASSIGN_OR_RETURN(const auto list, alerts.list(true, 1000));
    for (const auto &a : list)
        if (a.firedAt > 0)
            m_firedAlerts.insert(a.id);
    ct::IterationStore iterations(m_db);
    ORRERY_ASSIGN_OR_RETURN(const auto its, iterations.list(1));
    m_lastIterationBefore = its.isEmpty() ? 0 : its.first().id;
    deploy::DeploymentStore deployments(m_db, QString());
    ORRERY_ASSIGN_OR_RETURN(const auto events, deployments.events(m_endpoint, QString(), 1));
    m_lastEvent = events.isEmpty() ? 0 : events.first().id;
    return Status::ok();
}

Result<QVector<ScenarioEvent>> ScenarioWatch::poll(qint64 nowClockMs)
{
    QVector<ScenarioEvent> out;
    ORRERY_TRY(windows(out));
    ORRERY_TRY(alerts(out));
    ORRERY_TRY(rollout(out));
    ORRERY_TRY(iterations(out));
    std::stable_sort(out.begin(), out.end(), [](const ScenarioEvent &a, const ScenarioEvent &b) { return a.clockMs < b.clockMs; });
    for (ScenarioEvent &e : out)
        if (e.clockMs == 0)
            e.clockMs = nowClockMs;
    return out;
}

Status ScenarioWatch::windows(QVector<ScenarioEvent> &out)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "SELECT w.id, w.start_time, w.end_time, w.requests, "
        "(SELECT group_concat(f.feature, ', ') FROM monitor_features f WHERE f.window_id = w.id AND f.status = 'drift') "
        "FROM monitor_windows w WHERE w.endpoint = ? AND w.id > ? ORDER BY w.id")));
    s.bind(1, m_endpoint).bind(2, m_lastWindow);
    while (s.next()) {
        m_lastWindow = s.int64(0);
        const qint64 end = s.int64(2);
        m_windowEnds.append(end);
        const QString drifted = s.text(4);
        out.append({end, 0, QStringLiteral("window"),
                    QStringLiteral("window %1–%2: %3 requests, %4").arg(clockText(s.int64(1)), clockText(end)).arg(s.int64(3))
                        .arg(drifted.isEmpty() ? QStringLiteral("no drift") : QStringLiteral("drift in ") + drifted)});
    }
    return s.status();
}

Status ScenarioWatch::alerts(QVector<ScenarioEvent> &out)
{
    monitor::AlertStore store(m_db);
    ORRERY_ASSIGN_OR_RETURN(const auto list, store.list(true, 1000));
    for (auto it = list.crbegin(); it != list.crend(); ++it) {
        const monitor::AlertRecord &a = *it;
        if (a.firedAt == 0 || m_firedAlerts.contains(a.id) || a.labels.value(QStringLiteral("endpoint")) != m_endpoint)
            continue;
        m_firedAlerts.insert(a.id);
        m_alertTimes.append(a.firedAt);
        const QString summary = a.annotations.value(QStringLiteral("summary"));
        out.append({a.firedAt, 0, QStringLiteral("alert"), QStringLiteral("alert firing: %1%2").arg(a.title(), summary.isEmpty() ? QString() : QStringLiteral(" — ") + summary)});
    }
    return Status::ok();
}

qint64 ScenarioWatch::firstAlertSince(qint64 fromMs) const
{
    qint64 first = 0;
    for (qint64 t : m_alertTimes)
        if (t >= fromMs && (first == 0 || t < first))
            first = t;
    return first;
}

Status ScenarioWatch::rollout(QVector<ScenarioEvent> &out)
{
    deploy::DeploymentStore deployments(m_db, QString());
    ORRERY_ASSIGN_OR_RETURN(const auto events, deployments.events(m_endpoint, QString(), 100));
    for (auto it = events.crbegin(); it != events.crend(); ++it) {
        if (it->id <= m_lastEvent)
            continue;
        m_lastEvent = it->id;
        out.append({it->time.toMSecsSinceEpoch(), 0, QStringLiteral("rollout"),
                    QStringLiteral("%1 %2: %3%4").arg(m_endpoint, it->kind, it->weights, it->detail.isEmpty() ? QString() : QStringLiteral(" — ") + it->detail)});
    }
    return Status::ok();
}

Status ScenarioWatch::iterations(QVector<ScenarioEvent> &out)
{
    ct::IterationStore store(m_db);
    if (m_iteration == 0) {
        ORRERY_ASSIGN_OR_RETURN(const auto list, store.list(5));
        for (const ct::Iteration &i : list)
            if (i.id > m_lastIterationBefore && (m_iteration == 0 || i.id < m_iteration))
                m_iteration = i.id;
        if (m_iteration == 0)
            return Status::ok();
        ORRERY_ASSIGN_OR_RETURN(const ct::Iteration it, store.get(m_iteration));
        m_iterationStartMs = it.created;
        out.append({it.created, 0, QStringLiteral("iteration"), QStringLiteral("%1 started by %2: %3").arg(it.title(), it.triggerKind, it.triggerDetail)});
    }
    ORRERY_ASSIGN_OR_RETURN(const auto steps, store.steps(m_iteration));
    for (const ct::IterationStep &st : steps) {
        if (st.name == QLatin1String("canary"))
            m_canaryStarted = true;
        if (m_stepStates.value(st.id) == st.state)
            continue;
        const bool ended = st.state != QLatin1String("running");
        if (!m_stepStates.contains(st.id) && ended)
            out.append({st.started, 0, QStringLiteral("step"), QStringLiteral("step %1 started").arg(st.name)});
        m_stepStates.insert(st.id, st.state);
        if (!ended) {
            out.append({st.started, 0, QStringLiteral("step"), QStringLiteral("step %1 started").arg(st.name)});
            continue;
        }
        m_stepMs.insert(st.name, double(m_stepMs.value(st.name).toDouble() + double(st.finished - st.started)));
        out.append({st.finished, 0, QStringLiteral("step"), QStringLiteral("step %1 %2: %3").arg(st.name, st.state, st.reason)});
    }
    if (!m_ended) {
        ORRERY_ASSIGN_OR_RETURN(const ct::Iteration it, store.get(m_iteration));
        if (!it.active()) {
            m_ended = true;
            m_outcome = it.outcome;
            m_reason = it.reason;
            m_endMs = it.finished;
            out.append({it.finished, 0, QStringLiteral("end"), QStringLiteral("%1 %2: %3").arg(it.title(), it.outcome, it.reason)});
        }
    }
    return Status::ok();
}

} // namespace orrery::demo
