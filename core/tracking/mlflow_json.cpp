#include "core/tracking/mlflow_json.h"

#include <QJsonDocument>

#include <cmath>
#include <cstring>

namespace orrery::tracking::mlflow {

namespace {

// QJsonDocument writes -0.0 as 0. A negative zero is emitted as this string, and toJson()
// replaces the quoted string by the number -0.0. (Only a string of exactly U+0001 "-0.0" could be
// mistaken for it, and nothing Orrery stores starts with U+0001 by accident.)
const char kNegativeZeroMarker[] = "\x01-0.0";
const QByteArray kNegativeZeroJson = "\"\\u0001-0.0\"";

} // namespace

QJsonValue doubleValue(double v)
{
    if (v == 0.0 && std::signbit(v))
        return QString::fromUtf8(kNegativeZeroMarker);
    if (std::isnan(v))
        return QStringLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity");
    return v;
}

QJsonArray keyValuesJson(const QVector<KeyValue> &items)
{
    QJsonArray a;
    for (const KeyValue &kv : items)
        a.append(QJsonObject{{QStringLiteral("key"), kv.key}, {QStringLiteral("value"), kv.value}});
    return a;
}

void putArray(QJsonObject &o, const QString &key, const QJsonArray &a)
{
    if (!a.isEmpty())
        o.insert(key, a);
}

QJsonObject experimentJson(const Experiment &e)
{
    QJsonObject o{{QStringLiteral("experiment_id"), e.id},
                  {QStringLiteral("name"), e.name},
                  {QStringLiteral("artifact_location"), e.artifactLocation},
                  {QStringLiteral("lifecycle_stage"), e.lifecycleStage},
                  {QStringLiteral("creation_time"), e.creationTime},
                  {QStringLiteral("last_update_time"), e.lastUpdateTime}};
    putArray(o, QStringLiteral("tags"), keyValuesJson(e.tags));
    return o;
}

QJsonObject runInfoJson(const RunInfo &info)
{
    QJsonObject o{{QStringLiteral("run_id"), info.runId},
                  {QStringLiteral("run_uuid"), info.runId},
                  {QStringLiteral("run_name"), info.runName},
                  {QStringLiteral("experiment_id"), info.experimentId},
                  {QStringLiteral("user_id"), info.userId},
                  {QStringLiteral("status"), QLatin1String(runStatusName(info.status))},
                  {QStringLiteral("start_time"), info.startTime},
                  {QStringLiteral("artifact_uri"), info.artifactUri},
                  {QStringLiteral("lifecycle_stage"), info.lifecycleStage}};
    if (info.endTime > 0)
        o.insert(QStringLiteral("end_time"), info.endTime);
    return o;
}

QJsonObject metricJson(const QString &key, double value, qint64 timestamp, qint64 step)
{
    return {{QStringLiteral("key"), key},
            {QStringLiteral("value"), doubleValue(value)},
            {QStringLiteral("timestamp"), timestamp},
            {QStringLiteral("step"), step}};
}

QJsonObject runJson(const Run &run)
{
    QJsonArray metrics;
    for (const Metric &m : run.metrics)
        metrics.append(metricJson(m.key, m.value, m.timestamp, m.step));
    QJsonObject data;
    putArray(data, QStringLiteral("metrics"), metrics);
    putArray(data, QStringLiteral("params"), keyValuesJson(run.params));
    putArray(data, QStringLiteral("tags"), keyValuesJson(run.tags));
    QJsonArray datasetInputs;
    for (const DatasetInput &in : run.datasetInputs)
        datasetInputs.append(datasetInputJson(in));
    QJsonObject inputs;
    putArray(inputs, QStringLiteral("dataset_inputs"), datasetInputs);
    return {{QStringLiteral("info"), runInfoJson(run.info)}, {QStringLiteral("data"), data}, {QStringLiteral("inputs"), inputs}};
}

QJsonObject datasetInputJson(const DatasetInput &in)
{
    const Dataset &d = in.dataset;
    QJsonObject dataset{{QStringLiteral("name"), d.name},
                        {QStringLiteral("digest"), d.digest},
                        {QStringLiteral("source_type"), d.sourceType},
                        {QStringLiteral("source"), d.source}};
    if (d.schema)
        dataset.insert(QStringLiteral("schema"), *d.schema);
    if (d.profile)
        dataset.insert(QStringLiteral("profile"), *d.profile);
    QJsonObject o;
    putArray(o, QStringLiteral("tags"), keyValuesJson(in.tags));
    o.insert(QStringLiteral("dataset"), dataset);
    return o;
}

const char *errorCodeFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::NotFound: return "RESOURCE_DOES_NOT_EXIST";
    case ErrorCode::AlreadyExists: return "RESOURCE_ALREADY_EXISTS";
    case ErrorCode::InvalidArgument: return "INVALID_PARAMETER_VALUE";
    case ErrorCode::FailedPrecondition: return "INVALID_STATE";
    case ErrorCode::Busy: return "TEMPORARILY_UNAVAILABLE";
    case ErrorCode::Unsupported: return "NOT_IMPLEMENTED";
    default: return "INTERNAL_ERROR";
    }
}

int httpStatusFor(const char *errorCode)
{
    static const struct { const char *code; int status; } table[] = {
        {"INVALID_PARAMETER_VALUE", 400}, {"RESOURCE_ALREADY_EXISTS", 400}, {"BAD_REQUEST", 400},
        // MLflow answers INVALID_STATE with 500, which its Python client retries for minutes
        // (500 is "transient" there) before it shows the error; the state will not change by
        // waiting, so this server says 400 and the client raises at once, with the same code.
        {"INVALID_STATE", 400},
        {"UNAUTHENTICATED", 401}, {"PERMISSION_DENIED", 403},
        {"RESOURCE_DOES_NOT_EXIST", 404}, {"NOT_FOUND", 404}, {"ENDPOINT_NOT_FOUND", 404},
        {"ABORTED", 409}, {"RESOURCE_CONFLICT", 409}, {"ALREADY_EXISTS", 409},
        {"REQUEST_LIMIT_EXCEEDED", 429}, {"RESOURCE_EXHAUSTED", 429},
        {"NOT_IMPLEMENTED", 501}, {"TEMPORARILY_UNAVAILABLE", 503},
    };
    for (const auto &row : table)
        if (std::strcmp(row.code, errorCode) == 0)
            return row.status;
    return 500;
}

QByteArray toJson(const QJsonObject &o)
{
    QByteArray json = QJsonDocument(o).toJson(QJsonDocument::Compact);
    if (json.contains(kNegativeZeroJson))
        json.replace(kNegativeZeroJson, "-0.0");
    return json;
}

QByteArray errorBody(const char *errorCode, const QString &message)
{
    return toJson({{QStringLiteral("error_code"), QLatin1String(errorCode)}, {QStringLiteral("message"), message}});
}

QString pageToken(qint64 offset)
{
    return QString::fromLatin1(toJson({{QStringLiteral("offset"), offset}}).toBase64());
}

Result<qint64> offsetFromPageToken(const QString &token)
{
    if (token.isEmpty())
        return qint64(0);
    const auto bad = [&] { return invalidArgument(QStringLiteral("Invalid page token '%1': it did not come from this server.").arg(token.left(80))); };
    const QByteArray raw = QByteArray::fromBase64(token.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    const QJsonDocument doc = QJsonDocument::fromJson(raw);
    const QJsonValue offset = doc.object().value(QStringLiteral("offset"));
    if (!offset.isDouble())
        return bad();
    const qint64 n = offset.toInteger(-1);
    if (n < 0)
        return bad();
    return n;
}

} // namespace orrery::tracking::mlflow
