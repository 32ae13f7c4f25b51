#include "ui/data/file_change_model.h"

#include "ui/common/stat_format.h"

namespace orrery::ui {

FileChangeModel::FileChangeModel(QObject *parent) : QAbstractTableModel(parent) {}

QString FileChangeModel::kindName(FileChange::Kind kind)
{
    switch (kind) {
    case FileChange::Added: return tr("added");
    case FileChange::Removed: return tr("removed");
    case FileChange::Modified: return tr("modified");
    }
    return {};
}

void FileChangeModel::setChanges(const QVector<FileChange> &changes)
{
    beginResetModel();
    m_changes = changes;
    endResetModel();
}

int FileChangeModel::count(FileChange::Kind kind) const
{
    return int(std::count_if(m_changes.begin(), m_changes.end(), [kind](const FileChange &c) { return c.kind == kind; }));
}

int FileChangeModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_changes.size());
}

int FileChangeModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FileChangeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_changes.size())
        return {};
    const FileChange &c = m_changes[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case ChangeColumn: return kindName(c.kind);
        case PathColumn: return c.relpath;
        case SizeBefore: return statformat::bytes(c.before.size);
        case SizeAfter: return statformat::bytes(c.after.size);
        }
        break;
    case Qt::ToolTipRole:
        return tr("%1\nbefore: %2\nafter: %3")
            .arg(c.relpath, c.before.md5.isEmpty() ? tr("(none)") : c.before.md5, c.after.md5.isEmpty() ? tr("(none)") : c.after.md5);
    case Qt::TextAlignmentRole:
        if (index.column() == SizeBefore || index.column() == SizeAfter)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case ChangedRole:
        // The change itself, and the side that exists (or both, for a modified file's sizes).
        return index.column() == ChangeColumn
            || (index.column() == SizeAfter && c.kind != FileChange::Removed && c.before.size != c.after.size)
            || (index.column() == SizeBefore && c.kind == FileChange::Removed);
    case KindRole: return int(c.kind);
    }
    return {};
}

QVariant FileChangeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole && (section == SizeBefore || section == SizeAfter))
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ChangeColumn: return tr("Change");
    case PathColumn: return tr("File");
    case SizeBefore: return tr("Size before");
    case SizeAfter: return tr("after");
    }
    return {};
}

} // namespace orrery::ui
