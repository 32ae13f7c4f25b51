// MlflowRestApi: runs/log-metric, runs/log-batch and metrics/get-history — the hot path. Points
// are validated, then queued for the MetricWriter; handle() answers once the writer committed them
// (a group commit shared by concurrent requests); reads flush the writer first.
#include "core/tracking/metric_history.h"
#include "core/tracking/metric_writer.h"
#include "core/tracking/mlflow_json.h"
#include "core/tracking/mlflow_request.h"
#include "core/tracking/mlflow_rest_api.h"

#include <algorithm>
#include <tuple>

#include <QSet>

namespace orrery::tracking {
namespace {

struct PendingMetric {
    QString key;
    MetricPoint point;
};

Result<PendingMetric> readMetric(const MlflowRequest &m)
{
    ORRERY_ASSIGN_OR_RETURN(auto key, m.string(QStringLiteral("key"), true));
    ORRERY_ASSIGN_OR_RETURN(auto value, m.number(QStringLiteral("value"), true));
    ORRERY_ASSIGN_OR_RETURN(auto timestamp, m.int64(QStringLiteral("timestamp"), true));
    ORRERY_ASSIGN_OR_RETURN(auto step, m.int64(QStringLiteral("step")));
    return PendingMetric{key, {step, timestamp, value}};
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
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    ORRERY_ASSIGN_OR_RETURN(auto metric, readMetric(r));
    ORRERY_TRY(validateMetricKey(metric.key));
    ORRERY_TRY(m_store.checkActiveRun(runId));
    m_pendingPoints.push_back({m_writer.series(runId, metric.key), metric.point});
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::logBatch(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    // MLflow's schema for log-batch: a metric without key, value or timestamp (or a param or tag
    // without key) makes the whole list the invalid value, as MLflow 2.4's server says it.
    ORRERY_ASSIGN_OR_RETURN(auto metrics, r.objects(QStringLiteral("metrics")));
    ORRERY_TRY(r.requireInEach(QStringLiteral("metrics"), {QStringLiteral("key"), QStringLiteral("value"), QStringLiteral("timestamp")}));
    ORRERY_TRY(r.requireInEach(QStringLiteral("params"), {QStringLiteral("key")}));
    ORRERY_ASSIGN_OR_RETURN(auto params, r.keyValues(QStringLiteral("params")));
    ORRERY_TRY(r.requireInEach(QStringLiteral("tags"), {QStringLiteral("key")}));
    ORRERY_ASSIGN_OR_RETURN(auto tags, r.keyValues(QStringLiteral("tags")));
    if (metrics.size() > Limits::kMaxBatchMetrics)
        return tooMany("metrics", metrics.size(), Limits::kMaxBatchMetrics);
    if (params.size() > Limits::kMaxBatchParams)
        return tooMany("params", params.size(), Limits::kMaxBatchParams);
    if (tags.size() > Limits::kMaxBatchTags)
        return tooMany("tags", tags.size(), Limits::kMaxBatchTags);
    const qsizetype total = metrics.size() + params.size() + tags.size();
    if (total > Limits::kMaxBatchItems)
        return invalidArgument(QStringLiteral("A batch logging request can contain at most %1 total metrics, params, and tags. Got %2 total. "
                                              "Please split up items across multiple requests and try again.").arg(Limits::kMaxBatchItems).arg(total));

    // Everything is checked before anything is stored: a refused batch changes nothing.
    QVector<PendingMetric> points;
    points.reserve(metrics.size());
    for (const MlflowRequest &m : metrics) {
        ORRERY_ASSIGN_OR_RETURN(auto metric, readMetric(m));
        ORRERY_TRY(validateMetricKey(metric.key));
        points.append(std::move(metric));
    }
    QSet<QString> paramKeys;
    QStringList duplicates;
    for (const KeyValue &p : params) {
        if (paramKeys.contains(p.key))
            duplicates << p.key;
        paramKeys.insert(p.key);
    }
    if (!duplicates.isEmpty())
        return invalidArgument(QStringLiteral("Duplicate parameter keys have been submitted: [%1]. Please ensure the request contains only one "
                                              "param value per param key.").arg(duplicates.join(QStringLiteral(", "))));
    if (params.isEmpty() && tags.isEmpty())
        ORRERY_TRY(m_store.checkActiveRun(runId));
    else
        ORRERY_TRY(m_store.logBatchParamsAndTags(runId, params, tags)); // checks the run, all or nothing

    for (const PendingMetric &p : points)
        m_pendingPoints.push_back({m_writer.series(runId, p.key), p.point});
    return QJsonObject();
}

Result<QJsonObject> MlflowRestApi::getMetricHistory(const MlflowRequest &r)
{
    ORRERY_ASSIGN_OR_RETURN(auto runId, runIdOf(r));
    ORRERY_ASSIGN_OR_RETURN(auto key, r.string(QStringLiteral("metric_key"), true));
    ORRERY_ASSIGN_OR_RETURN(auto maxResults, r.int64(QStringLiteral("max_results"), false, kHistoryPageSize));
    if (maxResults < 1)
        return r.invalid(QStringLiteral("max_results"));
    const qint64 pageSize = qMin<qint64>(maxResults, kHistoryPageSize);
    ORRERY_ASSIGN_OR_RETURN(auto token, r.string(QStringLiteral("page_token")));
    ORRERY_ASSIGN_OR_RETURN(auto offset, mlflow::offsetFromPageToken(token));
    ORRERY_ASSIGN_OR_RETURN(auto info, m_store.runInfo(runId));
    flushMetrics();
    ORRERY_ASSIGN_OR_RETURN(auto points, metricHistory(m_db, runId, key, offset, pageSize + 1));
    QJsonArray out;
    const qint64 shown = qMin<qint64>(points.size(), pageSize);
    for (qint64 i = 0; i < shown; ++i) {
        const MetricPoint &p = points[int(i)];
        out.append(mlflow::metricJson(key, p.value, p.timestamp, p.step));
    }
    QJsonObject answer;
    mlflow::putArray(answer, QStringLiteral("metrics"), out);
    if (points.size() > pageSize)
        answer.insert(QStringLiteral("next_page_token"), mlflow::pageToken(offset + pageSize));
    return answer;
}

// metrics/get-history-bulk (the web UI's charts, /ajax-api/2.0/): one metric's history for up to
// 20 runs, runs in id order, each run's points by (timestamp, step, value), as MLflow's handler.
Result<QJsonObject> MlflowRestApi::getMetricHistoryBulk(const MlflowRequest &r)
{
    constexpr int kMaxRunIds = 20;
    ORRERY_ASSIGN_OR_RETURN(auto runIds, r.strings(QStringLiteral("run_id")));
    if (runIds.isEmpty())
        return invalidArgument(QStringLiteral("GetMetricHistoryBulk request must specify at least one run_id."));
    if (runIds.size() > kMaxRunIds)
        return invalidArgument(QStringLiteral("GetMetricHistoryBulk request cannot specify more than %1 run_ids. Received %2 run_ids.")
                                   .arg(kMaxRunIds).arg(runIds.size()));
    if (!r.has(QStringLiteral("metric_key")))
        return invalidArgument(QStringLiteral("GetMetricHistoryBulk request must specify a metric_key."));
    ORRERY_ASSIGN_OR_RETURN(auto key, r.string(QStringLiteral("metric_key")));
    ORRERY_ASSIGN_OR_RETURN(auto maxResults, r.int64(QStringLiteral("max_results"), false, kHistoryPageSize));
    maxResults = qBound<qint64>(qint64(0), maxResults, qint64(kHistoryPageSize));
    runIds.sort();
    runIds.removeDuplicates();
    flushMetrics();
    QJsonArray out;
    for (const QString &runId : std::as_const(runIds)) {
        ORRERY_TRY(m_store.runInfo(runId).status());
        ORRERY_ASSIGN_OR_RETURN(auto points, metricHistory(m_db, runId, key, 0, maxResults));
        std::stable_sort(points.begin(), points.end(), [](const MetricPoint &a, const MetricPoint &b) {
            return std::tie(a.timestamp, a.step, a.value) < std::tie(b.timestamp, b.step, b.value);
        });
        for (const MetricPoint &p : std::as_const(points)) {
            QJsonObject m = mlflow::metricJson(key, p.value, p.timestamp, p.step);
            m.insert(QStringLiteral("run_id"), runId);
            out.append(m);
        }
    }
    QJsonObject answer;
    mlflow::putArray(answer, QStringLiteral("metrics"), out);
    return answer;
}

} // namespace orrery::tracking
