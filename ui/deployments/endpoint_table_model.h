#pragma once
// EndpointTableModel: the endpoints of the workspace as DeploymentStore::list() gives them, one
// row each — model, stable and candidate versions, strategy, phase, the traffic split (painted as
// a bar by TrafficSplitDelegate from WeightsRole), the rollout's progress and its message (an
// abort's reason). A list of plain core data replaced whole: a workspace has a handful of
// endpoints, not thousands.
//
// Threads: GUI thread.

#include "core/deploy/deployment.h"

#include <QAbstractTableModel>
#include <QVector>

namespace orrery::ui {

class EndpointTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { EndpointColumn, ModelColumn, StableColumn, CandidateColumn, StrategyColumn, PhaseColumn, TrafficColumn, ProgressColumn, MessageColumn, ColumnCount };
    // QVariantList of QVariantMap {version, percent, role: "stable"|"candidate"|"preview"|"shadow"}.
    static constexpr int WeightsRole = Qt::UserRole + 1;
    static constexpr int EndpointRole = Qt::UserRole + 2;

    explicit EndpointTableModel(QObject *parent = nullptr);

    // Keeps rows whose endpoint stays (so the selection stays), resets when the set changes.
    void setDeployments(const QVector<deploy::Deployment> &deployments);
    const QVector<deploy::Deployment> &deployments() const { return m_rows; }
    const deploy::Deployment *find(const QString &endpoint) const;
    int rowOf(const QString &endpoint) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // "v1 95 % · v2 5 %", as the bar's tooltip and the cell's text say it.
    static QString trafficText(const deploy::Deployment &d);

private:
    QVector<deploy::Deployment> m_rows;
};

} // namespace orrery::ui
