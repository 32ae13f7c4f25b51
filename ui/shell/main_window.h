#pragma once
// MainWindow: the workbench window — a mode bar on the left switching between the seven areas,
// the Activity dock on the right, menus, and a status bar naming the open workspace.
//
// The window holds no Workspace or Database object: a Workspace belongs to the thread that opened
// it, so opening validates on a job thread (WorkspaceLoader) and the window keeps only the root
// path; everything that reads the workspace later (WorkspaceWatcher, future views) opens its own
// connection on its own thread. The GUI thread never runs SQL or libgit2.
//
// The window owns the Navigator through which areas open each other's objects (a stage's run in
// Experiments): it hands it to the areas it creates and, when an object opens, shows its area.
//
// Errors a person must see go through showError(), which tests can redirect with
// setErrorHandler() (the default shows a window-modal QMessageBox without blocking).

#include "ui/shell/recent_workspaces.h"

#include <QMainWindow>

#include <functional>

class QAction;
class QMenu;
class QStackedWidget;

namespace orrery::common {
class JobTracker;
}

namespace orrery::ui {

class ActivityDock;
class DataArea;
class ModeBar;
class Navigator;
class WelcomePage;
class WorkspaceLoader;
class WorkspaceStatusBar;
class WorkspaceWatcher;
struct WorkspaceInfo;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    using ErrorHandler = std::function<void(const QString &title, const QString &message)>;

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Each returns at once; the work runs on a job thread and the window switches when it is done.
    // A failure leaves the window as it was and reports through showError(). With unsaved
    // pipeline edits each (and closeWorkspace, and closing the window) first asks Save / Discard /
    // Cancel; Cancel, or a save that fails, leaves the window and the edits as they were.
    void openWorkspace(const QString &dir);
    void newWorkspaceAt(const QString &dir);
    void createDemoWorkspaceAt(const QString &dir);
    // Opens the most recently used workspace that still exists; false when there is none.
    bool openLastWorkspace();
    void closeWorkspace();

    bool isWorkspaceOpen() const { return !m_root.isEmpty(); }
    QString workspaceRoot() const { return m_root; }
    QString workspaceName() const { return m_name; }

    ModeBar *modeBar() const { return m_modeBar; }
    QStackedWidget *areaStack() const { return m_areaStack; }
    WelcomePage *welcomePage() const { return m_welcome; }
    ActivityDock *activityDock() const { return m_activityDock; }
    WorkspaceStatusBar *workspaceStatusBar() const { return m_statusBar; }
    WorkspaceWatcher *workspaceWatcher() const { return m_watcher; }
    DataArea *dataArea() const { return m_dataArea; }
    Navigator *navigator() const { return m_navigator; }
    common::JobTracker *jobTracker() const { return m_tracker; }

    void setErrorHandler(ErrorHandler handler) { m_errorHandler = std::move(handler); }
    void showError(const QString &title, const QString &message);

Q_SIGNALS:
    void workspaceOpened(const QString &root);
    void workspaceClosed();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createAreas();
    void createActions();
    void createMenus();
    void chooseNewWorkspace();
    void chooseOpenWorkspace();
    void chooseDemoWorkspace();
    void showShortcuts();
    void showAbout();
    void rebuildRecent();
    void applyOpened(const WorkspaceInfo &info);
    bool mayLeaveWorkspace();
    void updateTitle();
    void restoreSettings();
    void saveSettings() const;
    QString dialogStartDir() const;

    common::JobTracker *m_tracker;
    Navigator *m_navigator;
    WorkspaceLoader *m_loader;
    WorkspaceWatcher *m_watcher;
    RecentWorkspaces m_recent;
    ModeBar *m_modeBar;
    QStackedWidget *m_central;
    WelcomePage *m_welcome;
    QStackedWidget *m_areaStack;
    ActivityDock *m_activityDock;
    WorkspaceStatusBar *m_statusBar;
    DataArea *m_dataArea = nullptr;

    QAction *m_newAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_demoAction = nullptr;
    QAction *m_closeAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_shortcutsAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_aboutQtAction = nullptr;
    QMenu *m_recentMenu = nullptr;

    QString m_root;
    QString m_name;
    ErrorHandler m_errorHandler;
};

} // namespace orrery::ui
