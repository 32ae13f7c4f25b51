#include "ui/data/version_list_model.h"

#include "ui/common/stat_format.h"

#include <QApplication>
#include <QFont>
#include <QStyle>

namespace orrery::ui {

VersionListModel::VersionListModel(QObject *parent) : QAbstractTableModel(parent) {}

QString VersionListModel::notInCacheText()
{
    return tr("not in cache — pull it");
}

void VersionListModel::setVersions(const QString &datasetPath, const QVector<DataVersion> &versions)
{
    beginResetModel();
    m_datasetPath = datasetPath;
    m_versions = versions;
    endResetModel();
}

void VersionListModel::clear()
{
    setVersions({}, {});
}

int VersionListModel::findRevision(const QString &revision) const
{
    for (int i = 0; i < m_versions.size(); ++i)
        if (m_versions[i].revision == revision)
            return i;
    return -1;
}

int VersionListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_versions.size());
}

int VersionListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant VersionListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_versions.size())
        return {};
    const DataVersion &v = m_versions[index.row()];
    // A version that cannot be read now but is known to git: in cache or on disk it is not.
    const bool unreadable = !v.isAvailable();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case VersionColumn: return v.shortId();
        case DateColumn: return v.time.isValid() ? v.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")) : QString();
        case AuthorColumn: return v.author;
        case SummaryColumn: return v.summary;
        case HashColumn:
            return unreadable ? notInCacheText() : v.md5.left(10) + (v.md5.endsWith(QLatin1String(".dir")) ? QStringLiteral("….dir") : QStringLiteral("…"));
        }
        break;
    case Qt::ToolTipRole: {
        QStringList lines;
        lines << (v.isWorkspace() ? tr("The workspace, as it is on disk now") : tr("Commit %1").arg(v.revision));
        if (!v.summary.isEmpty())
            lines << v.summary;
        lines << tr("md5 %1").arg(v.md5);
        if (v.size >= 0)
            lines << tr("%1%2").arg(statformat::bytes(v.size),
                                    v.nfiles >= 0 ? tr(", %1 files").arg(statformat::count(v.nfiles)) : QString());
        if (!v.inCache && !unreadable && !v.isWorkspace())
            lines << tr("Not in the cache; read from the data on disk, which has the same content.");
        if (unreadable)
            lines << tr("This version's data is not in the cache. Fetch it with `orrery-cli data pull` "
                        "(from the remote it was pushed to), then select it again.");
        return lines.join(QLatin1Char('\n'));
    }
    case Qt::DecorationRole:
        if (index.column() == HashColumn && unreadable)
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        break;
    case Qt::FontRole:
        if (index.column() == VersionColumn) {
            QFont font;
            font.setFamily(QStringLiteral("monospace"));
            font.setStyleHint(QFont::Monospace);
            if (v.isWorkspace()) {
                font = QFont();
                font.setItalic(true);
            }
            return font;
        }
        if (index.column() == HashColumn && !unreadable) {
            QFont font;
            font.setFamily(QStringLiteral("monospace"));
            font.setStyleHint(QFont::Monospace);
            return font;
        }
        break;
    case RevisionRole: return v.revision;
    case AvailableRole: return !unreadable;
    case Md5Role: return v.md5;
    }
    return {};
}

QVariant VersionListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case VersionColumn: return tr("Version");
    case DateColumn: return tr("Date");
    case AuthorColumn: return tr("Author");
    case SummaryColumn: return tr("Summary");
    case HashColumn: return tr("Content");
    }
    return {};
}

} // namespace orrery::ui
