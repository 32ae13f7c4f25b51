#include "core/pipeline/pipeline_graph.h"

#include <QDir>

#include <algorithm>

namespace orrery::pipeline {
namespace {

bool inside(const QString &path, const QString &folder)
{
    return path.size() > folder.size() && path.startsWith(folder) && path[folder.size()] == QLatin1Char('/');
}

bool overlaps(const QString &a, const QString &b)
{
    return a == b || inside(a, b) || inside(b, a);
}

} // namespace

QString workspacePath(const Stage &stage, const QString &path)
{
    if (stage.wdir.isEmpty())
        return path;
    return QDir::cleanPath(stage.wdir + QLatin1Char('/') + path);
}

QString PipelineGraph::describeCycle(const QVector<Stage> &stages, const QVector<QVector<int>> &, const QVector<int> &cycle)
{
    QStringList names;
    for (int i : cycle)
        names << stages[i].name;
    if (!cycle.isEmpty())
        names << stages[cycle.front()].name;
    return names.join(QStringLiteral(" -> "));
}

Result<PipelineGraph> PipelineGraph::build(const QVector<Stage> &stages)
{
    PipelineGraph g;
    g.m_stages = stages;
    const int n = int(stages.size());
    g.m_up.resize(n);
    g.m_down.resize(n);
    for (int i = 0; i < n; ++i) {
        if (g.m_index.contains(stages[i].name))
            return Status(ErrorCode::AlreadyExists, QStringLiteral("two stages are named '%1'").arg(stages[i].name));
        g.m_index.insert(stages[i].name, i);
    }
    for (int i = 0; i < n; ++i) {
        for (const QString &p : stages[i].outputPaths()) {
            const QString wp = workspacePath(stages[i], p);
            for (const auto &[other, j] : g.m_outs) {
                if (overlaps(wp, other)) {
                    if (j == i)
                        return Status(ErrorCode::AlreadyExists, QStringLiteral("stage '%1' lists '%2' twice among its outs (or one inside the other)").arg(stages[i].name, wp));
                    return Status(ErrorCode::AlreadyExists,
                                  QStringLiteral("two stages write '%1': '%2' and '%3' (%4); each path has one producer — give one of them another path")
                                      .arg(wp, stages[j].name, stages[i].name, other == wp ? QStringLiteral("the same out") : QStringLiteral("one out is inside the other, '%1'").arg(other)));
                }
            }
            g.m_outs.append({wp, i});
        }
    }
    for (int i = 0; i < n; ++i) {
        for (const QString &d : stages[i].deps) {
            const QString wd = workspacePath(stages[i], d);
            for (const auto &[out, j] : g.m_outs) {
                if (!overlaps(wd, out))
                    continue;
                if (j == i)
                    return Status(ErrorCode::FailedPrecondition,
                                  QStringLiteral("stage '%1' reads '%2', which it writes itself: a cycle (%1 -> %1)").arg(stages[i].name, wd));
                g.m_edges.append({j, i, wd});
                if (!g.m_up[i].contains(j))
                    g.m_up[i].append(j);
                if (!g.m_down[j].contains(i))
                    g.m_down[j].append(i);
            }
        }
    }
    // Kahn's algorithm, file order on ties; what is left over lies on or after a cycle.
    QVector<int> indegree(n);
    for (int i = 0; i < n; ++i)
        indegree[i] = int(g.m_up[i].size());
    QVector<int> ready;
    for (int i = 0; i < n; ++i)
        if (indegree[i] == 0)
            ready.append(i);
    while (!ready.isEmpty()) {
        std::sort(ready.begin(), ready.end());
        const int i = ready.takeFirst();
        g.m_order.append(i);
        for (int d : g.m_down[i])
            if (--indegree[d] == 0)
                ready.append(d);
    }
    if (g.m_order.size() != n) {
        // Walk upstream from a left-over stage until a stage repeats: that loop is the cycle.
        int start = -1;
        for (int i = 0; i < n; ++i)
            if (indegree[i] > 0) {
                start = i;
                break;
            }
        QVector<int> path;
        int cur = start;
        while (!path.contains(cur)) {
            path.append(cur);
            int next = -1;
            for (int u : g.m_up[cur])
                if (indegree[u] > 0) {
                    next = u;
                    break;
                }
            cur = next;
        }
        QVector<int> cycle = path.mid(path.indexOf(cur));
        std::reverse(cycle.begin(), cycle.end()); // producer before consumer
        // Start at the stage that comes first in the file, so the message is stable.
        std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
        QStringList via;
        for (int k = 0; k < cycle.size(); ++k) {
            const int a = cycle[k], b = cycle[(k + 1) % cycle.size()];
            for (const auto &e : g.m_edges)
                if (e.from == a && e.to == b) {
                    via << QStringLiteral("'%1' writes %2, which '%3' reads").arg(stages[a].name, e.path, stages[b].name);
                    break;
                }
        }
        return Status(ErrorCode::FailedPrecondition,
                      QStringLiteral("the pipeline has a cycle: %1 (%2); a stage may not depend on its own outputs, directly or through others")
                          .arg(describeCycle(stages, g.m_down, cycle), via.join(QStringLiteral("; "))));
    }
    return g;
}

Result<QVector<int>> PipelineGraph::withUpstream(const QStringList &targets) const
{
    QVector<bool> keep(m_stages.size(), false);
    QVector<int> stack;
    for (const auto &t : targets) {
        const int i = indexOf(t);
        if (i < 0) {
            // A group name selects all its generated stages.
            bool any = false;
            for (int k = 0; k < m_stages.size(); ++k)
                if (m_stages[k].name.startsWith(t + QLatin1Char('@'))) {
                    stack.append(k);
                    any = true;
                }
            if (!any) {
                QStringList names;
                for (const auto &s : m_stages)
                    names << s.name;
                return notFound(QStringLiteral("no stage named '%1' in dvc.yaml (stages: %2)").arg(t, names.join(QStringLiteral(", "))));
            }
            continue;
        }
        stack.append(i);
    }
    while (!stack.isEmpty()) {
        const int i = stack.takeLast();
        if (keep[i])
            continue;
        keep[i] = true;
        for (int u : m_up[i])
            stack.append(u);
    }
    QVector<int> out;
    for (int i : m_order)
        if (keep[i])
            out.append(i);
    return out;
}

int PipelineGraph::producerOf(const QString &wp) const
{
    for (const auto &[out, j] : m_outs)
        if (wp == out || inside(wp, out) || inside(out, wp))
            return j;
    return -1;
}

} // namespace orrery::pipeline
