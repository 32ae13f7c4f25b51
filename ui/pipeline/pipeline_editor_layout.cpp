// The editor's panels and how the pipeline fits its canvas: the splitter remembered in QSettings,
// and the editor's own layout folded into bands when it would otherwise be fitted unreadably small.
#include "ui/pipeline/pipeline_editor.h"

#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_scene.h"
#include "ui/pipeline/pipeline_view.h"
#include "ui/pipeline/stage_node_item.h"
#include "ui/pipeline/stage_palette.h"
#include "ui/pipeline/wrapped_layout.h"

#include <QAction>
#include <QSettings>
#include <QSplitter>

namespace orrery::ui {

using namespace orrery::pipeline;

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

} // namespace orrery::ui
