#include "tests/gui/monitoring/monitoring_fixture.h"

#include <QStringList>

namespace orrery::testing {

Status MonitoringWriter::addModelVersion(const QString &model, int version, const QString &profileJson)
{
    ORRERY_ASSIGN_OR_RETURN(auto m, m_db.prepare(QStringLiteral("INSERT OR IGNORE INTO registered_models (name, creation_time, last_updated_time) VALUES (?, 0, 0)")));
    m.bind(1, model);
    ORRERY_TRY(m.run());
    ORRERY_ASSIGN_OR_RETURN(auto v, m_db.prepare(QStringLiteral(
        "INSERT INTO model_versions (name, version, creation_time, last_updated_time, source, status, reference_profile) VALUES (?, ?, 0, 0, 'fixture', 'READY', ?)")));
    v.bind(1, model).bind(2, version).bind(3, profileJson);
    return v.run();
}

Result<qint64> MonitoringWriter::addWindow(const WindowSpec &w, const QVector<FeatureRowSpec> &features)
{
    static const QString windowSql = QStringLiteral(
        "INSERT INTO monitor_windows (endpoint, start_time, end_time, requests, rows, latency_p50_ms, latency_p99_ms, reference, grid, versions, prediction) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?)");
    static const QString featureSql = QStringLiteral(
        "INSERT INTO monitor_features (window_id, endpoint, feature, start_time, kind, status, test, statistic, p_value, threshold, effect, "
        "effect_threshold, error_bound, drifted, alarm, rows, missing_share, out_of_range_share, unseen_share, counts) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)");
    if (!m_prepared) {
        ORRERY_ASSIGN_OR_RETURN(m_window, m_db.prepare(windowSql));
        ORRERY_ASSIGN_OR_RETURN(m_feature, m_db.prepare(featureSql));
        m_prepared = true;
    }
    m_window.reset();
    m_window.bind(1, w.endpoint).bind(2, w.start).bind(3, w.end).bind(4, w.requests).bind(5, w.rows).bind(6, w.p50Ms).bind(7, w.p99Ms)
        .bind(8, w.reference).bind(9, w.grid).bind(10, w.prediction);
    ORRERY_TRY(m_window.run());
    const qint64 id = m_db.lastInsertRowId();
    for (const FeatureRowSpec &f : features) {
        m_feature.reset();
        m_feature.bind(1, id).bind(2, w.endpoint).bind(3, f.feature).bind(4, w.start).bind(5, f.kind).bind(6, f.status).bind(7, f.test)
            .bind(8, f.statistic).bind(9, f.pValue).bind(10, f.threshold).bind(11, f.effect).bind(12, f.effectThreshold)
            .bind(13, f.drifted ? 1 : 0).bind(14, f.alarm ? 1 : 0).bind(15, f.rows).bind(16, f.missing).bind(17, f.outOfRange)
            .bind(18, f.unseen).bind(19, f.counts);
        ORRERY_TRY(m_feature.run());
    }
    return id;
}

Result<qint64> MonitoringWriter::addPrediction(const QString &endpoint, const QString &version, qint64 time, const QString &outputs, int rows)
{
    static qint64 serial = 0;
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "INSERT INTO predictions (request_id, endpoint, version, time, latency_ms, rows, outputs) VALUES (?, ?, ?, ?, 1.5, ?, ?)")));
    s.bind(1, QStringLiteral("fixture-%1").arg(++serial)).bind(2, endpoint).bind(3, version).bind(4, time).bind(5, rows).bind(6, outputs);
    ORRERY_TRY(s.run());
    return m_db.lastInsertRowId();
}

Status MonitoringWriter::addLabel(const QString &endpoint, qint64 predictionId, int row, double label, qint64 time)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "INSERT INTO feedback (endpoint, request_id, row, label_number, time, prediction_id, version) "
        "SELECT ?, request_id, ?, ?, ?, id, version FROM predictions WHERE id = ?")));
    s.bind(1, endpoint).bind(2, row).bind(3, label).bind(4, time).bind(5, predictionId);
    return s.run();
}

Result<qint64> MonitoringWriter::addAlert(const QString &rule, const QString &labelsJson, const QString &state, double value, qint64 activeSince,
                                          qint64 resolvedAt, const QString &summary)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db.prepare(QStringLiteral(
        "INSERT INTO alerts (rule, fingerprint, labels, annotations, state, value, active_since, fired_at, resolved_at, last_evaluated) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")));
    s.bind(1, rule).bind(2, QStringLiteral("fp-%1-%2").arg(rule).arg(activeSince)).bind(3, labelsJson)
        .bind(4, QStringLiteral("{\"summary\":\"%1\"}").arg(summary)).bind(5, state).bind(6, value).bind(7, activeSince);
    if (state == QLatin1String("pending"))
        s.bindNull(8);
    else
        s.bind(8, activeSince);
    if (resolvedAt)
        s.bind(9, resolvedAt);
    else
        s.bindNull(9);
    s.bind(10, resolvedAt ? resolvedAt : activeSince);
    ORRERY_TRY(s.run());
    return m_db.lastInsertRowId();
}

QString MonitoringWriter::numericCounts(const QVector<double> &counts, double min, double max)
{
    QStringList c;
    for (double v : counts)
        c << QString::number(v, 'g', 12);
    return QStringLiteral("{\"counts\":[%1],\"min\":%2,\"max\":%3}").arg(c.join(QLatin1Char(','))).arg(min).arg(max);
}

QString MonitoringWriter::categoryCounts(const QVector<std::pair<QString, double>> &categories)
{
    QStringList c;
    for (const auto &[name, n] : categories)
        c << QStringLiteral("\"%1\":%2").arg(name).arg(n);
    return QStringLiteral("{\"categories\":{%1}}").arg(c.join(QLatin1Char(',')));
}

} // namespace orrery::testing
