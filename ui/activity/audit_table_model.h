#pragma once
// AuditTableModel: the workspace's newest audit entries (seq, time, who, what, target, why) for a
// table view, newest first.
//
// The Activity dock reloads the newest entries every few seconds. Because the audit log is append
// only, a reload is the old list with new entries on top and the oldest dropped at the bottom;
// setEntries() reports exactly that as row insertions and removals instead of a model reset, so
// the view keeps its selection and scroll position while other processes write.

#include "core/audit/audit_log.h"

#include <QAbstractTableModel>
#include <QVector>

namespace orrery::ui {

class AuditTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { SeqColumn, TimeColumn, WhoColumn, WhatColumn, TargetColumn, WhyColumn, ColumnCount };

    explicit AuditTableModel(QObject *parent = nullptr);

    // `newestFirst` as AuditLog::list returns it.
    void setEntries(const QVector<audit::AuditEntry> &newestFirst);
    void clear();
    // Targets inside `root` are shown relative to it (and `root` itself by its folder name): the
    // dock is narrow and the workspace is known. Tooltips keep the full target.
    void setWorkspaceRoot(const QString &root);
    const audit::AuditEntry &entryAt(int row) const { return m_entries.at(row); }
    // The row of the newest entry with `action`, or -1.
    int findAction(const QString &action) const;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void reset(const QVector<audit::AuditEntry> &entries);

    QString displayTarget(const QString &target) const;

    QVector<audit::AuditEntry> m_entries;
    QString m_root;
};

} // namespace orrery::ui
