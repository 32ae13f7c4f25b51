#pragma once
// The seven areas of the workbench, in mode-bar order (DESIGN.md, "The workbench window"). One
// table drives the mode bar, the View menu, the shortcuts (Ctrl+1…Ctrl+7) and the empty states,
// so adding or renaming an area is a change in one place.

#include <QString>
#include <QVector>

namespace orrery::ui {

enum class Area { Pipeline, Data, Experiments, Registry, Deployments, Monitoring, Automation };

struct AreaInfo {
    Area area;
    QString id;          // stable, for object names and settings: "pipeline"
    QString title;       // "Pipeline"
    QString iconPath;    // ":/icons/pipeline.svg"
    QString emptyTitle;  // heading of the empty state: what the area is for
    QString description; // what will appear in this area
    QString howToStart;  // how to get something there today; `code` in backticks
};

const QVector<AreaInfo> &workbenchAreas();

} // namespace orrery::ui
