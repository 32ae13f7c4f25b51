#pragma once
// AutomationSnapshot: what the Automation area shows of the continuous-training loop, read in one
// task on its worker thread — the loop's state (ct_state), the iterations newest first with the
// selected one's steps (ct_iterations, ct_steps), ct.yaml and the triggers as the loop would weigh
// them now, and who holds the loop's lock (a running `orrery-cli ct run`). Plain data: no widgets.
//
// Reading never writes: the triggers are asked with TriggerEvaluator::evaluate(false), which on a
// loop that never looked takes what is there now as the baseline in memory and records nothing
// (only the loop records its baseline, so opening the window cannot change what fires). The lock
// is looked at with WorkspaceLock::holder, which reads its holder's note without keeping a lock.
//
// The tables are small (at most policies.max_per_day iterations a day), so every poll reads them
// whole up to `limit`; the area keeps its selection and only changes the rows that moved.
//
// The actions (pause, resume, trigger now, approve, reject) go through core/ct's LoopStateStore
// and IterationStore, as `orrery-cli ct pause|resume|trigger|approve|reject` do: one transaction
// each with its audit entry, and a refusal is the store's error, which names why.
//
// Threads: loadAutomationSnapshot and automationAction run on the worker's thread with its Database.

#include "core/common/status.h"
#include "core/ct/ct_config.h"
#include "core/ct/iteration.h"
#include "core/ct/loop_state_store.h"
#include "core/ct/trigger_evaluator.h"

#include <QString>
#include <QVector>

#include <optional>

namespace orrery::store {
class Database;
}

namespace orrery::ui {

struct AutomationQuery {
    QString root;               // the workspace: ct.yaml, the watched paths, the loop's lock
    qint64 iterationId = 0;     // the iteration whose steps are read; 0 (or gone): the active one, else the newest
    int limit = 500;            // iterations at most, newest first (a few months at max_per_day 6)
    qint64 nowMs = 0;           // 0: the system clock's
};

// One trigger of ct.yaml as the area lists it.
struct TriggerRow {
    QString kind;     // schedule, data, alert, manual
    QString watches;  // what it watches, for a person
    qint64 next = 0;  // the schedule's next run (ms); 0: none
    bool firing = false;
    QString state;    // "idle", "fires: an iteration starts at the loop's next check", "pending: …"
    QString reason;   // why it fires (the evaluator's words), empty when idle
};

struct AutomationSnapshot {
    qint64 now = 0;
    ct::LoopState loop;
    bool configFound = false;          // ct.yaml exists
    QString configProblem;             // why it does not load (not found, or every error); empty when it does
    std::optional<ct::CtConfig> config;
    std::optional<ct::TriggerDecision> decision; // the triggers weighed now (only with a config)
    QVector<TriggerRow> triggers;
    QString loopHolder;                // "orrery-cli ct run (PID 1234)"; empty: no loop holds the lock
    QVector<ct::Iteration> iterations; // newest first
    std::optional<ct::Iteration> active;
    qint64 selectedId = 0;             // whose steps these are
    QVector<ct::IterationStep> steps;
};

Result<AutomationSnapshot> loadAutomationSnapshot(store::Database &db, const AutomationQuery &query);

// The rows of the triggers table from ct.yaml and the evaluator's decision.
QVector<TriggerRow> triggerRows(const ct::CtConfig &config, const ct::TriggerDecision &decision, const ct::LoopState &loop,
                                const std::optional<ct::Iteration> &active);
// Why a firing trigger waits, for a person: "the loop is paused", "iteration 7 is running (one at a
// time)", "cool-down until 2026-03-10 11:00", "the day's maximum is reached until …"; empty when
// it does not wait.
QString blockedText(const ct::TriggerDecision &decision, const std::optional<ct::Iteration> &active);

enum class AutomationAction { Pause, Resume, Trigger, Approve, Reject };
QString automationActionName(AutomationAction action); // "pause", "resume", "trigger", "approve", "reject"
// What was done, for the status line ("Iteration 7 approved: the loop goes on with it"); a refused
// change is the store's error. `iterationId` for Approve and Reject; `reason` kept in the audit log.
Result<QString> automationAction(store::Database &db, AutomationAction action, qint64 iterationId, const QString &reason);

} // namespace orrery::ui
