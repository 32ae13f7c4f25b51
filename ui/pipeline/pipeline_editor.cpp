#include "ui/pipeline/pipeline_editor.h"

#include "core/pipeline/dag_layout.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_runner.h"
#include "ui/pipeline/pipeline_scene.h"
#include "ui/pipeline/pipeline_view.h"
#include "ui/pipeline/stage_command.h"
#include "ui/pipeline/stage_palette.h"
#include "ui/pipeline/stage_ports.h"
#include "ui/pipeline/stage_property_editor.h"
#include "ui/pipeline/stage_run_panel.h"
#include "ui/pipeline/stage_status_probe.h"
#include "ui/pipeline/undo_commands.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
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
    m_side->addTab(m_props, tr("Properties"));
    m_side->addTab(m_runPanel, tr("Log && metrics"));

    m_banner->setObjectName(QStringLiteral("pipelineReloadBanner"));
    // Palette roles, not fixed colours: ToolTipBase/ToolTipText are the pair a style makes readable
    // on top of its content, in light and dark palettes alike (a fixed brown was black on dark brown).
    m_banner->setAutoFillBackground(true);
    m_banner->setBackgroundRole(QPalette::ToolTipBase);
    m_banner->setForegroundRole(QPalette::ToolTipText);
    m_banner->setFrameShape(QFrame::StyledPanel);
    auto *bl = new QHBoxLayout(m_banner);
    auto *bannerText = new QLabel(tr("dvc.yaml changed on disk, and you have unsaved edits."), m_banner);
    bannerText->setObjectName(QStringLiteral("bannerText"));
    bannerText->setForegroundRole(QPalette::ToolTipText);
    bl->addWidget(bannerText, 1);
    auto *reload = new QPushButton(tr("Reload (discard my edits)"), m_banner);
    reload->setObjectName(QStringLiteral("bannerReload"));
    auto *keep = new QPushButton(tr("Keep my edits"), m_banner);
    keep->setObjectName(QStringLiteral("bannerKeep"));
    bl->addWidget(reload);
    bl->addWidget(keep);
    m_banner->hide();
    connect(reload, &QPushButton::clicked, this, &PipelineEditor::reloadFromDisk);
    connect(keep, &QPushButton::clicked, this, [this] {
        QFile f(QDir(m_root).filePath(QStringLiteral("dvc.yaml")));
        if (f.open(QIODevice::ReadOnly))
            m_ignoredDiskText = f.readAll();
        m_banner->hide();
    });

    createActions();
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
    // Its width is the user's: a form's size hint must not push the divider when the selection changes.
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
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_toolBar);
    layout->addWidget(m_banner);
    layout->addWidget(split, 1);
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

bool PipelineEditor::isReloadAsked() const
{
    return !m_banner->isHidden();
}

void PipelineEditor::createActions()
{
    m_toolBar->setObjectName(QStringLiteral("pipelineToolBar"));
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    auto make = [this](const QString &name, const QString &text, const QKeySequence &key, auto slot) {
        auto *a = new QAction(text, this);
        a->setObjectName(QStringLiteral("pipeline.") + name);
        if (!key.isEmpty()) {
            a->setShortcut(key);
            a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        connect(a, &QAction::triggered, this, slot);
        addAction(a);
        m_actions.insert(name, a);
        return a;
    };
    QUndoStack *undo = m_doc->undoStack();
    m_toolBar->addAction(make(QStringLiteral("save"), tr("Save"), QKeySequence::Save, [this] { save(); }));
    m_toolBar->addSeparator();
    m_toolBar->addAction(make(QStringLiteral("undo"), tr("Undo"), QKeySequence::Undo, [undo] { undo->undo(); }));
    m_toolBar->addAction(make(QStringLiteral("redo"), tr("Redo"), QKeySequence::Redo, [undo] { undo->redo(); }));
    m_toolBar->addSeparator();
    m_toolBar->addAction(make(QStringLiteral("delete"), tr("Delete"), QKeySequence::Delete, [this] { deleteSelected(); }));
    m_toolBar->addAction(make(QStringLiteral("copy"), tr("Copy"), QKeySequence::Copy, [this] { copySelected(); }));
    m_toolBar->addAction(make(QStringLiteral("paste"), tr("Paste"), QKeySequence::Paste, [this] { paste(); }));
    m_toolBar->addSeparator();
    m_toolBar->addAction(make(QStringLiteral("layout"), tr("Lay out"), QKeySequence(Qt::CTRL | Qt::Key_L), [this] { autoLayout(); }));
    m_toolBar->addAction(make(QStringLiteral("fit"), tr("Fit"), QKeySequence(Qt::CTRL | Qt::Key_0), [this] { m_view->fitAll(); }));
    m_toolBar->addAction(make(QStringLiteral("zoomIn"), tr("Zoom in"), QKeySequence::ZoomIn, [this] { m_view->zoomBy(1.25, m_view->viewport()->rect().center()); }));
    m_toolBar->addAction(make(QStringLiteral("zoomOut"), tr("Zoom out"), QKeySequence::ZoomOut, [this] { m_view->zoomBy(0.8, m_view->viewport()->rect().center()); }));
    m_toolBar->addSeparator();
    // Collapsible panels, so the canvas can have the width.
    QAction *palette = make(QStringLiteral("togglePalette"), tr("Stages"), QKeySequence(), [this](bool on) {
        m_palette->setVisible(on);
        saveSplitter();
    });
    palette->setCheckable(true);
    palette->setChecked(true);
    palette->setToolTip(tr("Show or hide the stage palette"));
    QAction *props = make(QStringLiteral("toggleProperties"), tr("Properties"), QKeySequence(), [this](bool on) {
        m_sidePanel->setVisible(on);
        saveSplitter();
    });
    props->setCheckable(true);
    props->setChecked(true);
    props->setToolTip(tr("Show or hide the properties, log and metrics"));
    m_toolBar->addAction(palette);
    m_toolBar->addAction(props);
    m_toolBar->addSeparator();
    m_toolBar->addAction(make(QStringLiteral("runAll"), tr("▶ Run all"), QKeySequence(Qt::CTRL | Qt::Key_R), [this] { runAll(); }));
    m_toolBar->addAction(make(QStringLiteral("runSelected"), tr("Run selected"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), [this] { runSelected(); }));
    m_toolBar->addAction(make(QStringLiteral("cancel"), tr("■ Cancel"), {}, [this] { cancelRun(); }));
}

void PipelineEditor::updateActions()
{
    if (!m_runner)
        return;
    QUndoStack *u = m_doc->undoStack();
    const bool open = m_doc->isLoaded();
    const bool running = m_runner->isRunning();
    m_actions[QStringLiteral("undo")]->setEnabled(u->canUndo());
    m_actions[QStringLiteral("undo")]->setToolTip(u->undoText());
    m_actions[QStringLiteral("redo")]->setEnabled(u->canRedo());
    m_actions[QStringLiteral("redo")]->setToolTip(u->redoText());
    m_actions[QStringLiteral("save")]->setEnabled(open);
    m_actions[QStringLiteral("save")]->setText(m_doc->isModified() ? tr("Save*") : tr("Save"));
    const bool selected = !m_scene->selectedNodes().isEmpty();
    m_actions[QStringLiteral("delete")]->setEnabled(selected);
    m_actions[QStringLiteral("copy")]->setEnabled(selected);
    m_actions[QStringLiteral("paste")]->setEnabled(open && !m_clipboard.isEmpty());
    m_actions[QStringLiteral("runAll")]->setEnabled(open && !running);
    m_actions[QStringLiteral("runSelected")]->setEnabled(open && !running && selected);
    m_actions[QStringLiteral("cancel")]->setEnabled(running);
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
    m_view->requestAutoFit(); // now if the view has its size, else when it gets it
    refreshDiskStatus();
    updateActions();
}

void PipelineEditor::watchFiles()
{
    if (!m_watcher->files().isEmpty())
        m_watcher->removePaths(m_watcher->files());
    if (!m_watcher->directories().isEmpty())
        m_watcher->removePaths(m_watcher->directories());
    if (m_root.isEmpty())
        return;
    m_watcher->addPath(m_root); // an atomic save replaces the file: the folder sees it
    // dvc.yaml, params.yaml and every dep that is a file: an edit of any changes a card's state.
    QStringList files{QStringLiteral("dvc.yaml"), QStringLiteral("params.yaml")};
    for (NodeId id : m_doc->model()->nodes())
        files += m_doc->model()->stage(id)->deps;
    for (const QString &f : files)
        if (const QString path = QDir(m_root).filePath(f); QFileInfo(path).isFile() && !m_watcher->files().contains(path))
            m_watcher->addPath(path);
}

void PipelineEditor::checkDiskChange()
{
    if (m_root.isEmpty())
        return;
    watchFiles();
    refreshDiskStatus();
    QFile f(QDir(m_root).filePath(QStringLiteral("dvc.yaml")));
    const QByteArray text = f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    if (text == m_doc->lastDiskText() || text == m_ignoredDiskText)
        return; // our own save, or a change the user chose to keep their edits over
    if (m_doc->isModified()) {
        m_banner->show();
        return;
    }
    reloadFromDisk();
}

void PipelineEditor::reloadFromDisk()
{
    m_banner->hide();
    const Status st = m_doc->load(m_root);
    if (st.isOk())
        showMessage(tr("dvc.yaml changed on disk: reloaded"));
    else
        showMessage(tr("dvc.yaml changed on disk but does not read: %1").arg(st.message()), true);
    m_scene->clearRunViews();
    for (auto it = m_reports.cbegin(); it != m_reports.cend(); ++it)
        onStageReport(it.value());
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

void PipelineEditor::addStageOfType(const QString &typeName, QPointF scenePos)
{
    if (!m_doc->isLoaded())
        return;
    const StageType *type = m_doc->registry().type(typeName);
    if (!type && typeName != StagePalette::kCommandType) {
        showMessage(tr("Unknown stage type '%1'").arg(typeName), true);
        return;
    }
    const QString name = m_doc->uniqueName(typeName);
    QVector<std::pair<QString, ParamValue>> params;
    const Stage stage = type ? StageCommand::newStage(*type, name, &params) : StageCommand::newCommandStage(name);
    Status st;
    m_doc->undoStack()->push(new AddStageCommand(m_doc, stage, scenePos - QPointF(StageNodeItem::kWidth / 2, 20), params, &st));
    if (!st.isOk()) {
        showMessage(tr("Cannot add %1: %2").arg(name, st.message()), true);
        return;
    }
    m_scene->selectNodes({m_doc->model()->nodeByName(name)});
    showMessage(tr("Added %1 — connect its ports, then set its parameters on the right").arg(name));
}

bool PipelineEditor::connectPorts(NodeId from, const QString &outPath, NodeId to, const QString &inKey)
{
    auto after = StagePorts::connect(*m_doc->model(), from, outPath, to, inKey, m_doc->stageType(to));
    if (!after) {
        showMessage(tr("Refused: %1").arg(after.status().message()), true);
        return false;
    }
    const QString target = m_doc->model()->stage(to)->name;
    Status st;
    m_doc->undoStack()->push(new UpdateStageCommand(m_doc, target, *after,
                                                    tr("Connect %1 → %2").arg(m_doc->model()->stage(from)->name, target), {}, &st));
    if (!st.isOk()) {
        showMessage(tr("Refused: %1").arg(st.message()), true);
        return false;
    }
    showMessage(tr("%1 now reads %2").arg(target, outPath));
    return true;
}

void PipelineEditor::deleteSelected()
{
    const QList<NodeId> sel = m_scene->selectedNodes();
    if (sel.isEmpty())
        return;
    m_doc->undoStack()->beginMacro(tr("Delete %n stage(s)", nullptr, int(sel.size())));
    for (NodeId id : sel)
        m_doc->undoStack()->push(new RemoveStageCommand(m_doc, m_doc->model()->stage(id)->name));
    m_doc->undoStack()->endMacro();
}

void PipelineEditor::copySelected()
{
    m_clipboard.clear();
    PipelineFile text;
    for (NodeId id : m_scene->selectedNodes()) {
        m_clipboard.append({*m_doc->model()->stage(id), m_doc->model()->position(id)});
        text.setStage(*m_doc->model()->stage(id));
    }
    QApplication::clipboard()->setText(QString::fromUtf8(text.serialize())); // a dvc.yaml fragment, for a text editor
    showMessage(tr("Copied %n stage(s)", nullptr, int(m_clipboard.size())));
    updateActions();
}

void PipelineEditor::paste()
{
    if (m_clipboard.isEmpty() || !m_doc->isLoaded())
        return;
    // New names, and new paths for what the copies write (two stages may not write one file);
    // copies that read each other's outputs read the copies' outputs.
    QHash<QString, QString> pathMap;
    QVector<Stage> copies;
    QSet<QString> taken;
    for (const auto &[stage, pos] : m_clipboard) {
        Stage s = stage;
        QString name = m_doc->uniqueName(stage.name);
        for (int i = 2; taken.contains(name); ++i)
            name = m_doc->uniqueName(stage.name + QStringLiteral("_") + QString::number(i));
        taken.insert(name);
        s.name = name;
        for (auto *list : {&s.outs, &s.metrics, &s.plots})
            for (auto &o : *list) {
                const QFileInfo fi(o.path);
                const QString dir = fi.path() == QLatin1String(".") ? QString() : fi.path() + QLatin1Char('/');
                const QString next = dir + fi.completeBaseName() + QLatin1Char('_') + name + (fi.suffix().isEmpty() ? QString() : QLatin1Char('.') + fi.suffix());
                pathMap.insert(o.path, next);
                o.path = next;
            }
        copies.append(s);
    }
    for (Stage &s : copies) {
        for (QString &d : s.deps)
            d = pathMap.value(d, d);
        for (QString &c : s.cmd)
            for (auto it = pathMap.cbegin(); it != pathMap.cend(); ++it)
                c.replace(it.key(), it.value());
    }
    m_doc->undoStack()->beginMacro(tr("Paste %n stage(s)", nullptr, int(copies.size())));
    QList<NodeId> added;
    for (int i = 0; i < copies.size(); ++i) {
        Status st;
        m_doc->undoStack()->push(new AddStageCommand(m_doc, copies[i], m_clipboard[i].second + QPointF(40, 40), {}, &st));
        if (!st.isOk())
            showMessage(tr("Cannot paste %1: %2").arg(copies[i].name, st.message()), true);
        else
            added << m_doc->model()->nodeByName(copies[i].name);
    }
    m_doc->undoStack()->endMacro();
    m_scene->selectNodes(added);
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
