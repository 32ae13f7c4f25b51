#pragma once
// How the Automation area writes times, ages and an iteration's state, and which colour an
// outcome or a step's state has — one place, so the loop panel, the timeline and the steps agree.
//
// Times are local, to the second ("2026-03-10 11:00:05"), as the Deployments area's timeline
// writes them; ages and durations are short ("4 s", "2 min 10 s", "1 h 5 min", "2 d 3 h").
//
// Threads: free functions, any thread.

#include "core/ct/iteration.h"

#include <QColor>
#include <QString>

namespace orrery::ui::automationformat {

QString time(qint64 ms);                        // local, "yyyy-MM-dd HH:mm:ss"; "—" for 0
QString span(qint64 ms);                        // "4 s", "2 min 10 s", "1 h 5 min", "2 d 3 h"
QString relative(qint64 ms, qint64 nowMs);      // "in 5 min", "3 s ago", "now"

// "promoted", "rolled back", "waiting for approval", "running: pipeline", "approved: waiting for the loop".
QString iterationStatus(const ct::Iteration &i);
// "alert → promoted", "manual → running: pipeline".
QString triggerToOutcome(const ct::Iteration &i);
// "fraud v4 vs champion v3", "fraud v4 (no champion)", "fraud" (no version yet).
QString versions(const ct::Iteration &i);
// How long it ran: to its end, or until now while it is active.
qint64 duration(const ct::Iteration &i, qint64 nowMs);
qint64 stepDuration(const ct::IterationStep &s, qint64 nowMs);

// The colour of an iteration's outcome (or state while active): green promoted, red rolled back
// or failed, grey rejected, stopped or no change, amber waiting for approval, blue running.
QColor outcomeColor(const ct::Iteration &i);
// A step's: green succeeded, red failed, blue running, grey skipped.
QColor stepColor(const QString &state);

} // namespace orrery::ui::automationformat
