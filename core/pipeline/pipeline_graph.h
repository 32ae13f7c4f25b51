#pragma once
// PipelineGraph: the stages and the edges their files imply — stage A → stage B when B reads
// (deps) a path that A writes (outs, metrics, plots), or a file inside a folder A writes, or a
// folder holding A's out. Building it checks what DVC checks: unique names, no path written by
// two stages (nor one inside another's), no cycle. Errors are typed by ErrorCode:
// AlreadyExists (a duplicate name or out), FailedPrecondition (a cycle, named stage by stage).
//
// Paths here are relative to the workspace root (a stage's wdir applied).

#include "core/common/status.h"
#include "core/pipeline/stage.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>

namespace orrery::pipeline {

struct GraphEdge {
    int from = -1; // the stage that writes `path`
    int to = -1;   // the stage that reads it
    QString path;
};

// A stage's path (a dep or an out, relative to its wdir) relative to the workspace root.
QString workspacePath(const Stage &stage, const QString &path);

class PipelineGraph {
public:
    static Result<PipelineGraph> build(const QVector<Stage> &stages);

    const QVector<Stage> &stages() const { return m_stages; }
    const QVector<GraphEdge> &edges() const { return m_edges; }
    const QVector<int> &upstream(int stage) const { return m_up[stage]; }
    const QVector<int> &downstream(int stage) const { return m_down[stage]; }
    int indexOf(const QString &name) const { return m_index.value(name, -1); }
    // Stages in an order where every stage comes after those it reads from (file order on ties).
    const QVector<int> &order() const { return m_order; }
    // The named stages and everything upstream of them, in order; NotFound names an unknown one.
    Result<QVector<int>> withUpstream(const QStringList &targets) const;
    // The stage that writes `path` (or a folder holding it), -1 when none.
    int producerOf(const QString &workspacePath) const;

    // The cycle through `stages` if adding an edge set would make one: "a -> b -> a".
    static QString describeCycle(const QVector<Stage> &stages, const QVector<QVector<int>> &down, const QVector<int> &cycle);

private:
    QVector<Stage> m_stages;
    QVector<GraphEdge> m_edges;
    QVector<QVector<int>> m_up, m_down;
    QHash<QString, int> m_index;
    QVector<int> m_order;
    QVector<std::pair<QString, int>> m_outs; // workspace path → producer
};

} // namespace orrery::pipeline
