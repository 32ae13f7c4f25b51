// register: the pipeline's last word on a model (docs/architecture.md, "Models: champion and
// challenger"). It evaluates the registered model's gates itself, registers the version either way
// with its validation result and lineage, moves `challenger` (or `champion`, for the first
// version) only when the gates pass, and fails as a check (exit 1) when they do not — so a failing
// version is recorded and the Registry area can say why it was not promoted.
//
// "Beats the champion" scores both models on the same rows: the candidate's scores come from
// --scores (the predict stage) or are made here, the champion's are always made here with
// `orrery-cli predict` on its verified file from the registry, and both are measured by the one
// metric function the evaluate stage uses (scoreBinary).
#include "core/stages/binary_metrics.h"
#include "core/stages/csv_table.h"
#include "core/stages/model_scoring.h"
#include "core/stages/stage_output.h"
#include "core/stages/stage_types.h"

#include "core/monitor/reference_profile.h"
#include "core/pipeline/pipeline_file.h"
#include "core/pipeline/stage_type.h"
#include "core/registry/model_file.h"
#include "core/registry/model_lineage.h"
#include "core/registry/model_registry.h"
#include "core/registry/webhook_dispatcher.h"
#include "core/store/database.h"
#include "core/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>

namespace orrery::stages {

using pipeline::ParamKind;
using pipeline::ParamType;
using pipeline::StageContext;
using pipeline::StageType;

StageType registerStageType()
{
    StageType t;
    t.name = QStringLiteral("register");
    t.needsWorkspaceDatabase = true; // registers a model version (registry, audit, webhooks)
    t.summary = QStringLiteral("Register the model: check its gates, record the version either way, move challenger (or champion) when they pass.");
    t.docs = QStringLiteral("Stores --model in the content cache and registers it as a new version of --name with its lineage (the run "
                            "that wrote the file, the pipeline run, data versions, commit, params, metrics). The model's gates (stored "
                            "with the registered model; --rules and --beats-champion set them) are checked: metric thresholds on "
                            "--metrics, beating the champion on the same --holdout rows by --min-improvement, the data tests of "
                            "--validation, a signature compatible with the champion's. Passing versions become challenger, or champion "
                            "when there is none yet; a failing version is recorded with its reasons and the stage fails as a check "
                            "(exit status 1). Only a TorchScript model with a signature can pass. Writes the outcome to --report.");
    t.params = {
        {QStringLiteral("model"), ParamKind::Input, ParamType::Path, QString(), true, {}, {}, {}, QStringLiteral("the model file (TorchScript)")},
        {QStringLiteral("name"), ParamKind::Setting, ParamType::String, QString(), true, {}, {}, {}, QStringLiteral("the registered model's name")},
        {QStringLiteral("metrics"), ParamKind::Input, ParamType::Path, QString(), false, {}, {}, {}, QStringLiteral("the evaluate stage's metrics JSON")},
        {QStringLiteral("rules"), ParamKind::Setting, ParamType::String, QString(), false, {}, {}, {}, QStringLiteral("thresholds 'metric OP number, …' (stored as the model's gate)")},
        {QStringLiteral("beats-champion"), ParamKind::Setting, ParamType::String, QString(), false, {}, {}, {}, QStringLiteral("a metric the version must beat the champion on, on the same holdout")},
        {QStringLiteral("min-improvement"), ParamKind::Setting, ParamType::Float, QStringLiteral("0"), false, {}, {}, {}, QStringLiteral("by at least this much")},
        {QStringLiteral("holdout"), ParamKind::Input, ParamType::Path, QString(), false, {}, {}, {}, QStringLiteral("the rows both versions are scored on (CSV)")},
        {QStringLiteral("label"), ParamKind::Setting, ParamType::String, QString(), false, {}, {}, {}, QStringLiteral("the 0/1 label column of --holdout")},
        {QStringLiteral("scores"), ParamKind::Input, ParamType::Path, QString(), false, {}, {}, {}, QStringLiteral("this model's scores of --holdout (the predict stage's)")},
        {QStringLiteral("score-column"), ParamKind::Setting, ParamType::String, QStringLiteral("p_1"), false, {}, {}, {}, QStringLiteral("the score column of the scores CSVs")},
        {QStringLiteral("validation"), ParamKind::Input, ParamType::Path, QString(), false, {}, {}, {}, QStringLiteral("the validate stage's report (data tests)")},
        {QStringLiteral("report"), ParamKind::Output, ParamType::Path, QString(), false, {}, {}, {}, QStringLiteral("the outcome (JSON)")},
    };
    return t;
}

namespace {

// The workspace the stage runs in: given by the executor, else the nearest folder above the
// stage's folder that has .orrery/.
QString workspaceRootOf(const StageContext &ctx)
{
    if (!ctx.workspaceRoot.isEmpty())
        return ctx.workspaceRoot;
    for (QDir dir(ctx.workDir);; ) {
        if (dir.exists(QStringLiteral(".orrery")))
            return dir.absolutePath();
        if (!dir.cdUp())
            return QString();
    }
}

Result<QHash<QString, double>> readMetrics(const StageContext &ctx)
{
    QHash<QString, double> metrics;
    if (!ctx.args.has(QStringLiteral("metrics")))
        return metrics;
    if (!QFile::exists(ctx.path(QStringLiteral("metrics"))))
        return notFound(QStringLiteral("register: the metrics file %1 does not exist").arg(ctx.args.text(QStringLiteral("metrics"))));
    ORRERY_ASSIGN_OR_RETURN(auto doc, pipeline::loadParamsFile(ctx.path(QStringLiteral("metrics")), ctx.args.text(QStringLiteral("metrics"))));
    std::vector<std::pair<QString, pipeline::ParamValue>> flat;
    doc.flatten(QString(), &flat);
    for (const auto &[k, v] : flat)
        if (v.kind() == pipeline::ParamValue::Kind::Int || v.kind() == pipeline::ParamValue::Kind::Float)
            metrics.insert(k, v.toDouble());
    return metrics;
}

// Live monitoring's reference (core/monitor/reference_profile.h): the holdout's signature columns
// and this model's scores of them — rows from the training distribution the model never trained
// on, with its predictions. Without --holdout and --scores there is none (the endpoint's windows
// then say so); a column that cannot be profiled is logged, never a reason to fail the stage.
QJsonObject referenceProfileOf(const StageContext &ctx, const QJsonObject &signature)
{
    if (!ctx.args.has(QStringLiteral("holdout")) || !ctx.args.has(QStringLiteral("scores")))
        return {};
    QStringList columns;
    for (const QJsonValue &input : signature.value(QStringLiteral("inputs")).toArray())
        for (const QJsonValue &c : input.toObject().value(QStringLiteral("columns")).toArray())
            columns << c.toString();
    if (columns.isEmpty())
        return {};
    auto profile = monitor::profileReference(ctx.path(QStringLiteral("holdout")), columns, ctx.path(QStringLiteral("scores")),
                                             ctx.args.text(QStringLiteral("score-column")));
    if (!profile) {
        ctx.log(QStringLiteral("no reference profile for live monitoring: %1").arg(profile.status().message()));
        return {};
    }
    ctx.log(QStringLiteral("reference profile for live monitoring: %1 features and the prediction, from %2 rows of %3")
                .arg(profile->features.size() - 1).arg(profile->rows).arg(ctx.args.text(QStringLiteral("holdout"))));
    return profile->toJson();
}

// One score per row of `holdoutRows`, read from a predict output.
Result<std::vector<double>> readScoreFile(const QString &path, const QString &shown, const QString &column, size_t holdoutRows,
                                          const StageContext &ctx)
{
    return readScores(path, shown, column, holdoutRows, QStringLiteral("register"), ctx.isCancelled);
}

// Scores `model` on the holdout with `orrery-cli predict` (LibTorch runs in orrery-train).
Result<std::vector<double>> predict(const StageContext &ctx, const QString &model, const QString &shown, size_t holdoutRows)
{
    QTemporaryDir tmp;
    if (!tmp.isValid())
        return ioError(QStringLiteral("register: cannot make a temporary folder: %1").arg(tmp.errorString()));
    ctx.log(QStringLiteral("scoring %1 on %2").arg(shown, ctx.args.text(QStringLiteral("holdout"))));
    ScoringRequest request;
    request.cliDir = ctx.cliDir;
    request.model = model;
    request.shown = shown;
    request.input = ctx.path(QStringLiteral("holdout"));
    request.workDir = tmp.path();
    request.runDir = ctx.workDir;
    request.what = QStringLiteral("register");
    return scoreRows(request, holdoutRows);
}

QString defaultCard(const registry::ModelVersion &v)
{
    QString md = QStringLiteral("# %1 v%2\n\n").arg(v.name).arg(v.version);
    md += QStringLiteral("Registered by the pipeline's register stage from `%1`.\n\n").arg(v.source);
    md += QStringLiteral("## Metrics\n\n| metric | value |\n|---|---|\n");
    const QJsonObject metrics = v.lineage.value(QStringLiteral("metrics")).toObject();
    for (auto it = metrics.begin(); it != metrics.end(); ++it)
        md += QStringLiteral("| %1 | %2 |\n").arg(it.key()).arg(it.value().toDouble(), 0, 'g', 6);
    md += QStringLiteral("\n## Data\n\n");
    for (const QJsonValue &d : v.lineage.value(QStringLiteral("data")).toArray())
        md += QStringLiteral("- `%1` (md5 %2)\n").arg(d.toObject().value(QStringLiteral("path")).toString(), d.toObject().value(QStringLiteral("md5")).toString());
    md += QStringLiteral("\n## Code\n\nCommit `%1`%2.\n").arg(v.commit(), v.lineage.value(QStringLiteral("dirty")).toBool() ? QStringLiteral(" with uncommitted changes") : QString());
    return md;
}

} // namespace

Status runRegisterStage(StageContext &ctx)
{
    const QString name = ctx.args.text(QStringLiteral("name"));
    ORRERY_TRY(registry::ModelRegistry::validateModelName(name));
    const QString root = workspaceRootOf(ctx);
    if (root.isEmpty())
        return Status(ErrorCode::FailedPrecondition, QStringLiteral("register: %1 is not inside an Orrery workspace (no .orrery/ above it)").arg(ctx.workDir));
    ORRERY_ASSIGN_OR_RETURN(auto ws, workspace::Workspace::open(root));
    ORRERY_ASSIGN_OR_RETURN(auto db, store::Database::open(ws->databasePath()));
    registry::ModelRegistry registry(*db);
    ORRERY_TRY(registry.ensureModel(name).status());

    // The model's gates: what --rules and --beats-champion say, stored with the model (so a
    // promotion from the window later checks the same ones); unchanged ones are not rewritten.
    ORRERY_ASSIGN_OR_RETURN(auto gates, registry.gates(name));
    registry::ModelGates wanted = gates;
    if (ctx.args.has(QStringLiteral("rules"))) {
        ORRERY_ASSIGN_OR_RETURN(wanted.rules, registry::parseGateRules(ctx.args.text(QStringLiteral("rules"))));
    }
    if (ctx.args.has(QStringLiteral("beats-champion"))) {
        wanted.championMetric = ctx.args.text(QStringLiteral("beats-champion"));
        wanted.minImprovement = ctx.args.real(QStringLiteral("min-improvement"));
    }
    // Whether data tests are required stays the model's setting (`models gates --no-data-tests`):
    // without --validation a model that requires them fails that gate, naming what is missing.
    if (wanted.toJson() != gates.toJson()) {
        ORRERY_TRY(registry.setGates(name, wanted, QStringLiteral("from the pipeline's register stage")));
        gates = wanted;
    }

    // The file, stored and inspected; where it came from.
    const QString modelArg = ctx.args.text(QStringLiteral("model"));
    ORRERY_ASSIGN_OR_RETURN(auto stored, registry::storeModelFile(ws->cacheDir(), ctx.path(QStringLiteral("model"))));
    ORRERY_ASSIGN_OR_RETURN(QString run, registry::runOfModelFile(*db, stored.md5));
    QJsonObject lineage;
    if (!run.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(lineage, registry::lineageOfRun(*db, run, ctx.pipelineRunId, root));
    }
    if (lineage.value(QStringLiteral("parent_run_id")).toString().isEmpty() && !ctx.pipelineRunId.isEmpty())
        lineage.insert(QStringLiteral("parent_run_id"), ctx.pipelineRunId);
    ORRERY_ASSIGN_OR_RETURN(const auto metrics, readMetrics(ctx));
    QJsonObject lineageMetrics = lineage.value(QStringLiteral("metrics")).toObject();
    for (auto it = metrics.cbegin(); it != metrics.cend(); ++it)
        lineageMetrics.insert(it.key(), it.value()); // the evaluation's figures are what the gates judged
    lineage.insert(QStringLiteral("metrics"), lineageMetrics);

    // The gates.
    registry::GateInputs in;
    in.metrics = metrics;
    in.signature = stored.info.signature;
    ORRERY_ASSIGN_OR_RETURN(auto model, registry.model(name));
    in.championVersion = model.aliasVersion(QStringLiteral("champion"));
    registry::ModelVersion champion;
    if (in.championVersion > 0) {
        ORRERY_ASSIGN_OR_RETURN(champion, registry.version(name, in.championVersion));
        in.championSignature = champion.signature;
    }
    if (ctx.args.has(QStringLiteral("validation"))) {
        QFile f(ctx.path(QStringLiteral("validation")));
        if (!f.open(QIODevice::ReadOnly))
            return notFound(QStringLiteral("register: cannot read the validation report %1: %2").arg(ctx.args.text(QStringLiteral("validation")), f.errorString()));
        const QJsonObject report = QJsonDocument::fromJson(f.readAll()).object();
        if (!report.contains(QStringLiteral("passed")))
            return invalidArgument(QStringLiteral("register: %1 is not a validate stage report (no 'passed')").arg(ctx.args.text(QStringLiteral("validation"))));
        in.dataTestsPassed = report.value(QStringLiteral("passed")).toBool();
        in.dataTestsWhy = QStringLiteral("%1 violation(s) in %2").arg(report.value(QStringLiteral("violations")).toArray().size()).arg(ctx.args.text(QStringLiteral("validation")));
    }
    if (!gates.championMetric.isEmpty() && in.championVersion > 0 && stored.info.notServableReason.isEmpty()) {
        if (!ctx.args.has(QStringLiteral("holdout")) || !ctx.args.has(QStringLiteral("label")))
            return invalidArgument(QStringLiteral("register: the gate 'beats the champion on %1' needs --holdout and --label (the rows both versions are scored on)").arg(gates.championMetric));
        ORRERY_ASSIGN_OR_RETURN(auto holdout, CsvTable::read(ctx.path(QStringLiteral("holdout")), ctx.isCancelled));
        ORRERY_ASSIGN_OR_RETURN(auto labelColumn, holdout.requireColumn(ctx.args.text(QStringLiteral("label")), QStringLiteral("register --label")));
        if (holdout.rows.empty())
            return invalidArgument(QStringLiteral("register: the holdout %1 has no rows").arg(ctx.args.text(QStringLiteral("holdout"))));
        std::vector<int> labels(holdout.rows.size());
        for (size_t i = 0; i < labels.size(); ++i)
            labels[i] = holdout.rows[i][size_t(labelColumn)] == "1" ? 1 : 0;
        ORRERY_ASSIGN_OR_RETURN(auto mine, ctx.args.has(QStringLiteral("scores"))
                                               ? readScoreFile(ctx.path(QStringLiteral("scores")), ctx.args.text(QStringLiteral("scores")),
                                                               ctx.args.text(QStringLiteral("score-column")), labels.size(), ctx)
                                               : predict(ctx, ctx.path(QStringLiteral("model")), modelArg, labels.size()));
        ORRERY_ASSIGN_OR_RETURN(const QString championPath, registry::verifiedModelPath(ws->cacheDir(), champion));
        ORRERY_ASSIGN_OR_RETURN(auto theirs, predict(ctx, championPath, QStringLiteral("champion v%1").arg(champion.version), labels.size()));
        const double threshold = 0.5;
        const QJsonValue a = scoreBinary(mine, labels, threshold).metrics.value(gates.championMetric);
        const QJsonValue b = scoreBinary(theirs, labels, threshold).metrics.value(gates.championMetric);
        if (a.isUndefined())
            return invalidArgument(QStringLiteral("register: --beats-champion %1 is not a metric register can compute (roc_auc, average_precision, precision, recall, f1, accuracy)")
                                       .arg(gates.championMetric));
        in.candidateOnHoldout = a.toDouble();
        in.championOnHoldout = b.toDouble();
        in.holdout = ctx.args.text(QStringLiteral("holdout"));
        lineageMetrics.insert(QStringLiteral("holdout.") + gates.championMetric, a.toDouble());
        lineage.insert(QStringLiteral("metrics"), lineageMetrics);
    }
    QVector<registry::GateOutcome> outcomes;
    if (!stored.info.notServableReason.isEmpty())
        outcomes.append({QStringLiteral("servable"), false, stored.info.notServableReason});
    else
        outcomes = registry::evaluateModelGates(gates, in);
    const bool passed = registry::allPassed(outcomes);

    registry::NewVersion v;
    v.name = name;
    v.source = QDir(root).relativeFilePath(ctx.path(QStringLiteral("model")));
    v.runId = lineage.value(QStringLiteral("run_id")).toString();
    v.modelMd5 = stored.md5;
    v.modelSize = stored.size;
    v.modelFileName = stored.fileName;
    v.format = stored.info.format;
    v.signature = stored.info.signature;
    v.notServableReason = stored.info.notServableReason;
    v.lineage = lineage;
    v.validation = stored.info.notServableReason.isEmpty() ? (passed ? registry::Validation::Passed : registry::Validation::Failed)
                                                           : registry::Validation::NotRun;
    v.gateOutcomes = outcomes;
    v.referenceProfile = referenceProfileOf(ctx, stored.info.signature);
    ORRERY_ASSIGN_OR_RETURN(auto created, registry.recordValidatedVersion(v));
    ORRERY_TRY(registry.setCard(name, created.version, defaultCard(created)));

    QJsonArray checks;
    for (const auto &o : std::as_const(outcomes)) {
        checks.append(QJsonObject{{QStringLiteral("gate"), o.gate}, {QStringLiteral("passed"), o.passed}, {QStringLiteral("explanation"), o.explanation}});
        ctx.log(QStringLiteral("%1 %2: %3").arg(o.passed ? QStringLiteral("pass") : QStringLiteral("FAIL"), o.gate, o.explanation));
    }
    ctx.log(QStringLiteral("registered %1 v%2%3").arg(name).arg(created.version)
                .arg(created.aliases.isEmpty() ? QStringLiteral(" (no alias: not promoted)") : QStringLiteral(" as ") + created.aliases.join(QStringLiteral(", "))));
    if (ctx.args.has(QStringLiteral("report")))
        ORRERY_TRY(writeJsonFile(ctx.path(QStringLiteral("report")),
                                 QJsonDocument(QJsonObject{{QStringLiteral("name"), name},
                                                           {QStringLiteral("version"), created.version},
                                                           {QStringLiteral("passed"), passed},
                                                           {QStringLiteral("validation"), registry::validationName(created.validation)},
                                                           {QStringLiteral("aliases"), QJsonArray::fromStringList(created.aliases)},
                                                           {QStringLiteral("model_md5"), created.modelMd5},
                                                           {QStringLiteral("checks"), checks}})));
    // Its webhooks are tried once now; failures are recorded and retried by tracking serve.
    if (auto sent = registry::deliverPendingNow(*db); sent && sent->failedAttempts > 0)
        ctx.log(QStringLiteral("%1 webhook delivery(ies) failed (orrery-cli models webhooks deliveries)").arg(sent->failedAttempts));
    ctx.metrics.append({QStringLiteral("model_version"), double(created.version)});
    for (const auto &o : std::as_const(outcomes))
        if (!o.passed)
            ctx.addFinding(QStringLiteral("register: %1 v%2 not promoted: %3: %4").arg(name).arg(created.version).arg(o.gate, o.explanation));
    return Status::ok();
}

} // namespace orrery::stages
