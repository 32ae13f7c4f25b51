#include "core/monitor/monitor_window_store.h"

#include "core/common/clock.h"
#include "core/store/database.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>

namespace orrery::monitor {

namespace {

QString compactJson(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QString mapJson(const std::map<QString, qint64> &m)
{
    QJsonObject o;
    for (const auto &[k, v] : m)
        o.insert(k, double(v));
    return compactJson(o);
}

void bindOptional(store::Statement &s, int index, double v)
{
    if (std::isfinite(v))
        s.bind(index, v);
    else
        s.bindNull(index);
}

QString isoMinutes(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

} // namespace

QString ReferenceChoice::describe() const
{
    switch (kind) {
    case Kind::Model: return QStringLiteral("model");
    case Kind::Window: return QStringLiteral("window %1 .. %2").arg(isoMinutes(fromMs), isoMinutes(toMs));
    case Kind::Rolling: return QStringLiteral("rolling %1 min").arg(spanMs / 60'000.0);
    }
    return {};
}

Result<std::unique_ptr<MonitorWindowStore>> MonitorWindowStore::open(const QString &databasePath)
{
    std::unique_ptr<MonitorWindowStore> s(new MonitorWindowStore());
    ORRERY_ASSIGN_OR_RETURN(s->m_db, store::Database::open(databasePath));
    return s;
}

MonitorWindowStore::~MonitorWindowStore() = default;

Result<std::vector<std::pair<QString, QString>>> MonitorWindowStore::endpoints()
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db->prepare(QStringLiteral("SELECT endpoint, model, stable_version FROM deployments WHERE stable_version > 0 ORDER BY endpoint")));
    std::vector<std::pair<QString, QString>> out;
    while (s.next())
        out.emplace_back(s.text(0), QStringLiteral("%1 v%2").arg(s.text(1)).arg(s.int64(2)));
    ORRERY_TRY(s.status());
    return out;
}

Result<EndpointReference> MonitorWindowStore::reference(const QString &endpoint)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db->prepare(QStringLiteral(
        "SELECT d.model, d.stable_version, v.reference_profile, v.signature FROM deployments d "
        "LEFT JOIN model_versions v ON v.name = d.model AND v.version = d.stable_version WHERE d.endpoint = ?")));
    s.bind(1, endpoint);
    EndpointReference r;
    r.endpoint = endpoint;
    if (!s.next()) {
        ORRERY_TRY(s.status());
        r.why = QStringLiteral("endpoint '%1' has no deployment").arg(endpoint);
        return r;
    }
    r.model = s.text(0);
    r.version = int(s.int64(1));
    r.signature = QJsonDocument::fromJson(s.text(3).toUtf8()).object();
    const QString profile = s.text(2);
    if (profile.isEmpty()) {
        r.why = QStringLiteral("%1 has no reference profile (register it with the register stage's --holdout and --scores, or run "
                               "`orrery-cli monitor profile %2 --version %3 --data CSV --scores CSV`)").arg(r.grid(), r.model).arg(r.version);
        return r;
    }
    auto parsed = ReferenceProfile::fromJson(QJsonDocument::fromJson(profile.toUtf8()).object());
    if (!parsed) {
        r.why = QStringLiteral("%1: %2").arg(r.grid(), parsed.status().message());
        return r;
    }
    r.profile = std::make_shared<const ReferenceProfile>(std::move(*parsed));
    return r;
}

Result<ReferenceChoice> MonitorWindowStore::referenceChoice(const QString &endpoint)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db->prepare(QStringLiteral("SELECT kind, from_time, to_time, span_ms FROM monitor_references WHERE endpoint = ?")));
    s.bind(1, endpoint);
    ReferenceChoice c;
    if (s.next()) {
        const QString kind = s.text(0);
        c.kind = kind == QLatin1String("window") ? ReferenceChoice::Kind::Window
                 : kind == QLatin1String("rolling") ? ReferenceChoice::Kind::Rolling : ReferenceChoice::Kind::Model;
        c.fromMs = s.int64(1);
        c.toMs = s.int64(2);
        c.spanMs = s.int64(3);
    }
    ORRERY_TRY(s.status());
    return c;
}

Status MonitorWindowStore::setReferenceChoice(const QString &endpoint, const ReferenceChoice &c, qint64 nowMs)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db->prepare(QStringLiteral(
        "INSERT INTO monitor_references (endpoint, kind, from_time, to_time, span_ms, updated) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT(endpoint) DO UPDATE SET kind = excluded.kind, from_time = excluded.from_time, to_time = excluded.to_time, "
        "span_ms = excluded.span_ms, updated = excluded.updated")));
    const char *kind = c.kind == ReferenceChoice::Kind::Window ? "window" : c.kind == ReferenceChoice::Kind::Rolling ? "rolling" : "model";
    s.bind(1, endpoint).bind(2, QString::fromLatin1(kind)).bind(3, c.fromMs).bind(4, c.toMs).bind(5, c.spanMs).bind(6, nowMs);
    return s.run();
}

Status MonitorWindowStore::write(const ClosedWindow &w)
{
    store::Transaction tx(*m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db->prepare(QStringLiteral(
        "INSERT INTO monitor_windows (endpoint, start_time, end_time, requests, rows, latency_p50_ms, latency_p99_ms, reference, grid, versions, prediction) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)")));
    s.bind(1, w.endpoint).bind(2, w.startMs).bind(3, w.endMs).bind(4, w.requests).bind(5, w.rows);
    bindOptional(s, 6, w.latencyP50Ms >= 0 ? w.latencyP50Ms : NAN);
    bindOptional(s, 7, w.latencyP99Ms >= 0 ? w.latencyP99Ms : NAN);
    s.bind(8, w.reference).bind(9, w.grid).bind(10, mapJson(w.versions));
    QJsonObject classes;
    for (const auto &[k, v] : w.predictedClasses)
        classes.insert(k, double(v));
    s.bind(11, compactJson(QJsonObject{{QStringLiteral("classes"), classes}}));
    ORRERY_TRY(s.run());
    const qint64 id = m_db->lastInsertRowId();
    ORRERY_ASSIGN_OR_RETURN(auto f, m_db->prepare(QStringLiteral(
        "INSERT INTO monitor_features (window_id, endpoint, feature, start_time, kind, status, test, statistic, p_value, threshold, effect, "
        "effect_threshold, error_bound, drifted, alarm, rows, missing_share, out_of_range_share, unseen_share, counts) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")));
    for (const ClosedFeature &c : w.features) {
        const FeatureDrift &d = c.drift;
        const bool tested = d.status == QLatin1String("drift") || d.status == QLatin1String("no_drift");
        f.reset();
        f.bind(1, id).bind(2, w.endpoint).bind(3, d.name).bind(4, w.startMs)
            .bind(5, QString::fromLatin1(d.kind == FeatureKind::Numeric ? "numeric" : "categorical")).bind(6, d.status)
            .bind(7, QString::fromLatin1(driftTestName(d.test)));
        bindOptional(f, 8, tested ? d.statistic : NAN);
        bindOptional(f, 9, tested && d.pValueAdjusted ? *d.pValueAdjusted : NAN);
        bindOptional(f, 10, tested ? d.threshold : NAN);
        bindOptional(f, 11, tested ? d.effectSize : NAN);
        bindOptional(f, 12, tested ? d.effectThreshold : NAN);
        bindOptional(f, 13, tested ? d.errorBound : NAN);
        f.bind(14, int(d.drift)).bind(15, int(c.alarm)).bind(16, d.currentCount).bind(17, d.currentMissingShare).bind(18, c.outOfRangeShare)
            .bind(19, d.unseenShare).bind(20, compactJson(c.counts));
        ORRERY_TRY(f.run());
    }
    return tx.commit();
}

Result<int> MonitorWindowStore::mergedSketches(const QString &endpoint, const QString &grid, qint64 fromMs, qint64 toMs,
                                               const ReferenceProfile &profile, std::vector<FeatureSketch> *out)
{
    out->clear();
    std::map<QString, size_t> index;
    for (size_t i = 0; i < profile.features.size(); ++i) {
        out->emplace_back(profile.features[i]);
        index[profile.features[i].name] = i;
    }
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db->prepare(QStringLiteral(
        "SELECT f.feature, f.counts FROM monitor_features f JOIN monitor_windows w ON w.id = f.window_id "
        "WHERE w.endpoint = ? AND w.grid = ? AND w.start_time >= ? AND w.start_time < ?")));
    s.bind(1, endpoint).bind(2, grid).bind(3, fromMs).bind(4, toMs);
    QSet<QString> windows;
    while (s.next()) {
        const auto it = index.find(s.text(0));
        if (it == index.end())
            continue;
        const QJsonObject counts = QJsonDocument::fromJson(s.text(1).toUtf8()).object();
        if (counts.isEmpty())
            continue;
        auto sketch = FeatureSketch::fromJson(counts, profile.features[it->second]);
        if (sketch)
            (*out)[it->second].merge(*sketch);
    }
    ORRERY_TRY(s.status());
    ORRERY_ASSIGN_OR_RETURN(auto n, m_db->prepare(QStringLiteral("SELECT count(*) FROM monitor_windows WHERE endpoint = ? AND grid = ? AND start_time >= ? AND start_time < ?")));
    n.bind(1, endpoint).bind(2, grid).bind(3, fromMs).bind(4, toMs);
    const int windowsMerged = n.next() ? int(n.int64(0)) : 0;
    ORRERY_TRY(n.status());
    return windowsMerged;
}

Result<std::map<QString, bool>> MonitorWindowStore::lastAlarms(const QString &endpoint, const QString &grid)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, m_db->prepare(QStringLiteral(
        "SELECT feature, alarm FROM monitor_features WHERE window_id = "
        "(SELECT id FROM monitor_windows WHERE endpoint = ? AND grid = ? ORDER BY start_time DESC LIMIT 1)")));
    s.bind(1, endpoint).bind(2, grid);
    std::map<QString, bool> out;
    while (s.next())
        out[s.text(0)] = s.int64(1) != 0;
    ORRERY_TRY(s.status());
    return out;
}

Result<qint64> MonitorWindowStore::deleteBefore(qint64 cutoffMs)
{
    store::Transaction tx(*m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto f, m_db->prepare(QStringLiteral("DELETE FROM monitor_features WHERE window_id IN (SELECT id FROM monitor_windows WHERE end_time < ?)")));
    f.bind(1, cutoffMs);
    ORRERY_TRY(f.run());
    ORRERY_ASSIGN_OR_RETURN(auto w, m_db->prepare(QStringLiteral("DELETE FROM monitor_windows WHERE end_time < ?")));
    w.bind(1, cutoffMs);
    ORRERY_TRY(w.run());
    const qint64 n = m_db->changes();
    ORRERY_TRY(tx.commit());
    return n;
}

} // namespace orrery::monitor
