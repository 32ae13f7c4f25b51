#include "ui/data/column_stats_model.h"

#include "ui/common/stat_format.h"

#include <cmath>

namespace orrery::ui {
namespace {

bool hasBars(const data::ColumnStats &c)
{
    return (c.isNumeric() && !c.histogram.counts.empty())
        || ((c.type == data::ColumnType::Category || c.type == data::ColumnType::Bool) && !c.top.empty());
}

} // namespace

ColumnStatsModel::ColumnStatsModel(QObject *parent) : QAbstractTableModel(parent) {}

void ColumnStatsModel::setProfile(std::shared_ptr<const data::DatasetProfile> profile)
{
    beginResetModel();
    m_profile = std::move(profile);
    endResetModel();
}

int ColumnStatsModel::findColumn(const QString &name) const
{
    if (!m_profile)
        return -1;
    for (size_t i = 0; i < m_profile->columns.size(); ++i)
        if (m_profile->columns[i].name == name)
            return int(i);
    return -1;
}

int ColumnStatsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_profile ? 0 : int(m_profile->columns.size());
}

int ColumnStatsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

double ColumnStatsModel::median(const data::ColumnStats &c)
{
    for (const auto &[p, v] : c.quantiles)
        if (std::fabs(p - 0.5) < 1e-9)
            return v;
    return std::nan("");
}

QString ColumnStatsModel::topValuesText(const data::ColumnStats &c, int n)
{
    if (c.isUnique())
        return tr("all distinct");
    // When most values occur once, the "top" values of a large column are an arbitrary handful
    // (ids, timestamps): say so instead. A small table's few values are worth listing.
    if (c.count >= 100 && c.distinct * 2 > c.count)
        return tr("mostly distinct");
    QStringList parts;
    for (size_t i = 0; i < c.top.size() && int(i) < n; ++i)
        parts << tr("%1 (%2)").arg(c.top[i].value.isEmpty() ? tr("empty") : c.top[i].value, statformat::count(c.top[i].count));
    if (int(c.top.size()) > n)
        parts << QStringLiteral("…");
    return parts.join(QStringLiteral(", "));
}

QVariant ColumnStatsModel::display(const data::ColumnStats &c, int column) const
{
    const bool integer = c.type == data::ColumnType::Int;
    const bool time = c.type == data::ColumnType::Timestamp && c.count > 0;
    switch (column) {
    case NameColumn: return c.name;
    case TypeColumn: return QString::fromLatin1(data::columnTypeName(c.type));
    case CountColumn: return statformat::count(c.count);
    case NullsColumn: return statformat::percent(c.nullFraction());
    case MeanColumn: return c.isNumeric() ? statformat::number(c.mean) : QString();
    case StdColumn: return c.isNumeric() ? statformat::number(c.std) : QString();
    case MinColumn:
        return integer && c.count > 0 ? statformat::count(c.minInt)
            : time                     ? statformat::timestamp(c.minTimestamp)
            : c.isNumeric()            ? statformat::number(c.min)
                                       : QString();
    case MedianColumn: return c.isNumeric() ? statformat::number(median(c)) : QString();
    case MaxColumn:
        return integer && c.count > 0 ? statformat::count(c.maxInt)
            : time                     ? statformat::timestamp(c.maxTimestamp)
            : c.isNumeric()            ? statformat::number(c.max)
                                       : QString();
    case DistinctColumn: return (c.distinctExact ? QString() : QStringLiteral("≈")) + statformat::count(c.distinct);
    case TopColumn:
        // A float column's most frequent values say little; its histogram says more.
        return c.type == data::ColumnType::Float ? QString() : topValuesText(c);
    }
    return {};
}

QVariant ColumnStatsModel::value(const data::ColumnStats &c, int column) const
{
    switch (column) {
    case CountColumn: return c.count;
    case NullsColumn: return c.nullFraction();
    case MeanColumn: return c.isNumeric() ? QVariant(c.mean) : QVariant();
    case StdColumn: return c.isNumeric() ? QVariant(c.std) : QVariant();
    case MinColumn: return c.isNumeric() ? QVariant(c.min) : QVariant();
    case MedianColumn: return c.isNumeric() ? QVariant(median(c)) : QVariant();
    case MaxColumn: return c.isNumeric() ? QVariant(c.max) : QVariant();
    case DistinctColumn: return c.distinct;
    }
    return {};
}

QString ColumnStatsModel::toolTip(const data::ColumnStats &c, int column) const
{
    QStringList lines{tr("%1 (%2)").arg(c.name, QString::fromLatin1(data::columnTypeName(c.type)))};
    if (column == TopColumn || column == NameColumn || column == TypeColumn) {
        for (const data::ValueCount &v : c.top)
            lines << tr("%1: %2 (%3)").arg(v.value.isEmpty() ? tr("empty") : v.value, statformat::count(v.count),
                                          statformat::percent(c.rows() > 0 ? double(v.count) / double(c.rows()) : 0.0));
        if (!c.topExact)
            lines << tr("Counts may be low by up to %1 (the column has too many values to count each).").arg(statformat::count(c.topCountError));
    }
    if (c.isNumeric() && column != TopColumn) {
        QStringList q;
        for (const auto &[p, v] : c.quantiles)
            q << QStringLiteral("%1 %2").arg(data::quantileName(p), statformat::number(v));
        if (!q.isEmpty())
            lines << q.join(QStringLiteral(", "));
        if (!c.quantilesExact)
            lines << tr("Quantiles from a sample: rank error ±%1").arg(statformat::percent(c.quantileRankError));
        if (column == HistogramColumn && c.histogram.edges.size() >= 2)
            lines << tr("%1 bins from %2 to %3").arg(c.histogram.counts.size())
                         .arg(statformat::number(c.histogram.edges.front()), statformat::number(c.histogram.edges.back()));
    }
    if (column == HistogramColumn && !c.isNumeric() && hasBars(c))
        lines << tr("Bars: the most frequent values, most frequent first.");
    if (column == DistinctColumn && !c.distinctExact)
        lines << tr("Estimated (HyperLogLog): ±%1").arg(statformat::percent(c.distinctRelativeError));
    if (c.formulaLike > 0)
        lines << tr("%1 cells look like spreadsheet formulas.").arg(statformat::count(c.formulaLike));
    return lines.join(QLatin1Char('\n'));
}

QVariant ColumnStatsModel::data(const QModelIndex &index, int role) const
{
    if (!m_profile || !index.isValid() || index.row() >= int(m_profile->columns.size()))
        return {};
    const data::ColumnStats &c = m_profile->columns[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole: return display(c, index.column());
    case Qt::ToolTipRole: return toolTip(c, index.column());
    case ValueRole: return value(c, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() >= CountColumn && index.column() <= DistinctColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case HistogramRole: {
        if (index.column() != HistogramColumn || !hasBars(c))
            return {};
        QList<double> bars;
        if (c.isNumeric())
            for (qint64 n : c.histogram.counts)
                bars << double(n);
        else
            for (const data::ValueCount &v : c.top)
                bars << double(v.count);
        return QVariant::fromValue(bars);
    }
    }
    return {};
}

QVariant ColumnStatsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole && section >= CountColumn && section <= DistinctColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Column");
    case TypeColumn: return tr("Type");
    case CountColumn: return tr("Count");
    case NullsColumn: return tr("Nulls");
    case MeanColumn: return tr("Mean");
    case StdColumn: return tr("Std");
    case MinColumn: return tr("Min");
    case MedianColumn: return tr("Median");
    case MaxColumn: return tr("Max");
    case DistinctColumn: return tr("Distinct");
    case TopColumn: return tr("Top values");
    case HistogramColumn: return tr("Distribution");
    }
    return {};
}

} // namespace orrery::ui
