#include "core/tracking/run_table_query.h"

#include "core/store/database.h"
#include "core/tracking/run_search.h"
#include "core/tracking/tracking_store.h"

#include <QHash>

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::tracking {
namespace {

QString marks(int n)
{
    QStringList m;
    m.reserve(n);
    for (int i = 0; i < n; ++i)
        m << QStringLiteral("?");
    return m.join(QLatin1Char(','));
}

// The SQL of a run attribute column (in the run r).
Result<QString> attributeExpression(const QString &key)
{
    if (key == QLatin1String("run_name"))
        return QStringLiteral("r.name");
    if (key == QLatin1String("run_id"))
        return QStringLiteral("r.id");
    if (key == QLatin1String("status") || key == QLatin1String("start_time") || key == QLatin1String("end_time")
        || key == QLatin1String("user_id"))
        return QStringLiteral("r.") + key;
    if (key == QLatin1String("duration"))
        return QStringLiteral("(coalesce(r.end_time, r.heartbeat_time) - r.start_time)");
    return invalidArgument(QStringLiteral("'%1' is not a run column (known: run_name, run_id, status, start_time, end_time, duration, user_id)").arg(key));
}

QString scopeSql(const QStringList &experimentIds, ViewType view, QVector<QVariant> *bindings)
{
    QString sql;
    if (view == ViewType::ActiveOnly)
        sql += QStringLiteral(" AND r.lifecycle_stage = 'active'");
    else if (view == ViewType::DeletedOnly)
        sql += QStringLiteral(" AND r.lifecycle_stage = 'deleted'");
    if (!experimentIds.isEmpty()) {
        sql += QStringLiteral(" AND r.experiment_id IN (%1)").arg(marks(int(experimentIds.size())));
        for (const QString &e : experimentIds)
            bindings->append(e.toLongLong());
    }
    return sql;
}

// Run ids found by their UTF-8 bytes, as a read gives them: no QString per row read. Open
// addressing in one flat array whose slots hold the id's full hash and where its bytes are, so a
// probe touches its slot and, on a hash match, the bytes. At 100,000 runs a QHash of QStrings (or an
// std::unordered_map of views) costs more than the SQL read itself: a lookup there misses the
// cache three or four times.
class RunIdIndex {
public:
    explicit RunIdIndex(const QStringList &ids)
    {
        std::vector<std::pair<quint32, quint32>> spans; // offset, length in m_bytes
        spans.reserve(size_t(ids.size()));
        m_bytes.reserve(size_t(ids.size()) * 33);
        for (const QString &id : ids) {
            const size_t offset = m_bytes.size();
            appendUtf8(id);
            spans.emplace_back(quint32(offset), quint32(m_bytes.size() - offset));
        }
        size_t capacity = 16;
        while (capacity < spans.size() * 2)
            capacity *= 2;
        m_mask = capacity - 1;
        m_slots.assign(capacity, Slot{});
        for (size_t i = 0; i < spans.size(); ++i) {
            const quint64 h = hash(bytesAt(spans[i].first, spans[i].second));
            size_t at = h & m_mask;
            while (m_slots[at].index >= 0)
                at = (at + 1) & m_mask;
            m_slots[at] = {h, spans[i].first, spans[i].second, int(i)};
        }
    }

    // The position of `id` in the list given; -1 when absent. A repeated id gives its first place
    // (inserted in order and probed linearly, the first place comes first).
    int find(std::string_view id) const
    {
        const quint64 h = hash(id);
        for (size_t at = h & m_mask; m_slots[at].index >= 0; at = (at + 1) & m_mask) {
            const Slot &slot = m_slots[at];
            if (slot.hash == h && bytesAt(slot.offset, slot.length) == id)
                return slot.index;
        }
        return -1;
    }

private:
    struct Slot {
        quint64 hash = 0;
        quint32 offset = 0;
        quint32 length = 0;
        int index = -1;
    };
    static quint64 hash(std::string_view s) { return std::hash<std::string_view>{}(s); }
    std::string_view bytesAt(quint32 offset, quint32 length) const { return std::string_view(m_bytes.data() + offset, length); }
    void appendUtf8(const QString &id)
    {
        const size_t start = m_bytes.size();
        for (const QChar c : id) {
            if (c.unicode() >= 0x80) { // run ids are ASCII; anything else the long way
                m_bytes.resize(start);
                const QByteArray utf8 = id.toUtf8();
                m_bytes.append(utf8.constData(), size_t(utf8.size()));
                return;
            }
            m_bytes.push_back(char(c.unicode()));
        }
    }

    std::string m_bytes;
    std::vector<Slot> m_slots;
    size_t m_mask = 0;
};

} // namespace

QString RunColumn::qualifiedName() const
{
    const QString quoted = key.contains(QLatin1Char(' ')) || key.contains(QLatin1Char('-')) ? QLatin1Char('`') + key + QLatin1Char('`') : key;
    switch (kind) {
    case Param:
        return QStringLiteral("params.") + quoted;
    case Metric:
        return QStringLiteral("metrics.") + quoted;
    case Tag:
        return QStringLiteral("tags.") + quoted;
    case Attribute:
        break;
    }
    return QStringLiteral("attributes.") + key;
}

Result<QStringList> orderedRunIds(store::Database &db, const RunTableQuery &query)
{
    QVector<QVariant> whereBindings;
    ORRERY_ASSIGN_OR_RETURN(auto where, filterToSql(query.filter, &whereBindings));

    QVector<QVariant> bindings;
    QString join;
    QString order;
    const QString dir = query.descending ? QStringLiteral("DESC") : QStringLiteral("ASC");
    if (query.sorted) {
        const RunColumn &c = query.sortColumn;
        switch (c.kind) {
        case RunColumn::Metric:
            // One join on latest_metrics' primary key per run, not a correlated subquery per
            // comparison; NaN (stored as NULL with is_nan) sorts with the missing values.
            join = QStringLiteral(" LEFT JOIN latest_metrics s ON s.run_id = r.id AND s.key = ?");
            bindings << c.key;
            order = QStringLiteral("s.value IS NULL, s.value %1").arg(dir);
            break;
        case RunColumn::Param:
        case RunColumn::Tag:
            join = QStringLiteral(" LEFT JOIN %1 s ON s.run_id = r.id AND s.key = ?")
                       .arg(c.kind == RunColumn::Param ? QStringLiteral("params") : QStringLiteral("tags"));
            bindings << c.key;
            // Numbers first in numeric order, then text: "2" < "10", and "adam" < "sgd".
            order = QStringLiteral("s.value IS NULL, (s.value = '' OR s.value GLOB '*[^0-9eE.+-]*'), CAST(s.value AS REAL) %1, s.value %1").arg(dir);
            break;
        case RunColumn::Attribute: {
            ORRERY_ASSIGN_OR_RETURN(auto expr, attributeExpression(c.key));
            order = QStringLiteral("%1 IS NULL, %1 %2").arg(expr, dir);
            break;
        }
        }
        order += QStringLiteral(", ");
    }
    order += QStringLiteral("r.start_time DESC, r.id ASC");

    QString sql = QStringLiteral("SELECT r.id FROM runs r%1 WHERE (%2)").arg(join, where);
    bindings += whereBindings;
    sql += scopeSql(query.experimentIds, query.view, &bindings);
    sql += QStringLiteral(" ORDER BY ") + order;
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(sql));
    s.bindAll(bindings);
    QStringList ids;
    while (s.next())
        ids << s.text(0);
    ORRERY_TRY(s.status());
    return ids;
}

Result<QStringList> sortRunIdsByMetric(store::Database &db, const QStringList &ids, const QString &key, bool descending)
{
    const RunIdIndex indexOf(ids);

    // latest_metrics_by_key covers this read: one range scan of the key, no lookup per row.
    // NaN is stored as NULL with is_nan and sorts with the missing values.
    ORRERY_ASSIGN_OR_RETURN(
        auto s, db.prepare(QStringLiteral("SELECT run_id, value FROM latest_metrics WHERE key = ? AND value IS NOT NULL AND is_nan = 0")));
    s.bind(1, key);
    struct Entry {
        double value;
        int index;
    };
    std::vector<Entry> entries;
    entries.reserve(size_t(ids.size()));
    std::vector<char> has(size_t(ids.size()), 0);
    while (s.next()) {
        const int i = indexOf.find(s.utf8(0));
        if (i < 0 || has[size_t(i)])
            continue;
        has[size_t(i)] = 1;
        entries.push_back({s.real(1), i});
    }
    ORRERY_TRY(s.status());
    // Ties keep the order given, either way.
    std::sort(entries.begin(), entries.end(), [descending](const Entry &a, const Entry &b) {
        if (a.value != b.value)
            return descending ? a.value > b.value : a.value < b.value;
        return a.index < b.index;
    });
    QStringList out;
    out.reserve(ids.size());
    for (const Entry &e : entries)
        out << ids[e.index];
    for (size_t i = 0; i < has.size(); ++i) // runs without the metric last, in the order given
        if (!has[i])
            out << ids[int(i)];
    return out;
}

Result<QVector<RunRow>> runRows(store::Database &db, const QStringList &ids, const QVector<RunColumn> &columns)
{
    QVector<RunRow> rows;
    if (ids.isEmpty())
        return rows;
    QHash<QString, int> byId;
    QVector<RunRow> found(ids.size());
    QVector<bool> present(ids.size(), false);
    for (int i = 0; i < ids.size(); ++i)
        byId.insert(ids[i], i);

    // SQLite allows 32,766 bindings; pages are far smaller, but chunk anyway.
    constexpr int kChunk = 500;
    QHash<QString, QVector<int>> columnsByKey[4];
    for (int c = 0; c < columns.size(); ++c)
        columnsByKey[columns[c].kind][columns[c].key].append(c);

    for (int from = 0; from < ids.size(); from += kChunk) {
        const QStringList chunk = ids.mid(from, kChunk);
        QVector<QVariant> idBindings;
        for (const QString &id : chunk)
            idBindings << id;
        {
            ORRERY_ASSIGN_OR_RETURN(auto s,
                db.prepare(QStringLiteral("SELECT %1, heartbeat_time FROM runs r WHERE id IN (%2)")
                               .arg(QLatin1String(kRunColumns), marks(int(chunk.size())))));
            s.bindAll(idBindings);
            while (s.next()) {
                const int i = byId.value(s.text(0), -1);
                if (i < 0)
                    continue;
                RunRow &row = found[i];
                row.info = readRunInfo(s);
                row.values.resize(columns.size());
                present[i] = true;
                const qint64 end = row.info.endTime ? row.info.endTime : s.int64(10);
                for (const int c : columnsByKey[RunColumn::Attribute].value(QStringLiteral("duration")))
                    row.values[c] = double(end - row.info.startTime);
                for (const int c : columnsByKey[RunColumn::Attribute].value(QStringLiteral("run_name")))
                    row.values[c] = row.info.runName;
                for (const int c : columnsByKey[RunColumn::Attribute].value(QStringLiteral("run_id")))
                    row.values[c] = row.info.runId;
                for (const int c : columnsByKey[RunColumn::Attribute].value(QStringLiteral("status")))
                    row.values[c] = QString::fromLatin1(runStatusName(row.info.status));
                for (const int c : columnsByKey[RunColumn::Attribute].value(QStringLiteral("start_time")))
                    row.values[c] = double(row.info.startTime);
                for (const int c : columnsByKey[RunColumn::Attribute].value(QStringLiteral("end_time")))
                    if (row.info.endTime)
                        row.values[c] = double(row.info.endTime);
                for (const int c : columnsByKey[RunColumn::Attribute].value(QStringLiteral("user_id")))
                    row.values[c] = row.info.userId;
            }
            ORRERY_TRY(s.status());
        }
        // "+key": the key is tested on each row the runs' primary-key prefix finds (a few per run).
        // Left to itself SQLite would pick latest_metrics_by_key for the key list, covering but
        // spanning every run of the database: 1.5 s instead of 1 ms for a page at 100,000 runs.
        const struct {
            RunColumn::Kind kind;
            const char *sql;
        } tables[] = {{RunColumn::Param, "SELECT run_id, key, value FROM params WHERE run_id IN (%1) AND +key IN (%2)"},
                      {RunColumn::Tag, "SELECT run_id, key, value FROM tags WHERE run_id IN (%1) AND +key IN (%2)"},
                      {RunColumn::Metric, "SELECT run_id, key, value, is_nan FROM latest_metrics WHERE run_id IN (%1) AND +key IN (%2)"}};
        for (const auto &t : tables) {
            const auto &wanted = columnsByKey[t.kind];
            if (wanted.isEmpty())
                continue;
            QVector<QVariant> b = idBindings;
            for (auto it = wanted.begin(); it != wanted.end(); ++it)
                b << it.key();
            ORRERY_ASSIGN_OR_RETURN(
                auto s, db.prepare(QString::fromLatin1(t.sql).arg(marks(int(chunk.size())), marks(int(wanted.size())))));
            s.bindAll(b);
            while (s.next()) {
                const int i = byId.value(s.text(0), -1);
                if (i < 0 || !present[i])
                    continue;
                QVariant v;
                if (t.kind == RunColumn::Metric)
                    v = s.int64(3) ? std::nan("") : s.real(2);
                else
                    v = s.text(2);
                for (const int c : wanted.value(s.text(1)))
                    found[i].values[c] = v;
            }
            ORRERY_TRY(s.status());
        }
    }
    rows.reserve(ids.size());
    for (int i = 0; i < ids.size(); ++i)
        if (present[i])
            rows.append(std::move(found[i]));
    return rows;
}

Result<ExperimentKeys> experimentKeys(store::Database &db, const QStringList &experimentIds, int sampleRuns)
{
    QVector<QVariant> bindings;
    const QString scope = scopeSql(experimentIds, ViewType::ActiveOnly, &bindings);
    const QString sample = QStringLiteral("SELECT r.id FROM runs r WHERE 1%1 ORDER BY r.start_time DESC LIMIT %2").arg(scope).arg(sampleRuns);
    ExperimentKeys keys;
    const struct {
        QStringList *out;
        const char *table;
    } tables[] = {{&keys.params, "params"}, {&keys.metrics, "latest_metrics"}, {&keys.tags, "tags"}};
    for (const auto &t : tables) {
        ORRERY_ASSIGN_OR_RETURN(auto s,
            db.prepare(
                QStringLiteral("SELECT DISTINCT key FROM %1 WHERE run_id IN (%2) ORDER BY key").arg(QLatin1String(t.table), sample)));
        s.bindAll(bindings);
        while (s.next())
            t.out->append(s.text(0));
        ORRERY_TRY(s.status());
    }
    return keys;
}

Result<QStringList> metricKeysOfRuns(store::Database &db, const QStringList &runIds)
{
    QStringList keys;
    if (runIds.isEmpty())
        return keys;
    ORRERY_ASSIGN_OR_RETURN(auto s,
        db.prepare(
            QStringLiteral("SELECT DISTINCT key FROM latest_metrics WHERE run_id IN (%1) ORDER BY key").arg(marks(int(runIds.size())))));
    QVector<QVariant> b;
    for (const QString &id : runIds)
        b << id;
    s.bindAll(b);
    while (s.next())
        keys << s.text(0);
    ORRERY_TRY(s.status());
    return keys;
}

Result<QString> runsFingerprint(store::Database &db, const QStringList &experimentIds)
{
    QVector<QVariant> bindings;
    const QString scope = scopeSql(experimentIds, ViewType::All, &bindings);
    ORRERY_ASSIGN_OR_RETURN(auto s,
        db.prepare(QStringLiteral("SELECT count(*), max(r.start_time), max(coalesce(r.end_time, 0)), sum(r.status = 'RUNNING'), "
                                  "sum(r.lifecycle_stage = 'active') FROM runs r WHERE 1%1")
                       .arg(scope)));
    s.bindAll(bindings);
    if (!s.next())
        return s.status();
    return QStringLiteral("%1/%2/%3/%4/%5").arg(s.int64(0)).arg(s.int64(1)).arg(s.int64(2)).arg(s.int64(3)).arg(s.int64(4));
}

Result<QVector<std::pair<QString, qint64>>> runCounts(store::Database &db)
{
    ORRERY_ASSIGN_OR_RETURN(auto s,
        db.prepare(QStringLiteral("SELECT experiment_id, count(*) FROM runs WHERE lifecycle_stage = 'active' GROUP BY experiment_id")));
    QVector<std::pair<QString, qint64>> counts;
    while (s.next())
        counts.append({QString::number(s.int64(0)), s.int64(1)});
    ORRERY_TRY(s.status());
    return counts;
}

} // namespace orrery::tracking
