#include "core/monitor/monitor_status.h"

#include "core/common/clock.h"
#include "core/store/database.h"

#include <QDateTime>
#include <QJsonArray>

#include <cmath>
#include <map>

namespace orrery::monitor {

namespace {

std::optional<double> optionalReal(const store::Statement &s, int column)
{
    if (s.isNull(column))
        return std::nullopt;
    return s.real(column);
}

QJsonValue json(const std::optional<double> &v) { return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null); }

} // namespace

QStringList EndpointStatus::alarmed() const
{
    QStringList out;
    for (const FeatureStatus &f : features)
        if (f.alarm)
            out << f.name;
    return out;
}

QJsonObject EndpointStatus::toJson() const
{
    QJsonArray list;
    for (const FeatureStatus &f : features)
        list.append(QJsonObject{{QStringLiteral("name"), f.name},
                                {QStringLiteral("type"), f.kind},
                                {QStringLiteral("status"), f.status},
                                {QStringLiteral("test"), f.test},
                                {QStringLiteral("statistic"), json(f.statistic)},
                                {QStringLiteral("p_value_adjusted"), json(f.pValue)},
                                {QStringLiteral("threshold"), json(f.threshold)},
                                {QStringLiteral("effect_size"), json(f.effect)},
                                {QStringLiteral("effect_threshold"), json(f.effectThreshold)},
                                {QStringLiteral("error_bound"), json(f.errorBound)},
                                {QStringLiteral("drift"), f.drifted},
                                {QStringLiteral("alarm"), f.alarm},
                                {QStringLiteral("rows"), double(f.rows)},
                                {QStringLiteral("missing_share"), f.missingShare},
                                {QStringLiteral("out_of_range_share"), f.outOfRangeShare},
                                {QStringLiteral("unseen_share"), f.unseenShare},
                                {QStringLiteral("windows_in_alarm"), f.recentAlarms}});
    QJsonObject o{{QStringLiteral("endpoint"), endpoint}, {QStringLiteral("features"), list}};
    if (hasWindow) {
        o.insert(QStringLiteral("window"), QJsonObject{{QStringLiteral("start"), common::toIsoUtc(QDateTime::fromMSecsSinceEpoch(startMs, Qt::UTC))},
                                                       {QStringLiteral("end"), common::toIsoUtc(QDateTime::fromMSecsSinceEpoch(endMs, Qt::UTC))},
                                                       {QStringLiteral("requests"), double(requests)},
                                                       {QStringLiteral("rows"), double(rows)},
                                                       {QStringLiteral("latency_p50_ms"), json(latencyP50Ms)},
                                                       {QStringLiteral("latency_p99_ms"), json(latencyP99Ms)}});
        o.insert(QStringLiteral("reference"), reference);
        o.insert(QStringLiteral("grid"), grid);
        o.insert(QStringLiteral("recent_windows"), recentWindows);
    }
    o.insert(QStringLiteral("drifting"), QJsonArray::fromStringList(alarmed()));
    QJsonArray versions;
    auto figure = [](double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null); };
    for (const AccuracyFigures &a : accuracy)
        versions.append(QJsonObject{{QStringLiteral("version"), a.version},
                                    {QStringLiteral("labels"), double(a.labels)},
                                    {QStringLiteral("skipped"), double(a.skipped)},
                                    {QStringLiteral("accuracy"), figure(a.accuracy)},
                                    {QStringLiteral("precision"), figure(a.precision)},
                                    {QStringLiteral("recall"), figure(a.recall)},
                                    {QStringLiteral("f1"), figure(a.f1)},
                                    {QStringLiteral("roc_auc"), figure(a.rocAuc)},
                                    {QStringLiteral("mae"), figure(a.mae)},
                                    {QStringLiteral("rmse"), figure(a.rmse)}});
    o.insert(QStringLiteral("accuracy"), versions);
    return o;
}

Result<std::vector<EndpointStatus>> readMonitorStatus(store::Database &db, const QString &endpoint, int recent, qint64 accuracySpanMs)
{
    std::vector<EndpointStatus> out;
    ORRERY_ASSIGN_OR_RETURN(auto list, db.prepare(QStringLiteral("SELECT DISTINCT endpoint FROM monitor_windows WHERE ?1 = '' OR endpoint = ?1 ORDER BY endpoint")));
    list.bind(1, endpoint);
    while (list.next()) {
        EndpointStatus e;
        e.endpoint = list.text(0);
        out.push_back(e);
    }
    ORRERY_TRY(list.status());
    for (EndpointStatus &e : out) {
        ORRERY_ASSIGN_OR_RETURN(auto w, db.prepare(QStringLiteral(
            "SELECT id, start_time, end_time, requests, rows, latency_p50_ms, latency_p99_ms, reference, grid FROM monitor_windows "
            "WHERE endpoint = ? ORDER BY start_time DESC, id DESC LIMIT 1")));
        w.bind(1, e.endpoint);
        if (!w.next()) {
            ORRERY_TRY(w.status());
            continue;
        }
        const qint64 id = w.int64(0);
        e.hasWindow = true;
        e.startMs = w.int64(1);
        e.endMs = w.int64(2);
        e.requests = w.int64(3);
        e.rows = w.int64(4);
        e.latencyP50Ms = optionalReal(w, 5);
        e.latencyP99Ms = optionalReal(w, 6);
        e.reference = w.text(7);
        e.grid = w.text(8);
        ORRERY_ASSIGN_OR_RETURN(auto f, db.prepare(QStringLiteral(
            "SELECT feature, kind, status, test, statistic, p_value, threshold, effect, effect_threshold, error_bound, drifted, alarm, rows, "
            "missing_share, out_of_range_share, unseen_share FROM monitor_features WHERE window_id = ? ORDER BY rowid")));
        f.bind(1, id);
        while (f.next()) {
            FeatureStatus s;
            s.name = f.text(0);
            s.kind = f.text(1);
            s.status = f.text(2);
            s.test = f.text(3);
            s.statistic = optionalReal(f, 4);
            s.pValue = optionalReal(f, 5);
            s.threshold = optionalReal(f, 6);
            s.effect = optionalReal(f, 7);
            s.effectThreshold = optionalReal(f, 8);
            s.errorBound = optionalReal(f, 9);
            s.drifted = f.int64(10) != 0;
            s.alarm = f.int64(11) != 0;
            s.rows = f.int64(12);
            s.missingShare = f.real(13);
            s.outOfRangeShare = f.real(14);
            s.unseenShare = f.real(15);
            e.features.push_back(s);
        }
        ORRERY_TRY(f.status());
        ORRERY_ASSIGN_OR_RETURN(auto a, db.prepare(QStringLiteral(
            "SELECT f.feature, sum(f.alarm) FROM monitor_features f JOIN "
            "(SELECT id FROM monitor_windows WHERE endpoint = ? ORDER BY start_time DESC LIMIT ?) w ON w.id = f.window_id GROUP BY f.feature")));
        a.bind(1, e.endpoint).bind(2, recent);
        std::map<QString, int> alarms;
        while (a.next())
            alarms[a.text(0)] = int(a.int64(1));
        ORRERY_TRY(a.status());
        ORRERY_ASSIGN_OR_RETURN(auto n, db.prepare(QStringLiteral("SELECT count(*) FROM (SELECT id FROM monitor_windows WHERE endpoint = ? ORDER BY start_time DESC LIMIT ?)")));
        n.bind(1, e.endpoint).bind(2, recent);
        e.recentWindows = n.next() ? int(n.int64(0)) : 0;
        ORRERY_TRY(n.status());
        for (FeatureStatus &s : e.features)
            s.recentAlarms = alarms[s.name];
        FeedbackAccuracy accuracy(db);
        ORRERY_ASSIGN_OR_RETURN(e.accuracy, accuracy.rolling(e.endpoint, e.endMs - accuracySpanMs, e.endMs));
    }
    return out;
}

} // namespace orrery::monitor
