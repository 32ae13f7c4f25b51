#pragma once
// The entities of experiment tracking, shaped like MLflow's (so the REST facade maps them 1:1):
// experiments hold runs; a run has params (write-once), tags (overwritable) and metrics (series
// of (step, timestamp, value) points). Times are milliseconds since the epoch, UTC.

#include <QString>
#include <QVector>

#include <optional>
#include <utility>

namespace orrery::tracking {

enum class RunStatus { Running, Scheduled, Finished, Failed, Killed };
const char *runStatusName(RunStatus s); // "RUNNING", …
bool parseRunStatus(const QString &name, RunStatus *out);

enum class ViewType { ActiveOnly, DeletedOnly, All };
bool parseViewType(const QString &name, ViewType *out);

struct KeyValue {
    QString key;
    QString value;
};

struct Experiment {
    QString id; // a decimal string, as MLflow's API has it
    QString name;
    QString artifactLocation;
    QString lifecycleStage; // "active" | "deleted"
    qint64 creationTime = 0;
    qint64 lastUpdateTime = 0;
    QVector<KeyValue> tags;
};

struct MetricPoint {
    qint64 step = 0;
    qint64 timestamp = 0;
    double value = 0.0;
};

struct Metric {
    QString key;
    double value = 0.0;
    qint64 timestamp = 0;
    qint64 step = 0;
};

struct RunInfo {
    QString runId; // 32 hex digits
    QString runName;
    QString experimentId;
    QString userId;
    RunStatus status = RunStatus::Running;
    qint64 startTime = 0;
    qint64 endTime = 0; // 0: not ended
    QString artifactUri;
    QString lifecycleStage;
    QString statusReason; // why a run FAILED when Orrery marked it so
};

// A dataset a run used (MLflow's runs/log-inputs): recorded once per experiment by name and
// digest. schema and profile are absent unless the client sent them.
struct Dataset {
    QString name;
    QString digest;
    QString sourceType;
    QString source;
    std::optional<QString> schema;
    std::optional<QString> profile;
};

struct DatasetInput {
    Dataset dataset;
    QVector<KeyValue> tags; // input tags, e.g. mlflow.data.context = training
};

struct Run {
    RunInfo info;
    QVector<Metric> metrics; // the latest point of each key
    QVector<KeyValue> params;
    QVector<KeyValue> tags;
    QVector<DatasetInput> datasetInputs; // in the order they were logged
};

// MLflow's limits, enforced by the store (so the REST facade and the C++ API agree).
struct Limits {
    static constexpr int kMaxKeyLength = 250;
    static constexpr int kMaxParamValueLength = 6000; // MLflow ≥ 2.6 (2.4 had 500)
    static constexpr int kMaxTagValueLength = 5000;
    static constexpr int kMaxBatchMetrics = 1000;
    static constexpr int kMaxBatchParams = 100;
    static constexpr int kMaxBatchTags = 100;
    static constexpr int kMaxBatchItems = 1000;
    static constexpr int kMaxExperimentNameLength = 500;
    // Dataset inputs (mlflow/utils/validation.py).
    static constexpr int kMaxDatasetsPerBatch = 1000;
    static constexpr int kMaxDatasetNameSize = 500;
    static constexpr int kMaxDatasetDigestSize = 36;
    static constexpr int kMaxDatasetSchemaSize = 1048575;
    static constexpr int kMaxDatasetSourceSize = 65535;
    static constexpr int kMaxDatasetProfileSize = 16777215;
    static constexpr int kMaxInputTagKeySize = 255;
    static constexpr int kMaxInputTagValueSize = 500;
};

} // namespace orrery::tracking
