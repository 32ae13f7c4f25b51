// train (the baseline), evaluate and gate: the model half of the built-in stages.
#include "core/stages/baseline_model.h"
#include "core/stages/binary_metrics.h"
#include "core/stages/builtin_stages.h"
#include "core/stages/csv_table.h"
#include "core/stages/stage_output.h"
#include "core/stages/stage_types.h"

#include "core/pipeline/pipeline_file.h"
#include "core/pipeline/stage_type.h"
#include "core/registry/validation_gate.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>

#include <algorithm>
#include <cmath>

namespace orrery::stages {

using pipeline::ParamKind;
using pipeline::ParamType;
using pipeline::StageContext;
using pipeline::StageType;

namespace {

QMutex g_scorersMutex;
QHash<QString, ScorerFactory> &scorers()
{
    static QHash<QString, ScorerFactory> s;
    return s;
}

} // namespace

void registerModelScorer(const QString &kind, ScorerFactory factory)
{
    QMutexLocker lock(&g_scorersMutex);
    scorers().insert(kind, std::move(factory));
}

StageType trainStageType()
{
    StageType t;
    t.name = QStringLiteral("train");
    t.summary = QStringLiteral("Train the in-process baseline logistic regression (LibTorch models: a command stage, orrery-cli train).");
    t.docs = QStringLiteral("The trainer 'baseline_logistic' fits a logistic regression with balanced class weights on the numeric columns "
                            "(standardized) and the categorical ones (one-hot, at most --max-categories values), by full-batch Adam "
                            "for --epochs, in the pipeline's own process. Writes the model as JSON (kind orrery.baseline_logistic). "
                            "LibTorch models (the MLP) train in their own process: a command stage running `orrery-cli train CONFIG`.");
    t.params = {
        {QStringLiteral("train"), ParamKind::Input, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("the training rows (CSV)")},
        {QStringLiteral("label"), ParamKind::Setting, ParamType::String, QString(), true, {}, {}, {}, QStringLiteral("the 0/1 label column")},
        {QStringLiteral("model"), ParamKind::Output, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("where the model goes")},
        {QStringLiteral("trainer"), ParamKind::Setting, ParamType::Choice, QStringLiteral("baseline_logistic"), false, {}, {},
         {QStringLiteral("baseline_logistic")}, QStringLiteral("the trainer (the in-process baseline; LibTorch trainers run as `orrery-cli train`)")},
        {QStringLiteral("features"), ParamKind::Setting, ParamType::String, QString(), false, {}, {}, {}, QStringLiteral("comma-separated feature columns (default: every usable column)")},
        {QStringLiteral("epochs"), ParamKind::Setting, ParamType::Int, QStringLiteral("200"), false, 1.0, 100000.0, {}, QStringLiteral("full-batch steps")},
        {QStringLiteral("learning-rate"), ParamKind::Setting, ParamType::Float, QStringLiteral("0.05"), false, 1e-6, 10.0, {}, QStringLiteral("Adam's step size")},
        {QStringLiteral("l2"), ParamKind::Setting, ParamType::Float, QStringLiteral("0.0001"), false, 0.0, 10.0, {}, QStringLiteral("weight decay")},
        {QStringLiteral("max-categories"), ParamKind::Setting, ParamType::Int, QStringLiteral("20"), false, 2.0, 1000.0, {}, QStringLiteral("most values a categorical feature may have")},
        {QStringLiteral("seed"), ParamKind::Setting, ParamType::Int, QStringLiteral("42"), false, 0.0, {}, {}, QStringLiteral("random seed of the initial weights")},
    };
    return t;
}

Status runBaselineTrainStage(StageContext &ctx)
{
    ORRERY_ASSIGN_OR_RETURN(auto table, CsvTable::read(ctx.path(QStringLiteral("train")), ctx.isCancelled));
    BaselineOptions o;
    o.epochs = int(ctx.args.integer(QStringLiteral("epochs")));
    o.learningRate = ctx.args.real(QStringLiteral("learning-rate"));
    o.l2 = ctx.args.real(QStringLiteral("l2"));
    o.seed = quint64(ctx.args.integer(QStringLiteral("seed")));
    o.maxCategories = int(ctx.args.integer(QStringLiteral("max-categories")));
    for (const QString &f : ctx.args.text(QStringLiteral("features")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        o.features << f.trimmed();
    ctx.log(QStringLiteral("trainer: baseline_logistic (a stand-in until the LibTorch trainer lands)"));
    ORRERY_ASSIGN_OR_RETURN(
        auto model, BaselineModel::train(table.columns, table.rows, ctx.args.text(QStringLiteral("label")), o, ctx.isCancelled, ctx.log));
    QStringList names;
    for (const auto &f : model.features)
        names << f.name;
    ctx.log(QStringLiteral("features: %1").arg(names.join(QStringLiteral(", "))));
    ORRERY_TRY(writeOutputFile(ctx.path(QStringLiteral("model")), model.toJson()));
    ctx.metrics.append({QStringLiteral("train_loss"), model.finalLoss});
    ctx.metrics.append({QStringLiteral("train_rows"), double(model.trainRows)});
    return Status::ok();
}

StageType evaluateStageType()
{
    StageType t;
    t.name = QStringLiteral("evaluate");
    t.summary = QStringLiteral("Score a model on held-out rows: metrics JSON, confusion matrix, ROC and PR curves as DVC plots.");
    t.docs = QStringLiteral("Writes --metrics (accuracy, precision, recall, f1, roc_auc, average_precision, counts), --roc "
                            "[{fpr, tpr, threshold}], --pr [{recall, precision, threshold}] (at most 200 points each) and "
                            "--confusion [{actual, predicted}] per row — the files DVC's linear and confusion plot templates read.");
    t.params = {
        {QStringLiteral("model"), ParamKind::Input, ParamType::Path, QString(), false, {}, {}, {}, QStringLiteral("the model (JSON); or give --scores")},
        {QStringLiteral("scores"), ParamKind::Input, ParamType::Path, QString(), false, {}, {}, {},
         QStringLiteral("scores per input row (CSV), e.g. from `orrery-cli predict` with a TorchScript model; instead of --model")},
        {QStringLiteral("score-column"), ParamKind::Setting, ParamType::String, QStringLiteral("p_1"), false, {}, {}, {},
         QStringLiteral("the column of --scores holding the positive class's probability")},
        {QStringLiteral("input"), ParamKind::Input, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("the held-out rows (CSV)")},
        {QStringLiteral("label"), ParamKind::Setting, ParamType::String, QString(), true, {}, {}, {}, QStringLiteral("the 0/1 label column")},
        {QStringLiteral("metrics"), ParamKind::Output, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("the metrics JSON")},
        {QStringLiteral("roc"), ParamKind::Output, ParamType::Path, QString(), false, {}, {}, {}, QStringLiteral("ROC curve points (JSON)")},
        {QStringLiteral("pr"), ParamKind::Output, ParamType::Path, QString(), false, {}, {}, {}, QStringLiteral("precision-recall curve points (JSON)")},
        {QStringLiteral("confusion"), ParamKind::Output, ParamType::Path, QString(), false, {}, {}, {}, QStringLiteral("actual/predicted per row (JSON)")},
        {QStringLiteral("threshold"), ParamKind::Setting, ParamType::Float, QStringLiteral("0.5"), false, 0.0, 1.0, {}, QStringLiteral("score at or above which a row is predicted positive")},
    };
    return t;
}

namespace {

// The scores of a model that is not in-process (a TorchScript model scored by `orrery-cli predict`
// in a stage of its own): one number per input row, in the input's order.
Result<std::vector<double>> readScores(StageContext &ctx, size_t expectedRows)
{
    const QString name = ctx.args.text(QStringLiteral("scores"));
    ORRERY_ASSIGN_OR_RETURN(auto table, CsvTable::read(ctx.path(QStringLiteral("scores")), ctx.isCancelled));
    ORRERY_ASSIGN_OR_RETURN(
        auto column, table.requireColumn(ctx.args.text(QStringLiteral("score-column")), QStringLiteral("evaluate --score-column")));
    if (table.rows.size() != expectedRows)
        return invalidArgument(
            QStringLiteral("evaluate: %1 has %2 scores but the input has %3 rows; score the same file (orrery-cli predict)")
                .arg(name)
                .arg(table.rows.size())
                .arg(expectedRows));
    std::vector<double> scores(expectedRows);
    for (size_t i = 0; i < expectedRows; ++i) {
        const std::string &cell = table.rows[i][size_t(column)];
        bool ok = false;
        scores[i] = QString::fromStdString(cell).toDouble(&ok);
        if (!ok)
            return invalidArgument(QStringLiteral("evaluate: %1:%2: '%3' in column %4 is not a number")
                                       .arg(name)
                                       .arg(table.lines[i])
                                       .arg(QString::fromStdString(cell), ctx.args.text(QStringLiteral("score-column"))));
    }
    return scores;
}

Result<std::vector<double>> scoreWithModel(StageContext &ctx, const CsvTable &table)
{
    QFile modelFile(ctx.path(QStringLiteral("model")));
    if (!modelFile.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read the model %1: %2").arg(ctx.args.text(QStringLiteral("model")), modelFile.errorString()));
    const QByteArray modelJson = modelFile.readAll();
    if (modelJson.startsWith("PK\x03\x04"))
        return invalidArgument(QStringLiteral("evaluate: %1 is a TorchScript model; score it in a stage before with `orrery-cli predict %1 --input … "
                                              "--output scores.csv` and give evaluate --scores scores.csv").arg(ctx.args.text(QStringLiteral("model"))));
    const QString kind = QJsonDocument::fromJson(modelJson).object().value(QStringLiteral("kind")).toString();
    ScorerFactory factory;
    {
        QMutexLocker lock(&g_scorersMutex);
        factory = scorers().value(kind);
    }
    if (!factory)
        return invalidArgument(QStringLiteral("evaluate: no scorer for models of kind '%1' (%2)").arg(kind, ctx.args.text(QStringLiteral("model"))));
    ORRERY_ASSIGN_OR_RETURN(auto scorer, factory(modelJson));
    return scorer(table.columns, table.rows);
}

} // namespace

Status runEvaluateStage(StageContext &ctx)
{
    if (ctx.args.has(QStringLiteral("model")) == ctx.args.has(QStringLiteral("scores")))
        return invalidArgument(QStringLiteral("evaluate: give either --model (a JSON model) or --scores (a CSV of scores), not %1")
                                   .arg(ctx.args.has(QStringLiteral("model")) ? QStringLiteral("both") : QStringLiteral("neither")));
    ORRERY_ASSIGN_OR_RETURN(auto table, CsvTable::read(ctx.path(QStringLiteral("input")), ctx.isCancelled));
    ORRERY_ASSIGN_OR_RETURN(auto labelCol, table.requireColumn(ctx.args.text(QStringLiteral("label")), QStringLiteral("evaluate --label")));
    ORRERY_ASSIGN_OR_RETURN(
        auto scores, ctx.args.has(QStringLiteral("scores")) ? readScores(ctx, table.rows.size()) : scoreWithModel(ctx, table));
    const size_t n = table.rows.size();
    if (n == 0)
        return invalidArgument(QStringLiteral("evaluate: %1 has no rows").arg(ctx.args.text(QStringLiteral("input"))));
    std::vector<int> y(n);
    for (size_t i = 0; i < n; ++i)
        y[i] = table.rows[i][size_t(labelCol)] == "1" ? 1 : 0;
    const double threshold = ctx.args.real(QStringLiteral("threshold"));
    const BinaryMetrics result = scoreBinary(scores, y, threshold);
    const QJsonObject &metrics = result.metrics;
    const QJsonArray &roc = result.roc, &pr = result.pr, &confusion = result.confusion;
    ORRERY_TRY(writeJsonFile(ctx.path(QStringLiteral("metrics")), QJsonDocument(metrics)));
    if (ctx.args.has(QStringLiteral("roc")))
        ORRERY_TRY(writeJsonFile(ctx.path(QStringLiteral("roc")), QJsonDocument(roc)));
    if (ctx.args.has(QStringLiteral("pr")))
        ORRERY_TRY(writeJsonFile(ctx.path(QStringLiteral("pr")), QJsonDocument(pr)));
    if (ctx.args.has(QStringLiteral("confusion")))
        ORRERY_TRY(writeJsonFile(ctx.path(QStringLiteral("confusion")), QJsonDocument(confusion)));
    auto number = [&metrics](const char *key) { return metrics.value(QLatin1String(key)).toDouble(); };
    ctx.log(QStringLiteral("%1 rows: roc_auc %2, average_precision %3, precision %4, recall %5 at threshold %6")
                .arg(n)
                .arg(number("roc_auc"), 0, 'f', 4)
                .arg(number("average_precision"), 0, 'f', 4)
                .arg(number("precision"), 0, 'f', 4)
                .arg(number("recall"), 0, 'f', 4)
                .arg(threshold));
    return Status::ok();
}

StageType gateStageType()
{
    StageType t;
    t.name = QStringLiteral("gate");
    t.summary = QStringLiteral("Model gate: the metrics must meet every threshold.");
    t.docs = QStringLiteral("Reads a metrics JSON (nested keys joined with '.') and checks each rule of --rules, e.g. "
                            "\"roc_auc >= 0.8, recall >= 0.5\" (core/registry's gate logic, which promotions share). A rule "
                            "not met, or a metric not there, fails the stage as a check (exit status 1) naming the metric, its "
                            "value and the threshold. Writes the verdict to --report.");
    t.params = {
        {QStringLiteral("metrics"), ParamKind::Input, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("the metrics JSON")},
        {QStringLiteral("rules"), ParamKind::Setting, ParamType::String, QString(), true, {}, {}, {}, QStringLiteral("thresholds: 'metric OP number, …'")},
        {QStringLiteral("report"), ParamKind::Output, ParamType::Path, QString(), false, {}, {}, {}, QStringLiteral("the verdict (JSON)")},
    };
    return t;
}

Status runGateStage(StageContext &ctx)
{
    ORRERY_ASSIGN_OR_RETURN(auto rules, registry::parseGateRules(ctx.args.text(QStringLiteral("rules"))));
    ORRERY_ASSIGN_OR_RETURN(
        auto doc, pipeline::loadParamsFile(ctx.path(QStringLiteral("metrics")), ctx.args.text(QStringLiteral("metrics"))));
    if (!QFile::exists(ctx.path(QStringLiteral("metrics"))))
        return notFound(QStringLiteral("gate: the metrics file %1 does not exist").arg(ctx.args.text(QStringLiteral("metrics"))));
    std::vector<std::pair<QString, pipeline::ParamValue>> flat;
    doc.flatten(QString(), &flat);
    QHash<QString, double> metrics;
    for (const auto &[k, v] : flat)
        if (v.kind() == pipeline::ParamValue::Kind::Int || v.kind() == pipeline::ParamValue::Kind::Float)
            metrics.insert(k, v.toDouble());
    const registry::GateResult result = registry::evaluateGate(rules, metrics);
    QJsonArray checks;
    for (const auto &c : result.checks) {
        QJsonObject o{{QStringLiteral("rule"), c.rule.text()}, {QStringLiteral("passed"), c.passed}, {QStringLiteral("explanation"), c.explanation}};
        o.insert(QStringLiteral("value"), c.present ? QJsonValue(c.value) : QJsonValue());
        checks.append(o);
        ctx.log(QStringLiteral("%1 %2").arg(c.passed ? QStringLiteral("pass") : QStringLiteral("FAIL"), c.explanation));
    }
    if (ctx.args.has(QStringLiteral("report")))
        ORRERY_TRY(writeJsonFile(ctx.path(QStringLiteral("report")), QJsonDocument(QJsonObject{{QStringLiteral("passed"), result.passed()}, {QStringLiteral("checks"), checks}})));
    for (const QString &f : result.failures())
        ctx.addFinding(QStringLiteral("gate: ") + f);
    return Status::ok();
}

} // namespace orrery::stages
