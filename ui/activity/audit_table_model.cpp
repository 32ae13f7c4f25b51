#include "ui/activity/audit_table_model.h"

#include <QFileInfo>

namespace orrery::ui {
namespace {
// The dock is narrow: today's entries show only the time, older ones the date and minute. The
// tooltip carries the full UTC timestamp.
QString shortTime(const QDateTime &time)
{
    const QDateTime local = time.toLocalTime();
    if (local.date() == QDate::currentDate())
        return local.toString(QStringLiteral("HH:mm:ss"));
    return local.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}
} // namespace

AuditTableModel::AuditTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void AuditTableModel::setEntries(const QVector<audit::AuditEntry> &entries)
{
    if (m_entries.isEmpty() || entries.isEmpty()) {
        reset(entries);
        return;
    }
    const qint64 oldHead = m_entries.first().seq;
    int newOnTop = -1;
    for (int i = 0; i < entries.size(); ++i) {
        if (entries[i].seq == oldHead) {
            newOnTop = i;
            break;
        }
    }
    // The old head is gone (more new entries than fit, or another database), or the lists do not
    // line up below it (the log was replaced): start over.
    bool aligned = newOnTop >= 0;
    for (int j = 0; aligned && newOnTop + j < entries.size() && j < m_entries.size(); ++j)
        aligned = entries[newOnTop + j].seq == m_entries[j].seq;
    if (!aligned) {
        reset(entries);
        return;
    }
    if (newOnTop > 0) {
        beginInsertRows(QModelIndex(), 0, newOnTop - 1);
        m_entries = entries.mid(0, newOnTop) + m_entries;
        endInsertRows();
    }
    const int target = int(entries.size());
    if (m_entries.size() > target) {
        beginRemoveRows(QModelIndex(), target, int(m_entries.size()) - 1);
        m_entries.resize(target);
        endRemoveRows();
    } else if (m_entries.size() < target) {
        beginInsertRows(QModelIndex(), int(m_entries.size()), target - 1);
        m_entries += entries.mid(m_entries.size());
        endInsertRows();
    }
}

void AuditTableModel::clear()
{
    reset({});
}

void AuditTableModel::reset(const QVector<audit::AuditEntry> &entries)
{
    beginResetModel();
    m_entries = entries;
    endResetModel();
}

void AuditTableModel::setWorkspaceRoot(const QString &root)
{
    if (root == m_root)
        return;
    m_root = root;
    if (!m_entries.isEmpty())
        Q_EMIT dataChanged(index(0, TargetColumn), index(rowCount() - 1, TargetColumn));
}

QString AuditTableModel::displayTarget(const QString &target) const
{
    if (m_root.isEmpty())
        return target;
    if (target == m_root)
        return QFileInfo(m_root).fileName();
    if (target.startsWith(m_root + QLatin1Char('/')))
        return target.mid(m_root.size() + 1);
    return target;
}

int AuditTableModel::findAction(const QString &action) const
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].action == action)
            return i;
    return -1;
}

int AuditTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int AuditTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const audit::AuditEntry &entry = m_entries[index.row()];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case SeqColumn: return entry.seq;
        case TimeColumn: return shortTime(entry.time);
        case WhoColumn: return entry.actor;
        case WhatColumn: return entry.action;
        case TargetColumn: return displayTarget(entry.target);
        case WhyColumn: return entry.reason;
        }
    } else if (role == Qt::ToolTipRole) {
        // The full record, for cells too narrow to show it, and the hash to check against `doctor`.
        return tr("#%1 %2 by %3 at %4\nTarget: %5\nWhy: %6\nDetails: %7\nHash: %8")
            .arg(entry.seq)
            .arg(entry.action, entry.actor, entry.time.toUTC().toString(Qt::ISODate), entry.target,
                 entry.reason.isEmpty() ? tr("(not given)") : entry.reason, entry.details, entry.hash);
    } else if (role == Qt::TextAlignmentRole && index.column() == SeqColumn) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant AuditTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case SeqColumn: return tr("Seq");
    case TimeColumn: return tr("Time");
    case WhoColumn: return tr("Who");
    case WhatColumn: return tr("What");
    case TargetColumn: return tr("Target");
    case WhyColumn: return tr("Why");
    }
    return {};
}

} // namespace orrery::ui
