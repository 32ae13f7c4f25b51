#include "ui/data/column_diff_model.h"

#include "ui/common/stat_format.h"

#include <QFont>

namespace orrery::ui {
namespace {

bool isBefore(int column)
{
    return column == ColumnDiffModel::MeanBefore || column == ColumnDiffModel::StdBefore
        || column == ColumnDiffModel::NullsBefore || column == ColumnDiffModel::DistinctBefore;
}

bool isFigure(int column)
{
    return column >= ColumnDiffModel::MeanBefore && column <= ColumnDiffModel::DistinctAfter;
}

// The figure as the table shows it.
QString shown(const data::ColumnStats *c, int column)
{
    if (!c)
        return {};
    switch (column) {
    case ColumnDiffModel::MeanBefore: case ColumnDiffModel::MeanAfter:
        return c->isNumeric() ? statformat::number(c->mean) : QString();
    case ColumnDiffModel::StdBefore: case ColumnDiffModel::StdAfter:
        return c->isNumeric() ? statformat::number(c->std) : QString();
    case ColumnDiffModel::NullsBefore: case ColumnDiffModel::NullsAfter:
        return statformat::percent(c->nullFraction());
    case ColumnDiffModel::DistinctBefore: case ColumnDiffModel::DistinctAfter:
        return (c->distinctExact ? QString() : QStringLiteral("≈")) + statformat::count(c->distinct);
    }
    return {};
}

} // namespace

ColumnDiffModel::ColumnDiffModel(QObject *parent) : QAbstractTableModel(parent) {}

void ColumnDiffModel::setProfiles(std::shared_ptr<const data::DatasetProfile> before,
                                  std::shared_ptr<const data::DatasetProfile> after)
{
    beginResetModel();
    m_before = std::move(before);
    m_after = std::move(after);
    m_diff = m_before && m_after ? data::compareProfiles(*m_before, *m_after) : data::TableDiff{};
    endResetModel();
}

void ColumnDiffModel::clear()
{
    setProfiles(nullptr, nullptr);
}

int ColumnDiffModel::findColumn(const QString &name) const
{
    for (int i = 0; i < m_diff.columns.size(); ++i)
        if (m_diff.columns[i].name == name)
            return i;
    return -1;
}

int ColumnDiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_diff.columns.size());
}

int ColumnDiffModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ColumnDiffModel::figure(const data::ColumnStats *c, int column)
{
    if (!c)
        return {};
    switch (column) {
    case MeanBefore: case MeanAfter: return c->isNumeric() ? QVariant(c->mean) : QVariant();
    case StdBefore: case StdAfter: return c->isNumeric() ? QVariant(c->std) : QVariant();
    case NullsBefore: case NullsAfter: return c->nullFraction();
    case DistinctBefore: case DistinctAfter: return c->distinct;
    }
    return {};
}

bool ColumnDiffModel::isChanged(const data::ColumnChange &change, int column) const
{
    using K = data::ColumnChange;
    // Structural changes light up; "changed" (the figures moved) is bold only, because after rows
    // are added nearly every column reads "changed" and a column of highlights says nothing.
    if (column == ChangeColumn)
        return change.kind == K::Added || change.kind == K::Removed || change.kind == K::Retyped;
    if (column == TypeColumn)
        return change.kind == K::Retyped;
    if (!isFigure(column))
        return false;
    if (change.kind == K::Added)
        return !isBefore(column) && !figure(change.after, column).isNull();
    if (change.kind == K::Removed)
        return isBefore(column) && !figure(change.before, column).isNull();
    // The pair differs as shown: both halves light up, so the eye finds the row and reads across.
    // Compared as shown, not as stored: 2.0 % next to 2.0 % lit up because the fraction moved in
    // the fifth digit would point at a change nobody can see (the tooltip has the exact figures).
    const int pairBefore = isBefore(column) ? column : column - 1;
    return shown(change.before, pairBefore) != shown(change.after, pairBefore + 1);
}

QVariant ColumnDiffModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_diff.columns.size())
        return {};
    const data::ColumnChange &change = m_diff.columns[index.row()];
    const int column = index.column();
    const data::ColumnStats *side = isBefore(column) ? change.before : change.after;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NameColumn: return change.name;
        case ChangeColumn: return QString::fromLatin1(data::columnChangeName(change.kind));
        case WhatColumn: return change.what.join(QStringLiteral("; "));
        case TypeColumn: {
            const auto name = [](const data::ColumnStats *c) { return c ? QString::fromLatin1(data::columnTypeName(c->type)) : QString(); };
            if (change.kind == data::ColumnChange::Retyped)
                return tr("%1 → %2").arg(name(change.before), name(change.after));
            return name(change.after ? change.after : change.before);
        }
        default: return shown(side, column);
        }
        break;
    case ChangedRole: return isChanged(change, column);
    case ValueRole: return isFigure(column) ? figure(side, column) : QVariant();
    case KindRole: return int(change.kind);
    case Qt::TextAlignmentRole:
        if (isFigure(column))
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::FontRole:
        if ((column == ChangeColumn && change.kind != data::ColumnChange::Unchanged)
            || (isFigure(column) && !isBefore(column) && isChanged(change, column))) {
            QFont font;
            font.setWeight(QFont::DemiBold);
            return font;
        }
        break;
    case Qt::ToolTipRole:
        if (column == WhatColumn && !change.what.isEmpty())
            return change.what.join(QLatin1Char('\n'));
        if (change.before && change.after && change.after->isNumeric() && change.before->isNumeric())
            return tr("%1: mean %2 → %3 (%4%5)")
                .arg(change.name, statformat::number(change.before->mean), statformat::number(change.after->mean),
                     change.meanDelta >= 0 ? QStringLiteral("+") : QString(), statformat::number(change.meanDelta));
        return change.name;
    }
    return {};
}

QVariant ColumnDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole && isFigure(section))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && isFigure(section))
        return isBefore(section) ? tr("In the older version") : tr("In the newer version");
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Column");
    case ChangeColumn: return tr("Change");
    case WhatColumn: return tr("What changed");
    case TypeColumn: return tr("Type");
    case MeanBefore: return tr("Mean before");
    case StdBefore: return tr("Std before");
    case NullsBefore: return tr("Nulls before");
    case DistinctBefore: return tr("Distinct before");
    case MeanAfter: case StdAfter: case NullsAfter: case DistinctAfter: return tr("after");
    }
    return {};
}

} // namespace orrery::ui
