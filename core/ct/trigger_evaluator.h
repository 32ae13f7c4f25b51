#pragma once
// TriggerEvaluator: whether an iteration of the loop starts now, and why — or why not.
//
// Every trigger of ct.yaml is asked (trigger_sources.h); those that fire are weighed against the
// policies, in this order, the first that holds deciding:
//   1. paused (`ct pause`)                  → nothing starts; the triggers stay pending
//   2. an iteration is active               → one at a time; the triggers stay pending
//   3. the cool-down since the last start   → pending until it ends (blockedUntil)
//   4. the day's maximum reached (UTC day)  → pending until the next UTC day
//   5. fewer new labelled production rows than policies.min_rows → pending until there are
//      (a drift alert fires long before the new world has labels to learn it from)
// Otherwise the iteration starts for the first firing trigger by priority — manual, alert, data,
// schedule — and its reason names every trigger that fired. Pending triggers are not lost: what
// fired stays due until an iteration takes it in (IterationStore::create moves the watermarks).
//
// The first evaluation ever records a baseline (the schedule's and alerts' watermark: now; the
// watched data: what it holds now), so a new loop does not fire on everything before it.
// Every input is injected — the configuration, the database, the workspace root, the clock — and
// the policies' memory is in ct_state, so a restarted loop decides as the old one would have.
//
// Threads: one evaluator on the thread of its Database.

#include "core/common/status.h"
#include "core/ct/ct_config.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

namespace orrery::common {
class Clock;
}
namespace orrery::store {
class Database;
}

namespace orrery::ct {

struct TriggerFiring {
    QString kind;   // manual, alert, data, schedule
    QString reason;
};

enum class Blocked { None, Paused, Active, Cooldown, DailyMax, Data };
QString blockedName(Blocked b); // "", "paused", "active", "cooldown", "daily_max", "data"

struct TriggerDecision {
    bool start = false;
    QString kind;                  // the trigger that starts it (start only)
    QString reason;                // why it starts, why not, or that nothing fired
    QVector<TriggerFiring> firing; // every trigger that fires now
    Blocked blocked = Blocked::None;
    qint64 blockedUntil = 0;       // cool-down's end, the next UTC day (ms); 0 otherwise
    qint64 nextSchedule = 0;       // the schedule's next run after now (ms); 0: no schedule
    QJsonObject watched;           // the watched data now: IterationStore takes it in on start
};

class TriggerEvaluator {
public:
    TriggerEvaluator(const CtConfig &config, store::Database &db, QString root, const common::Clock &clock);

    // `record`: whether a first look may record its baseline (the loop does; `ct status` only
    // reads, and takes what is there now as the baseline without writing it).
    Result<TriggerDecision> evaluate(bool record = true);

private:
    const CtConfig &m_config;
    store::Database &m_db;
    QString m_root;
    const common::Clock &m_clock;
};

} // namespace orrery::ct
