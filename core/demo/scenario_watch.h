#pragma once
// ScenarioWatch: what a running scenario prints — the workspace database read again and again,
// each new fact once: monitoring windows (with the features that drifted), alerts firing, the
// loop's iterations and their steps (with the reasons the loop recorded), the endpoint's rollout
// events. Read-only, on its own connection; everything it says is what the processes committed.
//
// Threads: on the thread that made it.

#include "core/common/status.h"
#include "core/demo/scenario.h"

#include <QHash>
#include <QSet>
#include <QString>

#include <memory>

namespace orrery::store {
class Database;
}

namespace orrery::demo {

class ScenarioWatch {
public:
    ScenarioWatch(store::Database &db, QString endpoint, QString model);

    // Takes what is there now as seen (events before the scenario's traffic are not news).
    Status baseline();
    // New facts since the last look, in the order they happened.
    Result<QVector<ScenarioEvent>> poll(qint64 nowClockMs);

    // The first iteration started since the baseline (0: none yet), and whether it has ended.
    qint64 iteration() const { return m_iteration; }
    bool iterationEnded() const { return m_ended; }
    QString outcome() const { return m_outcome; }
    QString reason() const { return m_reason; }
    // When the first alert fired at or after `fromMs` (clock; 0: none).
    qint64 firstAlertSince(qint64 fromMs) const;
    qint64 endMs() const { return m_endMs; }                      // clock
    // Window end times (clock) of every window closed since the baseline.
    const QVector<qint64> &windowEnds() const { return m_windowEnds; }
    QJsonObject stepMs() const { return m_stepMs; }
    qint64 iterationStartMs() const { return m_iterationStartMs; }
    // Whether the iteration's canary step has started.
    bool canaryStarted() const { return m_canaryStarted; }

private:
    Status windows(QVector<ScenarioEvent> &out);
    Status alerts(QVector<ScenarioEvent> &out);
    Status iterations(QVector<ScenarioEvent> &out);
    Status rollout(QVector<ScenarioEvent> &out);

    store::Database &m_db;
    QString m_endpoint;
    QString m_model;
    qint64 m_lastWindow = 0;
    qint64 m_lastAlertsSeen = 0;
    QSet<qint64> m_firedAlerts;
    qint64 m_lastIterationBefore = 0;
    qint64 m_iteration = 0;
    QHash<qint64, QString> m_stepStates; // step id → state printed
    qint64 m_lastEvent = 0;
    bool m_ended = false;
    bool m_canaryStarted = false;
    QString m_outcome;
    QString m_reason;
    QVector<qint64> m_alertTimes; // when each alert fired (clock)
    qint64 m_endMs = 0;
    qint64 m_iterationStartMs = 0;
    QVector<qint64> m_windowEnds;
    QJsonObject m_stepMs;
};

} // namespace orrery::demo
