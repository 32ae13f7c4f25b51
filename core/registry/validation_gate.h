#pragma once
// Validation gates: whether a model's metrics allow it to go on (be registered, replace the
// champion). The gate logic lives here (docs/architecture.md, "Conventions") so that the pipeline's gate stage and
// promotions decide alike. A gate is a list of rules over metric names:
//
//   roc_auc >= 0.80, recall >= 0.5, false_positive_rate <= 0.05
//
// Operators: >=, >, <=, <, ==. A metric the metrics do not hold fails its rule (a gate never
// passes by omission).
//
// Where the caller names a reference (a canary's analysis names "stable"), the right side may
// also be relative to the reference's value of the same metric:
//
//   error_rate <= stable + 0.01, p99_ms <= 1.2 * stable, roc_auc >= stable - 0.02
//
// (REF, REF + N, REF - N, N * REF, REF * N). "Beats the champion on the same holdout by >= X" arrives with the
// Registry issue as another kind of rule.

#include "core/common/status.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>

namespace orrery::registry {

struct GateRule {
    enum class Op { Ge, Gt, Le, Lt, Eq };
    QString metric;
    Op op = Op::Ge;
    double threshold = 0.0; // the number, or what is added to scale · reference
    QString reference;      // empty: an absolute threshold
    double scale = 1.0;     // with a reference: threshold = scale · reference's value + threshold
    QString text() const;   // "roc_auc >= 0.8", "p99_ms <= 1.2 * stable"
    QString rightSide() const; // "0.8", "1.2 * stable", "stable + 0.01"
};

struct GateCheck {
    GateRule rule;
    bool present = false;
    double value = 0.0;
    bool passed = false;
    QString explanation; // "roc_auc = 0.91 >= 0.8" / "recall = 0.42, needs >= 0.5"
};

struct GateResult {
    QVector<GateCheck> checks;
    bool passed() const;
    QStringList failures() const; // explanations of the failed checks
};

// "a >= 0.8, b < 3" (commas or semicolons between rules); errors say which rule and why.
// `reference`: the name relative rules may use (empty: none allowed).
Result<QVector<GateRule>> parseGateRules(const QString &text, const QString &reference = QString());
// `referenceMetrics`: the reference's values, for relative rules (a rule whose reference value
// is missing fails and says so).
GateResult evaluateGate(const QVector<GateRule> &rules, const QHash<QString, double> &metrics,
                        const QHash<QString, double> &referenceMetrics = {});

} // namespace orrery::registry
