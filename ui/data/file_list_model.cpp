#include "ui/data/file_list_model.h"

#include "ui/common/stat_format.h"
#include "ui/data/version_list_model.h"

#include <QFont>

namespace orrery::ui {

FileListModel::FileListModel(QObject *parent) : QAbstractTableModel(parent) {}

void FileListModel::setFiles(const QVector<ContentFile> &files)
{
    beginResetModel();
    m_files = files;
    endResetModel();
}

int FileListModel::findPath(const QString &relpath) const
{
    for (int i = 0; i < m_files.size(); ++i)
        if (m_files[i].relpath == relpath)
            return i;
    return -1;
}

int FileListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_files.size());
}

int FileListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FileListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_files.size())
        return {};
    const ContentFile &f = m_files[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case PathColumn: return f.relpath;
        case SizeColumn: return statformat::bytes(f.size);
        case HashColumn: return f.contentPath.isEmpty() ? VersionListModel::notInCacheText() : f.md5;
        }
        break;
    case Qt::ToolTipRole:
        return isTablePath(f.relpath) ? tr("%1\nSelect it to see its statistics.").arg(f.relpath) : f.relpath;
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::FontRole:
        if (index.column() == HashColumn && !f.contentPath.isEmpty()) {
            QFont font(QStringLiteral("monospace"));
            font.setStyleHint(QFont::Monospace);
            return font;
        }
        break;
    case ContentPathRole: return f.contentPath;
    }
    return {};
}

QVariant FileListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case PathColumn: return tr("File");
    case SizeColumn: return tr("Size");
    case HashColumn: return tr("md5");
    }
    return {};
}

} // namespace orrery::ui
