#pragma once
// IterationTableModel: the Automation area's timeline — one row per iteration of the loop, newest
// first: its number, "trigger → outcome" (or the step in progress, or "waiting for approval") in
// the outcome's colour, the model version it made against the champion it was weighed against,
// when it started, how long it ran (still counting while it is active) and why it ended as it did.
//
// setIterations() keeps the rows when the same iterations come back (a poll): only the cells that
// changed are signalled, so the view keeps its selection and scroll position every second; a new
// or removed iteration resets the model (the area selects its iteration again by id).
//
// Threads: GUI thread.

#include "core/ct/iteration.h"

#include <QAbstractTableModel>
#include <QVector>

namespace orrery::ui {

class IterationTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { IdColumn, OutcomeColumn, VersionsColumn, StartedColumn, DurationColumn, ReasonColumn, ColumnCount };
    enum Role { IdRole = Qt::UserRole + 1, StateRole, OutcomeRole };

    explicit IterationTableModel(QObject *parent = nullptr);

    // `nowMs`: what the durations of active iterations count to.
    void setIterations(const QVector<ct::Iteration> &iterations, qint64 nowMs);
    const QVector<ct::Iteration> &iterations() const { return m_rows; }
    int rowOf(qint64 id) const;                 // -1 when absent
    const ct::Iteration *find(qint64 id) const; // null when absent

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<ct::Iteration> m_rows;
    qint64 m_now = 0;
};

} // namespace orrery::ui
