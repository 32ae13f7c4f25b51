#include "ui/experiments/sweep_trial_model.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace orrery::ui {

using tune::Trial;
using tune::TrialState;

namespace {

// Marked rows, readable on a light and a dark base alike.
const QColor kPrunedColor(0xb0, 0x6a, 0x00);
const QColor kFailedColor(0xc6, 0x28, 0x28);

QString duration(qint64 ms)
{
    if (ms < 0)
        return QString();
    if (ms < 60000)
        return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 1);
    if (ms < 3600000)
        return QStringLiteral("%1 min %2 s").arg(ms / 60000).arg((ms / 1000) % 60);
    return QStringLiteral("%1 h %2 min").arg(ms / 3600000).arg((ms / 60000) % 60);
}

} // namespace

SweepTrialModel::SweepTrialModel(QObject *parent) : QAbstractTableModel(parent)
{ }

void SweepTrialModel::clear()
{
    beginResetModel();
    m_snapshot.reset();
    m_order.clear();
    m_rowOf.clear();
    endResetModel();
}

void SweepTrialModel::setSnapshot(const SweepSnapshotPtr &snapshot)
{
    const SweepSnapshotPtr old = m_snapshot;
    const bool reset
        = !old || !snapshot || snapshot->full || snapshot->sweep.id != old->sweep.id || snapshot->trials.size() < old->trials.size();
    if (reset) {
        beginResetModel();
        m_snapshot = snapshot;
        m_order.resize(snapshot ? snapshot->trials.size() : 0);
        std::iota(m_order.begin(), m_order.end(), 0);
        if (m_sortColumn >= 0)
            applySort();
        m_rowOf.resize(m_order.size());
        for (int r = 0; r < m_order.size(); ++r)
            m_rowOf[m_order[r]] = r;
        endResetModel();
        return;
    }
    // Incremental: trials kept their indices (new ones come after the old, see SweepReader).
    const int before = int(old->trials.size()), after = int(snapshot->trials.size());
    m_snapshot = snapshot;
    if (after > before) {
        beginInsertRows(QModelIndex(), before, after - 1);
        for (int i = before; i < after; ++i) {
            m_order.append(i);
            m_rowOf.append(i);
        }
        endInsertRows();
    }
    if (m_sortColumn >= 0 && !snapshot->changed.isEmpty()) {
        resort();
    }
    for (int number : snapshot->changed) {
        const int at = snapshot->indexOf(number);
        if (at >= 0 && at < before) {
            const int row = m_rowOf[at];
            Q_EMIT dataChanged(index(row, 0), index(row, columnCount() - 1));
        }
    }
}

int SweepTrialModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_snapshot ? 0 : int(m_order.size());
}

int SweepTrialModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_snapshot ? 0 : kFixedColumns + m_snapshot->sweep.spec.space.size();
}

const Trial *SweepTrialModel::trialAt(int row) const
{
    return m_snapshot && row >= 0 && row < m_order.size() ? &m_snapshot->trials[m_order[row]] : nullptr;
}

int SweepTrialModel::rowOfTrial(int number) const
{
    if (!m_snapshot)
        return -1;
    const int at = m_snapshot->indexOf(number);
    return at < 0 ? -1 : m_rowOf.value(at, -1);
}

QString SweepTrialModel::paramText(const Trial &t, int param) const
{
    const tune::ParamSpec &spec = m_snapshot->sweep.spec.space.params()[param];
    // From the point (the full read leaves params empty): the same value, categorical by choice.
    const QJsonValue v = size_t(param) < t.point.size() ? m_snapshot->sweep.spec.space.valueOf(t.point, param) : t.params.value(spec.name);
    if (v.isUndefined() || v.isNull())
        return QStringLiteral("—"); // inactive (a conditional parameter)
    if (v.isDouble())
        return spec.kind == tune::ParamKind::Int ? QString::number(qint64(v.toDouble())) : QString::number(v.toDouble(), 'g', 4);
    if (v.isString())
        return v.toString();
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
}

QVariant SweepTrialModel::data(const QModelIndex &index, int role) const
{
    const Trial *t = index.isValid() ? trialAt(index.row()) : nullptr;
    if (!t)
        return {};
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case NumberColumn: return t->number;
        case StateColumn:
            if (t->state == TrialState::Pruned)
                return tr("pruned at step %1").arg(t->steps);
            // On a scheduler: queued with its reason, running on its node (the controller's words).
            if (t->state == TrialState::Running && !t->job.isEmpty())
                return t->job;
            return tune::trialStateName(t->state);
        case ValueColumn: return t->value ? QString::number(*t->value, 'g', 6) : QString();
        case StepsColumn: return t->steps;
        case DurationColumn:
            if (t->started <= 0)
                return QString();
            return duration((t->finished > 0 ? t->finished : QDateTime::currentMSecsSinceEpoch()) - t->started);
        default: return paramText(*t, column - kFixedColumns);
        }
    case Qt::ToolTipRole:
        if (!t->job.isEmpty() && t->state != TrialState::Running)
            return tr("Trial %1 %2; its job: %3").arg(t->number).arg(tune::trialStateName(t->state), t->job)
                + (t->reason.isEmpty() ? QString() : QStringLiteral("\n") + t->reason);
        if (t->state == TrialState::Failed)
            return t->reason.isEmpty() ? tr("Trial %1 failed (no reason was recorded)").arg(t->number)
                                       : tr("Trial %1 failed: %2").arg(t->number).arg(t->reason);
        if (t->state == TrialState::Pruned)
            return tr("Trial %1 was stopped by the pruner after step %2; its value is the last one it reported%3")
                .arg(t->number)
                .arg(t->steps)
                .arg(t->reason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(t->reason));
        return {};
    case Qt::ForegroundRole:
        if (t->state == TrialState::Failed)
            return QBrush(kFailedColor);
        if (t->state == TrialState::Pruned)
            return QBrush(kPrunedColor);
        return {};
    case Qt::FontRole:
        if (m_snapshot->summary.bestTrial && *m_snapshot->summary.bestTrial == t->number) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == NumberColumn || column == ValueColumn || column == StepsColumn || column == DurationColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case TrialNumberRole: return t->number;
    case TrialStateRole: return int(t->state);
    default: return {};
    }
}

QVariant SweepTrialModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || !m_snapshot)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NumberColumn: return tr("#");
        case StateColumn: return tr("State");
        case ValueColumn: return m_snapshot->sweep.metric;
        case StepsColumn: return tr("Steps");
        case DurationColumn: return tr("Duration");
        default: return m_snapshot->sweep.spec.space.params().value(section - kFixedColumns).name;
        }
    }
    if (role == Qt::ToolTipRole && section == ValueColumn)
        return tr("The objective (%1, %2): a complete trial's final value, a pruned trial's last reported one")
            .arg(m_snapshot->sweep.metric, tune::directionName(m_snapshot->sweep.direction));
    return QAbstractTableModel::headerData(section, orientation, role);
}

void SweepTrialModel::sort(int column, Qt::SortOrder order)
{
    if (!m_snapshot)
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    resort();
}

void SweepTrialModel::resort()
{
    // Rows move: persistent indexes (the selection, the current row) follow their trials.
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList persistent = persistentIndexList();
    QVector<int> trialOf;
    for (const QModelIndex &i : persistent)
        trialOf.append(m_order.value(i.row(), -1));
    applySort();
    for (int r = 0; r < m_order.size(); ++r)
        m_rowOf[m_order[r]] = r;
    QModelIndexList moved;
    for (int k = 0; k < persistent.size(); ++k)
        moved.append(trialOf[k] < 0 ? QModelIndex() : index(m_rowOf[trialOf[k]], persistent[k].column()));
    changePersistentIndexList(persistent, moved);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void SweepTrialModel::applySort()
{
    if (!m_snapshot || m_sortColumn < 0)
        return;
    const QVector<Trial> &trials = m_snapshot->trials;
    // One key per trial (NaN: missing), then a stable sort of the indices; missing values last in
    // both orders, ties by number.
    std::vector<double> key(size_t(trials.size()));
    const int param = m_sortColumn - kFixedColumns;
    for (int i = 0; i < trials.size(); ++i) {
        const Trial &t = trials[i];
        switch (m_sortColumn) {
        case NumberColumn: key[size_t(i)] = t.number; break;
        case StateColumn: key[size_t(i)] = int(t.state); break;
        case ValueColumn: key[size_t(i)] = t.value && std::isfinite(*t.value) ? *t.value : std::nan(""); break;
        case StepsColumn: key[size_t(i)] = t.steps; break;
        case DurationColumn: key[size_t(i)] = t.started > 0 && t.finished > 0 ? double(t.finished - t.started) : std::nan(""); break;
        default: key[size_t(i)] = param >= 0 && size_t(param) < t.point.size() ? t.point[size_t(param)] : std::nan(""); break;
        }
    }
    std::iota(m_order.begin(), m_order.end(), 0);
    const bool descending = m_sortOrder == Qt::DescendingOrder;
    std::stable_sort(m_order.begin(), m_order.end(), [&](int a, int b) {
        const double ka = key[size_t(a)], kb = key[size_t(b)];
        if (std::isnan(ka) || std::isnan(kb))
            return !std::isnan(ka) && std::isnan(kb);
        return descending ? ka > kb : ka < kb;
    });
}

} // namespace orrery::ui
