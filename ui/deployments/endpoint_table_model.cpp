#include "ui/deployments/endpoint_table_model.h"

#include "ui/deployments/deployments_snapshot.h"

#include <QColor>
#include <QVariantMap>

namespace orrery::ui {

EndpointTableModel::EndpointTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void EndpointTableModel::setDeployments(const QVector<deploy::Deployment> &deployments)
{
    bool sameEndpoints = deployments.size() == m_rows.size();
    for (int i = 0; sameEndpoints && i < deployments.size(); ++i)
        sameEndpoints = deployments[i].endpoint == m_rows[i].endpoint;
    if (!sameEndpoints) {
        beginResetModel();
        m_rows = deployments;
        endResetModel();
        return;
    }
    m_rows = deployments;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

const deploy::Deployment *EndpointTableModel::find(const QString &endpoint) const
{
    const int row = rowOf(endpoint);
    return row < 0 ? nullptr : &m_rows[row];
}

int EndpointTableModel::rowOf(const QString &endpoint) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].endpoint == endpoint)
            return i;
    return -1;
}

int EndpointTableModel::rowCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }
int EndpointTableModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString EndpointTableModel::trafficText(const deploy::Deployment &d)
{
    QStringList parts;
    for (const auto &[version, percent] : d.weights())
        parts << QStringLiteral("v%1 %2 %").arg(version).arg(percent);
    if (d.rollingOut() && d.strategy == deploy::Strategy::BlueGreen)
        parts << QStringLiteral("preview v%1").arg(d.candidateVersion);
    if (d.rollingOut() && d.strategy == deploy::Strategy::Shadow)
        parts << QStringLiteral("shadow v%1").arg(d.candidateVersion);
    return parts.isEmpty() ? QStringLiteral("no traffic") : parts.join(QStringLiteral(" · "));
}

QVariant EndpointTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const deploy::Deployment &d = m_rows[index.row()];
    if (role == EndpointRole)
        return d.endpoint;
    if (role == WeightsRole) {
        QVariantList out;
        for (const auto &[version, percent] : d.weights())
            out << QVariantMap{{QStringLiteral("version"), version}, {QStringLiteral("percent"), percent},
                               {QStringLiteral("role"), version == d.stableVersion ? QStringLiteral("stable") : QStringLiteral("candidate")}};
        if (d.rollingOut() && (d.strategy == deploy::Strategy::BlueGreen || d.strategy == deploy::Strategy::Shadow))
            out << QVariantMap{{QStringLiteral("version"), d.candidateVersion}, {QStringLiteral("percent"), 0},
                               {QStringLiteral("role"), d.strategy == deploy::Strategy::BlueGreen ? QStringLiteral("preview") : QStringLiteral("shadow")}};
        return out;
    }
    if (role == Qt::ForegroundRole && index.column() == PhaseColumn) {
        switch (d.phase) {
        case deploy::Phase::Aborted: return QColor(0xc6, 0x28, 0x28);
        case deploy::Phase::Paused: return QColor(0xb2, 0x6a, 0x00);
        case deploy::Phase::Progressing: return QColor(0x15, 0x65, 0xc0);
        case deploy::Phase::Healthy: return QColor(0x2e, 0x7d, 0x32);
        }
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == TrafficColumn)
            return trafficText(d);
        if (index.column() == MessageColumn || index.column() == PhaseColumn)
            return d.message.isEmpty() ? QVariant() : d.message;
        if (index.column() == ProgressColumn && d.strategy == deploy::Strategy::Canary)
            return tr("Steps %1, %2 each; analysis: %3").arg(deploy::stepsText(d.steps), deploy::durationText(d.pauseMs),
                                                             d.analysis.isEmpty() ? tr("none") : d.analysis);
        return {};
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case EndpointColumn: return d.endpoint;
    case ModelColumn: return d.model;
    case StableColumn: return d.stableVersion ? QStringLiteral("v%1").arg(d.stableVersion) : QStringLiteral("—");
    case CandidateColumn: return d.candidateVersion ? QStringLiteral("v%1").arg(d.candidateVersion) : QStringLiteral("—");
    case StrategyColumn: return deploy::strategyName(d.strategy);
    case PhaseColumn: return deploy::phaseName(d.phase);
    case TrafficColumn: return trafficText(d);
    case ProgressColumn: return rolloutProgressText(d);
    case MessageColumn: return d.message;
    case ColumnCount: break;
    }
    return {};
}

QVariant EndpointTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case EndpointColumn: return tr("Endpoint");
    case ModelColumn: return tr("Model");
    case StableColumn: return tr("Stable");
    case CandidateColumn: return tr("Candidate");
    case StrategyColumn: return tr("Strategy");
    case PhaseColumn: return tr("Phase");
    case TrafficColumn: return tr("Traffic");
    case ProgressColumn: return tr("Rollout");
    case MessageColumn: return tr("Message");
    case ColumnCount: break;
    }
    return {};
}

} // namespace orrery::ui
