#include "core/deploy/rollout_analysis.h"

#include "core/registry/validation_gate.h"

namespace orrery::deploy {

QHash<QString, double> analysisMetrics(const serve::VersionSnapshot &s)
{
    return {{QStringLiteral("error_rate"), s.errorRate()},
            {QStringLiteral("p50_ms"), s.latency.quantile(0.5) * 1000.0},
            {QStringLiteral("p99_ms"), s.latency.quantile(0.99) * 1000.0},
            {QStringLiteral("requests"), double(s.answered)}};
}

AnalysisResult analyseStep(const QString &rules, const serve::VersionSnapshot &canary, const serve::VersionSnapshot &stable, int minRequests)
{
    AnalysisResult r;
    r.canary = analysisMetrics(canary);
    r.stable = analysisMetrics(stable);
    const auto figures = [&](const QHash<QString, double> &m) {
        return QStringLiteral("%1 requests, error rate %2 %, p99 %3 ms")
            .arg(qint64(m.value(QStringLiteral("requests"))))
            .arg(m.value(QStringLiteral("error_rate")) * 100.0, 0, 'g', 3)
            .arg(m.value(QStringLiteral("p99_ms")), 0, 'g', 3);
    };
    const QString both = QStringLiteral("canary %1; stable %2").arg(figures(r.canary), figures(r.stable));
    if (rules.trimmed().isEmpty()) {
        r.verdict = AnalysisResult::Verdict::Pass;
        r.summary = QStringLiteral("no analysis rules: the pause is over (%1)").arg(both);
        return r;
    }
    if (canary.answered < quint64(minRequests) || stable.answered < quint64(minRequests)) {
        r.verdict = AnalysisResult::Verdict::Inconclusive;
        r.summary = QStringLiteral("inconclusive: needs %1 requests on each side (%2)").arg(minRequests).arg(both);
        return r;
    }
    auto parsed = registry::parseGateRules(rules, QStringLiteral("stable"));
    if (!parsed) {
        r.verdict = AnalysisResult::Verdict::Fail;
        r.summary = parsed.status().message();
        r.failures << r.summary;
        return r;
    }
    const registry::GateResult gate = registry::evaluateGate(*parsed, r.canary, r.stable);
    r.failures = gate.failures();
    r.verdict = gate.passed() ? AnalysisResult::Verdict::Pass : AnalysisResult::Verdict::Fail;
    r.summary = gate.passed() ? QStringLiteral("analysis passed (%1)").arg(both)
                              : QStringLiteral("analysis failed: %1 (%2)").arg(r.failures.join(QStringLiteral("; ")), both);
    return r;
}

} // namespace orrery::deploy
