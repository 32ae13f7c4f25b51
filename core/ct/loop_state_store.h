#pragma once
// LoopStateStore: the loop's one row of state (ct_state, migration 13) — what must hold across
// restarts of `ct run`: whether the loop is paused (and by whom, why), when the last iteration
// started (the cool-down), how many started on the current UTC day (the daily maximum), the
// triggers' watermark (schedule runs and alerts up to it are taken in), what the watched data
// held when last taken in, and a request made by hand
// (`ct trigger`) waiting for the loop.
//
// Pause, resume and a manual request are each one IMMEDIATE transaction with their audit entry.
// The cool-down, the day's count and the triggers' watermarks move only when an iteration is
// created, in that iteration's transaction (IterationStore::create), so a crash can never leave
// an iteration without its count, or a count without its iteration.
//
// Threads: one LoopStateStore uses its Database on that Database's thread.

#include "core/common/status.h"

#include <QJsonObject>
#include <QString>

namespace orrery::common {
class Clock;
}
namespace orrery::store {
class Database;
}

namespace orrery::ct {

struct LoopState {
    bool paused = false;
    QString pausedBy;
    QString pausedReason;
    qint64 pausedAt = 0;
    qint64 lastRetrain = 0;   // ms: when the last iteration was created; 0: never
    QString day;              // "YYYY-MM-DD" (UTC) that dayCount counts
    int dayCount = 0;
    qint64 triggersFrom = 0;  // ms: schedule runs and alerts fired after this are due (taken in up to
                              // here by the last iteration); 0: the loop never looked yet
    bool watchedKnown = false; // the data trigger has taken in the watched paths once
    QJsonObject watched;      // path → md5 (a .dvc file) or [file names] (a folder)
    qint64 manualRequested = 0; // ms; 0: none waiting
    QString manualBy;
    QString manualReason;

    // Iterations started on the UTC day of `nowMs` (0 when dayCount counts another day).
    int countOnDay(qint64 nowMs) const;
};

// "YYYY-MM-DD" of a time in ms, in UTC.
QString utcDay(qint64 ms);

class LoopStateStore {
public:
    // `actor`: who the audit entries name (empty: the OS user).
    explicit LoopStateStore(store::Database &db, const common::Clock *clock = nullptr, QString actor = QString());

    Result<LoopState> read();
    // Idempotent: pausing a paused loop changes nothing and writes no entry (false returned).
    Result<bool> pause(const QString &reason = QString());
    Result<bool> resume();
    // A retrain asked for by hand; the loop takes it in when it next checks its triggers.
    Status requestManual(const QString &reason = QString());
    // The first look at the triggers: the watermark starts at `triggersFrom` (when it never
    // started), and watched paths not seen before start from what they hold now — a baseline,
    // not a change, so starting the loop (or watching one more path) does not fire on the past.
    Status initialiseTriggers(qint64 triggersFrom, const QJsonObject *watched);

private:
    store::Database &m_db;
    const common::Clock &m_clock;
    QString m_actor;
};

} // namespace orrery::ct
