#pragma once
// The editor's positions of pipeline nodes, .orrery/layout.json — versioned with the pipeline
// (it is not ignored by git), keyed by stage name so it survives a reload of dvc.yaml:
//
//   {"version": 1, "nodes": {"train": {"x": 120, "y": 40}, …}}
//
// A missing file is an empty layout; stages without a position get one from autoLayout().

#include "core/common/status.h"

#include <QHash>
#include <QPointF>
#include <QString>

namespace orrery::pipeline {

class PipelineModel;

struct Layout {
    QHash<QString, QPointF> positions;

    static Result<Layout> load(const QString &root);
    Status save(const QString &root) const; // atomically
    static QString pathFor(const QString &root);

    // Positions from the model (by stage name), and back onto it.
    static Layout fromModel(const PipelineModel &model);
    void applyTo(PipelineModel &model) const;
    // Columns by depth from the sources, rows in file order; only for stages without a position.
    static void autoLayout(PipelineModel &model, const Layout &known);
};

} // namespace orrery::pipeline
