#pragma once
// The continuous-training scenarios: `orrery-cli demo DIR --scenario drift|bad-challenger` tells
// the closed loop's whole story in about a minute, on a compressed clock.
//
// Set-up, in this process: the demo workspace (10,000 transactions, months old), its pipeline run
// (v1, the champion), the outs and the loop's files committed as a user would (ct.yaml: retrain
// on a drift alert once enough labelled rows are in, on the last 30 days; the loop's gate on
// average precision, which a shift of amounts and channels costs the champion; a short canary),
// and v1 deployed on the endpoint `fraud`. Then three processes, each on the same compressed clock
// (common/clock.h's environment, DESIGN.md "Processes"): `orrery-cli serve` (the endpoint, its
// monitoring windows and alerts, the canary's controller), `orrery-cli ct run` (the loop), and
// `orrery-cli demo replay` (traffic with delayed labels; the generator's shift starts at a known
// time). Each step is printed as it lands in the workspace's database — windows with drift, alerts,
// the iteration's steps, the rollout's events — until the loop's iteration ends, then the processes
// are stopped (SIGTERM) and their logs kept in .orrery/tmp/scenario/.
//
//   drift           the shift (amounts ×2.5, mostly online, fraud ×3) → drift alert → retraining
//                   on the labelled rows → the challenger beats the champion on the newest rows →
//                   its canary passes → promoted
//   bad-challenger  the same, but a commit made the model strict about categories (train.yaml's
//                   data.unseen: error, scikit-learn's default); while the canary runs, a new kind
//                   of merchant starts sending payments (a second replay: merchant_category
//                   crypto_exchange, which no training data had): the challenger passed the offline
//                   gates and the loop's gate, fails live on those rows (400), the canary's
//                   analysis (error_rate) aborts it → rolled back; the champion maps the unseen
//                   category to "other" and serves on
// It ends as designed (exit 0) or says where it went another way.
//
// Threads: on the calling thread; the processes are children, stopped when it returns.

#include "core/common/status.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

#include <functional>

namespace orrery::common {
class JobContext;
}

namespace orrery::demo {

enum class ScenarioKind { Drift, BadChallenger };
Result<ScenarioKind> parseScenarioKind(const QString &text); // "drift", "bad-challenger"
QString scenarioName(ScenarioKind kind);

struct ScenarioOptions {
    ScenarioKind kind = ScenarioKind::Drift;
    QString dir;               // a new or empty folder
    QString cliDir;            // orrery-cli's folder (the children are orrery-cli)
    double clockScale = 20;    // clock seconds per real second
    qint64 rows = 10000;       // the demo dataset's rows
    quint64 seed = 42;
    qint64 timeoutMs = 8 * 60'000; // real time from the replay's start to the iteration's end
    std::function<void(const QString &line)> print;
};

// One thing that happened, as printed.
struct ScenarioEvent {
    qint64 clockMs = 0;  // when (the scenario's clock)
    qint64 realMs = 0;   // since the traffic started (real time)
    QString kind;        // shift, window, alert, iteration, step, rollout, end
    QString text;
};

struct ScenarioResult {
    QString root;
    ScenarioKind kind = ScenarioKind::Drift;
    QString expected;          // promoted / rolled_back
    QString outcome;           // the iteration's
    QString reason;
    bool asDesigned = false;
    qint64 iteration = 0;
    qint64 shiftClockMs = 0;
    qint64 windowMs = 0;       // the monitoring window (clock)
    int windowsToAlert = -1;   // windows closed from the shift to the first drift alert firing after it
    int windowsToEnd = -1;     // … to the iteration's end (the new champion serving, or the rollback)
    qint64 shiftToAlertMs = -1;  // clock
    qint64 shiftToEndMs = -1;    // clock
    QJsonObject stepMs;        // the iteration's steps: name → clock ms
    qint64 iterationMs = 0;    // clock, from its start to its end
    QVector<ScenarioEvent> events;
    QJsonObject toJson() const;
};

// Errors: the set-up failed, a process could not start or died, the scenario did not end within
// the timeout (the message says where it stood). An iteration that ended otherwise than designed
// is a result (asDesigned false), with its reason.
Result<ScenarioResult> runScenario(const ScenarioOptions &options, common::JobContext *job = nullptr);

} // namespace orrery::demo
