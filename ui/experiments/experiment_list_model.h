#pragma once
// ExperimentListModel: the workspace's experiments with their number of runs, for the list on
// the left of the Experiments area. Plain values in, set whole on each poll; the selection is
// kept by the view because rows are only replaced when something changed.
//
// Threads: GUI thread.

#include "core/tracking/tracking_types.h"

#include <QAbstractListModel>
#include <QVector>

namespace orrery::ui {

struct ExperimentEntry {
    tracking::Experiment experiment;
    qint64 runs = 0;
    bool operator==(const ExperimentEntry &o) const
    {
        return experiment.id == o.experiment.id && experiment.name == o.experiment.name && runs == o.runs;
    }
};

class ExperimentListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles { IdRole = Qt::UserRole + 1, RunCountRole };
    using QAbstractListModel::QAbstractListModel;

    void setEntries(const QVector<ExperimentEntry> &entries);
    const QVector<ExperimentEntry> &entries() const { return m_entries; }
    int rowOfId(const QString &id) const;
    qint64 totalRuns() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    QVector<ExperimentEntry> m_entries;
};

} // namespace orrery::ui
