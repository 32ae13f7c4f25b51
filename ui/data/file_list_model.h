#pragma once
// FileListModel: the files of one version of a tracked directory (path, size, md5), from its
// manifest. A directory may hold 100,000 files: the model hands rows to the view on demand and
// never creates a widget per file.

#include "ui/data/data_types.h"

#include <QAbstractTableModel>
#include <QVector>

namespace orrery::ui {

class FileListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { PathColumn, SizeColumn, HashColumn, ColumnCount };
    enum Role { ContentPathRole = Qt::UserRole + 1 };

    explicit FileListModel(QObject *parent = nullptr);

    void setFiles(const QVector<ContentFile> &files);
    void clear() { setFiles({}); }
    const QVector<ContentFile> &files() const { return m_files; }
    const ContentFile &fileAt(int row) const { return m_files.at(row); }
    int findPath(const QString &relpath) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<ContentFile> m_files;
};

} // namespace orrery::ui
