#pragma once
// ColumnStatsModel: one row per column of a CSV version — type, count, nulls, mean, std, min,
// median, max, distinct, top values and a histogram — over a DatasetProfile computed on a job.
//
// The profile is shared, immutable and owned jointly with the Data area's profile cache, so a
// model can show it without copying and a re-selected version shows at once.

#include "core/data/dataset_profile.h"

#include <QAbstractTableModel>

#include <memory>

namespace orrery::ui {

class ColumnStatsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        // The distribution right after the name: the picture is what the eye goes to first, and
        // it must not scroll out of sight on a narrow window.
        NameColumn, TypeColumn, HistogramColumn, CountColumn, NullsColumn, MeanColumn, StdColumn, MinColumn,
        MedianColumn, MaxColumn, DistinctColumn, TopColumn, ColumnCount
    };
    enum Role {
        ValueRole = Qt::UserRole + 1, // the figure as a number (double or qint64), null when none
        HistogramRole,                // QList<double>: bar heights, for HistogramDelegate
    };

    explicit ColumnStatsModel(QObject *parent = nullptr);

    void setProfile(std::shared_ptr<const data::DatasetProfile> profile);
    void clear() { setProfile(nullptr); }
    const data::DatasetProfile *profile() const { return m_profile.get(); }
    // The row of the column named `name`, or -1.
    int findColumn(const QString &name) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Shared with the diff: the median of a column, NaN when it has no quantiles.
    static double median(const data::ColumnStats &column);
    // "value (count), …" for the first `n` top values; "all distinct" for a unique column.
    static QString topValuesText(const data::ColumnStats &column, int n = 3);

private:
    QVariant display(const data::ColumnStats &c, int column) const;
    QVariant value(const data::ColumnStats &c, int column) const;
    QString toolTip(const data::ColumnStats &c, int column) const;

    std::shared_ptr<const data::DatasetProfile> m_profile;
};

} // namespace orrery::ui
