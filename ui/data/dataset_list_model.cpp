#include "ui/data/dataset_list_model.h"

#include "ui/common/stat_format.h"

#include <QFont>

namespace orrery::ui {

DatasetListModel::DatasetListModel(QObject *parent) : QAbstractTableModel(parent) {}

void DatasetListModel::setEntries(const QVector<DatasetEntry> &entries)
{
    bool sameRows = entries.size() == m_entries.size();
    for (int i = 0; sameRows && i < entries.size(); ++i)
        sameRows = entries[i].path == m_entries[i].path;
    if (!sameRows) {
        beginResetModel();
        m_entries = entries;
        endResetModel();
        return;
    }
    for (int i = 0; i < entries.size(); ++i) {
        if (entries[i].fingerprint() == m_entries[i].fingerprint() && entries[i].size == m_entries[i].size
            && entries[i].nfiles == m_entries[i].nfiles)
            continue;
        m_entries[i] = entries[i];
        Q_EMIT dataChanged(index(i, 0), index(i, ColumnCount - 1));
    }
}

void DatasetListModel::clear()
{
    setEntries({});
}

int DatasetListModel::findPath(const QString &path) const
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].path == path)
            return i;
    return -1;
}

int DatasetListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int DatasetListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString DatasetListModel::toolTip(const DatasetEntry &e) const
{
    QStringList lines{e.path, tr("Recorded in %1 (md5 %2)").arg(e.dvcFile, e.md5)};
    switch (e.state) {
    case data::OutState::Unchanged:
        lines << tr("The data on disk is the recorded version.");
        break;
    case data::OutState::Modified:
        if (e.isDirectory)
            lines << tr("Changed on disk: %1 added, %2 removed, %3 modified files.").arg(e.dirAdded).arg(e.dirRemoved).arg(e.dirModified);
        else
            lines << tr("Changed on disk since it was recorded.");
        lines << tr("Record this version with `orrery-cli data add %1`.").arg(e.path);
        break;
    case data::OutState::Missing:
        lines << tr("Not on disk. Restore it with `orrery-cli data checkout %1`.").arg(e.path);
        break;
    }
    if (!e.inCache)
        lines << tr("The recorded version is not in the cache: fetch it with `orrery-cli data pull`.");
    if (!e.committed())
        lines << tr("%1 is not committed to git yet.").arg(e.dvcFile);
    else if (e.dvcDiffersFromHead())
        lines << tr("%1 differs from HEAD: commit it to keep this version.").arg(e.dvcFile);
    return lines.join(QLatin1Char('\n'));
}

QVariant DatasetListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const DatasetEntry &e = m_entries[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case PathColumn: return e.path;
        case SizeColumn: return statformat::bytes(e.size);
        case FilesColumn: return e.isDirectory && e.nfiles >= 0 ? statformat::count(e.nfiles) : QString();
        case StatusColumn: return e.statusText();
        }
        break;
    case Qt::ToolTipRole:
        return toolTip(e);
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn || index.column() == FilesColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case Qt::FontRole:
        // What needs attention stands out by weight, not by a colour a theme could swallow.
        if (index.column() == StatusColumn && (e.state != data::OutState::Unchanged || !e.inCache)) {
            QFont font;
            font.setWeight(QFont::DemiBold);
            return font;
        }
        break;
    case StateRole: return int(e.state);
    case InCacheRole: return e.inCache;
    case PathRole: return e.path;
    }
    return {};
}

QVariant DatasetListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole && (section == SizeColumn || section == FilesColumn))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case PathColumn: return tr("Dataset");
    case SizeColumn: return tr("Size");
    case FilesColumn: return tr("Files");
    case StatusColumn: return tr("Status");
    }
    return {};
}

} // namespace orrery::ui
