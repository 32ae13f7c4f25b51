#include "ui/experiments/experiment_list_model.h"

namespace orrery::ui {

void ExperimentListModel::setEntries(const QVector<ExperimentEntry> &entries)
{
    if (entries == m_entries)
        return;
    bool sameIds = entries.size() == m_entries.size();
    for (int i = 0; sameIds && i < entries.size(); ++i)
        sameIds = entries[i].experiment.id == m_entries[i].experiment.id;
    if (sameIds) {
        m_entries = entries; // counts changed: keep the selection
        Q_EMIT dataChanged(index(0), index(int(m_entries.size()) - 1));
        return;
    }
    beginResetModel();
    m_entries = entries;
    endResetModel();
}

int ExperimentListModel::rowOfId(const QString &id) const
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries[i].experiment.id == id)
            return i;
    return -1;
}

qint64 ExperimentListModel::totalRuns() const
{
    qint64 n = 0;
    for (const auto &e : m_entries)
        n += e.runs;
    return n;
}

int ExperimentListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QVariant ExperimentListModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const ExperimentEntry &e = m_entries[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        return tr("%1  (%2)").arg(e.experiment.name).arg(e.runs);
    case Qt::ToolTipRole:
        return tr("Experiment %1, id %2: %n run(s)", nullptr, int(e.runs)).arg(e.experiment.name, e.experiment.id);
    case IdRole:
        return e.experiment.id;
    case RunCountRole:
        return e.runs;
    default:
        return {};
    }
}

} // namespace orrery::ui
