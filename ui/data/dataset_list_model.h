#pragma once
// DatasetListModel: the workspace's tracked datasets (path, size, files, status) for a table view.
//
// The Data area re-reads the status every ~2 s. When the same datasets come back, setEntries()
// changes the rows in place (dataChanged on the rows that differ) instead of resetting the model,
// so a poll never clears the user's selection or scroll position; only a dataset added or
// removed resets it.

#include "ui/data/data_types.h"

#include <QAbstractTableModel>
#include <QVector>

namespace orrery::ui {

class DatasetListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { PathColumn, SizeColumn, FilesColumn, StatusColumn, ColumnCount };
    enum Role {
        StateRole = Qt::UserRole + 1, // int(data::OutState)
        InCacheRole,                  // bool
        PathRole,                     // the dataset's path, in every column
    };

    explicit DatasetListModel(QObject *parent = nullptr);

    void setEntries(const QVector<DatasetEntry> &entries);
    void clear();
    const QVector<DatasetEntry> &entries() const { return m_entries; }
    const DatasetEntry &entryAt(int row) const { return m_entries.at(row); }
    // The row of the dataset at `path`, or -1.
    int findPath(const QString &path) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString toolTip(const DatasetEntry &entry) const;

    QVector<DatasetEntry> m_entries;
};

} // namespace orrery::ui
