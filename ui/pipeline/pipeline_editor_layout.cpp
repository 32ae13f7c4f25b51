// The editor's panels and how the pipeline fits its canvas: palette | canvas | properties in a
// splitter remembered in QSettings, the layered "Lay out" (an undo command), and the editor's own
// layout folded into bands when it would otherwise be fitted unreadably small.
#include "ui/pipeline/pipeline_editor.h"

#include "core/pipeline/dag_layout.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_scene.h"
#include "ui/pipeline/pipeline_view.h"
#include "ui/pipeline/stage_node_item.h"
#include "ui/pipeline/stage_palette.h"
#include "ui/pipeline/undo_commands.h"
#include "ui/pipeline/wrapped_layout.h"

#include <QAction>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QUndoStack>
#include <QVBoxLayout>

namespace orrery::ui {

using namespace orrery::pipeline;

void PipelineEditor::createPanels()
{
    auto *split = new QSplitter(this);
    m_split = split;
    split->setObjectName(QStringLiteral("pipelineSplitter"));
    split->setChildrenCollapsible(false); // panels are hidden with their toggles, not dragged to 0
    split->addWidget(m_palette);
    split->addWidget(m_view);
    // An empty pipeline says how to start where the properties go (the canvas stays a drop target).
    auto *side = new QWidget(split);
    m_sidePanel = side;
    side->setObjectName(QStringLiteral("pipelineSidePanel"));
    // Its width is the user's: a form's size hint must not push the divider when the selection
    // changes (tst_pipeline_panels). Two things hold it: the form scrolls inside its tab, so its
    // hints stop at the scroll area; and the explicit minimum width, which QSplitter takes over
    // any hint whatever the size policy (qSmartMinSize) — Ignored alone changes nothing while it
    // is set, and says the same should it go.
    side->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    side->setMinimumWidth(220);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    for (const AreaInfo &a : workbenchAreas())
        if (a.area == Area::Pipeline)
            m_empty = new EmptyState(a.iconPath, a.emptyTitle, a.description, a.howToStart, side);
    sideLayout->addWidget(m_empty);
    sideLayout->addWidget(m_side);
    split->addWidget(side);
    auto updateEmpty = [this] {
        const bool empty = m_doc->model()->nodes().isEmpty();
        m_empty->setVisible(empty);
        m_side->setVisible(!empty);
    };
    connect(m_doc->model(), &PipelineModel::modelReset, this, updateEmpty);
    connect(m_doc->model(), &PipelineModel::nodeAdded, this, updateEmpty);
    connect(m_doc->model(), &PipelineModel::nodeRemoved, this, updateEmpty);
    updateEmpty();
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setStretchFactor(2, 0);
    split->setSizes({170, 1000, 270}); // the canvas takes what the palette and the form leave
    restoreSplitter();
    connect(split, &QSplitter::splitterMoved, this, &PipelineEditor::saveSplitter);
}

void PipelineEditor::saveSplitter() const
{
    if (!m_split)
        return;
    QSettings settings;
    settings.setValue(QStringLiteral("pipeline/splitter"), m_split->saveState());
    settings.setValue(QStringLiteral("pipeline/paletteShown"), !m_palette->isHidden());
    settings.setValue(QStringLiteral("pipeline/propertiesShown"), !m_sidePanel->isHidden());
}

void PipelineEditor::restoreSplitter()
{
    QSettings settings;
    m_split->restoreState(settings.value(QStringLiteral("pipeline/splitter")).toByteArray());
    const bool palette = settings.value(QStringLiteral("pipeline/paletteShown"), true).toBool();
    const bool props = settings.value(QStringLiteral("pipeline/propertiesShown"), true).toBool();
    m_palette->setVisible(palette);
    m_sidePanel->setVisible(props);
    m_actions[QStringLiteral("togglePalette")]->setChecked(palette);
    m_actions[QStringLiteral("toggleProperties")]->setChecked(props);
}

void PipelineEditor::foldToFit()
{
    // Only the editor's own layout of a pipeline nobody has arranged: a layout.json is the user's.
    if (!m_doc->isAutoLaidOut() || m_view->fitZoom() >= PipelineView::kMinReadableZoom)
        return;
    QHash<NodeId, QPointF> positions;
    for (NodeId id : m_doc->model()->nodes())
        positions.insert(id, m_doc->model()->position(id));
    const auto height = [this](NodeId id) {
        StageNodeItem *item = m_scene->nodeItem(id);
        return item ? item->boundingRect().height() : 120.0;
    };
    const WrappedLayout folded = wrappedLayout(positions, 290, StageNodeItem::kWidth, height,
                                               QSizeF(m_view->viewport()->size()), 30);
    if (folded.zoom <= m_view->fitZoom())
        return;
    for (auto it = folded.positions.cbegin(); it != folded.positions.cend(); ++it)
        (void)m_doc->model()->setPosition(it.key(), it.value());
}

void PipelineEditor::autoLayout()
{
    DagLayoutOptions options;
    options.columnWidth = StageNodeItem::kWidth + 60;
    options.height = [this](NodeId id) {
        StageNodeItem *item = m_scene->nodeItem(id);
        return item ? item->boundingRect().height() : 120.0;
    };
    const auto positions = layeredLayout(*m_doc->model(), options);
    QHash<QString, std::pair<QPointF, QPointF>> moves;
    for (auto it = positions.cbegin(); it != positions.cend(); ++it)
        if (m_doc->model()->position(it.key()) != it.value())
            moves.insert(m_doc->model()->stage(it.key())->name, {m_doc->model()->position(it.key()), it.value()});
    if (moves.isEmpty())
        return;
    auto *cmd = new MoveStagesCommand(m_doc, moves, false);
    cmd->setText(tr("Lay out the pipeline"));
    m_doc->undoStack()->push(cmd);
    m_view->fitAll();
}

} // namespace orrery::ui
