#include "ui/pipeline/wrapped_layout.h"

#include <QMap>

#include <algorithm>
#include <cmath>

namespace orrery::ui {

WrappedLayout wrappedLayout(const QHash<pipeline::NodeId, QPointF> &positions, double columnWidth, double cardWidth,
                            const std::function<double(pipeline::NodeId)> &height, QSizeF viewport, double margin)
{
    WrappedLayout best;
    if (positions.isEmpty() || viewport.isEmpty())
        return best;
    double minX = 1e300;
    for (const QPointF &p : positions)
        minX = std::min(minX, p.x());
    QMap<int, QVector<pipeline::NodeId>> columns; // layer index → its nodes
    for (auto it = positions.cbegin(); it != positions.cend(); ++it)
        columns[int(std::lround((it.value().x() - minX) / columnWidth))].append(it.key());
    const int layers = columns.lastKey() + 1;
    constexpr double bandGap = 60;
    for (int k = 1; k <= layers; ++k) {
        QHash<pipeline::NodeId, QPointF> placed;
        double bandTop = 0, bandBottom = 0;
        int band = -1;
        for (auto it = columns.cbegin(); it != columns.cend(); ++it) {
            if (it.key() / k != band) {
                if (band >= 0)
                    bandTop = bandBottom + bandGap;
                band = it.key() / k;
                bandBottom = bandTop;
            }
            double minY = 1e300;
            for (pipeline::NodeId id : it.value())
                minY = std::min(minY, positions.value(id).y());
            for (pipeline::NodeId id : it.value()) {
                const double y = bandTop + positions.value(id).y() - minY;
                placed.insert(id, QPointF(minX + (it.key() % k) * columnWidth, y));
                bandBottom = std::max(bandBottom, y + height(id));
            }
        }
        const double w = (k - 1) * columnWidth + cardWidth + 2 * margin;
        const double h = bandBottom + 2 * margin;
        const double z = std::min(viewport.width() / w, viewport.height() / h);
        if (z > best.zoom + 1e-9) {
            best.zoom = z;
            best.positions = placed;
        }
    }
    return best;
}

} // namespace orrery::ui
