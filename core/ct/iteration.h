#pragma once
// One iteration of the continuous-training loop as recorded (migration 13's ct_iterations and
// ct_steps): what triggered it and why, the step it is at, what it made (the data version and its
// commit, the pipeline run, the model version, the deployment) and how it ended, with a reason for
// every decision. Plain data; iteration_store.h writes and reads it.
//
// States: running (a process works on it: owner_pid, owner_host, heartbeat) → waiting_approval
// (parked until `ct approve` or `ct reject`; no process owns it) → approved (a loop process takes
// it on) → done, with an outcome: promoted, rolled_back, rejected, failed, stopped (it ran as far
// as asked, `ct run --once --until STEP`), no_change. At most one iteration is active (not done).

#include <QJsonObject>
#include <QString>
#include <QVector>

namespace orrery::ct {

enum class IterationState { Running, WaitingApproval, Approved, Done };
QString iterationStateName(IterationState s); // "running", "waiting_approval", "approved", "done"
IterationState parseIterationState(const QString &text);

// The steps, in the order an iteration takes them.
namespace step {
inline const QString kData = QStringLiteral("data");         // build the current data, commit it as a data version
inline const QString kPipeline = QStringLiteral("pipeline"); // run the pipeline on it (register: the challenger)
inline const QString kGate = QStringLiteral("gate");         // challenger against champion on recent labelled rows
inline const QString kApproval = QStringLiteral("approval"); // a person approves (policies.require_approval)
inline const QString kCanary = QStringLiteral("canary");     // the canary rollout and its analysis
inline const QString kPromote = QStringLiteral("promote");   // promoted, or rolled back
QStringList all();
} // namespace step

namespace outcome {
inline const QString kPromoted = QStringLiteral("promoted");
inline const QString kRolledBack = QStringLiteral("rolled_back");
inline const QString kRejected = QStringLiteral("rejected");
inline const QString kFailed = QStringLiteral("failed");
inline const QString kStopped = QStringLiteral("stopped");
inline const QString kNoChange = QStringLiteral("no_change");
} // namespace outcome

struct Iteration {
    qint64 id = 0;
    QString triggerKind;   // schedule, data, alert, manual
    QString triggerDetail; // why it fired, for a person
    IterationState state = IterationState::Running;
    QString step;          // the step in progress (or the last one taken)
    QString pipelineRun;
    QString dataVersion;   // md5 of the dataset version it built
    QString dataCommit;    // the commit (on `branch`) that records it
    qint64 rowsThrough = 0; // the newest prediction id whose labelled rows it considered
    QString model;
    int modelVersion = 0;
    QString endpoint;
    qint64 deployRevision = 0; // the endpoint's revision its canary started at (0: no canary yet)
    int championVersion = 0;   // the champion the gate weighed it against (0: none yet)
    QString branch;        // the git branch its commits are on
    QString worktree;      // relative to the workspace root
    QString outcome;       // empty until done
    QString reason;        // why it ended as it did (or why it waits)
    QString decidedBy;     // who approved or rejected it
    qint64 ownerPid = 0;
    QString ownerHost;
    qint64 heartbeat = 0;  // ms since the epoch
    qint64 created = 0;
    qint64 updated = 0;
    qint64 finished = 0;   // 0: not done

    bool active() const { return state != IterationState::Done; }
    QString title() const { return QStringLiteral("ct iteration %1").arg(id); }
};

struct IterationStep {
    qint64 id = 0;
    qint64 iterationId = 0;
    QString name;
    QString state; // running, succeeded, failed, skipped
    qint64 started = 0;
    qint64 finished = 0;
    QString reason;
    QJsonObject detail;
};

} // namespace orrery::ct
