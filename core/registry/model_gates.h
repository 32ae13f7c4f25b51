#pragma once
// A model's validation gates, stored with the registered model, and their evaluation for a
// candidate version (docs/architecture.md, "Models: champion and challenger"):
//   - metric thresholds on the version's own metrics ("roc_auc >= 0.8", core/registry's
//     validation_gate rules, shared with the pipeline's gate stage);
//   - "beats the champion on the same holdout by >= X": both versions scored on the same rows
//     (the caller scores them; a gate never compares a version's own test set with another's);
//     with no champion the gate passes and says so (the first version rule);
//   - data tests passed (the run's validate stage);
//   - the signature compatible with the champion's (every input the champion takes, with the same
//     type and width; the same outputs).
// A gate whose input is missing fails and names what is missing: a gate never passes by omission.

#include "core/registry/registry_types.h"
#include "core/registry/validation_gate.h"

#include <optional>

namespace orrery::registry {

struct ModelGates {
    QVector<GateRule> rules;
    QString championMetric;       // non-empty: the version must beat the champion on it
    double minImprovement = 0.0;  // by at least this much
    bool lowerIsBetter = false;   // for the champion comparison (a loss)
    bool requireDataTests = true;
    bool requireCompatibleSignature = true;

    QJsonObject toJson() const;
    static Result<ModelGates> fromJson(const QJsonObject &json);
    QStringList describe() const; // one line per gate, for people
};

struct GateInputs {
    QHash<QString, double> metrics;             // the candidate's own metrics
    int championVersion = 0;                    // 0: there is no champion
    std::optional<double> candidateOnHoldout;   // championMetric, both scored on the same rows
    std::optional<double> championOnHoldout;
    QString holdout;                            // which rows (a path@md5), for the explanation
    std::optional<bool> dataTestsPassed;        // not known: the gate fails
    QString dataTestsWhy;                       // what failed, when they failed
    QJsonObject signature;                      // the candidate's
    QJsonObject championSignature;
};

QVector<GateOutcome> evaluateModelGates(const ModelGates &gates, const GateInputs &inputs);
bool allPassed(const QVector<GateOutcome> &outcomes);

// Whether a model with signature `candidate` takes every input `champion` takes (same name,
// dtype and width) and gives the same outputs; `why` names the first difference.
bool signaturesCompatible(const QJsonObject &candidate, const QJsonObject &champion, QString *why);

} // namespace orrery::registry
