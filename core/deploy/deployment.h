#pragma once
// Deployment: the desired state of one endpoint — which model version serves it (stable), which
// one is being rolled out (candidate), how (strategy), and where the rollout stands (phase, step,
// weight). Commands write it (deployment_store.h), the serving process applies it
// (rollout_controller.h); both meet in the workspace database (migration 10).
//
// What an endpoint E routes, by phase and strategy:
//   healthy                      E → stable 100 %
//   progressing/paused, canary   E → stable 100 − w %, candidate w % (w: the current step's weight)
//   progressing/paused, b-green  E → stable 100 %;  E-preview → candidate 100 %
//   progressing/paused, shadow   E → stable 100 %, candidate gets a copy of every request
//   aborted                      E → stable 100 % (the candidate is out; `deploy retry` restarts it)
// A direct deployment never progresses: the new version takes all traffic at once.

#include "core/common/status.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <utility>

namespace orrery::deploy {

enum class Strategy { Direct, BlueGreen, Canary, Shadow };
enum class Phase { Healthy, Progressing, Paused, Aborted };

QString strategyName(Strategy s); // "direct", "blue-green", "canary", "shadow"
Result<Strategy> parseStrategy(const QString &text);
QString phaseName(Phase p);        // "healthy", "progressing", "paused", "aborted"
Phase parsePhase(const QString &text);

// Endpoint names: a DNS-1035 label short enough for "-preview" and "-analysis" (so the same
// endpoint exports to Kubernetes unchanged; manifest_export_objects.h has the rule), not ending
// in "-preview" (blue-green's). The error names the rule and a name that would do.
Status validateEndpointName(const QString &name);
QString previewEndpoint(const QString &endpoint); // E-preview

// "5,25,50,100": increasing whole percents from 1 to 100, ending at 100.
Result<QList<int>> parseSteps(const QString &text);
// The same rule for steps given as numbers.
Status validateSteps(const QList<int> &steps);
QString stepsText(const QList<int> &steps);
// "60s", "5m", "1h", "250ms", a bare number of seconds; 0 … 24 h.
Result<qint64> parseDurationMs(const QString &text);
QString durationText(qint64 ms);

struct Deployment {
    QString endpoint;
    QString model;
    int stableVersion = 0;    // 0: nothing serves yet
    int candidateVersion = 0; // 0: no rollout
    Strategy strategy = Strategy::Direct;
    Phase phase = Phase::Healthy;
    QList<int> steps;         // canary weights
    int stepIndex = 0;
    int canaryWeight = 0;
    qint64 pauseMs = 60'000;  // each canary step's pause before its analysis
    QString analysis;         // gate grammar, relative to "stable"; empty: steps advance after the pause
    int minRequests = 200;    // per version and step, before the analysis decides
    int maxInconclusive = 3;  // pauses extended for too few requests before the rollout aborts
    int inconclusive = 0;
    qint64 stepStarted = 0;   // ms since the epoch, set by the server when it applied the step
    QString message;          // why it stands where it stands (an abort's reason, …)
    qint64 revision = 0;
    qint64 updated = 0;

    bool rollingOut() const { return candidateVersion != 0 && (phase == Phase::Progressing || phase == Phase::Paused); }
    // (version, percent) pairs E routes; for blue-green the preview endpoint is separate.
    QList<std::pair<int, int>> weights() const;
    QString weightsJson() const; // {"1":95,"2":5}
};

struct DeploymentEvent {
    qint64 id = 0;
    QString endpoint;
    QDateTime time;
    QString kind;   // started, step, paused, resumed, promoted, completed, aborted, retried, rolled_back, analysis, inconclusive
    QString model;
    int stableVersion = 0;
    int candidateVersion = 0;
    QString weights; // JSON, after the event
    QString detail;
    QString actor;
};

} // namespace orrery::deploy
