#pragma once
// FileChangeModel: the files added, removed and modified between two versions of a tracked
// directory, with the size before and after.

#include "ui/data/data_types.h"

#include <QAbstractTableModel>
#include <QVector>

namespace orrery::ui {

class FileChangeModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ChangeColumn, PathColumn, SizeBefore, SizeAfter, ColumnCount };
    enum Role { KindRole = Qt::UserRole + 1, ChangedRole };

    explicit FileChangeModel(QObject *parent = nullptr);

    void setChanges(const QVector<FileChange> &changes);
    void clear() { setChanges({}); }
    const QVector<FileChange> &changes() const { return m_changes; }
    const FileChange &changeAt(int row) const { return m_changes.at(row); }
    int count(FileChange::Kind kind) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString kindName(FileChange::Kind kind);

private:
    QVector<FileChange> m_changes;
};

} // namespace orrery::ui
