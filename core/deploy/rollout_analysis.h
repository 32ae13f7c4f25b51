#pragma once
// RolloutAnalysis: at the end of a canary step's pause, the canary's requests of that step
// against the stable's, judged by the deployment's rules (gate grammar relative to "stable",
// deployment_store.h lists the metrics: error_rate — the share of answers that were not 2xx —
// p50_ms and p99_ms — read from the fine latency buckets, serving_metrics.h).
//
// Too few requests on either side (fewer than minRequests) is Inconclusive, never a pass: the
// controller extends the pause a bounded number of times, then aborts. No rules: Pass once the
// pause is over.

#include "core/serve/serving_metrics.h"

#include <QHash>
#include <QStringList>

namespace orrery::deploy {

struct AnalysisResult {
    enum class Verdict { Pass, Fail, Inconclusive };
    Verdict verdict = Verdict::Inconclusive;
    QString summary;          // one line for the event and the window
    QStringList failures;     // the failed rules' explanations
    QHash<QString, double> canary, stable;
};

AnalysisResult analyseStep(const QString &rules, const serve::VersionSnapshot &canary, const serve::VersionSnapshot &stable, int minRequests);

QHash<QString, double> analysisMetrics(const serve::VersionSnapshot &s);

} // namespace orrery::deploy
