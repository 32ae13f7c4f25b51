#include "ui/automation/automation_snapshot.h"

#include "core/common/clock.h"
#include "core/ct/iteration_store.h"
#include "core/workspace/workspace_lock.h"
#include "ui/automation/automation_format.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFileInfo>

namespace orrery::ui {
namespace {

QString tr(const char *text) { return QCoreApplication::translate("orrery::ui::AutomationArea", text); }

// The evaluator's clock: the query's time when a test pins it.
class FixedClock : public common::Clock {
public:
    explicit FixedClock(qint64 ms) : m_now(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)) {}
    QDateTime now() const override { return m_now; }

private:
    QDateTime m_now;
};

} // namespace

QString blockedText(const ct::TriggerDecision &d, const std::optional<ct::Iteration> &active)
{
    switch (d.blocked) {
    case ct::Blocked::None:
        return QString();
    case ct::Blocked::Paused:
        return tr("the loop is paused");
    case ct::Blocked::Active:
        return active ? tr("iteration %1 is %2 (one at a time)").arg(active->id).arg(automationformat::iterationStatus(*active))
                      : tr("an iteration is in progress (one at a time)");
    case ct::Blocked::Cooldown:
        return tr("cool-down until %1").arg(automationformat::time(d.blockedUntil));
    case ct::Blocked::DailyMax:
        return tr("the day's maximum is reached, until %1").arg(automationformat::time(d.blockedUntil));
    case ct::Blocked::Data:
        return tr("waiting for new labelled production rows (policies.min_rows)");
    }
    return QString();
}

QVector<TriggerRow> triggerRows(const ct::CtConfig &config, const ct::TriggerDecision &decision, const ct::LoopState &loop,
                                const std::optional<ct::Iteration> &active)
{
    const ct::TriggerConfig &t = config.triggers;
    auto row = [&](const QString &kind, const QString &watches) {
        TriggerRow r;
        r.kind = kind;
        r.watches = watches;
        for (const ct::TriggerFiring &f : decision.firing)
            if (f.kind == kind) {
                r.firing = true;
                r.reason = f.reason;
            }
        if (!r.firing)
            r.state = tr("idle");
        else if (decision.start)
            r.state = tr("fires: an iteration starts at the loop's next check");
        else
            r.state = tr("pending: %1").arg(blockedText(decision, active));
        return r;
    };
    QVector<TriggerRow> rows;
    if (t.schedule) {
        TriggerRow r = row(QStringLiteral("schedule"), tr("cron \"%1\" (UTC)").arg(t.schedule->expression()));
        r.next = decision.nextSchedule;
        rows << r;
    }
    if (!t.watchedFiles.isEmpty() || !t.watchedFolders.isEmpty()) {
        QStringList paths = t.watchedFiles;
        for (const QString &folder : t.watchedFolders)
            paths << folder + QLatin1Char('/');
        rows << row(QStringLiteral("data"), tr("new data in %1").arg(paths.join(QStringLiteral(", "))));
    }
    if (!t.alerts.isEmpty())
        rows << row(QStringLiteral("alert"), tr("%1 firing for endpoint %2").arg(t.alerts.join(QStringLiteral(", ")), config.endpoint));
    if (t.manual) {
        TriggerRow r = row(QStringLiteral("manual"), tr("Trigger now, or orrery-cli ct trigger"));
        if (!r.firing && loop.manualRequested > 0)
            r.state = tr("asked for at %1").arg(automationformat::time(loop.manualRequested));
        rows << r;
    }
    return rows;
}

Result<AutomationSnapshot> loadAutomationSnapshot(store::Database &db, const AutomationQuery &query)
{
    AutomationSnapshot snap;
    snap.now = query.nowMs > 0 ? query.nowMs : QDateTime::currentMSecsSinceEpoch();
    ct::LoopStateStore states(db);
    ORRERY_ASSIGN_OR_RETURN(snap.loop, states.read());
    ct::IterationStore store(db);
    ORRERY_ASSIGN_OR_RETURN(snap.iterations, store.list(query.limit));
    ORRERY_ASSIGN_OR_RETURN(snap.active, store.active());

    // The iteration whose steps are shown: the one asked for while it exists, else the active
    // one, else the newest.
    if (query.iterationId > 0) {
        auto asked = store.get(query.iterationId);
        if (asked)
            snap.selectedId = asked->id;
        else if (asked.status().code() != ErrorCode::NotFound)
            return asked.status();
    }
    if (!snap.selectedId)
        snap.selectedId = snap.active ? snap.active->id : snap.iterations.isEmpty() ? 0 : snap.iterations.first().id;
    if (snap.selectedId) {
        ORRERY_ASSIGN_OR_RETURN(snap.steps, store.steps(snap.selectedId));
    }

    if (query.root.isEmpty())
        return snap;
    snap.loopHolder = workspace::WorkspaceLock::holder(query.root, QStringLiteral("ct"));
    snap.configFound = QFileInfo::exists(query.root + QLatin1Char('/') + ct::kCtFileName);
    auto config = ct::loadCtConfig(query.root);
    if (!config) {
        snap.configProblem = config.status().message();
        return snap;
    }
    snap.config = *config;
    // Read only: evaluate(false) records no baseline (see the header).
    const FixedClock clock(snap.now);
    ct::TriggerEvaluator evaluator(*snap.config, db, query.root, clock);
    auto decision = evaluator.evaluate(false);
    if (!decision) {
        snap.configProblem = tr("the triggers could not be read: %1").arg(decision.status().message());
        return snap;
    }
    snap.decision = *decision;
    snap.triggers = triggerRows(*snap.config, *snap.decision, snap.loop, snap.active);
    return snap;
}

QString automationActionName(AutomationAction action)
{
    switch (action) {
    case AutomationAction::Pause: return QStringLiteral("pause");
    case AutomationAction::Resume: return QStringLiteral("resume");
    case AutomationAction::Trigger: return QStringLiteral("trigger");
    case AutomationAction::Approve: return QStringLiteral("approve");
    case AutomationAction::Reject: return QStringLiteral("reject");
    }
    return QString();
}

Result<QString> automationAction(store::Database &db, AutomationAction action, qint64 iterationId, const QString &reason)
{
    ct::LoopStateStore states(db);
    ct::IterationStore store(db);
    switch (action) {
    case AutomationAction::Pause: {
        ORRERY_ASSIGN_OR_RETURN(const bool changed, states.pause(reason));
        return changed ? tr("The loop is paused: no new iteration starts until Resume (one in progress goes on).")
                       : tr("The loop was paused already.");
    }
    case AutomationAction::Resume: {
        ORRERY_ASSIGN_OR_RETURN(const bool changed, states.resume());
        return changed ? tr("The loop is running again: triggers that fired meanwhile start an iteration at its next check.")
                       : tr("The loop was not paused.");
    }
    case AutomationAction::Trigger:
        ORRERY_TRY(states.requestManual(reason));
        return tr("Retrain asked for: the loop takes it in at its next check (while `orrery-cli ct run` runs).");
    case AutomationAction::Approve: {
        ORRERY_ASSIGN_OR_RETURN(const ct::Iteration i, store.approve(iterationId, reason));
        return tr("Iteration %1 approved: the loop goes on with it (%2).").arg(i.id).arg(i.reason);
    }
    case AutomationAction::Reject: {
        ORRERY_ASSIGN_OR_RETURN(const ct::Iteration i, store.reject(iterationId, reason));
        return tr("Iteration %1 rejected (%2).").arg(i.id).arg(i.reason);
    }
    }
    return invalidArgument(QStringLiteral("unknown automation action"));
}

} // namespace orrery::ui
