#pragma once
// The continuous-training loop's configuration: `ct.yaml` at the workspace root, version-controlled
// with the project (as alerts.yaml is), read and checked whole. `orrery-cli ct check` shows it.
//
//   model: fraud                        # the registered model the loop retrains (required)
//   endpoint: fraud                     # the endpoint serving it: its prediction log, feedback, canary (required)
//   dataset:
//     path: data/transactions.csv       # the pipeline's versioned training data (path.dvc tracks it) (required)
//     label: is_fraud                   # its label column, filled from the delayed labels (required)
//     columns:                          # optional: columns no input of the model carries
//       timestamp: $time                #   $time: the prediction's time (ISO 8601 UTC)
//       transaction_id: $request        #   $request: its request id (with "#row" when a request has several)
//       customer_id: unknown            #   $prediction: "P<prediction id>-<row>"; other text: that value
//                                       #   (a column none of these names is left empty: a missing value)
//     policy: all                       # which labelled production rows: all | recent | sample (default all)
//     window: 7d                        # recent: those predicted at most this long ago
//     rows: 5000                        # sample: this many, drawn with `seed` (default 42)
//     keep: 30d                         # optional: train on a sliding window — the version's rows
//     time_column: timestamp            #   older than this (by time_column) are left out
//   triggers:                           # optional; without it, only by hand
//     schedule: "0 3 * * 1-5"           # cron, five fields, UTC (cron_schedule.h)
//     data: [data/transactions.csv.dvc, data/incoming/]   # a .dvc file's md5 changes; new files in a folder
//     alert: [FeatureDrift, ModelAccuracyLow]             # alerts.yaml's alerts firing for the endpoint
//     manual: true                      # `orrery-cli ct trigger` (default true)
//   policies:
//     cooldown: 1h                      # between the starts of two iterations (default 1h)
//     max_per_day: 6                    # iterations started per UTC day (default 6)
//     require_approval: false           # an iteration waits for `ct approve` before its canary
//     min_rows: 0                       # an iteration waits until this many new labelled production rows
//                                       #   (with logged inputs: serve --sample-inputs) exist (default 0)
//   gate:                               # the loop's own gate: challenger against champion on the
//     metric: roc_auc                   #   newest labelled production rows, which neither trained on
//     min_improvement: 0.0              #   challenger − champion must be at least this (default 0)
//     holdout: 0.2                      #   the newest share of the labelled rows kept for it (default 0.2)
//     min_rows: 100                     #   fewer rows: no promotion, the iteration ends no_change (default 100)
//   canary:                             # the rollout of a challenger (core/deploy's canary)
//     steps: [5, 25, 50, 100]
//     pause: 1m
//     analysis: "error_rate <= stable + 0.01, p99_ms <= 1.2 * stable"
//     min_requests: 200
//     max_inconclusive: 3
//
// Checking reports every problem, each as FILE:LINE:COLUMN, what is wrong and the fix: YAML
// syntax, unknown keys (with the nearest known one), missing or bad values, a model or endpoint
// name the registry or deploy refuses, a cron expression, a path outside the workspace, a dataset
// no .dvc file tracks, an alert alerts.yaml does not define, canary steps and analysis as
// `deploy start` checks them.

#include "core/common/status.h"
#include "core/ct/cron_schedule.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace orrery::ct {

inline const QString kCtFileName = QStringLiteral("ct.yaml");

// What fills a dataset column that no model input carries.
struct ColumnFill {
    enum class Kind { Time, Request, Prediction, Constant };
    QString column;
    Kind kind = Kind::Constant;
    QString value; // Constant
};

enum class DataPolicy { All, Recent, Sample };
QString dataPolicyName(DataPolicy p); // "all", "recent", "sample"

struct DatasetConfig {
    QString path;  // relative to the workspace root
    QString label;
    QVector<ColumnFill> columns;
    DataPolicy policy = DataPolicy::All;
    qint64 windowMs = 0; // Recent
    int rows = 0;        // Sample
    quint64 seed = 42;   // Sample
    qint64 keepMs = 0;   // > 0: the base version's rows older than this (by timeColumn) are left out
    QString timeColumn;
    QString dvcFile() const { return path + QStringLiteral(".dvc"); }
    QString policyText() const; // "all", "recent 7d", "sample 5000 rows (seed 42)"
};

struct TriggerConfig {
    std::optional<CronSchedule> schedule;
    QStringList watchedFiles;   // .dvc files, relative to the root
    QStringList watchedFolders; // relative to the root, without a trailing '/'
    QStringList alerts;         // alert names of alerts.yaml
    bool manual = true;
};

struct PolicyConfig {
    qint64 cooldownMs = 3'600'000;
    int maxPerDay = 6;
    bool requireApproval = false;
    qint64 minRows = 0;
};

struct GateConfig {
    QString metric = QStringLiteral("roc_auc"); // roc_auc, average_precision, accuracy, precision, recall, f1
    double minImprovement = 0.0;
    double holdout = 0.2; // share of the usable labelled rows, the newest, kept out of training for the gate
    int minRows = 100;
};

struct CanaryConfig {
    QList<int> steps{5, 25, 50, 100};
    qint64 pauseMs = 60'000;
    QString analysis = QStringLiteral("error_rate <= stable + 0.01, p99_ms <= 1.2 * stable");
    int minRequests = 200;
    int maxInconclusive = 3;
};

struct CtConfig {
    QString source; // the file read
    QString model;
    QString endpoint;
    DatasetConfig dataset;
    TriggerConfig triggers;
    PolicyConfig policies;
    GateConfig gate;
    CanaryConfig canary;
};

// What the checks compare with, beyond the file itself.
struct CtCheckContext {
    QString root;             // the workspace: paths must stay inside, .dvc files must exist; empty: not checked
    bool checkAlerts = false; // whether alert names are checked against alertNames
    QStringList alertNames;   // the rules of alerts.yaml (or the defaults)
};

struct CtConfigCheck {
    CtConfig config;    // meaningful only when errors is empty
    QStringList errors; // "FILE:LINE:COLUMN: what; fix", in file order
};

// Reads `yaml` as ct.yaml; `fileName` names it in the errors.
CtConfigCheck checkCtConfig(const QByteArray &yaml, const QString &fileName, const CtCheckContext &context = {});
// The workspace's ct.yaml, checked against its alerts.yaml: NotFound (saying how to write one)
// when there is none, InvalidArgument with every error (one a line) when it does not check.
Result<CtConfig> loadCtConfig(const QString &root);

} // namespace orrery::ct
