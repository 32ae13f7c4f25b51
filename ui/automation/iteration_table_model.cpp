#include "ui/automation/iteration_table_model.h"

#include "ui/automation/automation_format.h"

#include <QFont>

namespace orrery::ui {
namespace fmt = automationformat;

namespace {

// What an iteration's row says why: its reason once it has one (why it ended, or why it waits),
// else what triggered it.
QString reasonOf(const ct::Iteration &i) { return i.reason.isEmpty() ? i.triggerDetail : i.reason; }

} // namespace

IterationTableModel::IterationTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void IterationTableModel::setIterations(const QVector<ct::Iteration> &iterations, qint64 nowMs)
{
    bool same = iterations.size() == m_rows.size();
    for (int i = 0; same && i < iterations.size(); ++i)
        same = iterations[i].id == m_rows[i].id;
    m_now = nowMs;
    if (!same) {
        beginResetModel();
        m_rows = iterations;
        endResetModel();
        return;
    }
    m_rows = iterations;
    if (!m_rows.isEmpty()) // every cell may have moved: states, reasons, durations of the active one
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

int IterationTableModel::rowOf(qint64 id) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == id)
            return i;
    return -1;
}

const ct::Iteration *IterationTableModel::find(qint64 id) const
{
    const int row = rowOf(id);
    return row < 0 ? nullptr : &m_rows[row];
}

int IterationTableModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int IterationTableModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant IterationTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const ct::Iteration &i = m_rows[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IdColumn: return QStringLiteral("#%1").arg(i.id);
        case OutcomeColumn: return fmt::triggerToOutcome(i);
        case VersionsColumn: return fmt::versions(i);
        case StartedColumn: return fmt::time(i.created);
        case DurationColumn: return fmt::span(fmt::duration(i, m_now));
        case ReasonColumn: return reasonOf(i).simplified(); // one line in the table; the tooltip and the panel below have it whole
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == ReasonColumn || index.column() == OutcomeColumn)
            return tr("%1\n\nTrigger (%2): %3").arg(reasonOf(i), i.triggerKind, i.triggerDetail);
        if (index.column() == DurationColumn && i.active())
            return tr("Running since %1").arg(fmt::time(i.created));
        break;
    case Qt::ForegroundRole:
        if (index.column() == OutcomeColumn)
            return fmt::outcomeColor(i);
        break;
    case Qt::DecorationRole:
        if (index.column() == IdColumn)
            return fmt::outcomeColor(i); // a swatch: the timeline reads by colour at a glance
        break;
    case Qt::FontRole:
        if (index.column() == OutcomeColumn) {
            QFont f;
            f.setBold(true);
            return f;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == IdColumn || index.column() == DurationColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case IdRole: return i.id;
    case StateRole: return ct::iterationStateName(i.state);
    case OutcomeRole: return i.outcome;
    }
    return {};
}

QVariant IterationTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IdColumn: return tr("#");
    case OutcomeColumn: return tr("Trigger → outcome");
    case VersionsColumn: return tr("Model");
    case StartedColumn: return tr("Started");
    case DurationColumn: return tr("Duration");
    case ReasonColumn: return tr("Why");
    }
    return {};
}

} // namespace orrery::ui
