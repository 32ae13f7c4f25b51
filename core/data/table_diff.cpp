#include "core/data/table_diff.h"

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
            if (a.type != b.type)
                change.kind = ColumnChange::Retyped;
            else if (a.count != b.count || a.nulls != b.nulls || a.distinct != b.distinct || !sameNumber(a.mean, b.mean)
                     || !sameNumber(a.std, b.std) || !sameNumber(a.min, b.min) || !sameNumber(a.max, b.max))
                change.kind = ColumnChange::Changed;
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
        QJsonObject o{{QStringLiteral("name"), c.name}, {QStringLiteral("change"), QString::fromLatin1(columnChangeName(c.kind))}};
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
