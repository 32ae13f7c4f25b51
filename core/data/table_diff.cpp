#include "core/data/table_diff.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>

#include <cmath>

namespace orrery::data {
namespace {

bool sameNumber(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue();
}

QString shown(double v)
{
    return std::isfinite(v) ? QString::number(v, 'g', 4) : QStringLiteral("—");
}

QString percent(double fraction)
{
    return QString::number(100.0 * fraction, 'f', 1) + QLatin1Char('%');
}

QString day(qint64 microseconds)
{
    return QDateTime::fromMSecsSinceEpoch(microseconds / 1000, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd"));
}

// The phrases of ColumnChange::what for a column in both versions.
QStringList describeChange(const ColumnStats &b, const ColumnStats &a)
{
    QStringList what;
    const auto compare = [&what](const QString &label, const QString &before, const QString &after) {
        if (before != after)
            what << QStringLiteral("%1 %2 → %3").arg(label, before, after);
    };
    compare(QStringLiteral("missing"), percent(b.nullFraction()), percent(a.nullFraction()));
    if (b.isNumeric() && a.isNumeric()) {
        compare(QStringLiteral("mean"), shown(b.mean), shown(a.mean));
        compare(QStringLiteral("std"), shown(b.std), shown(a.std));
        compare(QStringLiteral("min"), shown(b.min), shown(a.min));
        compare(QStringLiteral("max"), shown(b.max), shown(a.max));
    } else if (b.type == ColumnType::Timestamp && a.type == ColumnType::Timestamp && b.count > 0 && a.count > 0) {
        compare(QStringLiteral("oldest"), day(b.minTimestamp), day(a.minTimestamp));
        compare(QStringLiteral("newest"), day(b.maxTimestamp), day(a.maxTimestamp));
    }
    if (b.type == ColumnType::Category && a.type == ColumnType::Category) {
        QHash<QString, double> shareBefore, shareAfter;
        for (const ValueCount &v : b.categories)
            shareBefore.insert(v.value, b.count > 0 ? double(v.count) / double(b.count) : 0.0);
        for (const ValueCount &v : a.categories)
            shareAfter.insert(v.value, a.count > 0 ? double(v.count) / double(a.count) : 0.0);
        QStringList added, gone;
        for (const ValueCount &v : a.categories)
            if (!shareBefore.contains(v.value))
                added << v.value;
        for (const ValueCount &v : b.categories)
            if (!shareAfter.contains(v.value))
                gone << v.value;
        if (!added.isEmpty())
            what << QStringLiteral("new values: %1").arg(added.join(QStringLiteral(", ")));
        if (!gone.isEmpty())
            what << QStringLiteral("gone: %1").arg(gone.join(QStringLiteral(", ")));
        // The value whose share moved most, when it moved by at least one percentage point.
        QString moved;
        double most = 0.01;
        for (auto it = shareAfter.cbegin(); it != shareAfter.cend(); ++it) {
            const double delta = std::abs(it.value() - shareBefore.value(it.key(), 0.0));
            if (shareBefore.contains(it.key()) && delta >= most) {
                most = delta;
                moved = it.key();
            }
        }
        if (!moved.isEmpty())
            what << QStringLiteral("share of %1 %2 → %3").arg(moved, percent(shareBefore.value(moved)), percent(shareAfter.value(moved)));
    } else if (b.distinct != a.distinct && (a.type == ColumnType::String || b.type == ColumnType::String)) {
        what << QStringLiteral("distinct %1 → %2").arg(b.distinct).arg(a.distinct);
    }
    if (what.isEmpty() && a.rows() != b.rows())
        what << (a.rows() > b.rows() ? QStringLiteral("same figures, more rows") : QStringLiteral("same figures, fewer rows"));
    return what;
}

} // namespace

const char *columnChangeName(ColumnChange::Kind kind)
{
    switch (kind) {
    case ColumnChange::Added: return "added";
    case ColumnChange::Removed: return "removed";
    case ColumnChange::Retyped: return "retyped";
    case ColumnChange::Changed: return "changed";
    case ColumnChange::Unchanged: return "unchanged";
    }
    return "?";
}

TableDiff compareProfiles(const DatasetProfile &before, const DatasetProfile &after)
{
    TableDiff diff;
    diff.rowsBefore = before.rows;
    diff.rowsAfter = after.rows;
    const auto find = [](const DatasetProfile &p, const QString &name) -> const ColumnStats * {
        for (const ColumnStats &c : p.columns)
            if (c.name == name)
                return &c;
        return nullptr;
    };
    for (const ColumnStats &a : after.columns) {
        ColumnChange change;
        change.name = a.name;
        change.after = &a;
        change.before = find(before, a.name);
        if (!change.before) {
            change.kind = ColumnChange::Added;
        } else {
            const ColumnStats &b = *change.before;
            change.nullFractionDelta = a.nullFraction() - b.nullFraction();
            change.distinctDelta = a.distinct - b.distinct;
            if (a.isNumeric() && b.isNumeric())
                change.meanDelta = a.mean - b.mean;
            if (a.type != b.type) {
                change.kind = ColumnChange::Retyped;
                change.what << QStringLiteral("type %1 → %2").arg(QLatin1String(columnTypeName(b.type)), QLatin1String(columnTypeName(a.type)));
            } else if (a.count != b.count || a.nulls != b.nulls || a.distinct != b.distinct || !sameNumber(a.mean, b.mean)
                       || !sameNumber(a.std, b.std) || !sameNumber(a.min, b.min) || !sameNumber(a.max, b.max)) {
                change.kind = ColumnChange::Changed;
                change.what = describeChange(b, a);
            }
        }
        diff.columns.append(change);
    }
    for (const ColumnStats &b : before.columns) {
        if (find(after, b.name))
            continue;
        ColumnChange change;
        change.kind = ColumnChange::Removed;
        change.name = b.name;
        change.before = &b;
        diff.columns.append(change);
    }
    return diff;
}

QJsonObject TableDiff::toJson() const
{
    QJsonArray cols;
    for (const ColumnChange &c : columns) {
        QJsonObject o{{QStringLiteral("name"), c.name}, {QStringLiteral("change"), QString::fromLatin1(columnChangeName(c.kind))},
                      {QStringLiteral("what"), QJsonArray::fromStringList(c.what)}};
        if (c.before && c.after) {
            o.insert(QStringLiteral("mean_before"), number(c.before->mean));
            o.insert(QStringLiteral("mean_after"), number(c.after->mean));
            o.insert(QStringLiteral("null_fraction_before"), c.before->nullFraction());
            o.insert(QStringLiteral("null_fraction_after"), c.after->nullFraction());
            o.insert(QStringLiteral("distinct_before"), c.before->distinct);
            o.insert(QStringLiteral("distinct_after"), c.after->distinct);
        }
        cols.append(o);
    }
    return {{QStringLiteral("rows_before"), rowsBefore}, {QStringLiteral("rows_after"), rowsAfter}, {QStringLiteral("columns"), cols}};
}

} // namespace orrery::data
