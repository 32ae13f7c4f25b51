#pragma once
// TrafficSplitDelegate: the Traffic column as a bar — one segment per routed version, as wide as
// its percent, the stable in blue and the candidate in orange, each labelled "v1 95 %"; a
// blue-green preview or a shadow copy is a hatched tag after the bar (it takes no share of the
// endpoint's traffic). Reads EndpointTableModel::WeightsRole.
//
// Threads: GUI thread.

#include <QStyledItemDelegate>

namespace orrery::ui {

class TrafficSplitDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

} // namespace orrery::ui
