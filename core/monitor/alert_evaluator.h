#pragma once
// AlertEvaluator: the state of every alert of a set of rules (alert_rules.h), advanced one
// evaluation at a time from the samples of /metrics (metrics_samples.h) and a time — no clock,
// no thread, no database, so tests step time exactly.
//
// States per (rule, label set), as Prometheus' alerting rules define them (rules/alerting.go):
//   inactive → pending   the series satisfies the rule (activeSince = now)
//   pending  → firing    still satisfied and now − activeSince ≥ for (for 0s: in the same
//                        evaluation; reported as one transition inactive → firing)
//   pending  → inactive  no longer satisfied before `for` elapsed (it never fired: nothing to resolve)
//   firing   → inactive  no longer satisfied and keep_firing_for has elapsed since it first was
//                        not (keepFiringSince); that is "resolved" (resolvedAt = now)
// A series that is missing from the samples counts as not satisfying the rule. An alert that
// resolves and is satisfied again later is a new alert (a new activeSince). While it keeps firing
// after its condition cleared, its value and annotations stay those of its last satisfied sample.
// When a rule goes (setRules without it), its alerts end at the next evaluation: pending ones are
// dropped, firing ones resolve. Alerts of a rule that stays keep their state across setRules.
//
// Alert labels: the series' labels + alertname + severity (the rule's, over the series' own);
// annotations: summary and description rendered with the series' labels and value
// (alert_template.h), the description left out when the rule has none.
//
// Threads: none of its own; one thread at a time.

#include "core/monitor/alert_rules.h"

#include <QHash>
#include <QMap>
#include <QString>
#include <QVector>

namespace orrery::monitor {

struct MetricSample;

enum class AlertState { Inactive, Pending, Firing };
QString alertStateName(AlertState state); // "inactive", "pending", "firing"

struct Alert {
    QString rule;
    QMap<QString, QString> labels;
    QMap<QString, QString> annotations;
    QString fingerprint;        // alertFingerprint(labels)
    AlertState state = AlertState::Inactive;
    double value = 0;           // the last sample that satisfied the rule
    qint64 activeSince = 0;     // ms since the epoch: became pending
    qint64 firedAt = 0;         // 0 until it fires
    qint64 resolvedAt = 0;      // 0 until it resolves
    qint64 keepFiringSince = 0; // 0 unless firing on keep_firing_for
    qint64 lastEvaluated = 0;
};

struct AlertTransition {
    AlertState from = AlertState::Inactive;
    AlertState to = AlertState::Inactive;
    Alert alert; // as it is after the transition
    bool fired() const { return to == AlertState::Firing; }
    bool resolved() const { return from == AlertState::Firing && to == AlertState::Inactive; }
};

struct AlertEvaluation {
    QVector<AlertTransition> transitions; // by rule order, then fingerprint
    QVector<Alert> updated;               // active alerts without a transition whose value or annotations changed
    QVector<Alert> active;                // pending and firing after the evaluation
};

// A hex SHA-256 prefix (16 characters) over the sorted labels: one alert's identity.
QString alertFingerprint(const QMap<QString, QString> &labels);

class AlertEvaluator {
public:
    AlertEvaluator() = default;
    explicit AlertEvaluator(QVector<AlertRule> rules) { setRules(std::move(rules)); }

    void setRules(QVector<AlertRule> rules);
    const QVector<AlertRule> &rules() const { return m_rules; }
    // Takes up alerts that were active before (the store's, after a restart): pending and firing
    // ones only, as they were, so a restart neither fires an alert twice nor loses its `for` clock.
    void restore(const QVector<Alert> &alerts);
    AlertEvaluation evaluate(const QVector<MetricSample> &samples, qint64 nowMs);
    QVector<Alert> active() const; // pending and firing, by rule name, then fingerprint

private:
    QVector<AlertRule> m_rules;
    QHash<QString, QMap<QString, Alert>> m_active; // rule name → fingerprint → pending or firing alert
};

} // namespace orrery::monitor
