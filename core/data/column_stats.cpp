#include "core/data/column_stats.h"

#include <QJsonArray>

namespace orrery::data {
namespace {
QJsonValue number(double v)
{
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(); // JSON has no NaN: null
}
QJsonArray valueCounts(const std::vector<ValueCount> &values)
{
    QJsonArray out;
    for (const ValueCount &v : values)
        out.append(QJsonObject{{QStringLiteral("value"), v.value}, {QStringLiteral("count"), v.count}});
    return out;
}
} // namespace

const std::vector<double> &standardQuantiles()
{
    static const std::vector<double> ps = {0.01, 0.05, 0.25, 0.50, 0.75, 0.95, 0.99};
    return ps;
}

QString quantileName(double p)
{
    return QStringLiteral("p%1").arg(qRound(p * 100.0), 2, 10, QLatin1Char('0'));
}

QJsonObject ColumnStats::toJson() const
{
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("type"), QLatin1String(columnTypeName(type))},
                  {QStringLiteral("count"), count},
                  {QStringLiteral("nulls"), nulls},
                  {QStringLiteral("null_fraction"), nullFraction()},
                  {QStringLiteral("distinct"), distinct},
                  {QStringLiteral("distinct_exact"), distinctExact},
                  {QStringLiteral("unique"), isUnique()},
                  {QStringLiteral("kinds"), QJsonObject{{QStringLiteral("int"), ints},
                                                        {QStringLiteral("float"), floats},
                                                        {QStringLiteral("bool"), bools},
                                                        {QStringLiteral("timestamp"), timestamps},
                                                        {QStringLiteral("text"), texts}}},
                  {QStringLiteral("formula_like"), formulaLike}};
    if (!distinctExact)
        o.insert(QStringLiteral("distinct_relative_error"), distinctRelativeError);
    if (isNumeric()) {
        o.insert(QStringLiteral("mean"), number(mean));
        o.insert(QStringLiteral("std"), number(std));
        if (type == ColumnType::Int) {
            o.insert(QStringLiteral("min"), QJsonValue(minInt));
            o.insert(QStringLiteral("max"), QJsonValue(maxInt));
        } else {
            o.insert(QStringLiteral("min"), number(min));
            o.insert(QStringLiteral("max"), number(max));
        }
        QJsonObject q;
        for (const auto &[p, v] : quantiles)
            q.insert(quantileName(p), number(v));
        o.insert(QStringLiteral("quantiles"), q);
        o.insert(QStringLiteral("quantiles_exact"), quantilesExact);
        if (!quantilesExact)
            o.insert(QStringLiteral("quantile_rank_error"), quantileRankError);
        QJsonArray edges, counts;
        for (double e : histogram.edges)
            edges.append(e);
        for (qint64 c : histogram.counts)
            counts.append(c);
        o.insert(QStringLiteral("histogram"), QJsonObject{{QStringLiteral("edges"), edges}, {QStringLiteral("counts"), counts}});
    }
    if (type == ColumnType::Timestamp && count > 0) {
        o.insert(QStringLiteral("min"), formatTimestamp(minTimestamp));
        o.insert(QStringLiteral("max"), formatTimestamp(maxTimestamp));
    }
    o.insert(QStringLiteral("top"), valueCounts(top));
    o.insert(QStringLiteral("top_exact"), topExact);
    if (!topExact)
        o.insert(QStringLiteral("top_count_error"), topCountError);
    if (type == ColumnType::Category)
        o.insert(QStringLiteral("categories"), valueCounts(categories));
    return o;
}

} // namespace orrery::data
