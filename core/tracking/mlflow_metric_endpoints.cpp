// MlflowRestApi: runs/log-metric, runs/log-batch and metrics/get-history — the hot path. Points
// are validated, then queued for the MetricWriter; handle() answers once the writer committed them
// (a group commit shared by concurrent requests); reads flush the writer first.
#include "core/tracking/metric_history.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/mlflow_json.h"
#include "core/tracking/mlflow_request.h"
#include "core/tracking/mlflow_rest_api.h"

#include <QSet>

namespace orrery::tracking {
namespace {

struct PendingMetric {
    QString key;
    MetricPoint point;
};

Result<PendingMetric> readMetric(const MlflowRequest &m)
{
    auto key = m.string(QStringLiteral("key"), true);
    if (!key)
        return key.status();
    auto value = m.number(QStringLiteral("value"), true);
    if (!value)
        return value.status();
    auto timestamp = m.int64(QStringLiteral("timestamp"), true);
    if (!timestamp)
        return timestamp.status();
    auto step = m.int64(QStringLiteral("step"));
    if (!step)
        return step.status();
    return PendingMetric{*key, {*step, *timestamp, *value}};
}

Status tooMany(const char *what, qsizetype got, int limit)
{
    return invalidArgument(QStringLiteral("A batch logging request can contain at most %1 %2. Got %3 %2. Please split up %2 across "
                                          "multiple requests and try again.").arg(limit).arg(QLatin1String(what)).arg(got));
}

} // namespace

Status MlflowRestApi::validateMetricKey(const QString &key)
{
    if (m_validMetricKeys.contains(key))
        return Status::ok();
    ORRERY_TRY(TrackingStore::validateMetricKey(key));
    if (m_validMetricKeys.size() > 100'000)
        m_validMetricKeys.clear();
    m_validMetricKeys.insert(key);
    return Status::ok();
}

void MlflowRestApi::flushMetrics()
{
    const Status s = m_writer.flush();
    if (!s)
        qWarning("tracking server: metric points could not be stored: %s", qPrintable(s.message()));
}

Result<QJsonObject> MlflowRestApi::logMetric(const MlflowRequest &r)
{
    auto runId = runIdOf(r);
    if (!runId)
        return runId.status();
    auto metric = readMetric(r);
    if (!metric)
        return metric.status();
    ORRERY_TRY(validateMetricKey(metric->key));
    ORRERY_TRY(m_store.checkActiveRun(*runId));
    m_pendingPoints.push_back({m_writer.series(*runId, metric->key), metric->point});
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::logBatch(const MlflowRequest &r)
{
    auto runId = runIdOf(r);
    if (!runId)
        return runId.status();
    auto metrics = r.objects(QStringLiteral("metrics"));
    if (!metrics)
        return metrics.status();
    auto params = r.keyValues(QStringLiteral("params"));
    if (!params)
        return params.status();
    auto tags = r.keyValues(QStringLiteral("tags"));
    if (!tags)
        return tags.status();
    if (metrics->size() > Limits::kMaxBatchMetrics)
        return tooMany("metrics", metrics->size(), Limits::kMaxBatchMetrics);
    if (params->size() > Limits::kMaxBatchParams)
        return tooMany("params", params->size(), Limits::kMaxBatchParams);
    if (tags->size() > Limits::kMaxBatchTags)
        return tooMany("tags", tags->size(), Limits::kMaxBatchTags);
    const qsizetype total = metrics->size() + params->size() + tags->size();
    if (total > Limits::kMaxBatchItems)
        return invalidArgument(QStringLiteral("A batch logging request can contain at most %1 total metrics, params, and tags. Got %2 total. "
                                              "Please split up items across multiple requests and try again.").arg(Limits::kMaxBatchItems).arg(total));

    // Everything is checked before anything is stored: a refused batch changes nothing.
    QVector<PendingMetric> points;
    points.reserve(metrics->size());
    for (const MlflowRequest &m : *metrics) {
        auto metric = readMetric(m);
        if (!metric)
            return metric.status();
        ORRERY_TRY(validateMetricKey(metric->key));
        points.append(std::move(*metric));
    }
    QSet<QString> paramKeys;
    QStringList duplicates;
    for (const KeyValue &p : *params) {
        if (paramKeys.contains(p.key))
            duplicates << p.key;
        paramKeys.insert(p.key);
    }
    if (!duplicates.isEmpty())
        return invalidArgument(QStringLiteral("Duplicate parameter keys have been submitted: [%1]. Please ensure the request contains only one "
                                              "param value per param key.").arg(duplicates.join(QStringLiteral(", "))));
    if (params->isEmpty() && tags->isEmpty())
        ORRERY_TRY(m_store.checkActiveRun(*runId));
    else
        ORRERY_TRY(m_store.logBatchParamsAndTags(*runId, *params, *tags)); // checks the run, all or nothing

    for (const PendingMetric &p : points)
        m_pendingPoints.push_back({m_writer.series(*runId, p.key), p.point});
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::getMetricHistory(const MlflowRequest &r)
{
    auto runId = runIdOf(r);
    if (!runId)
        return runId.status();
    auto key = r.string(QStringLiteral("metric_key"), true);
    if (!key)
        return key.status();
    auto maxResults = r.int64(QStringLiteral("max_results"), false, kHistoryPageSize);
    if (!maxResults)
        return maxResults.status();
    if (*maxResults < 1)
        return invalidArgument(QStringLiteral("Invalid value %1 for parameter 'max_results' supplied: it must be at least 1.").arg(*maxResults));
    const qint64 pageSize = qMin<qint64>(*maxResults, kHistoryPageSize);
    auto token = r.string(QStringLiteral("page_token"));
    if (!token)
        return token.status();
    auto offset = mlflow::offsetFromPageToken(*token);
    if (!offset)
        return offset.status();
    auto info = m_store.runInfo(*runId);
    if (!info)
        return info.status();
    flushMetrics();
    auto points = metricHistory(m_db, *runId, *key, *offset, pageSize + 1);
    if (!points)
        return points.status();
    QJsonArray out;
    const qint64 shown = qMin<qint64>(points->size(), pageSize);
    for (qint64 i = 0; i < shown; ++i) {
        const MetricPoint &p = (*points)[int(i)];
        out.append(mlflow::metricJson(*key, p.value, p.timestamp, p.step));
    }
    QJsonObject answer;
    mlflow::putArray(answer, QStringLiteral("metrics"), out);
    if (points->size() > pageSize)
        answer.insert(QStringLiteral("next_page_token"), mlflow::pageToken(*offset + pageSize));
    return answer;
}

} // namespace orrery::tracking
