#pragma once
// The loop's own gate: the challenger against the champion on the newest labelled production
// rows — those the data step kept out of training (data_step.h, ct.yaml's gate.holdout), so
// neither version trained on them. Both versions' verified files (registry, content cache) score
// the same rows with `orrery-cli predict` (the TorchScript model applies its own preprocessing;
// orrery-cli loads no LibTorch), and the metric (ct.yaml's gate.metric, the register stage's
// binary metrics at threshold 0.5) decides:
//   passed  challenger − champion ≥ gate.min_improvement
//   failed  otherwise: the challenger is not better on what production looks like now
//   too few fewer rows than gate.min_rows: no evidence, so no promotion (gate.min_rows: 0 leaves
//           the decision to the offline gates)
// The offline gates (the register stage) judged the challenger on its own test split; this one
// judges both on the traffic the champion serves, which is why the loop has it.
//
// Threads: on the calling thread; the scoring runs as child processes.

#include "core/common/status.h"
#include "core/ct/ct_config.h"

#include <QJsonObject>
#include <QString>

#include <atomic>

namespace orrery::store {
class Database;
}

namespace orrery::ct {

struct GateStepResult {
    int challenger = 0;
    int champion = 0;
    QString metric;
    double challengerValue = 0;
    double championValue = 0;
    qint64 rows = 0;
    qint64 positives = 0;
    bool enoughRows = false;
    bool passed = false;
    QJsonObject challengerMetrics; // every binary metric of both on the rows (the decision uses `metric`)
    QJsonObject championMetrics;
    QString reason; // the decision in words, with the figures
    QJsonObject detail() const;
};

struct GateStepInputs {
    int challenger = 0;     // the pipeline's new version
    QString rowsFile;       // the gate's rows (DataStepResult::gateFile); empty: none were kept
    qint64 rows = 0;
    QString cliDir;         // the folder of orrery-cli
    QString workDir;        // where the scoring runs (a temporary folder of the iteration)
    const std::atomic<bool> *cancel = nullptr;
};

// Errors: the champion or challenger cannot be read or verified, scoring failed, the rows have
// no label column. An unconvincing comparison is a result (passed false), not an error.
Result<GateStepResult> runLoopGate(const QString &root, store::Database &db, const CtConfig &config, const GateStepInputs &inputs);

} // namespace orrery::ct
