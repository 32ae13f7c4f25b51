#pragma once
// SweepTrialModel: a sweep's trials as a table — number, state, the objective's value, steps (the
// epochs it ran), duration, then one column per parameter — over the SweepSnapshot the view holds
// (no copy of the trials: rows index into the snapshot's).
//
// Pruned and failed rows are marked (their colour, and the state says where a pruned trial
// stopped); a failed trial's reason is its tooltip; the best trial is bold. sort() sorts an index
// permutation on the raw values (numbers as numbers, a categorical parameter by its choice's
// position, missing values last either way), so a click on a header sorts 100,000 trials without
// asking the database. setSnapshot() with an incremental snapshot updates only the changed rows,
// appends new ones and, when sorted, moves rows with their persistent indexes (the selection
// follows its trials).
//
// Threads: GUI thread.

#include "ui/experiments/sweep_snapshot.h"

#include <QAbstractTableModel>
#include <QVector>

namespace orrery::ui {

class SweepTrialModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NumberColumn, StateColumn, ValueColumn, StepsColumn, DurationColumn, kFixedColumns };
    enum Roles { TrialNumberRole = Qt::UserRole + 1, TrialStateRole };

    explicit SweepTrialModel(QObject *parent = nullptr);

    void setSnapshot(const SweepSnapshotPtr &snapshot);
    void clear();
    const SweepSnapshotPtr &snapshot() const { return m_snapshot; }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // The trial shown in `row`, or null.
    const tune::Trial *trialAt(int row) const;
    // The row of trial `number`, or -1.
    int rowOfTrial(int number) const;
    int sortColumn() const { return m_sortColumn; }

private:
    QString paramText(const tune::Trial &t, int param) const;
    void applySort();
    // applySort() with the persistent indexes moved along (a layout change).
    void resort();

    SweepSnapshotPtr m_snapshot;
    QVector<int> m_order; // row → index in the snapshot's trials
    QVector<int> m_rowOf; // index in the snapshot's trials → row
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
};

} // namespace orrery::ui
