#pragma once
// VersionListModel: the versions of one dataset, newest first — the "workspace" row (when the
// .dvc file or the data differs from HEAD), then each commit that changed the .dvc file — with
// the commit, date, author, summary and content hash, and a note on versions whose object is not
// in the cache.

#include "ui/data/data_types.h"

#include <QAbstractTableModel>
#include <QVector>

namespace orrery::ui {

class VersionListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { VersionColumn, DateColumn, AuthorColumn, SummaryColumn, HashColumn, ColumnCount };
    enum Role {
        RevisionRole = Qt::UserRole + 1, // full commit id or "workspace"
        AvailableRole,                   // bool: its content can be read (cache or disk)
        Md5Role,
    };

    explicit VersionListModel(QObject *parent = nullptr);

    void setVersions(const QString &datasetPath, const QVector<DataVersion> &versions);
    void clear();
    const QVector<DataVersion> &versions() const { return m_versions; }
    const DataVersion &versionAt(int row) const { return m_versions.at(row); }
    QString datasetPath() const { return m_datasetPath; }
    int findRevision(const QString &revision) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString notInCacheText();

private:
    QString m_datasetPath;
    QVector<DataVersion> m_versions;
};

} // namespace orrery::ui
