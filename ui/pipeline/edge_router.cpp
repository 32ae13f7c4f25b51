#include "ui/pipeline/edge_router.h"

#include <QPainterPathStroker>

#include <algorithm>
#include <cmath>
#include <limits>

namespace orrery::ui {

namespace {

constexpr qreal kClearance = 12; // the least distance a routed link keeps from a card
constexpr qreal kLane = 30;      // the preferred distance of a lane from its card (half the editor's column gap)
constexpr qreal kCorner = 10;

struct Interval {
    qreal lo, hi;
};

// The free stretches of [lo, hi] once `taken` (padded by kClearance) is removed.
QVector<Interval> freeIntervals(QVector<Interval> taken, qreal lo, qreal hi)
{
    std::sort(taken.begin(), taken.end(), [](const Interval &a, const Interval &b) { return a.lo < b.lo; });
    QVector<Interval> out;
    qreal at = lo;
    for (const Interval &t : taken) {
        const qreal a = t.lo - kClearance, b = t.hi + kClearance;
        if (a > at)
            out.append({at, std::min(a, hi)});
        at = std::max(at, b);
        if (at >= hi)
            break;
    }
    if (at < hi)
        out.append({at, hi});
    return out;
}

// Where in its lane or channel a link runs: one of four tracks kTrack apart around the middle, so
// that links of different ports stay apart (within the clearance the gap leaves). Port 0, the
// top one, gets the track furthest right (down), so links of ports one above the other, turning
// into or out of their ports, do not cross.
constexpr qreal kTrack = 6;
qreal track(int port, qreal gap)
{
    const qreal offset = (1.5 - std::clamp(port, 0, 3)) * kTrack;
    const qreal room = std::max(0.0, gap / 2 - kClearance);
    return std::clamp(offset, -room, room);
}

// A horizontal channel between xa and xb: the y of the free stretch nearest to the span of the two
// ports (inside it if one is), in the middle of that stretch.
qreal channelY(qreal xa, qreal xb, qreal y1, qreal y2, qreal preferBelow, const QVector<QRectF> &cards, int port)
{
    const qreal left = std::min(xa, xb) - kLane, right = std::max(xa, xb) + kLane; // the lanes' span
    QVector<Interval> taken;
    qreal top = std::min(y1, y2), bottom = std::max(y1, y2);
    for (const QRectF &r : cards) {
        top = std::min(top, r.top());
        bottom = std::max(bottom, r.bottom());
        if (r.right() + kClearance > left && r.left() - kClearance < right)
            taken.append({r.top(), r.bottom()});
    }
    const qreal spanLo = std::min(y1, y2), spanHi = std::max(y1, y2);
    qreal best = bottom + kLane, bestCost = std::numeric_limits<qreal>::max();
    for (const Interval &f : freeIntervals(taken, top - 2 * kLane, bottom + 2 * kLane)) {
        // An open end (above or below every card) has its lane kLane past the last card.
        const qreal y = f.lo <= top - 2 * kLane ? f.hi - kLane + kClearance
                      : f.hi >= bottom + 2 * kLane ? f.lo + kLane - kClearance
                                                   : (f.lo + f.hi) / 2;
        const qreal outside = y < spanLo ? spanLo - y : y > spanHi ? y - spanHi : 0;
        const qreal cost = outside * 4 + std::abs(y - preferBelow);
        if (cost < bestCost) {
            bestCost = cost;
            best = y + track(port, std::min(f.hi - f.lo + 2 * kClearance, 2 * kLane));
        }
    }
    return best;
}

// A vertical lane beside a card, between ya and yb: kLane from the card's side, or the middle of
// the gap to the next card when that is narrower. side: +1 right of `edge`, -1 left of it.
qreal laneX(qreal edge, int side, qreal ya, qreal yb, const QVector<QRectF> &cards, int port)
{
    const qreal lo = std::min(ya, yb) - kClearance, hi = std::max(ya, yb) + kClearance;
    qreal gap = 2 * kLane;
    for (const QRectF &r : cards) {
        if (r.bottom() < lo || r.top() > hi)
            continue;
        const qreal d = side > 0 ? r.left() - edge : edge - r.right();
        if (d >= 0)
            gap = std::min(gap, d);
    }
    return edge + side * gap / 2 + track(port, gap);
}

// A polyline with its corners rounded.
QPainterPath rounded(const QVector<QPointF> &points)
{
    QPainterPath p(points.first());
    for (int i = 1; i + 1 < points.size(); ++i) {
        const QPointF a = points[i - 1], b = points[i], c = points[i + 1];
        const qreal r = std::min({kCorner, QLineF(a, b).length() / 2, QLineF(b, c).length() / 2});
        const QLineF in(b, a), out(b, c);
        p.lineTo(in.length() > 0 ? in.pointAt(r / in.length()) : b);
        p.quadTo(b, out.length() > 0 ? out.pointAt(r / out.length()) : b);
    }
    p.lineTo(points.last());
    return p;
}

QPainterPath sCurve(QPointF from, QPointF to)
{
    QPainterPath p(from);
    const qreal dx = std::max(40.0, std::abs(to.x() - from.x()) / 2);
    p.cubicTo(from + QPointF(dx, 0), to - QPointF(dx, 0), to);
    return p;
}

} // namespace

bool pathTouches(const QPainterPath &path, const QRectF &rect, qreal width)
{
    if (!path.controlPointRect().adjusted(-width, -width, width, width).intersects(rect))
        return false;
    QPainterPathStroker stroker;
    stroker.setWidth(width);
    return stroker.createStroke(path).intersects(rect);
}

QPainterPath routeEdge(QPointF from, QPointF to, const QRectF &source, const QRectF &target, const QVector<QRectF> &others,
                       int outPort, int inPort)
{
    if (to.x() - from.x() >= 2 * kLane) {
        const QPainterPath curve = sCurve(from, to);
        if (std::none_of(others.cbegin(), others.cend(), [&](const QRectF &r) { return pathTouches(curve, r, 2 * kClearance); }))
            return curve;
    }
    QVector<QRectF> all = others;
    all << source << target;
    // The channel: between the rows when the reader is below (a folded band), else the free
    // stretch nearest to the ports; prefer the one just under the writer's card.
    // The reader's port picks the channel's track and its lane's: two links into one card part
    // where they meet; the writer's port picks the track of the lane beside the writer.
    const qreal y = channelY(source.right(), target.left(), from.y(), to.y(), source.bottom() + kLane, all, inPort);
    const qreal x1 = laneX(source.right(), +1, from.y(), y, others, outPort);
    const qreal x2 = laneX(target.left(), -1, y, to.y(), others, inPort);
    return rounded({from, QPointF(x1, from.y()), QPointF(x1, y), QPointF(x2, y), QPointF(x2, to.y()), to});
}

} // namespace orrery::ui
