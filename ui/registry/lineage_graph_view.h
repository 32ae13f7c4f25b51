#pragma once
// LineageGraphView: where a model version came from, as a graph read top to bottom —
// data version(s) → pipeline run → (stage run) → training run → model version — drawn from the version's
// lineage JSON (core/registry/model_lineage.h). A click on a node opens its object through the
// Navigator: a data node the dataset (kind "dataset", id its workspace path) in the Data area, a
// run node the run (kind "run", id the run's id) in Experiments. Nodes whose kind no area opens
// now are drawn without the link look and do nothing on a click.
//
// Threads: GUI thread only.

#include "core/registry/registry_types.h"

#include <QGraphicsView>

class QGraphicsRectItem;

namespace orrery::ui {

class Navigator;

class LineageGraphView : public QGraphicsView {
    Q_OBJECT
public:
    struct Node {
        QString kind; // "dataset", "run", "model_version"
        QString id;
        QString title;
        QGraphicsRectItem *item = nullptr;
        bool source = false; // data no stage made (train.yaml is read directly, yet made by no one)
    };

    explicit LineageGraphView(Navigator *navigator, QWidget *parent = nullptr);

    void setVersion(const registry::ModelVersion &version);
    void clear();
    const QVector<Node> &nodes() const { return m_nodes; }
    // The node's centre in viewport coordinates (tests click there).
    QPoint nodeCenter(int index) const;

Q_SIGNALS:
    // A node was clicked (after the Navigator was asked to open it, if it can).
    void nodeActivated(const QString &kind, const QString &id);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    int nodeAt(const QPoint &viewportPos) const;
    void fit();

    Navigator *m_navigator;
    QGraphicsScene *m_scene;
    QVector<Node> m_nodes;
};

} // namespace orrery::ui
