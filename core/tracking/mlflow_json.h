#pragma once
// The JSON MLflow's server writes: entities as its protobuf messages serialize them (snake_case,
// int64 as JSON numbers, enums as strings, NaN/±Infinity as the strings "NaN"/"Infinity"/
// "-Infinity" as protobuf's MessageToJson has them, unset and empty repeated fields left out),
// error bodies {"error_code", "message"} with MLflow's HTTP statuses, and page tokens.

#include "core/common/status.h"
#include "core/tracking/tracking_types.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>

namespace orrery::tracking::mlflow {

QJsonValue doubleValue(double v);
QJsonObject experimentJson(const Experiment &e);
QJsonObject runInfoJson(const RunInfo &info);
QJsonObject runJson(const Run &run); // with inputs.dataset_inputs
QJsonObject datasetInputJson(const DatasetInput &in);
QJsonObject metricJson(const QString &key, double value, qint64 timestamp, qint64 step);
QJsonArray keyValuesJson(const QVector<KeyValue> &items);
// Sets `key` only when the array has elements (protobuf leaves empty repeated fields out).
void putArray(QJsonObject &o, const QString &key, const QJsonArray &a);

// MLflow's error code and HTTP status for an Orrery error (FailedPrecondition: INVALID_STATE).
const char *errorCodeFor(ErrorCode code);
int httpStatusFor(const char *errorCode);
QByteArray errorBody(const char *errorCode, const QString &message);
QByteArray toJson(const QJsonObject &o);

// Opaque page tokens, as MLflow's (base64 of {"offset": n}).
QString pageToken(qint64 offset);
Result<qint64> offsetFromPageToken(const QString &token);

} // namespace orrery::tracking::mlflow
