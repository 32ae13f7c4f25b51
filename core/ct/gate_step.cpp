#include "core/ct/gate_step.h"

#include "core/registry/model_file.h"
#include "core/registry/model_registry.h"
#include "core/stages/binary_metrics.h"
#include "core/stages/csv_table.h"
#include "core/stages/model_scoring.h"
#include "core/workspace/workspace.h"

#include <QDir>

namespace orrery::ct {

QJsonObject GateStepResult::detail() const
{
    return {{QStringLiteral("challenger"), challenger},
            {QStringLiteral("champion"), champion},
            {QStringLiteral("metric"), metric},
            {QStringLiteral("challenger_value"), challengerValue},
            {QStringLiteral("champion_value"), championValue},
            {QStringLiteral("improvement"), challengerValue - championValue},
            {QStringLiteral("rows"), double(rows)},
            {QStringLiteral("positives"), double(positives)},
            {QStringLiteral("enough_rows"), enoughRows},
            {QStringLiteral("passed"), passed},
            {QStringLiteral("challenger_metrics"), challengerMetrics},
            {QStringLiteral("champion_metrics"), championMetrics}};
}

Result<GateStepResult> runLoopGate(const QString &root, store::Database &db, const CtConfig &config, const GateStepInputs &inputs)
{
    GateStepResult result;
    result.challenger = inputs.challenger;
    result.metric = config.gate.metric;
    result.rows = inputs.rowsFile.isEmpty() ? 0 : inputs.rows;
    registry::ModelRegistry registry(db);
    ORRERY_ASSIGN_OR_RETURN(const auto model, registry.model(config.model));
    result.champion = model.aliasVersion(QStringLiteral("champion"));
    if (result.champion == 0 || result.champion == result.challenger) {
        result.enoughRows = true;
        result.passed = true;
        result.reason = result.champion == 0 ? QStringLiteral("%1 has no champion to compare with: v%2 goes on").arg(config.model).arg(result.challenger)
                                             : QStringLiteral("v%1 is already the champion (the first version of %2): nothing to compare").arg(result.challenger).arg(config.model);
        return result;
    }
    if (result.rows < config.gate.minRows || result.rows == 0) {
        result.passed = config.gate.minRows == 0;
        result.reason = result.passed
                            ? QStringLiteral("no recent labelled production rows to compare v%1 with champion v%2 on; gate.min_rows is 0, so the offline gates decide")
                                  .arg(result.challenger).arg(result.champion)
                            : QStringLiteral("only %1 recent labelled production row%2 to compare v%3 with champion v%4 on (gate.min_rows %5): no evidence that it is better, so it is not rolled out")
                                  .arg(result.rows).arg(result.rows == 1 ? QString() : QStringLiteral("s")).arg(result.challenger).arg(result.champion).arg(config.gate.minRows);
        return result;
    }
    result.enoughRows = true;

    ORRERY_ASSIGN_OR_RETURN(const auto table, stages::CsvTable::read(inputs.rowsFile));
    ORRERY_ASSIGN_OR_RETURN(const int labelColumn, table.requireColumn(config.dataset.label, QStringLiteral("the gate's rows")));
    std::vector<int> labels(table.rows.size());
    for (size_t i = 0; i < labels.size(); ++i) {
        const std::string &cell = table.rows[i][size_t(labelColumn)];
        labels[i] = cell == "1" || cell == "1.0" || cell == "true" ? 1 : 0;
        result.positives += labels[i];
    }
    result.rows = qint64(labels.size());

    auto score = [&](int version, const QString &who) -> Result<std::vector<double>> {
        ORRERY_ASSIGN_OR_RETURN(const auto v, registry.version(config.model, version));
        ORRERY_ASSIGN_OR_RETURN(const QString path, registry::verifiedModelPath(workspace::Workspace::cacheDirFor(root), v));
        stages::ScoringRequest request;
        request.cliDir = inputs.cliDir;
        request.model = path;
        request.shown = QStringLiteral("%1 v%2").arg(who).arg(version);
        request.input = inputs.rowsFile;
        request.workDir = inputs.workDir + QLatin1Char('/') + who;
        request.what = QStringLiteral("the loop's gate");
        request.cancel = inputs.cancel;
        return stages::scoreRows(request, labels.size());
    };
    ORRERY_ASSIGN_OR_RETURN(const auto challengerScores, score(result.challenger, QStringLiteral("challenger")));
    ORRERY_ASSIGN_OR_RETURN(const auto championScores, score(result.champion, QStringLiteral("champion")));
    const double threshold = 0.5;
    result.challengerMetrics = stages::scoreBinary(challengerScores, labels, threshold).metrics;
    result.championMetrics = stages::scoreBinary(championScores, labels, threshold).metrics;
    result.challengerValue = result.challengerMetrics.value(result.metric).toDouble();
    result.championValue = result.championMetrics.value(result.metric).toDouble();
    const double gain = result.challengerValue - result.championValue;
    result.passed = gain >= config.gate.minImprovement;
    result.reason = QStringLiteral("on the %1 newest labelled production rows (%2 positive), which neither trained on: %3 of challenger v%4 %5, champion v%6 %7 (%8%9; gate.min_improvement %10)")
                        .arg(result.rows)
                        .arg(result.positives)
                        .arg(result.metric)
                        .arg(result.challenger)
                        .arg(result.challengerValue, 0, 'f', 4)
                        .arg(result.champion)
                        .arg(result.championValue, 0, 'f', 4)
                        .arg(gain >= 0 ? QStringLiteral("+") : QString())
                        .arg(gain, 0, 'f', 4)
                        .arg(config.gate.minImprovement)
                    + (result.passed ? QStringLiteral(": the challenger goes to the canary") : QStringLiteral(": the challenger is not better, so it is not rolled out"));
    return result;
}

} // namespace orrery::ct
