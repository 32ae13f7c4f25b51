// AuditTableModel: reloads of an append-only log become row insertions and removals (so a view
// keeps its selection), anything else a reset; display of times and targets.

#include "ui/activity/audit_table_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

using orrery::audit::AuditEntry;
using orrery::ui::AuditTableModel;

namespace {
// Entries newestFirst..oldest, as AuditLog::list returns them.
QVector<AuditEntry> entries(qint64 newest, qint64 oldest)
{
    QVector<AuditEntry> list;
    for (qint64 seq = newest; seq >= oldest; --seq) {
        AuditEntry e;
        e.seq = seq;
        e.time = QDateTime::currentDateTimeUtc();
        e.actor = QStringLiteral("alice");
        e.action = QStringLiteral("action.%1").arg(seq);
        e.target = QStringLiteral("/ws/data/file%1.csv").arg(seq);
        list.append(e);
    }
    return list;
}
} // namespace

class TstAuditTableModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void newEntriesAreInsertedOnTopWithoutAReset()
    {
        AuditTableModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setEntries(entries(5, 1));
        QCOMPARE(model.rowCount(), 5);

        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserts(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removals(&model, &QAbstractItemModel::rowsRemoved);
        model.setEntries(entries(7, 3)); // two new on top, the window slides: two drop off the bottom
        QCOMPARE(resets.count(), 0);
        QCOMPARE(inserts.count(), 1);
        QCOMPARE(inserts.first().at(1).toInt(), 0);
        QCOMPARE(inserts.first().at(2).toInt(), 1);
        QCOMPARE(removals.count(), 1);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.entryAt(0).seq, 7);
        QCOMPARE(model.entryAt(4).seq, 3);

        model.setEntries(entries(7, 3)); // nothing new: no signals at all
        QCOMPARE(resets.count(), 0);
        QCOMPARE(inserts.count(), 1);
        QCOMPARE(removals.count(), 1);
    }

    void unrelatedListsReset()
    {
        AuditTableModel model;
        model.setEntries(entries(5, 1));
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        model.setEntries(entries(100, 90)); // old head no longer in the window
        QCOMPARE(resets.count(), 1);
        QCOMPARE(model.rowCount(), 11);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void displaysColumnsAndShortensTargetsInsideTheWorkspace()
    {
        AuditTableModel model;
        auto list = entries(2, 1);
        list[1].target = QStringLiteral("/ws");
        list[0].reason = QStringLiteral("because");
        model.setEntries(list);
        QCOMPARE(model.columnCount(), 6);
        QCOMPARE(model.index(0, AuditTableModel::SeqColumn).data().toLongLong(), 2);
        QCOMPARE(model.index(0, AuditTableModel::WhoColumn).data().toString(), QStringLiteral("alice"));
        QCOMPARE(model.index(0, AuditTableModel::WhatColumn).data().toString(), QStringLiteral("action.2"));
        QCOMPARE(model.index(0, AuditTableModel::WhyColumn).data().toString(), QStringLiteral("because"));
        QCOMPARE(model.index(0, AuditTableModel::TargetColumn).data().toString(), QStringLiteral("/ws/data/file2.csv"));
        model.setWorkspaceRoot(QStringLiteral("/ws"));
        QCOMPARE(model.index(0, AuditTableModel::TargetColumn).data().toString(), QStringLiteral("data/file2.csv"));
        QCOMPARE(model.index(1, AuditTableModel::TargetColumn).data().toString(), QStringLiteral("ws"));
        // Today's entries show the time of day only; the tooltip has the full record.
        QCOMPARE(model.index(0, AuditTableModel::TimeColumn).data().toString().size(), 8);
        QVERIFY(model.index(0, AuditTableModel::TargetColumn).data(Qt::ToolTipRole).toString().contains(QStringLiteral("/ws/data/file2.csv")));
        QCOMPARE(model.headerData(AuditTableModel::TargetColumn, Qt::Horizontal).toString(), QStringLiteral("Target"));
    }
};

QTEST_MAIN(TstAuditTableModel)
#include "tst_audit_table_model.moc"
