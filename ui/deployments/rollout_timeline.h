#pragma once
// RolloutTimeline: one endpoint's history (DeploymentStore::events), newest first — started,
// step, analysis, inconclusive, paused, resumed, promoted, completed, aborted, retried,
// rolled_back — each with its time, the versions and weights after it, who made it and its
// detail text, where the canary analysis writes its results ("error_rate 0.002 vs stable
// 0.001 …"). Aborts are red, completions and promotions green, pauses amber.
//
// Threads: GUI thread.

#include "core/deploy/deployment.h"

#include <QTreeWidget>
#include <QVector>

namespace orrery::ui {

class RolloutTimeline : public QTreeWidget {
    Q_OBJECT
public:
    enum Column { TimeColumn, KindColumn, VersionsColumn, WeightsColumn, DetailColumn, ActorColumn };
    explicit RolloutTimeline(QWidget *parent = nullptr);
    // Redrawn only when the newest event or the count changed (the poll calls it every second).
    void setEvents(const QVector<deploy::DeploymentEvent> &events);
    void clearEvents();
    int eventCount() const { return topLevelItemCount(); }
    QString kindAt(int row) const;   // row 0 is the newest
    QString detailAt(int row) const;

private:
    qint64 m_newestId = -1;
    int m_count = -1;
};

} // namespace orrery::ui
