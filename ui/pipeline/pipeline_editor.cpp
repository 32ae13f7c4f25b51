// PipelineEditor, the frame: the parts made and wired together, opening a workspace, the
// selection handed to the property form and the run panel, and the message line. The rest of
// the controller is split by concern so each file reads on its own:
//   pipeline_editor_actions.cpp  the toolbar's actions and when each is enabled
//   pipeline_editor_edits.cpp    the edit gestures as undo commands (add, connect, delete, copy/paste)
//   pipeline_editor_disk.cpp     the files on disk: watched, changed by someone else, reloaded
//   pipeline_editor_save.cpp     Save, and Save / Discard / Cancel before closing
//   pipeline_editor_layout.cpp   the panels, lay out, and folding to fit the canvas
//   pipeline_editor_run.cpp      runs and the cards' state
#include "ui/pipeline/pipeline_editor.h"

#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_runner.h"
#include "ui/pipeline/pipeline_scene.h"
#include "ui/pipeline/pipeline_view.h"
#include "ui/pipeline/stage_palette.h"
#include "ui/pipeline/stage_property_editor.h"
#include "ui/pipeline/stage_run_panel.h"
#include "ui/pipeline/stage_status_probe.h"
#include "ui/pipeline/undo_commands.h"

#include <QElapsedTimer>
#include <QFileSystemWatcher>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

namespace orrery::ui {

using namespace orrery::pipeline;

PipelineEditor::PipelineEditor(QWidget *parent) : PipelineEditor(nullptr, parent)
{
}

PipelineEditor::PipelineEditor(Navigator *navigator, QWidget *parent)
    : QWidget(parent),
      m_doc(new PipelineDocument(this)),
      m_scene(new PipelineScene(m_doc, this)),
      m_view(new PipelineView(m_scene, this)),
      m_palette(new StagePalette(m_doc->registry(), this)),
      m_props(new StagePropertyEditor(m_doc, this)),
      m_runPanel(new StageRunPanel(navigator, this)),
      m_side(new QTabWidget(this)),
      m_toolBar(new QToolBar(this)),
      m_message(new QLabel(this)),
      m_runStatus(new QLabel(this)),
      m_banner(new QFrame(this)),
      m_watcher(new QFileSystemWatcher(this)),
      m_diskTimer(new QTimer(this)),
      m_tick(new QTimer(this)),
      m_runner(new PipelineRunner(this)),
      m_statusProbe(new StageStatusProbe(this)),
      m_clock(new QElapsedTimer)
{
    setObjectName(QStringLiteral("area.pipeline"));
    m_clock->start();
    m_message->setObjectName(QStringLiteral("pipelineMessage"));
    m_message->setWordWrap(true);
    m_runStatus->setObjectName(QStringLiteral("pipelineRunStatus"));
    m_side->setObjectName(QStringLiteral("pipelineSide"));
    // The form scrolls: a stage with many settings is taller than the window (each field is under
    // its label), and a squeezed form overlapped its own rows.
    auto *propsScroll = new QScrollArea(m_side);
    propsScroll->setObjectName(QStringLiteral("pipelinePropertiesScroll"));
    propsScroll->setWidget(m_props);
    propsScroll->setWidgetResizable(true);
    propsScroll->setFrameShape(QFrame::NoFrame);
    propsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_side->addTab(propsScroll, tr("Properties"));
    m_side->addTab(m_runPanel, tr("Log && metrics"));

    createReloadBanner();
    createActions();
    createPanels(); // after the actions: restoring the panels checks their toggles
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_toolBar);
    layout->addWidget(m_banner);
    layout->addWidget(m_split, 1);
    auto *status = new QHBoxLayout;
    status->setContentsMargins(6, 2, 6, 2);
    status->addWidget(m_message, 1);
    status->addWidget(m_runStatus);
    layout->addLayout(status);

    connect(m_statusProbe, &StageStatusProbe::statusesReady, this, &PipelineEditor::onDiskStatuses);
    connect(m_doc, &PipelineDocument::saved, this, &PipelineEditor::refreshDiskStatus);
    connect(m_view, &PipelineView::autoFitRequested, this, &PipelineEditor::foldToFit);
    connect(m_view, &PipelineView::stageDropped, this, &PipelineEditor::addStageOfType);
    connect(m_view, &PipelineView::connectRequested, this, &PipelineEditor::connectPorts);
    connect(m_view, &PipelineView::connectRefused, this, [this](const QString &r) { showMessage(r, true); });
    connect(m_view, &PipelineView::nodesMoved, this, [this](const QHash<NodeId, std::pair<QPointF, QPointF>> &moves) {
        QHash<QString, std::pair<QPointF, QPointF>> byName;
        for (auto it = moves.cbegin(); it != moves.cend(); ++it)
            if (const Stage *s = m_doc->model()->stage(it.key()))
                byName.insert(s->name, it.value());
        m_doc->undoStack()->push(new MoveStagesCommand(m_doc, byName));
    });
    connect(m_palette, &StagePalette::activated, this, [this](const QString &type) {
        addStageOfType(type, m_view->mapToScene(m_view->viewport()->rect().center()));
    });
    connect(m_scene, &QGraphicsScene::selectionChanged, this, &PipelineEditor::selectionChanged);
    connect(m_props, &StagePropertyEditor::message, this, [this](const QString &m) { showMessage(m, true); });
    connect(m_doc->undoStack(), &QUndoStack::cleanChanged, this, &PipelineEditor::updateActions);
    connect(m_doc->undoStack(), &QUndoStack::indexChanged, this, &PipelineEditor::updateActions);

    m_diskTimer->setSingleShot(true);
    m_diskTimer->setInterval(250);
    connect(m_diskTimer, &QTimer::timeout, this, &PipelineEditor::checkDiskChange);
    connect(m_watcher, &QFileSystemWatcher::fileChanged, m_diskTimer, qOverload<>(&QTimer::start));
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, m_diskTimer, qOverload<>(&QTimer::start));

    m_tick->setInterval(100);
    connect(m_tick, &QTimer::timeout, this, &PipelineEditor::tick);
    connect(m_runner, &PipelineRunner::stageChanged, this, &PipelineEditor::onStageReport);
    connect(m_runner, &PipelineRunner::stageProgress, this, &PipelineEditor::onStageProgress);
    connect(m_runner, &PipelineRunner::progressChanged, this, [this](qint64 done, qint64 total, const QString &) {
        m_runStatus->setText(tr("Running: %1 of %2 stages finished").arg(done).arg(total));
    });
    connect(m_runner, &PipelineRunner::finished, this, [this](const Status &st, bool cancelled) {
        onRunFinished(st.isOk(), st.message(), cancelled);
    });
    updateActions();
}

PipelineEditor::~PipelineEditor()
{
    delete m_runner; // cancels and waits before the document goes
    m_runner = nullptr;
    disconnect(m_scene, nullptr, this, nullptr);
    // The document is a child, deleted after this destructor: its undo stack's last signals
    // (QUndoStack::clear in its destructor) must not reach this half-destroyed editor.
    disconnect(m_doc->undoStack(), nullptr, this, nullptr);
    delete m_view;
    delete m_scene;
    delete m_clock;
}

QAction *PipelineEditor::action(const QString &name) const
{
    return m_actions.value(name);
}

QString PipelineEditor::message() const
{
    return m_message->text();
}

void PipelineEditor::showMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("color: #e57373;") : QString());
}

void PipelineEditor::setWorkspaceRoot(const QString &root)
{
    if (m_runner->isRunning())
        m_runner->cancel();
    m_root = root;
    m_reports.clear();
    m_scene->clearRunViews();
    m_scene->setDiskStatuses({});
    m_runPanel->clear();
    m_banner->hide();
    if (root.isEmpty()) {
        m_doc->clear();
        updateActions();
        return;
    }
    const Status st = m_doc->load(root);
    if (!st.isOk())
        showMessage(tr("Cannot open the pipeline: %1").arg(st.message()), true);
    else
        showMessage(tr("%n stage(s) from dvc.yaml", nullptr, int(m_doc->model()->nodes().size())));
    watchFiles();
    showPlacements();
    m_view->requestAutoFit(); // now if the view has its size, else when it gets it
    refreshDiskStatus();
    updateActions();
}

void PipelineEditor::selectionChanged()
{
    const QList<NodeId> sel = m_scene->selectedNodes();
    m_props->setNode(sel.size() == 1 ? sel.first() : 0);
    showRunPanel();
    if (isRunning() && sel.size() == 1)
        m_side->setCurrentWidget(m_runPanel); // while stages run, a click is for the log
    updateActions();
}

} // namespace orrery::ui
