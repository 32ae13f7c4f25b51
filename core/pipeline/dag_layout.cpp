#include "core/pipeline/dag_layout.h"

#include <algorithm>

namespace orrery::pipeline {

QHash<NodeId, QPointF> layeredLayout(const PipelineModel &model, const DagLayoutOptions &options)
{
    const QVector<NodeId> nodes = model.nodes();
    QHash<NodeId, int> index;
    for (int i = 0; i < nodes.size(); ++i)
        index.insert(nodes[i], i);
    QVector<QVector<int>> up(nodes.size()), down(nodes.size());
    for (const Edge &e : model.edges()) {
        const int a = index.value(e.from, -1), b = index.value(e.to, -1);
        if (a < 0 || b < 0 || up[b].contains(a))
            continue;
        up[b].append(a);
        down[a].append(b);
    }
    // Longest-path layers in topological order (Kahn); the model is acyclic.
    QVector<int> layer(nodes.size(), 0), indeg(nodes.size(), 0), queue;
    for (int i = 0; i < nodes.size(); ++i)
        indeg[i] = int(up[i].size());
    for (int i = 0; i < nodes.size(); ++i)
        if (indeg[i] == 0)
            queue.append(i);
    for (int q = 0; q < queue.size(); ++q) {
        const int n = queue[q];
        for (int d : down[n]) {
            layer[d] = std::max(layer[d], layer[n] + 1);
            if (--indeg[d] == 0)
                queue.append(d);
        }
    }
    int layers = 0;
    for (int l : layer)
        layers = std::max(layers, l + 1);
    QVector<QVector<int>> rows(layers);
    for (int i = 0; i < nodes.size(); ++i)
        rows[layer[i]].append(i);
    QVector<double> order(nodes.size(), 0);
    auto renumber = [&](int l) {
        for (int k = 0; k < rows[l].size(); ++k)
            order[rows[l][k]] = k;
    };
    for (int l = 0; l < layers; ++l)
        renumber(l);
    auto sweep = [&](int l, bool fromAbove) {
        QVector<std::pair<double, int>> keyed;
        for (int n : rows[l]) {
            const auto &nb = fromAbove ? up[n] : down[n];
            double sum = 0;
            for (int m : nb)
                sum += order[m];
            keyed.append({nb.isEmpty() ? order[n] : sum / nb.size(), n});
        }
        std::stable_sort(keyed.begin(), keyed.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
        for (int k = 0; k < keyed.size(); ++k)
            rows[l][k] = keyed[k].second;
        renumber(l);
    };
    for (int round = 0; round < 4; ++round) {
        for (int l = 1; l < layers; ++l)
            sweep(l, true);
        for (int l = layers - 2; l >= 0; --l)
            sweep(l, false);
    }
    // Each layer centred on the tallest one.
    QVector<double> heights(layers, 0);
    for (int l = 0; l < layers; ++l)
        for (int n : rows[l])
            heights[l] += options.height(nodes[n]) + options.rowGap;
    const double tallest = layers ? *std::max_element(heights.begin(), heights.end()) : 0;
    QHash<NodeId, QPointF> out;
    for (int l = 0; l < layers; ++l) {
        double y = (tallest - heights[l]) / 2;
        for (int n : rows[l]) {
            out.insert(nodes[n], QPointF(l * options.columnWidth, y));
            y += options.height(nodes[n]) + options.rowGap;
        }
    }
    return out;
}

} // namespace orrery::pipeline
