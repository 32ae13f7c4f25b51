#include "ui/monitoring/monitoring_snapshot.h"

#include "core/common/clock.h"
#include "core/monitor/alert_rules.h"
#include "core/monitor/alert_store.h"
#include "core/monitor/alertmanager_client.h"
#include "core/store/database.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace orrery::ui {
namespace {

const QString kPrediction = QStringLiteral("prediction");
constexpr int kDisplayBins = 20;        // a numeric distribution's bars (the sketch has 100)
constexpr int kMaxCategories = 12;      // a categorical one's; the rest pooled as "other"
constexpr qint64 kRecentAlertsMs = 7LL * 24 * 3600 * 1000;
constexpr int kAccuracyBuckets = 60;    // labels are sparser than windows: fewer, fuller buckets

double realOrNan(const store::Statement &s, int column) { return s.isNull(column) ? qQNaN() : s.real(column); }

QJsonObject parseObject(const QString &text)
{
    return text.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(text.toUtf8()).object();
}

QVector<double> numbers(const QJsonArray &a)
{
    QVector<double> out;
    out.reserve(a.size());
    for (const QJsonValue &v : a)
        out.append(v.toDouble());
    return out;
}

QString edgeText(double v)
{
    if (!std::isfinite(v))
        return QStringLiteral("?");
    const double a = std::abs(v);
    if (a != 0 && (a >= 1e5 || a < 1e-3))
        return QString::number(v, 'e', 1);
    return QString::number(v, 'g', a >= 100 ? 4 : 3);
}

DriftCell readCell(const store::Statement &s, int first)
{
    // Columns from `first`: status, test, statistic, p_value, threshold, effect, effect_threshold, drifted, alarm.
    DriftCell c;
    c.present = true;
    c.status = s.text(first);
    c.test = s.text(first + 1);
    c.statistic = realOrNan(s, first + 2);
    c.pValue = realOrNan(s, first + 3);
    c.threshold = realOrNan(s, first + 4);
    c.effect = realOrNan(s, first + 5);
    c.effectThreshold = realOrNan(s, first + 6);
    c.drifted = s.int64(first + 7) != 0;
    c.alarm = s.int64(first + 8) != 0;
    return c;
}

const char *kCellColumns = "status, test, statistic, p_value, threshold, effect, effect_threshold, drifted, alarm";

// Endpoints: those deployed and those with windows (a removed endpoint keeps its history).
Result<QStringList> readEndpoints(store::Database &db)
{
    QStringList out;
    ORRERY_ASSIGN_OR_RETURN(auto d, db.prepare(QStringLiteral("SELECT endpoint FROM deployments ORDER BY endpoint")));
    while (d.next())
        out << d.text(0);
    ORRERY_TRY(d.status());
    // DISTINCT over 43,200 windows reads the whole index; hopping from one endpoint to the next
    // reads one entry per endpoint.
    ORRERY_ASSIGN_OR_RETURN(auto w, db.prepare(QStringLiteral(
        "WITH RECURSIVE e(name) AS (SELECT MIN(endpoint) FROM monitor_windows "
        "UNION ALL SELECT (SELECT MIN(endpoint) FROM monitor_windows WHERE endpoint > e.name) FROM e WHERE e.name IS NOT NULL) "
        "SELECT name FROM e WHERE name IS NOT NULL")));
    while (w.next())
        if (!out.contains(w.text(0)))
            out << w.text(0);
    ORRERY_TRY(w.status());
    std::sort(out.begin(), out.end());
    return out;
}

// The profile's features by name, in its order.
struct ReferenceProfile {
    QStringList order;
    QHash<QString, QJsonObject> features;
};

Result<ReferenceProfile> readProfile(store::Database &db, const QString &model, int version)
{
    ReferenceProfile p;
    if (model.isEmpty() || version <= 0)
        return p;
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT reference_profile FROM model_versions WHERE name = ? AND version = ?")));
    s.bind(1, model).bind(2, version);
    if (s.next()) {
        const QJsonObject profile = parseObject(s.text(0));
        for (const QJsonValue &v : profile.value(QStringLiteral("features")).toArray()) {
            const QJsonObject f = v.toObject();
            const QString name = f.value(QStringLiteral("name")).toString();
            if (name.isEmpty() || p.features.contains(name))
                continue;
            p.order << name;
            p.features.insert(name, f);
        }
    }
    ORRERY_TRY(s.status());
    return p;
}

FeatureDistribution distributionOf(const QString &feature, const QString &kind, const QString &countsJson, const ReferenceProfile &profile,
                                   const QString &referenceName)
{
    FeatureDistribution d;
    d.feature = feature;
    d.kind = kind;
    const QJsonObject current = parseObject(countsJson);
    const bool hasReference = profile.features.contains(feature);
    const QJsonObject ref = profile.features.value(feature);
    if (!hasReference)
        d.note = referenceName.isEmpty() ? QStringLiteral("no reference profile") : QStringLiteral("no reference profile for %1").arg(referenceName);
    if (kind == QLatin1String("categorical")) {
        const QJsonObject cur = current.value(QStringLiteral("categories")).toObject();
        const QJsonObject refCats = ref.value(QStringLiteral("categories")).toObject();
        double curTotal = 0, refTotal = 0;
        for (auto it = cur.begin(); it != cur.end(); ++it)
            curTotal += it.value().toDouble();
        for (auto it = refCats.begin(); it != refCats.end(); ++it)
            refTotal += it.value().toDouble();
        d.currentRows = qint64(curTotal);
        d.referenceRows = qint64(refTotal);
        QStringList names = refCats.keys();
        for (const QString &k : cur.keys())
            if (!refCats.contains(k))
                names << k;
        auto refShare = [&](const QString &k) { return refTotal > 0 ? refCats.value(k).toDouble() / refTotal : 0.0; };
        auto curShare = [&](const QString &k) { return curTotal > 0 ? cur.value(k).toDouble() / curTotal : 0.0; };
        std::stable_sort(names.begin(), names.end(), [&](const QString &a, const QString &b) {
            const double ra = refShare(a) + curShare(a), rb = refShare(b) + curShare(b);
            return ra != rb ? ra > rb : a < b;
        });
        DistributionBin other{QStringLiteral("other"), QString(), QString(), hasReference ? 0.0 : qQNaN(), 0};
        for (int i = 0; i < names.size(); ++i) {
            const QString &k = names[i];
            const double r = hasReference ? refShare(k) : qQNaN();
            if (i < kMaxCategories - (names.size() > kMaxCategories ? 1 : 0)) {
                const QString label = hasReference && !refCats.contains(k) ? k + QStringLiteral(" (unseen)") : k;
                d.bins.append({label, QString(), QString(), r, curShare(k)});
            } else {
                if (hasReference)
                    other.reference += r;
                other.current += curShare(k);
            }
        }
        if (names.size() > kMaxCategories)
            d.bins.append(other);
        return d;
    }
    const QVector<double> curCounts = numbers(current.value(QStringLiteral("counts")).toArray());
    const QVector<double> refCounts = numbers(ref.value(QStringLiteral("counts")).toArray());
    const QVector<double> edges = numbers(ref.value(QStringLiteral("edges")).toArray());
    d.currentRows = std::llround(std::accumulate(curCounts.cbegin(), curCounts.cend(), 0.0));
    d.referenceRows = std::llround(std::accumulate(refCounts.cbegin(), refCounts.cend(), 0.0));
    const int bins = int(std::max({curCounts.size(), refCounts.size(), edges.isEmpty() ? qsizetype(0) : edges.size() + 1}));
    const int group = std::max(1, (bins + kDisplayBins - 1) / kDisplayBins);
    d.bins = mergedNumericBins(edges, ref.value(QStringLiteral("min")).toDouble(qQNaN()), ref.value(QStringLiteral("max")).toDouble(qQNaN()),
                               refCounts, curCounts, group);
    return d;
}

Result<QVector<AlertRow>> readAlerts(store::Database &db, const QString &endpoint, qint64 nowMs)
{
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral(
        "SELECT id, rule, state, labels, annotations, value, active_since, fired_at, resolved_at, acknowledged_by, acknowledged_at, silenced_until "
        "FROM alerts WHERE state != 'resolved' OR resolved_at >= ? ORDER BY state = 'resolved', COALESCE(resolved_at, active_since) DESC, id DESC LIMIT 1000")));
    s.bind(1, nowMs - kRecentAlertsMs);
    QVector<AlertRow> out;
    while (s.next()) {
        const QJsonObject labels = parseObject(s.text(3));
        // An alert about another endpoint is not this endpoint's; one about none (a rule on a
        // server-wide gauge) is everyone's.
        const QJsonValue alertEndpoint = labels.value(QStringLiteral("endpoint"));
        if (!alertEndpoint.isUndefined() && alertEndpoint.toString() != endpoint)
            continue;
        AlertRow a;
        a.id = s.int64(0);
        a.rule = s.text(1);
        a.state = s.text(2);
        QStringList parts;
        for (const QString &k : labels.keys()) // sorted
            if (k != QLatin1String("alertname") && k != QLatin1String("endpoint"))
                parts << QStringLiteral("%1=%2").arg(k, labels.value(k).toVariant().toString());
        a.labels = parts.join(QStringLiteral(", "));
        a.summary = parseObject(s.text(4)).value(QStringLiteral("summary")).toString();
        a.value = realOrNan(s, 5);
        a.activeSince = s.int64(6);
        a.firedAt = s.isNull(7) ? 0 : s.int64(7);
        a.resolvedAt = s.isNull(8) ? 0 : s.int64(8);
        a.acknowledgedBy = s.text(9);
        a.acknowledgedAt = s.isNull(10) ? 0 : s.int64(10);
        a.silencedUntil = s.isNull(11) ? 0 : s.int64(11);
        out.append(a);
        if (out.size() >= 200)
            break;
    }
    ORRERY_TRY(s.status());
    return out;
}

} // namespace

QVector<DistributionBin> mergedNumericBins(const QVector<double> &innerEdges, double min, double max, const QVector<double> &referenceCounts,
                                           const QVector<double> &currentCounts, int group)
{
    const int n = int(std::max({referenceCounts.size(), currentCounts.size(), innerEdges.isEmpty() ? qsizetype(0) : innerEdges.size() + 1}));
    QVector<DistributionBin> out;
    if (n == 0 || group < 1)
        return out;
    double refTotal = 0, curTotal = 0;
    for (double c : referenceCounts)
        refTotal += c;
    for (double c : currentCounts)
        curTotal += c;
    const bool labelled = innerEdges.size() + 1 == n;
    // Bin i covers (edge(i-1), edge(i)]: the reference's min below the first, its max above the last.
    auto lower = [&](int i) { return i == 0 ? min : innerEdges[i - 1]; };
    auto upper = [&](int i) { return i == n - 1 ? max : innerEdges[i]; };
    for (int first = 0; first < n; first += group) {
        const int last = std::min(n, first + group) - 1;
        DistributionBin b;
        if (labelled) {
            b.lower = edgeText(lower(first));
            b.upper = edgeText(upper(last));
            b.label = QStringLiteral("%1 … %2").arg(b.lower, b.upper);
        } else { // the bins are the reference's percentiles, whatever their values
            b.lower = QStringLiteral("p%1").arg(first * 100 / n);
            b.upper = QStringLiteral("p%1").arg((last + 1) * 100 / n);
            b.label = QStringLiteral("%1–%2").arg(b.lower, b.upper.mid(1));
        }
        double r = 0, c = 0;
        for (int i = first; i <= last; ++i) {
            r += i < referenceCounts.size() ? referenceCounts[i] : 0;
            c += i < currentCounts.size() ? currentCounts[i] : 0;
        }
        b.reference = refTotal > 0 ? r / refTotal : qQNaN();
        b.current = curTotal > 0 ? c / curTotal : 0;
        out.append(b);
    }
    return out;
}

Result<MonitoringSnapshot> loadMonitoringSnapshot(store::Database &db, const MonitoringQuery &query)
{
    MonitoringSnapshot snap;
    const qint64 now = query.nowMs ? query.nowMs : common::Clock::system().now().toMSecsSinceEpoch();
    ORRERY_ASSIGN_OR_RETURN(snap.servers, deploy::liveServers(db));
    ORRERY_ASSIGN_OR_RETURN(snap.endpoints, readEndpoints(db));

    // The endpoint: the one asked for; else the first with windows; else the first.
    auto newestWindow = [&](const QString &endpoint, qint64 &id, qint64 &start, qint64 &end, QString &reference) -> Status {
        ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral(
            "SELECT id, start_time, end_time, reference FROM monitor_windows WHERE endpoint = ? ORDER BY start_time DESC, id DESC LIMIT 1")));
        s.bind(1, endpoint);
        id = 0;
        if (s.next()) {
            id = s.int64(0);
            start = s.int64(1);
            end = s.int64(2);
            reference = s.text(3);
        }
        return s.status();
    };
    qint64 newestStart = 0, newestEnd = 0;
    if (snap.endpoints.contains(query.endpoint)) {
        snap.endpoint = query.endpoint;
        ORRERY_TRY(newestWindow(snap.endpoint, snap.newestWindowId, newestStart, newestEnd, snap.reference));
    } else {
        for (const QString &e : std::as_const(snap.endpoints)) {
            ORRERY_TRY(newestWindow(e, snap.newestWindowId, newestStart, newestEnd, snap.reference));
            if (snap.newestWindowId) {
                snap.endpoint = e;
                break;
            }
        }
        if (snap.endpoint.isEmpty() && !snap.endpoints.isEmpty())
            snap.endpoint = snap.endpoints.first();
    }
    ORRERY_ASSIGN_OR_RETURN(snap.alerts, readAlerts(db, snap.endpoint, now));

    qint64 newestLabel = 0;
    {
        ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT MAX(id) FROM feedback")));
        if (s.next() && !s.isNull(0))
            newestLabel = s.int64(0);
        ORRERY_TRY(s.status());
    }
    // The stamp names what was read: the newest window and the query's shape, with the feature
    // as resolved (so the poll after a first read, which names the feature that read chose,
    // finds the same stamp).
    auto stampOf = [&](const QString &feature) {
        return QStringLiteral("%1|%2|%3|%4|%5|%6|%7")
            .arg(snap.endpoint)
            .arg(snap.newestWindowId)
            .arg(feature)
            .arg(query.windowId)
            .arg(query.spanMs)
            .arg(query.chartBuckets)
            .arg(query.heatmapColumns);
    };
    snap.stamp = stampOf(query.feature);
    // Labels arrive all the time while traffic flows: they re-read the accuracy alone.
    snap.labelStamp = QStringLiteral("%1|%2|%3|%4|%5").arg(snap.endpoint).arg(snap.newestWindowId).arg(newestLabel).arg(query.spanMs).arg(query.chartBuckets);
    const bool windowsKnown = !query.knownStamp.isEmpty() && snap.stamp == query.knownStamp;
    const bool labelsKnown = !query.knownLabelStamp.isEmpty() && snap.labelStamp == query.knownLabelStamp;
    if (windowsKnown && labelsKnown)
        return snap;
    if (!snap.newestWindowId) {
        snap.dataRead = snap.accuracyRead = true;
        return snap;
    }

    snap.windowMs = std::max<qint64>(1, newestEnd - newestStart);
    qint64 oldestStart = newestStart;
    {
        ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT COUNT(*), MIN(start_time) FROM monitor_windows WHERE endpoint = ?")));
        s.bind(1, snap.endpoint);
        if (s.next()) {
            snap.windowCount = s.int64(0);
            oldestStart = s.int64(1);
        }
        ORRERY_TRY(s.status());
    }
    snap.to = newestEnd;
    snap.from = query.spanMs > 0 ? std::max(oldestStart, newestEnd - query.spanMs) : oldestStart;
    const qint64 span = std::max<qint64>(1, snap.to - snap.from);
    const int buckets = std::max(1, query.chartBuckets);
    snap.bucketMs = std::max(snap.windowMs, (span + buckets - 1) / buckets);

    // Accuracy from the delayed labels over the span.
    if (!labelsKnown) {
        snap.accuracyRead = true;
        snap.accuracyBucketMs = std::max(snap.bucketMs, (span + kAccuracyBuckets - 1) / kAccuracyBuckets);
        monitor::FeedbackAccuracy accuracy(db);
        ORRERY_TRY(accuracy.rollingAndSeries(snap.endpoint, snap.from, snap.to + 1, snap.accuracyBucketMs, snap.accuracy, snap.accuracySeries));
    }
    if (windowsKnown)
        return snap;
    snap.dataRead = true;

    // The selected window: the one asked for while it is the endpoint's, else the newest that had
    // traffic (an idle server closes empty windows, whose details say nothing), else the newest.
    QString windowPrediction, windowGrid, windowReference;
    {
        qint64 newestWithRows = 0;
        if (query.windowId <= 0) {
            ORRERY_ASSIGN_OR_RETURN(auto busy, db.prepare(QStringLiteral(
                "SELECT id FROM monitor_windows WHERE endpoint = ? AND rows > 0 ORDER BY start_time DESC LIMIT 1")));
            busy.bind(1, snap.endpoint);
            if (busy.next())
                newestWithRows = busy.int64(0);
            ORRERY_TRY(busy.status());
        }
        ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral(
            "SELECT id, start_time, end_time, requests, prediction, grid, reference FROM monitor_windows WHERE id = ? AND endpoint = ?")));
        for (const qint64 id : {query.windowId, newestWithRows, snap.newestWindowId}) {
            if (id <= 0)
                continue;
            s.reset();
            s.bind(1, id).bind(2, snap.endpoint);
            if (s.next()) {
                snap.windowId = s.int64(0);
                snap.windowStart = s.int64(1);
                snap.windowEnd = s.int64(2);
                snap.windowRequests = s.int64(3);
                windowPrediction = s.text(4);
                windowGrid = s.text(5);
                windowReference = s.text(6);
                snap.windowReference = windowReference;
                break;
            }
            ORRERY_TRY(s.status());
        }
    }

    // The profile the window's sketches are binned on: its grid names the served version ("fraud
    // v1") whatever it was compared with (a version's profile, a past or a rolling window); older
    // rows without a grid name it in their reference, or the deployment's stable version does.
    static const QRegularExpression versionRef(QStringLiteral("^(.+) v(\\d+)$"));
    QRegularExpressionMatch m = versionRef.match(windowGrid);
    if (!m.hasMatch())
        m = versionRef.match(windowReference);
    if (m.hasMatch()) {
        snap.model = m.captured(1);
        snap.version = m.captured(2).toInt();
    } else {
        ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral("SELECT model, stable_version FROM deployments WHERE endpoint = ?")));
        s.bind(1, snap.endpoint);
        if (s.next()) {
            snap.model = s.text(0);
            snap.version = int(s.int64(1));
        }
        ORRERY_TRY(s.status());
    }
    ORRERY_ASSIGN_OR_RETURN(const ReferenceProfile profile, readProfile(db, snap.model, snap.version));
    const QString profileName = snap.model.isEmpty() ? QString() : QStringLiteral("%1 v%2").arg(snap.model).arg(snap.version);

    // Traffic over the span, bucketed in SQL.
    {
        ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral(
            "SELECT MIN(start_time), SUM(requests), SUM(end_time - start_time), SUM(latency_p50_ms * requests), "
            "SUM(CASE WHEN latency_p50_ms IS NOT NULL THEN requests ELSE 0 END), MAX(latency_p99_ms) "
            "FROM monitor_windows WHERE endpoint = ?1 AND start_time >= ?2 AND start_time <= ?3 "
            "GROUP BY (start_time - ?2) / ?4 ORDER BY 1")));
        s.bind(1, snap.endpoint).bind(2, snap.from).bind(3, newestStart).bind(4, snap.bucketMs);
        while (s.next()) {
            TrafficPoint p;
            p.time = s.int64(0);
            p.requests = s.int64(1);
            const double seconds = double(s.int64(2)) / 1000.0;
            p.requestsPerSecond = seconds > 0 ? double(p.requests) / seconds : 0;
            const double weight = s.isNull(4) ? 0 : s.real(4);
            p.p50Ms = weight > 0 ? s.real(3) / weight : qQNaN();
            p.p99Ms = realOrNan(s, 5);
            snap.traffic.append(p);
        }
        ORRERY_TRY(s.status());
    }

    // The heatmap: the newest windows, one column each.
    {
        ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral(
            "SELECT id, start_time, end_time FROM monitor_windows WHERE endpoint = ? ORDER BY start_time DESC, id DESC LIMIT ?")));
        s.bind(1, snap.endpoint).bind(2, std::max(1, query.heatmapColumns));
        DriftHeatmapData &h = snap.heatmap;
        while (s.next()) {
            h.windowIds.prepend(s.int64(0));
            h.starts.prepend(s.int64(1));
            h.ends.prepend(s.int64(2));
        }
        ORRERY_TRY(s.status());
        QHash<qint64, int> column;
        for (int i = 0; i < h.windowIds.size(); ++i)
            column.insert(h.windowIds[i], i);
        const auto [lo, hi] = std::minmax_element(h.windowIds.cbegin(), h.windowIds.cend());
        // `+endpoint`: the (endpoint, feature, start_time) index would read every row of the
        // endpoint (700 ms on 30 days); the window index reads these windows' rows only (2 ms).
        ORRERY_ASSIGN_OR_RETURN(auto f, db.prepare(QStringLiteral("SELECT window_id, feature, %1 FROM monitor_features "
                                                                  "WHERE window_id BETWEEN ? AND ? AND +endpoint = ?").arg(QLatin1String(kCellColumns))));
        f.bind(1, *lo).bind(2, *hi).bind(3, snap.endpoint);
        QHash<QString, QVector<DriftCell>> rows;
        while (f.next()) {
            const auto c = column.constFind(f.int64(0));
            if (c == column.cend())
                continue;
            QVector<DriftCell> &row = rows[f.text(1)];
            if (row.isEmpty())
                row.resize(h.windowIds.size());
            row[*c] = readCell(f, 2);
        }
        ORRERY_TRY(f.status());
        // Rows in the reference's order (the data's columns), others by name, the prediction last.
        QStringList names = rows.keys();
        std::sort(names.begin(), names.end(), [&](const QString &a, const QString &b) {
            const bool pa = a == kPrediction, pb = b == kPrediction;
            if (pa != pb)
                return pb;
            const qsizetype ia = profile.order.indexOf(a), ib = profile.order.indexOf(b);
            if ((ia < 0) != (ib < 0))
                return ia >= 0;
            return ia != ib ? ia < ib : a < b;
        });
        h.features = names;
        for (const QString &name : std::as_const(names))
            h.cells.append(rows.value(name));
    }

    // The selected feature: kept while it exists; else the first in alarm in the newest window.
    if (snap.heatmap.features.contains(query.feature)) {
        snap.feature = query.feature;
    } else {
        for (int r = 0; r < snap.heatmap.features.size() && snap.feature.isEmpty(); ++r)
            if (snap.heatmap.features[r] != kPrediction && !snap.heatmap.cells[r].isEmpty() && snap.heatmap.cells[r].last().alarm)
                snap.feature = snap.heatmap.features[r];
        if (snap.feature.isEmpty() && !snap.heatmap.features.isEmpty())
            snap.feature = snap.heatmap.features.first();
    }

    snap.stamp = stampOf(snap.feature);

    // Its effect over the span.
    if (!snap.feature.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral(
            "SELECT MIN(start_time), MAX(effect), MAX(effect_threshold), MAX(alarm) FROM monitor_features "
            "WHERE endpoint = ?1 AND feature = ?2 AND start_time >= ?3 AND start_time <= ?4 GROUP BY (start_time - ?3) / ?5 ORDER BY 1")));
        s.bind(1, snap.endpoint).bind(2, snap.feature).bind(3, snap.from).bind(4, newestStart).bind(5, snap.bucketMs);
        while (s.next())
            snap.effect.append({s.int64(0), realOrNan(s, 1), realOrNan(s, 2), !s.isNull(3) && s.int64(3) != 0});
        ORRERY_TRY(s.status());
    }

    // The selected window: its distributions and data quality.
    {
        const QString prediction = windowPrediction;
        const QJsonObject classes = parseObject(prediction).value(QStringLiteral("classes")).toObject();
        double total = 0;
        for (auto it = classes.begin(); it != classes.end(); ++it)
            total += it.value().toDouble();
        QStringList parts;
        if (total > 0)
            for (const QString &k : classes.keys())
                parts << QStringLiteral("%1: %2 %").arg(k).arg(100.0 * classes.value(k).toDouble() / total, 0, 'f', 1);
        snap.predictedClasses = parts.join(QStringLiteral(", "));

        ORRERY_ASSIGN_OR_RETURN(auto f, db.prepare(QStringLiteral(
            "SELECT feature, kind, rows, missing_share, out_of_range_share, unseen_share, counts, %1 FROM monitor_features WHERE window_id = ?")
                                                       .arg(QLatin1String(kCellColumns))));
        f.bind(1, snap.windowId);
        QHash<QString, QualityRow> quality;
        while (f.next()) {
            QualityRow q;
            q.feature = f.text(0);
            q.kind = f.text(1);
            q.rows = f.int64(2);
            q.missing = f.real(3);
            q.outOfRange = f.real(4);
            q.unseen = f.real(5);
            const DriftCell cell = readCell(f, 7);
            q.status = cell.status;
            quality.insert(q.feature, q);
            if (q.feature == snap.feature) {
                snap.distribution = distributionOf(q.feature, q.kind, f.text(6), profile, profileName);
                snap.distribution.cell = cell;
            }
            if (q.feature == kPrediction) {
                snap.prediction = distributionOf(q.feature, q.kind, f.text(6), profile, profileName);
                snap.prediction.cell = cell;
            }
        }
        ORRERY_TRY(f.status());
        for (const QString &name : std::as_const(snap.heatmap.features))
            if (quality.contains(name))
                snap.quality.append(quality.take(name));
        for (const QualityRow &q : std::as_const(quality))
            snap.quality.append(q);
    }

    return snap;
}

Result<QString> acknowledgeAlert(store::Database &db, qint64 alertId, const QString &actor)
{
    monitor::AlertStore store(db, nullptr, actor);
    ORRERY_ASSIGN_OR_RETURN(const monitor::AlertRecord row, store.acknowledge(alertId, actor));
    return QStringLiteral("Acknowledged %1").arg(row.title());
}

Result<QString> silenceAlert(store::Database &db, const QString &workspaceRoot, qint64 alertId, qint64 forMs, const QString &actor, qint64 nowMs)
{
    if (forMs <= 0)
        return invalidArgument(QStringLiteral("silence: the duration must be longer than 0 (got %1 ms)").arg(forMs));
    // alerts.yaml first, as `monitor alerts silence` reads it: a file that does not read changes nothing.
    monitor::AlertConfig config;
    if (!workspaceRoot.isEmpty()) {
        ORRERY_ASSIGN_OR_RETURN(config, monitor::loadAlertConfig(workspaceRoot + QLatin1Char('/') + monitor::kAlertsFileName));
    }
    monitor::AlertStore store(db, nullptr, actor);
    ORRERY_ASSIGN_OR_RETURN(const monitor::AlertRecord row, store.silence(alertId, nowMs + forMs, actor));
    const QString until = QDateTime::fromMSecsSinceEpoch(row.silencedUntil).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    if (config.alertmanager.isEmpty())
        return QStringLiteral("Silenced %1 until %2").arg(row.title(), until);
    // Alertmanager keeps its own silences: one matching the alert's labels, for the same time.
    monitor::AlertmanagerClient client(config.alertmanager);
    auto created = client.createSilence(row.labels, nowMs, nowMs + forMs, actor.isEmpty() ? QStringLiteral("orrery") : actor,
                                        QStringLiteral("silenced in the Monitoring area"));
    if (!created)
        return Status(created.status().code(), QStringLiteral("silenced %1 here until %2, but not in Alertmanager: %3; silence it again once it answers")
                                                   .arg(row.title(), until, created.status().message()));
    return QStringLiteral("Silenced %1 until %2 (Alertmanager silence %3)").arg(row.title(), until, *created);
}

} // namespace orrery::ui
