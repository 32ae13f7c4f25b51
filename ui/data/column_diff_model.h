#pragma once
// ColumnDiffModel: how each column of a table changed between two versions, side by side — the
// kind of change (added, removed, retyped, changed, unchanged), for mean, std, nulls and
// distinct the figure before next to the figure after, and what changed in words (missing share,
// mean, range, new or gone categories, a shifted mix). ChangedRole marks every figure that
// differs as shown (and an added, removed or retyped column's change) so a delegate can
// highlight it.
//
// The model keeps both profiles alive: a TableDiff points into them.

#include "core/data/table_diff.h"

#include <QAbstractTableModel>

#include <memory>

namespace orrery::ui {

class ColumnDiffModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn, ChangeColumn,
        WhatColumn, // what changed, in words (data::ColumnChange::what): next to the kind, read first
        TypeColumn,
        MeanBefore, MeanAfter, StdBefore, StdAfter, NullsBefore, NullsAfter, DistinctBefore, DistinctAfter,
        ColumnCount
    };
    enum Role {
        ChangedRole = Qt::UserRole + 1, // bool: highlight this cell
        ValueRole,                      // the figure as a number, null when none
        KindRole,                       // int(data::ColumnChange::Kind)
    };

    explicit ColumnDiffModel(QObject *parent = nullptr);

    void setProfiles(std::shared_ptr<const data::DatasetProfile> before, std::shared_ptr<const data::DatasetProfile> after);
    void clear();
    const data::TableDiff &diff() const { return m_diff; }
    bool hasDiff() const { return m_before && m_after; }
    int findColumn(const QString &name) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // For a "before" or "after" column, the statistic's raw value of `stats` (null stats: none).
    static QVariant figure(const data::ColumnStats *stats, int column);

private:
    bool isChanged(const data::ColumnChange &change, int column) const;

    std::shared_ptr<const data::DatasetProfile> m_before, m_after;
    data::TableDiff m_diff;
};

} // namespace orrery::ui
