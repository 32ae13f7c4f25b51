#pragma once
// The `promtool test rules` file that `orrery-cli export prometheus-rules` writes beside the rule
// file (prometheus_rules_export.h): one case per alert rule, and one for the recording rules, so a
// user can check in Prometheus' own evaluator that the exported rules do what alerts.yaml says.
//
// A rule's case, on a grid of `step` (promtool's interval and evaluation_interval: the greatest
// common divisor of a minute and every rule's `for` and `keep_firing_for`, at least a second), with
// f = for / step and k = keep_firing_for / step, both rounded up (an alert fires at the first
// evaluation at least `for` after it became pending):
//
//   the rule's series      (the metric's labels with example values, `where` over them)
//                          satisfies the rule at steps 0 … f+2, then not for k+3 steps;
//   a sibling series       (one label not pinned by `where` changed) never satisfies it;
//   one series per `where` label, with that label changed, satisfies it throughout — and must
//                          not fire, because `where` excludes it;
//   expected               at step f-1 nothing fires (still pending; only when f > 0), at step f
//                          the rule's series fires with its labels + severity and its annotations
//                          rendered (alert_template.h, as Prometheus renders them), at the first
//                          step that does not satisfy it + k - 1 it still fires (keep_firing_for;
//                          only when k > 0, with the annotations of its last satisfying sample),
//                          one step later nothing fires.
//
// The same cases drive Orrery's own AlertEvaluator in tests/auto/deploy/tst_prometheus_rules, so
// the two evaluators are held to one set of expectations.

#include "core/monitor/alert_rules.h"

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QVector>

namespace orrery::deploy {

struct RuleTestSeries {
    QString metric;
    QMap<QString, QString> labels;
    QVector<double> values; // one sample per step from time 0

    QString seriesText() const; // `metric{a="1",b="2"}`
};

struct ExpectedAlert {
    QMap<QString, QString> labels; // the series' labels + severity (promtool adds alertname itself)
    QMap<QString, QString> annotations;
};

struct RuleTestCheck {
    int step = 0;                  // evaluation time = step × the case's step
    QVector<ExpectedAlert> firing; // the rule's firing alerts then (pending ones are not listed)
};

struct RuleTestCase {
    monitor::AlertRule rule;
    qint64 stepMs = 60'000;
    QVector<RuleTestSeries> series;
    QVector<RuleTestCheck> checks;
};

// The grid every case shares: gcd(60 s, every for and keep_firing_for), at least 1 s.
qint64 ruleTestStepMs(const QVector<monitor::AlertRule> &rules);
// A value that satisfies `op threshold`, and one that does not: the threshold itself, or one step
// away from it (1 from a whole number, a tenth of a larger one, a unit of a fraction's leading
// digit: 0.05 → 0.06), rounded to 12 significant digits so that the files show them as people
// write them (0.06, not 0.060000000000000005).
double satisfyingValue(monitor::CompareOp op, double threshold);
double failingValue(monitor::CompareOp op, double threshold);
// The labels each of Orrery's gauges carries (the contract), for the cases' example series.
QStringList alertMetricLabels(const QString &metric);

QVector<RuleTestCase> alertRuleTestCases(const QVector<monitor::AlertRule> &rules);

// promtool's test file: `rule_files: [ruleFile]` (a path relative to the test file's folder),
// the rules' cases and the recording rules' case.
QByteArray promtoolTestYaml(const QVector<monitor::AlertRule> &rules, const QString &ruleFile);

} // namespace orrery::deploy
