#include "ui/shell/main_window.h"

#include "core/common/job_tracker.h"
#include "ui/activity/activity_dock.h"
#include "ui/activity/audit_table_model.h"
#include "ui/activity/job_indicator.h"
#include "ui/automation/automation_area.h"
#include "ui/common/area_catalog.h"
#include "ui/common/display_path.h"
#include "ui/common/empty_state.h"
#include "ui/common/navigator.h"
#include "ui/data/data_area.h"
#include "ui/experiments/experiment_area.h"
#include "ui/pipeline/pipeline_editor.h"
#include "ui/deployments/deployments_area.h"
#include "ui/monitoring/monitoring_area.h"
#include "ui/registry/registry_area.h"
#include "ui/shell/about_dialog.h"
#include "ui/shell/mode_bar.h"
#include "ui/shell/shortcuts_dialog.h"
#include "ui/shell/welcome_page.h"
#include "ui/shell/workspace_loader.h"
#include "ui/shell/workspace_status_bar.h"
#include "ui/shell/workspace_watcher.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStackedWidget>

namespace orrery::ui {
namespace {
constexpr int kStateVersion = 1; // bump when docks or tool bars change, so old layouts are ignored
const QString kGeometryKey = QStringLiteral("mainWindow/geometry");
const QString kStateKey = QStringLiteral("mainWindow/state");
const QString kAreaKey = QStringLiteral("mainWindow/area");
} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent),
      m_tracker(new common::JobTracker(this)),
      m_navigator(new Navigator(this)),
      m_loader(new WorkspaceLoader(m_tracker, this)),
      m_watcher(new WorkspaceWatcher(this)),
      m_modeBar(new ModeBar(this)),
      m_central(new QStackedWidget(this)),
      m_welcome(new WelcomePage(m_central)),
      m_areaStack(new QStackedWidget(m_central)),
      m_activityDock(new ActivityDock(m_tracker, this)),
      m_statusBar(new WorkspaceStatusBar(m_tracker, this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/app.svg")));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
    m_areaStack->setObjectName(QStringLiteral("areaStack"));
    m_central->setObjectName(QStringLiteral("centralStack"));
    m_central->addWidget(m_welcome);
    m_central->addWidget(m_areaStack);
    setCentralWidget(m_central);
    addToolBar(Qt::LeftToolBarArea, m_modeBar);
    addDockWidget(Qt::RightDockWidgetArea, m_activityDock);
    setStatusBar(m_statusBar);

    createAreas();
    createActions();
    createMenus();

    connect(m_loader, &WorkspaceLoader::opened, this, &MainWindow::applyOpened);
    connect(m_loader, &WorkspaceLoader::failed, this, &MainWindow::showError);
    connect(m_watcher, &WorkspaceWatcher::auditLoaded, m_activityDock->auditModel(), &AuditTableModel::setEntries);
    connect(m_watcher, &WorkspaceWatcher::pollSucceeded, this, [this] { m_activityDock->setAuditProblem({}); });
    connect(m_watcher, &WorkspaceWatcher::pollFailed, m_activityDock, &ActivityDock::setAuditProblem);
    connect(m_watcher, &WorkspaceWatcher::branchChanged, m_statusBar, &WorkspaceStatusBar::setBranch);
    connect(m_statusBar->jobIndicator(), &JobIndicator::clicked, this, [this] {
        m_activityDock->show();
        m_activityDock->raise();
    });
    connect(m_welcome, &WelcomePage::newRequested, this, &MainWindow::chooseNewWorkspace);
    connect(m_welcome, &WelcomePage::openRequested, this, &MainWindow::chooseOpenWorkspace);
    connect(m_welcome, &WelcomePage::demoRequested, this, &MainWindow::chooseDemoWorkspace);
    connect(m_welcome, &WelcomePage::recentRequested, this, &MainWindow::openWorkspace);

    restoreSettings();
    closeWorkspace(); // the no-workspace state: welcome page, modes disabled, plain title
}

MainWindow::~MainWindow()
{
    // Jobs are children of the tracker and wait for their threads when deleted; ask them to stop
    // first so closing the window does not wait for a whole demo to be generated.
    m_tracker->cancelAll();
}

void MainWindow::createAreas()
{
    for (const AreaInfo &area : workbenchAreas()) {
        QWidget *page = nullptr;
        if (area.area == Area::Data) {
            // Its own empty state while the workspace tracks no data, the datasets view after.
            m_dataArea = new DataArea(area, m_tracker, m_areaStack);
            m_dataArea->registerWith(m_navigator); // a model's lineage opens its data versions here
            page = m_dataArea;
        } else if (area.area == Area::Pipeline) {
            auto *editor = new PipelineEditor(m_navigator, m_areaStack); // found again with findChild
            editor->setJobTracker(m_tracker); // its runs are jobs in the Activity dock
            page = editor;
        } else if (area.area == Area::Experiments) {
            page = new ExperimentArea(area, m_navigator, m_areaStack); // found again with findChild
        } else if (area.area == Area::Registry) {
            page = new RegistryArea(area, m_navigator, m_areaStack); // opens "model_version"; found again with findChild
        } else if (area.area == Area::Deployments) {
            page = new DeploymentsArea(area, m_navigator, m_areaStack); // opens "deployment"; found again with findChild
        } else if (area.area == Area::Monitoring) {
            page = new MonitoringArea(area, m_navigator, m_areaStack); // opens "monitoring"; found again with findChild
        } else if (area.area == Area::Automation) {
            page = new AutomationArea(area, m_navigator, m_areaStack); // opens "ct_iteration"; found again with findChild
        } else {
            page = new EmptyState(area.iconPath, area.emptyTitle, area.description, area.howToStart, m_areaStack);
            page->setObjectName(QStringLiteral("area.") + area.id);
        }
        m_areaStack->addWidget(page);
        m_modeBar->addMode(area.iconPath, area.title, area.id);
    }
    connect(m_modeBar, &ModeBar::currentIndexChanged, m_areaStack, &QStackedWidget::setCurrentIndex);
    // An object opened from another area: its area comes to the front first, as a click on its mode.
    connect(m_navigator, &Navigator::opening, this, [this](const ObjectRef &, QWidget *area) {
        if (const int index = m_areaStack->indexOf(area); index >= 0)
            m_modeBar->setCurrentIndex(index);
    });
}

void MainWindow::createActions()
{
    auto make = [this](const QString &name, const QString &icon, const QString &text, const QKeySequence &key) {
        auto *action = new QAction(icon.isEmpty() ? QIcon() : QIcon(icon), text, this);
        action->setObjectName(QStringLiteral("action.") + name);
        if (!key.isEmpty())
            action->setShortcut(key);
        return action;
    };
    m_newAction = make(QStringLiteral("newWorkspace"), QStringLiteral(":/icons/new.svg"), tr("&New Workspace…"),
                       QKeySequence(Qt::CTRL | Qt::Key_N));
    m_newAction->setStatusTip(tr("Turn a folder into a workspace (a git repository with .orrery/)"));
    m_openAction = make(QStringLiteral("openWorkspace"), QStringLiteral(":/icons/open.svg"), tr("&Open Workspace…"),
                        QKeySequence(Qt::CTRL | Qt::Key_O));
    m_demoAction = make(QStringLiteral("demoWorkspace"), QStringLiteral(":/icons/demo.svg"),
                        tr("Create &Demo Workspace…"), {});
    m_closeAction = make(QStringLiteral("closeWorkspace"), {}, tr("&Close Workspace"), {});
    m_quitAction = make(QStringLiteral("quit"), {}, tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q));
    m_quitAction->setMenuRole(QAction::QuitRole);
    m_shortcutsAction = make(QStringLiteral("shortcuts"), {}, tr("&Keyboard Shortcuts"),
                             QKeySequence(Qt::CTRL | Qt::Key_Slash));
    m_aboutAction = make(QStringLiteral("about"), QStringLiteral(":/icons/app.svg"), tr("&About Orrery"), {});
    m_aboutAction->setMenuRole(QAction::AboutRole);
    m_aboutQtAction = make(QStringLiteral("aboutQt"), {}, tr("About &Qt"), {});
    m_aboutQtAction->setMenuRole(QAction::AboutQtRole);

    connect(m_newAction, &QAction::triggered, this, &MainWindow::chooseNewWorkspace);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::chooseOpenWorkspace);
    connect(m_demoAction, &QAction::triggered, this, &MainWindow::chooseDemoWorkspace);
    connect(m_closeAction, &QAction::triggered, this, &MainWindow::closeWorkspace);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
    connect(m_shortcutsAction, &QAction::triggered, this, &MainWindow::showShortcuts);
    connect(m_aboutAction, &QAction::triggered, this, &MainWindow::showAbout);
    connect(m_aboutQtAction, &QAction::triggered, qApp, &QApplication::aboutQt);

    const QList<QAction *> modes = m_modeBar->modeActions();
    for (int i = 0; i < modes.size() && i < 9; ++i)
        modes[i]->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));

    QAction *activity = m_activityDock->toggleViewAction();
    activity->setObjectName(QStringLiteral("action.toggleActivity"));
    activity->setText(tr("&Activity"));
    activity->setIcon(QIcon(QStringLiteral(":/icons/activity.svg")));
    activity->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_newAction);
    file->addAction(m_openAction);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    m_recentMenu->setObjectName(QStringLiteral("menu.recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecent);
    file->addAction(m_demoAction);
    file->addSeparator();
    file->addAction(m_closeAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addActions(m_modeBar->modeActions());
    view->addSeparator();
    view->addAction(m_activityDock->toggleViewAction());

    menuBar()->addMenu(tr("&Pipeline"))->addActions(findChild<PipelineEditor *>()->actions()); // the editor's, listed with their keys
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_shortcutsAction);
    help->addSeparator();
    help->addAction(m_aboutAction);
    help->addAction(m_aboutQtAction);
}

void MainWindow::openWorkspace(const QString &dir)
{
    if (mayLeaveWorkspace())
        m_loader->open(dir);
}

void MainWindow::newWorkspaceAt(const QString &dir)
{
    if (mayLeaveWorkspace())
        m_loader->createAndOpen(dir);
}

void MainWindow::createDemoWorkspaceAt(const QString &dir)
{
    if (mayLeaveWorkspace())
        m_loader->createDemoAndOpen(dir);
}

bool MainWindow::openLastWorkspace()
{
    const QStringList recent = m_recent.paths();
    if (recent.isEmpty())
        return false;
    openWorkspace(recent.first());
    return true;
}

void MainWindow::closeWorkspace()
{
    if (!mayLeaveWorkspace())
        return;
    const bool wasOpen = isWorkspaceOpen();
    m_root.clear();
    m_name.clear();
    m_watcher->clear();
    m_dataArea->clear();
    findChild<ExperimentArea *>()->clear();
    findChild<RegistryArea *>()->clear();
    findChild<DeploymentsArea *>()->clear();
    findChild<MonitoringArea *>()->clear();
    findChild<AutomationArea *>()->clear();
    findChild<PipelineEditor *>()->setWorkspaceRoot({});
    m_activityDock->setWorkspaceOpen(false);
    m_statusBar->clearWorkspace();
    m_modeBar->setModesEnabled(false);
    m_closeAction->setEnabled(false);
    rebuildRecent();
    m_central->setCurrentWidget(m_welcome);
    updateTitle();
    if (wasOpen)
        Q_EMIT workspaceClosed();
}

void MainWindow::applyOpened(const WorkspaceInfo &info)
{
    m_root = info.root;
    m_name = info.name;
    m_recent.add(info.root);
    rebuildRecent();
    m_statusBar->setWorkspace(info.root);
    m_statusBar->setBranch(info.branch, info.inRepository);
    m_activityDock->setWorkspaceOpen(true);
    m_activityDock->auditModel()->clear(); // the previous workspace's entries are not this one's
    m_activityDock->auditModel()->setWorkspaceRoot(info.root);
    m_watcher->setRoot(info.root);
    m_dataArea->setWorkspaceRoot(info.root);
    findChild<ExperimentArea *>()->setWorkspaceRoot(info.root);
    findChild<RegistryArea *>()->setWorkspaceRoot(info.root);
    findChild<DeploymentsArea *>()->setWorkspaceRoot(info.root);
    findChild<MonitoringArea *>()->setWorkspaceRoot(info.root);
    findChild<AutomationArea *>()->setWorkspaceRoot(info.root);
    findChild<PipelineEditor *>()->setWorkspaceRoot(info.root);
    m_modeBar->setModesEnabled(true);
    m_closeAction->setEnabled(true);
    m_central->setCurrentWidget(m_areaStack);
    updateTitle();
    Q_EMIT workspaceOpened(info.root);
}

void MainWindow::updateTitle()
{
    // windowFilePath lets the desktop know which folder the window shows; the title names it
    // first because that is what tells two Orrery windows apart in a task bar.
    setWindowFilePath(m_root);
    setWindowTitle(m_root.isEmpty() ? tr("Orrery") : tr("%1 — Orrery").arg(m_name));
}

void MainWindow::rebuildRecent()
{
    const QStringList paths = m_recent.paths();
    m_welcome->setRecentWorkspaces(paths);
    m_recentMenu->clear();
    for (int i = 0; i < paths.size(); ++i) {
        const QString path = paths[i];
        const QString text = tr("&%1 %2").arg(i + 1).arg(displayPath(path).replace(QLatin1Char('&'), QStringLiteral("&&")));
        QAction *action = m_recentMenu->addAction(text, this, [this, path] { openWorkspace(path); });
        action->setToolTip(path);
    }
    if (!paths.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear Menu"), this, [this] {
            m_recent.clear();
            rebuildRecent();
        });
    }
    m_recentMenu->menuAction()->setEnabled(!paths.isEmpty());
}

QString MainWindow::dialogStartDir() const
{
    if (!m_root.isEmpty())
        return QFileInfo(m_root).absolutePath();
    const QStringList recent = m_recent.paths();
    return recent.isEmpty() ? QDir::homePath() : QFileInfo(recent.first()).absolutePath();
}

void MainWindow::chooseNewWorkspace()
{
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("New Workspace: Choose or Create a Folder"), dialogStartDir());
    if (!dir.isEmpty())
        newWorkspaceAt(dir);
}

void MainWindow::chooseOpenWorkspace()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Workspace"), dialogStartDir());
    if (!dir.isEmpty())
        openWorkspace(dir);
}

void MainWindow::chooseDemoWorkspace()
{
    // A demo needs a new or empty folder: propose a name that is free.
    const QString base = dialogStartDir() + QStringLiteral("/orrery-demo");
    QString proposal = base;
    for (int n = 2; QFileInfo::exists(proposal); ++n)
        proposal = base + QStringLiteral("-%1").arg(n);
    const QString dir = QFileDialog::getSaveFileName(
        this, tr("Create Demo Workspace: Name a New Folder"), proposal, QString(), nullptr,
        QFileDialog::ShowDirsOnly | QFileDialog::DontConfirmOverwrite);
    if (!dir.isEmpty())
        createDemoWorkspaceAt(dir);
}

void MainWindow::showShortcuts()
{
    auto *dialog = new ShortcutsDialog(menuBar(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::showAbout()
{
    auto *dialog = new AboutDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::showError(const QString &title, const QString &message)
{
    if (m_errorHandler) {
        m_errorHandler(title, message);
        return;
    }
    // open(), not exec(): a nested event loop would let jobs finish into a half-updated window.
    // The first paragraph says what failed; the rest (the fix) goes below it as informative text.
    const qsizetype split = message.indexOf(QStringLiteral("\n\n"));
    auto *box = new QMessageBox(QMessageBox::Warning, title, split < 0 ? message : message.left(split),
                                QMessageBox::Ok, this);
    if (split >= 0)
        box->setInformativeText(message.mid(split + 2));
    box->setObjectName(QStringLiteral("errorBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->open();
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray()))
        resize(1280, 800);
    if (!restoreState(settings.value(kStateKey).toByteArray(), kStateVersion))
        resizeDocks({m_activityDock}, {300}, Qt::Horizontal); // narrow: the areas get the width
    m_modeBar->setCurrentIndex(settings.value(kAreaKey, 0).toInt());
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState(kStateVersion));
    settings.setValue(kAreaKey, m_modeBar->currentIndex());
}

bool MainWindow::mayLeaveWorkspace()
{
    auto *editor = findChild<PipelineEditor *>();
    if (editor->mayClose(this))
        return true;
    // Kept: show the edits, and the editor's message when their save failed.
    m_modeBar->setCurrentIndex(m_areaStack->indexOf(editor));
    return false;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!mayLeaveWorkspace()) {
        event->ignore(); // Cancel, or the edits could not be saved: the window stays
        return;
    }
    saveSettings();
    m_watcher->clear();
    m_dataArea->clear();
    m_tracker->cancelAll();
    event->accept();
}

} // namespace orrery::ui
