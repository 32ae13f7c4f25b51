#include "core/demo/demo_workspace.h"

#include "core/audit/audit_log.h"
#include "core/common/atomic_file.h"
#include "core/common/job.h"
#include "core/data/data_repository.h"
#include "core/store/database.h"
#include "core/data/fraud_generator.h"
#include "core/data/schema_inference.h"
#include "core/vcs/repository.h"
#include "core/workspace/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <filesystem>

namespace orrery::demo {
namespace {

const char *kDatasetPath = "data/transactions.csv";

QByteArray readme(const DemoOptions &options)
{
    return QStringLiteral(R"(# Orrery demo: card fraud

This workspace was made by `orrery-cli demo`. It holds a synthetic card-fraud dataset:

- `data/transactions.csv` — %1 card transactions over 90 days from 2026-01-01, about 1%% fraud
  (seed %2; the same seed gives the same bytes on every machine).

| column | meaning |
|---|---|
| transaction_id | T0000001 … |
| timestamp | ISO 8601, UTC |
| customer_id | one of 5,000 customers |
| amount | in dollars |
| merchant_category | grocery, restaurant, fuel, health, entertainment, electronics, travel, online_retail |
| channel | pos, online, atm |
| country | US or abroad |
| distance_from_home_km | distance of the merchant from the customer's home |
| customer_age | years; empty where unknown (about 2%% of rows) |
| account_age_days | age of the card account |
| transactions_last_24h | the customer's transactions in the previous day |
| is_fraud | 1 for fraud, 0 otherwise (the label) |

Open it in the workbench with `orrery %3`, or look around from a terminal:

    orrery-cli --workspace %3 audit list
    orrery-cli --workspace %3 doctor

The data file is versioned by content, not in git: `data/transactions.csv.dvc` records its md5
(DVC's format) and the bytes live in `.orrery/cache`. After changing the data, record the new
version with `orrery-cli data add data/transactions.csv` and commit the `.dvc` file; see every
version, its statistics and the differences in the workbench's Data area.

The fraud pipeline is in `dvc.yaml` (params in `params.yaml`): load → validate (data tests
against `data/transactions.schema.yaml`) → split → train (an MLP in LibTorch, configured in
`train.yaml`, tracked as a run; `demo --baseline-trainer` makes a quick logistic regression
instead) → predict (the held-out rows scored by the exported TorchScript model) → evaluate (metrics and ROC/PR/confusion plots in `reports/`) → register (the model
`fraud` in the registry: its gates — `gate.rules`, beating the champion on the same held-out
rows by `register.min_improvement`, the data tests — decide whether the new version becomes
challenger, or champion the first time; a failing version is recorded with why; the baseline
pipeline ends with the gate instead). Run it, and again to see every stage skipped:

    orrery-cli run
    orrery-cli run --dry-run

Exit status 1 means a data test or a gate failed; the output says which and why. See the
versions with `orrery-cli models show fraud` or in the workbench's Registry area, and promote
the challenger with `orrery-cli models promote fraud`.
)")
        .arg(options.rows)
        .arg(options.seed)
        .arg(QStringLiteral("."))
        .toUtf8();
}

// The fraud pipeline (DVC's dvc.yaml; `orrery-cli run` or `dvc repro` runs it), in pieces: the
// train and evaluate stages depend on the trainer (DemoOptions::trainer).
const char *kStagesHead = R"(# The demo's fraud pipeline: orrery-cli run (or dvc repro, with orrery-cli on PATH).
stages:
  load:
    desc: the versioned dataset into the pipeline's working copy
    cmd: orrery-cli stage load --source data/transactions.csv --output work/transactions.csv
    deps:
    - data/transactions.csv
    outs:
    - work/transactions.csv
  validate:
    desc: data tests against data/transactions.schema.yaml
    cmd: orrery-cli stage validate --input work/transactions.csv --schema data/transactions.schema.yaml --report reports/validation.json
    deps:
    - work/transactions.csv
    - data/transactions.schema.yaml
    outs:
    - reports/validation.json:
        cache: false
  split:
    cmd: orrery-cli stage split --input work/transactions.csv --train work/train.csv --test work/test.csv --method ${split.method} --test-fraction ${split.test_fraction} --seed ${split.seed} --label is_fraud --time-column timestamp
    deps:
    - work/transactions.csv
    - reports/validation.json
    params:
    - split.method
    - split.test_fraction
    - split.seed
    outs:
    - work/train.csv
    - work/test.csv
)";

const char *kTorchTrainStages = R"(  train:
    desc: an MLP (LibTorch) on the training split; a tracked run with its model, checkpoints and metrics
    cmd: orrery-cli train train.yaml --export models
    deps:
    - work/train.csv
    - train.yaml
    outs:
    - models/model.pt
  predict:
    desc: scores of the held-out rows (the TorchScript model applies its own preprocessing)
    cmd: orrery-cli predict models/model.pt --input work/test.csv --output work/scores.csv
    deps:
    - models/model.pt
    - work/test.csv
    outs:
    - work/scores.csv
)";

const char *kTorchEvaluateHead = R"(  evaluate:
    cmd: orrery-cli stage evaluate --scores work/scores.csv --input work/test.csv --label is_fraud --metrics reports/metrics.json --roc reports/roc.json --pr reports/prc.json --confusion reports/confusion.json
    deps:
    - work/scores.csv
)";

const char *kBaselineTrainStage = R"(  train:
    desc: BASELINE logistic regression, in-process and quick (orrery-cli demo --baseline-trainer)
    cmd: orrery-cli stage train --trainer baseline_logistic --train work/train.csv --label is_fraud --model models/model.json --epochs ${train.epochs} --learning-rate ${train.learning_rate} --seed ${train.seed}
    deps:
    - work/train.csv
    params:
    - train.epochs
    - train.learning_rate
    - train.seed
    outs:
    - models/model.json
)";

const char *kBaselineEvaluateHead = R"(  evaluate:
    cmd: orrery-cli stage evaluate --model models/model.json --input work/test.csv --label is_fraud --metrics reports/metrics.json --roc reports/roc.json --pr reports/prc.json --confusion reports/confusion.json
    deps:
    - models/model.json
)";

const char *kStagesTail = R"(    - work/test.csv
    metrics:
    - reports/metrics.json:
        cache: false
    plots:
    - reports/roc.json:
        x: fpr
        y: tpr
        title: ROC
    - reports/prc.json:
        x: recall
        y: precision
        title: Precision-recall
    - reports/confusion.json:
        template: confusion
        x: actual
        y: predicted
)";

// The baseline's JSON model cannot be registered as servable: its pipeline ends with the gate.
const char *kGateStage = R"(  gate:
    desc: the model may go on only if it meets these thresholds (params.yaml, gate.rules)
    cmd: orrery-cli stage gate --metrics reports/metrics.json --rules "${gate.rules}" --report reports/gate.json
    deps:
    - reports/metrics.json
    params:
    - gate.rules
    outs:
    - reports/gate.json:
        cache: false
)";

// The LibTorch pipeline ends by registering the model: its gates (thresholds, beating the champion
// on the same held-out rows, the data tests) decide whether it becomes challenger (or champion,
// the first time); it is recorded either way.
const char *kRegisterStage = R"(  register:
    desc: the model's gates decide whether it becomes challenger (champion the first time); registered either way
    cmd: orrery-cli stage register --model models/model.pt --name fraud --metrics reports/metrics.json --rules "${gate.rules}" --beats-champion roc_auc --min-improvement ${register.min_improvement} --holdout work/test.csv --label is_fraud --scores work/scores.csv --validation reports/validation.json --report reports/register.json
    deps:
    - models/model.pt
    - reports/metrics.json
    - reports/validation.json
    - work/scores.csv
    - work/test.csv
    params:
    - gate.rules
    - register.min_improvement
    outs:
    - reports/register.json:
        cache: false
)";

const char *kTorchParams = R"(register:
  min_improvement: 0.0
)";

const char *kParams = R"(split:
  method: stratified
  test_fraction: 0.2
  seed: 42
gate:
  rules: roc_auc >= 0.85, recall >= 0.5
)";

const char *kBaselineParams = R"(train:
  epochs: 300
  learning_rate: 0.05
  seed: 42
)";

// The train stage's config (core/train/trainer_config.h has every key): a small MLP with
// balanced class weights, since 1% of the rows are fraud.
const char *kTrainConfig = R"(task: classification
data:
  path: work/train.csv
  label: is_fraud
  drop: [transaction_id, timestamp, customer_id]
  validation_fraction: 0.2
  slice: channel
model:
  hidden: [32, 16]
  activation: relu
optimizer:
  name: adam
  lr: 0.003
training:
  epochs: 4
  batch_size: 256
  seed: 42
  threads: 2
  class_weights: balanced
  early_stopping: {metric: val_roc_auc, patience: 2}
tracking:
  experiment: fraud-pipeline
  run_name: fraud-mlp
)";

} // namespace

Result<DemoReport> createDemoWorkspace(const QString &dirArg, const DemoOptions &options, common::JobContext *job)
{
    const QString root = QDir::cleanPath(QFileInfo(dirArg).absoluteFilePath());
    const QFileInfo info(root);
    if (info.exists() && !info.isDir())
        return invalidArgument(QStringLiteral("%1 is a file: give a new folder for the demo workspace").arg(root));
    const bool existed = info.exists();
    if (existed && !QDir(root).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot))
        return Status(ErrorCode::AlreadyExists,
                      QStringLiteral("%1 is not empty: the demo goes into a new or empty folder, so it never writes over your files").arg(root));

    // Anything that fails from here on removes the demo again.
    struct Cleanup {
        QString root;
        bool existed;
        bool armed = true;
        ~Cleanup()
        {
            if (!armed)
                return;
            std::error_code ec;
            const std::filesystem::path p(QFile::encodeName(root).toStdString());
            if (existed) {
                for (const auto &entry : std::filesystem::directory_iterator(p, ec))
                    std::filesystem::remove_all(entry.path(), ec);
            } else {
                std::filesystem::remove_all(p, ec);
            }
        }
    } cleanup{root, existed};

    ORRERY_ASSIGN_OR_RETURN(auto init, workspace::Workspace::init(root));

    DemoReport report;
    report.root = root;
    report.created = init.created;
    report.datasetPath = QLatin1String(kDatasetPath);

    if (!QDir(root).mkpath(QStringLiteral("data")))
        return ioError(QStringLiteral("cannot create %1/data").arg(root));

    data::FraudDataOptions dataOptions;
    dataOptions.seed = options.seed;
    dataOptions.rows = options.rows;
    ORRERY_TRY(data::writeFraudCsv(root + QLatin1Char('/') + report.datasetPath, dataOptions, job));
    report.rows = options.rows;
    {
        // Counted from the generator rather than stored: cheap, and exactly what the file holds.
        data::FraudGenerator generator(dataOptions);
        while (!generator.atEnd())
            report.fraudRows += generator.next().isFraud ? 1 : 0;
    }
    ORRERY_TRY(common::writeFileAtomically(root + QStringLiteral("/README.md"), readme(options)));

    ORRERY_ASSIGN_OR_RETURN(auto ws, workspace::Workspace::open(root));
    // The dataset is versioned from the start: data/transactions.csv.dvc (and data/.gitignore),
    // as `orrery-cli data add` makes them.
    ORRERY_ASSIGN_OR_RETURN(auto added, data::DataRepository(root, &ws->database()).add({report.datasetPath}, job));
    report.created << report.datasetPath << report.datasetPath + QStringLiteral(".dvc") << QStringLiteral("data/.gitignore")
                   << QStringLiteral("README.md");

    // The fraud pipeline: data tests from the data as it is (loosen the schema by hand where the
    // data may legitimately move), the stages, their params.
    {
        ORRERY_ASSIGN_OR_RETURN(auto schema, data::inferSchema(root + QLatin1Char('/') + report.datasetPath, {}, job));
        ORRERY_TRY(schema.save(root + QStringLiteral("/data/transactions.schema.yaml")));
        const bool torch = options.trainer == DemoTrainer::Torch;
        const QByteArray pipeline = QByteArray(kStagesHead) + (torch ? kTorchTrainStages : kBaselineTrainStage)
                                    + (torch ? kTorchEvaluateHead : kBaselineEvaluateHead) + kStagesTail + (torch ? kRegisterStage : kGateStage);
        ORRERY_TRY(common::writeFileAtomically(root + QStringLiteral("/dvc.yaml"), pipeline));
        ORRERY_TRY(common::writeFileAtomically(root + QStringLiteral("/params.yaml"), QByteArray(kParams) + (torch ? kTorchParams : kBaselineParams)));
        ORRERY_TRY(common::writeFileAtomically(root + QStringLiteral("/train.yaml"), kTrainConfig));
        report.created << QStringLiteral("data/transactions.schema.yaml") << QStringLiteral("dvc.yaml") << QStringLiteral("params.yaml")
                       << QStringLiteral("train.yaml");
    }

    ORRERY_ASSIGN_OR_RETURN(auto repo, vcs::Repository::discover(root));
    ORRERY_ASSIGN_OR_RETURN(auto commit,
        repo->commitPaths({QStringLiteral(".gitignore"), QStringLiteral(".dvc/config"), QStringLiteral(".dvc/.gitignore"),
                              QStringLiteral(".dvcignore"), QStringLiteral("data/.gitignore"), report.datasetPath + QStringLiteral(".dvc"),
                              QStringLiteral("README.md"), QStringLiteral("data/transactions.schema.yaml"), QStringLiteral("dvc.yaml"),
                              QStringLiteral("params.yaml"), QStringLiteral("train.yaml")},
            QStringLiteral("Orrery demo workspace: the card-fraud dataset, versioned, and its pipeline")));
    QJsonObject details{{QStringLiteral("dataset"), report.datasetPath}, {QStringLiteral("rows"), report.rows},
        {QStringLiteral("fraud_rows"), report.fraudRows}, {QStringLiteral("seed"), QString::number(options.seed)},
        {QStringLiteral("commit"), commit}};
    ORRERY_ASSIGN_OR_RETURN(auto entry,
        ws->audit().append({QStringLiteral("workspace.demo"), root, QStringLiteral("demo workspace created"),
            QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact))}));
    cleanup.armed = false;
    return report;
}

} // namespace orrery::demo
