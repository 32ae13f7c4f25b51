#pragma once
// IterationStore: the loop's iterations and their steps in the workspace database (ct_iterations,
// ct_steps; migration 13), each change one IMMEDIATE transaction with its audit entry (core/audit),
// as DeploymentStore does: what the log says happened did happen, and a crash leaves neither half.
//
// - create() starts an iteration for a trigger — refused (FailedPrecondition, naming it) while
//   another is active or the loop is paused, checked inside the transaction so two processes
//   never both start one — and in the same transaction moves the loop's state: the cool-down's
//   start, the UTC day's count, the triggers' watermarks (loop_state_store.h).
// - startStep() / finishStep() record each step with its reason and detail; finish() ends the
//   iteration with its outcome and reason; park() waits for approval; approve() / reject()
//   decide a parked iteration (FailedPrecondition for any other).
// - A running iteration names its process (pid, host) and beats (heartbeat()). When that process
//   is gone — killed mid-step — recoverInterrupted() fails the iteration and its running step
//   with the reason, so it is never left half-done; the caller removes its worktree.
//
// Threads: one IterationStore uses its Database on that Database's thread.

#include "core/common/status.h"
#include "core/ct/iteration.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

#include <optional>

namespace orrery::common {
class Clock;
}
namespace orrery::store {
class Database;
}

namespace orrery::ct {

// The process that runs an iteration.
struct IterationOwner {
    qint64 pid = 0;
    QString host;
    static IterationOwner thisProcess();
    bool isThisProcess() const;
};

struct NewIteration {
    QString triggerKind;
    QString triggerDetail;
    QString model;
    QString endpoint;
    IterationOwner owner = IterationOwner::thisProcess();
    // The triggers' state it takes in (so what fired it does not fire again): the watched data's
    // snapshot (null: unchanged); the schedule's and the alerts' watermark moves to now.
    std::optional<QJsonObject> watched;
};

// What the interrupted-iteration check may conclude about a running iteration's owner.
enum class OwnerCheck {
    ByProcess,  // on this host: gone when its pid is; on another: when it has not beaten for 10 min
    AllOrphans, // the caller holds the loop's lock, so no other process can be running one
};

class IterationStore {
public:
    explicit IterationStore(store::Database &db, const common::Clock *clock = nullptr, QString actor = QString());

    Result<Iteration> create(const NewIteration &request);
    Result<IterationStep> startStep(qint64 iterationId, const QString &name, const QJsonObject &detail = {});
    // `state`: succeeded, failed, skipped, or interrupted (stopped by SIGTERM; done again on resume). The iteration's own fields the step produced are
    // set with update() first.
    Result<IterationStep> finishStep(qint64 stepId, const QString &state, const QString &reason, const QJsonObject &detail = {});
    // Sets what a step produced (data version, commit, rows, branch, worktree, pipeline run,
    // model version). No audit entry of its own: the step's entry says it.
    Status update(const Iteration &iteration);
    Status heartbeat(qint64 iterationId);
    // Ends the iteration (done) with its outcome and reason.
    Result<Iteration> finish(qint64 iterationId, const QString &outcome, const QString &reason);
    // Running → waiting_approval, with why it waits.
    Result<Iteration> park(qint64 iterationId, const QString &reason);
    Result<Iteration> approve(qint64 iterationId, const QString &reason = QString());
    Result<Iteration> reject(qint64 iterationId, const QString &reason = QString());

    // This process takes on an approved iteration, or a running one whose process is gone (the
    // caller holds the loop's lock), to carry it on from its last step.
    Result<Iteration> adopt(qint64 iterationId, const QString &reason);

    // Fails every running iteration whose process is gone (see OwnerCheck), each with its running
    // step, reason and audit entry. Returns them (for their worktrees to be removed).
    Result<QVector<Iteration>> recoverInterrupted(OwnerCheck check = OwnerCheck::ByProcess);

    Result<Iteration> get(qint64 id);
    Result<std::optional<Iteration>> active();
    // Newest first.
    Result<QVector<Iteration>> list(int limit = 50);
    Result<QVector<IterationStep>> steps(qint64 iterationId);
    // The newest iteration that built `md5` as its data version (the loop's own data versions).
    Result<std::optional<Iteration>> byDataVersion(const QString &md5);

private:
    Status audit(const QString &action, const Iteration &iteration, const QString &reason, const QJsonObject &details);
    Result<Iteration> decide(qint64 iterationId, bool approved, const QString &reason);

    store::Database &m_db;
    const common::Clock &m_clock;
    QString m_actor;
};

} // namespace orrery::ct
