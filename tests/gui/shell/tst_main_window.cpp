// The workbench window end to end under the offscreen platform: opening a workspace on a job
// thread, the mode bar and its areas, shortcuts, the About dialog, the audit table fed by another
// thread, errors for folders that are not workspaces, settings that survive a restart, and the
// Save / Discard / Cancel question before unsaved pipeline edits are closed (Quit, another
// workspace).

#include "../pipeline/pipeline_editor_fixture.h"

#include "core/common/job_tracker.h"
#include "core/workspace/workspace.h"
#include "ui/activity/activity_dock.h"
#include "ui/activity/audit_table_model.h"
#include "ui/activity/job_indicator.h"
#include "ui/activity/job_list_widget.h"
#include "ui/activity/job_row.h"
#include "ui/common/area_catalog.h"
#include "ui/common/empty_state.h"
#include "ui/shell/about_dialog.h"
#include "ui/shell/main_window.h"
#include "ui/shell/mode_bar.h"
#include "ui/shell/shortcuts_dialog.h"
#include "ui/shell/welcome_page.h"
#include "ui/shell/workspace_status_bar.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QTableView>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <memory>

using namespace orrery;
using ui::MainWindow;

namespace {
constexpr int kOpenTimeoutMs = 20000; // a cold start of git and SQLite on a busy CI machine

template <typename T>
T *findTopLevel(const QString &objectName = QString())
{
    for (QWidget *widget : QApplication::topLevelWidgets())
        if (auto *typed = qobject_cast<T *>(widget); typed && typed->isVisible()
            && (objectName.isEmpty() || typed->objectName() == objectName))
            return typed;
    return nullptr;
}
} // namespace

class TstMainWindow : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_root;
    std::unique_ptr<MainWindow> m_window;

    QString screenshotPath(const QString &name) const
    {
        const QString dir = QStringLiteral(ORRERY_BINARY_DIR "/screenshots");
        QDir().mkpath(dir);
        return dir + QLatin1Char('/') + name;
    }

    void openAndWait(MainWindow &window, const QString &dir)
    {
        window.openWorkspace(dir);
        QTRY_VERIFY_WITH_TIMEOUT(window.isWorkspaceOpen() && window.workspaceRoot() == dir, kOpenTimeoutMs);
    }

    // A new workspace under the test's folder (no dvc.yaml yet: an empty pipeline).
    QString freshWorkspace(const QString &name)
    {
        const QString root = m_dir.filePath(name);
        auto report = workspace::Workspace::init(root);
        return report.isOk() ? root : QString();
    }

    // The window shown on `root`, active (for its shortcuts), on the Pipeline area with one stage
    // dropped from the palette: an unsaved edit.
    void editPipelineIn(const QString &root)
    {
        openAndWait(*m_window, root);
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::mouseClick(m_window->modeBar()->buttonAt(0), Qt::LeftButton);
        ui::PipelineEditor *editor = pipelineEditor();
        QVERIFY(editor->isVisible());
        ui::testing::dropFromPalette(*editor, QStringLiteral("split"), editor->view()->viewport()->rect().center());
        QVERIFY(editor->document()->model()->nodeByName(QStringLiteral("split")) != 0);
        QCOMPARE(editor->action(QStringLiteral("save"))->text(), QStringLiteral("Save*"));
    }

    // Ctrl+Q on the window, made active first (the question box before took the activation).
    void pressCtrlQ()
    {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keyClick(m_window.get(), Qt::Key_Q, Qt::ControlModifier);
    }

    ui::PipelineEditor *pipelineEditor() const { return m_window->findChild<ui::PipelineEditor *>(); }

    static QByteArray readFile(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        // QSettings and the recent list go to a throw-away test location, never the user's.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("Orrery"));
        QCoreApplication::setApplicationName(QStringLiteral("OrreryMainWindowTest")); // its own settings: tests run in parallel
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        m_root = m_dir.filePath(QStringLiteral("fraud-project"));
        auto report = workspace::Workspace::init(m_root);
        QVERIFY2(report.isOk(), qPrintable(report.status().toString()));
    }

    void init()
    {
        m_window = std::make_unique<MainWindow>();
        m_window->resize(1280, 800);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanup()
    {
        m_window.reset();
        QSettings().clear();
    }

    void startsWithTheWelcomePage()
    {
        QVERIFY(!m_window->isWorkspaceOpen());
        QCOMPARE(m_window->windowTitle(), QStringLiteral("Orrery"));
        auto *central = qobject_cast<QStackedWidget *>(m_window->centralWidget());
        QVERIFY(central);
        QCOMPARE(central->currentWidget(), m_window->welcomePage());
        QVERIFY(m_window->welcomePage()->newButton()->isVisible());
        QVERIFY(m_window->welcomePage()->openButton()->isVisible());
        QVERIFY(m_window->welcomePage()->demoButton()->isVisible());
        QVERIFY(!m_window->modeBar()->buttonAt(0)->isEnabled()); // no areas without a workspace
        m_window->grab().save(screenshotPath(QStringLiteral("welcome.png")));
    }

    void opensAWorkspaceAndNamesIt()
    {
        QSignalSpy opened(m_window.get(), &MainWindow::workspaceOpened);
        openAndWait(*m_window, m_root);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(m_window->workspaceRoot(), m_root);
        QVERIFY2(m_window->windowTitle().contains(QStringLiteral("fraud-project")), qPrintable(m_window->windowTitle()));
        QVERIFY(m_window->windowTitle().contains(QStringLiteral("Orrery")));
        QCOMPARE(m_window->windowFilePath(), m_root);
        QCOMPARE(m_window->workspaceStatusBar()->pathText(), m_root);
        QCOMPARE(m_window->workspaceStatusBar()->branchText(), QStringLiteral("main"));
        QCOMPARE(qobject_cast<QStackedWidget *>(m_window->centralWidget())->currentWidget(), m_window->areaStack());
    }

    void modeBarHasTheSevenAreasInOrder()
    {
        const QStringList expected{QStringLiteral("Pipeline"), QStringLiteral("Data"), QStringLiteral("Experiments"),
                                   QStringLiteral("Registry"), QStringLiteral("Deployments"), QStringLiteral("Monitoring"),
                                   QStringLiteral("Automation")};
        ui::ModeBar *bar = m_window->modeBar();
        QCOMPARE(bar->count(), 7);
        QCOMPARE(m_window->areaStack()->count(), 7);
        for (int i = 0; i < expected.size(); ++i) {
            QCOMPARE(bar->modeActions().at(i)->text(), expected[i]);
            QToolButton *button = bar->buttonAt(i);
            QVERIFY(button);
            QCOMPARE(button->text(), expected[i]);
            QCOMPARE(button->toolButtonStyle(), Qt::ToolButtonTextUnderIcon);
            QVERIFY(button->isCheckable());
            QVERIFY(!button->icon().isNull());
        }
        QCOMPARE(bar->orientation(), Qt::Vertical);
        QCOMPARE(m_window->toolBarArea(bar), Qt::LeftToolBarArea);
    }

    void clickingEachModeShowsItsArea()
    {
        openAndWait(*m_window, m_root);
        ui::ModeBar *bar = m_window->modeBar();
        const auto &areas = ui::workbenchAreas();
        for (int i = bar->count() - 1; i >= 0; --i) { // backwards, so the first click changes the page
            QTest::mouseClick(bar->buttonAt(i), Qt::LeftButton);
            QCOMPARE(m_window->areaStack()->currentIndex(), i);
            QCOMPARE(bar->currentIndex(), i);
            QVERIFY(bar->buttonAt(i)->isChecked());
            QWidget *current = m_window->areaStack()->currentWidget();
            QCOMPARE(current->objectName(), QStringLiteral("area.") + areas[i].id);
            // The Data area wraps its empty state: this workspace tracks no data, so it shows it.
            auto *page = qobject_cast<ui::EmptyState *>(current);
            if (!page)
                page = current->findChild<ui::EmptyState *>();
            QVERIFY(page);
            QVERIFY(page->isVisible());
            QVERIFY(!page->title().isEmpty());
            QVERIFY(!page->description().isEmpty());
            QVERIFY(!page->howToStart().isEmpty());
        }
        m_window->grab().save(screenshotPath(QStringLiteral("main_window.png")));
        m_window->grab().save(m_dir.filePath(QStringLiteral("main_window.png")));
    }

    void ctrl3SwitchesToExperiments()
    {
        openAndWait(*m_window, m_root);
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::mouseClick(m_window->modeBar()->buttonAt(0), Qt::LeftButton);
        QCOMPARE(m_window->areaStack()->currentIndex(), 0);
        QTest::keyClick(m_window.get(), Qt::Key_3, Qt::ControlModifier);
        QCOMPARE(m_window->areaStack()->currentIndex(), 2);
        QCOMPARE(m_window->areaStack()->currentWidget()->objectName(), QStringLiteral("area.experiments"));
        QTest::keyClick(m_window.get(), Qt::Key_7, Qt::ControlModifier);
        QCOMPARE(m_window->areaStack()->currentWidget()->objectName(), QStringLiteral("area.automation"));
    }

    void aboutDialogNamesTheLibraries()
    {
        auto *about = m_window->findChild<QAction *>(QStringLiteral("action.about"));
        QVERIFY(about);
        about->trigger();
        ui::AboutDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = findTopLevel<ui::AboutDialog>()) != nullptr);
        const QString text = dialog->versionsText();
        for (const char *name : {"Orrery", "Qt", "SQLite", "LibTorch", "libgit2", "Compiler", "OS"})
            QVERIFY2(text.contains(QLatin1String(name)), name);
        dialog->grab().save(screenshotPath(QStringLiteral("about.png")));
        dialog->close();
    }

    void auditTableShowsWorkspaceInit()
    {
        openAndWait(*m_window, m_root);
        ui::AuditTableModel *model = m_window->activityDock()->auditModel();
        QTRY_VERIFY_WITH_TIMEOUT(model->findAction(QStringLiteral("workspace.init")) >= 0, kOpenTimeoutMs);
        const int row = model->findAction(QStringLiteral("workspace.init"));
        QCOMPARE(model->index(row, ui::AuditTableModel::WhatColumn).data().toString(), QStringLiteral("workspace.init"));
        QVERIFY(model->index(row, ui::AuditTableModel::SeqColumn).data().toLongLong() >= 1);
        QVERIFY(!model->index(row, ui::AuditTableModel::WhoColumn).data().toString().isEmpty());
        QVERIFY(!model->index(row, ui::AuditTableModel::TimeColumn).data().toString().isEmpty());
        QCOMPARE(model->headerData(ui::AuditTableModel::WhyColumn, Qt::Horizontal).toString(), QStringLiteral("Why"));

        // Another writer (here: this thread, standing in for orrery-cli) appends; the poll shows it.
        {
            auto ws = workspace::Workspace::open(m_root);
            QVERIFY(ws.isOk());
            QVERIFY((*ws)->audit().append({QStringLiteral("test.poke"), QStringLiteral("gui test"), QStringLiteral("check polling")}).isOk());
        }
        QTRY_VERIFY_WITH_TIMEOUT(model->findAction(QStringLiteral("test.poke")) == 0, kOpenTimeoutMs);
    }

    // At the dock's default width (narrow: the areas get the window), the Target column still
    // shows a readable target — ~12 characters, wholly inside the table — next to the time, who
    // and a long action; the full record is in every cell's tooltip.
    void auditTargetsAreReadableInTheNarrowDock()
    {
        {
            auto ws = workspace::Workspace::open(m_root);
            QVERIFY(ws.isOk());
            QVERIFY((*ws)->audit().append({QStringLiteral("registry.alias.moved"), m_root + QStringLiteral("/data/transactions.csv.dvc"),
                                           QStringLiteral("a reason long enough to need the tooltip")}).isOk());
        }
        openAndWait(*m_window, m_root);
        ui::ActivityDock *dock = m_window->activityDock();
        ui::AuditTableModel *model = dock->auditModel();
        QTRY_VERIFY_WITH_TIMEOUT(model->findAction(QStringLiteral("registry.alias.moved")) >= 0, kOpenTimeoutMs);
        QTableView *view = dock->auditView();
        QVERIFY(view->isVisible());
        QVERIFY2(dock->width() <= 330, qPrintable(QStringLiteral("the dock opened %1 px wide").arg(dock->width())));
        const int twelve = view->fontMetrics().horizontalAdvance(QStringLiteral("transactions")); // 12 characters of a target
        const int column = ui::AuditTableModel::TargetColumn;
        const auto describe = [&] {
            QString d = QStringLiteral("dock %1 px, viewport %2 px; sections:").arg(dock->width()).arg(view->viewport()->width());
            for (int c = 0; c < model->columnCount(); ++c)
                d += QStringLiteral(" %1=%2%3").arg(model->headerData(c, Qt::Horizontal).toString()).arg(view->columnWidth(c))
                         .arg(view->isColumnHidden(c) ? QStringLiteral("(hidden)") : QString());
            return d;
        };
        QTRY_VERIFY2(view->columnWidth(column) >= twelve, qPrintable(describe()));
        QVERIFY2(view->columnViewportPosition(column) >= 0 && view->columnViewportPosition(column) + view->columnWidth(column) <= view->viewport()->width(),
                 qPrintable(describe()));
        for (int c : {ui::AuditTableModel::TimeColumn, ui::AuditTableModel::WhoColumn, ui::AuditTableModel::WhatColumn})
            QVERIFY2(!view->isColumnHidden(c) && view->columnViewportPosition(c) >= 0, qPrintable(describe()));
        const int row = model->findAction(QStringLiteral("registry.alias.moved"));
        QCOMPARE(model->index(row, column).data().toString(), QStringLiteral("data/transactions.csv.dvc"));
        const QString tip = model->index(row, column).data(Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(m_root + QStringLiteral("/data/transactions.csv.dvc")) && tip.contains(QStringLiteral("a reason long enough")), qPrintable(tip));

        dock->grab().save(screenshotPath(QStringLiteral("audit-narrow.png")));

        // Wider, the columns grow to their text and Why takes the rest.
        m_window->resize(1900, 800);
        QTRY_COMPARE(m_window->width(), 1900);
        m_window->resizeDocks({dock}, {700}, Qt::Horizontal);
        QTRY_VERIFY2(dock->width() >= 600, qPrintable(describe()));
        QTRY_VERIFY2(view->columnWidth(column) >= static_cast<QAbstractItemView *>(view)->sizeHintForColumn(column), qPrintable(describe()));
        QTRY_VERIFY2(view->columnWidth(ui::AuditTableModel::WhyColumn) >= view->fontMetrics().horizontalAdvance(QStringLiteral("a reason long")), qPrintable(describe()));
        m_window->grab().save(screenshotPath(QStringLiteral("audit-wide.png")));
    }

    void openingAFolderThatIsNotAWorkspaceFailsAndChangesNothing()
    {
        openAndWait(*m_window, m_root);
        const QString titleBefore = m_window->windowTitle();
        QTemporaryDir plain;
        m_window->openWorkspace(plain.path());

        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = findTopLevel<QMessageBox>(QStringLiteral("errorBox"))) != nullptr, kOpenTimeoutMs);
        QVERIFY2(box->text().contains(plain.path()), qPrintable(box->text())); // names the folder
        QVERIFY(box->informativeText().contains(QStringLiteral("New Workspace"))); // and the fix
        QVERIFY(box->informativeText().contains(QStringLiteral("orrery-cli init")));
        box->grab().save(screenshotPath(QStringLiteral("error.png")));
        box->accept();

        QCOMPARE(m_window->workspaceRoot(), m_root);
        QCOMPARE(m_window->windowTitle(), titleBefore);
        QCOMPARE(qobject_cast<QStackedWidget *>(m_window->centralWidget())->currentWidget(), m_window->areaStack());
    }

    void errorsCanBeRoutedToAHandler()
    {
        QStringList messages;
        m_window->setErrorHandler([&](const QString &title, const QString &message) { messages << title + QLatin1Char('|') + message; });
        const QString missing = m_dir.filePath(QStringLiteral("does-not-exist"));
        m_window->openWorkspace(missing);
        QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, kOpenTimeoutMs);
        QVERIFY(messages.first().contains(missing));
        QVERIFY(messages.first().contains(QStringLiteral("does not exist")));
        QVERIFY(!m_window->isWorkspaceOpen());
    }

    void keyboardShortcutsDialogListsEveryShortcut()
    {
        const QVector<ui::ShortcutEntry> entries = ui::ShortcutsDialog::collect(m_window->menuBar());
        QStringList keys;
        for (const auto &entry : entries)
            keys << entry.keys;
        for (const QString &expected : {QStringLiteral("Ctrl+N"), QStringLiteral("Ctrl+O"), QStringLiteral("Ctrl+Q"),
                                        QStringLiteral("Ctrl+1"), QStringLiteral("Ctrl+7"), QStringLiteral("Ctrl+Shift+A")})
            QVERIFY2(keys.contains(expected), qPrintable(expected + QStringLiteral(" missing from ") + keys.join(u',')));
        // Built from the actions: every action with a shortcut in the menus is listed, none twice.
        int withShortcut = 0;
        const QList<QAction *> actions = m_window->findChildren<QAction *>();
        for (QAction *action : actions)
            if (!action->shortcut().isEmpty() && !action->associatedObjects().isEmpty())
                ++withShortcut;
        QCOMPARE(int(entries.size()), withShortcut);

        m_window->findChild<QAction *>(QStringLiteral("action.shortcuts"))->trigger();
        ui::ShortcutsDialog *dialog = nullptr;
        QTRY_VERIFY((dialog = findTopLevel<ui::ShortcutsDialog>()) != nullptr);
        QCOMPARE(dialog->entries().size(), entries.size());
        dialog->close();
    }

    void closeWorkspaceReturnsToWelcomeWithRecentEntry()
    {
        openAndWait(*m_window, m_root);
        m_window->findChild<QAction *>(QStringLiteral("action.closeWorkspace"))->trigger();
        QVERIFY(!m_window->isWorkspaceOpen());
        QCOMPARE(m_window->windowTitle(), QStringLiteral("Orrery"));
        QCOMPARE(m_window->welcomePage()->recentWorkspaces(), QStringList{m_root});
        QCoreApplication::processEvents(); // lay out the new recent entry before the picture
        m_window->grab().save(screenshotPath(QStringLiteral("welcome_recent.png")));
        auto *recentMenu = m_window->findChild<QMenu *>(QStringLiteral("menu.recent"));
        QVERIFY(recentMenu);
        QVERIFY(recentMenu->actions().first()->text().contains(QStringLiteral("fraud-project")));
        QVERIFY(m_window->openLastWorkspace());
        QTRY_VERIFY_WITH_TIMEOUT(m_window->isWorkspaceOpen(), kOpenTimeoutMs);
    }

    void geometryAndAreaSurviveARestart()
    {
        openAndWait(*m_window, m_root);
        m_window->resize(1111, 777);
        QTest::mouseClick(m_window->modeBar()->buttonAt(4), Qt::LeftButton);
        m_window->close();
        m_window = std::make_unique<MainWindow>();
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QCOMPARE(m_window->size(), QSize(1111, 777));
        QCOMPARE(m_window->modeBar()->currentIndex(), 4);
        QCOMPARE(m_window->areaStack()->currentIndex(), 4);
    }

    void demoWorkspaceIsCreatedOnAJobAndOpened()
    {
        ui::JobListWidget *jobs = m_window->activityDock()->jobList();
        const QString demo = m_dir.filePath(QStringLiteral("demo"));
        m_window->createDemoWorkspaceAt(demo);
        QCOMPARE(jobs->rowCount(), 1); // tracked at once, with its progress row
        QCoreApplication::processEvents(); // the new row is shown by a queued call
        m_window->grab().save(screenshotPath(QStringLiteral("job_running.png")));
        QVERIFY(m_window->workspaceStatusBar()->jobIndicator()->isVisibleTo(m_window.get()));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->isWorkspaceOpen(), kOpenTimeoutMs);
        QCOMPARE(m_window->workspaceName(), QStringLiteral("demo"));
        QVERIFY(QFileInfo::exists(demo + QStringLiteral("/data/transactions.csv")));
        QTRY_COMPARE(jobs->rowCount(), 0);
        QVERIFY(!m_window->workspaceStatusBar()->jobIndicator()->isVisibleTo(m_window.get()));
    }

    void cancellingADemoOpensNothing()
    {
        const QString demo = m_dir.filePath(QStringLiteral("cancelled-demo"));
        m_window->createDemoWorkspaceAt(demo);
        const QList<common::Job *> running = m_window->jobTracker()->runningJobs();
        QCOMPARE(running.size(), 1);
        ui::JobRow *row = m_window->activityDock()->jobList()->rowFor(running.first());
        QVERIFY(row);
        QTest::mouseClick(row->cancelButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->jobTracker()->runningJobs().isEmpty(), kOpenTimeoutMs);
        QTest::qWait(50); // let a (wrong) opened signal arrive if one were coming
        QVERIFY(!m_window->isWorkspaceOpen());
        QVERIFY(!findTopLevel<QMessageBox>(QStringLiteral("errorBox"))); // a cancel is not an error
    }

    void followsADarkPalette()
    {
        // No hard-coded backgrounds: with a dark palette every part of the window turns dark.
        const QPalette light = QApplication::palette();
        QPalette dark;
        for (auto role : {QPalette::Window, QPalette::Base, QPalette::Button})
            dark.setColor(role, QColor(0x2b, 0x2e, 0x33));
        dark.setColor(QPalette::AlternateBase, QColor(0x33, 0x36, 0x3b));
        for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
            dark.setColor(role, QColor(0xe6, 0xe6, 0xe6));
        dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0xa0, 0xa8));
        QApplication::setPalette(dark);
        openAndWait(*m_window, m_root);
        QTRY_VERIFY(m_window->activityDock()->auditModel()->rowCount() > 0);
        const QImage shot = m_window->grab().toImage();
        shot.save(screenshotPath(QStringLiteral("main_window_dark.png")));
        QApplication::setPalette(light);
        const auto isDark = [&](QWidget *widget) {
            const QPoint corner = widget->mapTo(m_window.get(), QPoint(2, widget->height() - 3));
            return qGray(shot.pixel(corner * shot.devicePixelRatio())) < 80;
        };
        QVERIFY(isDark(m_window->areaStack()));
        QVERIFY(isDark(m_window->modeBar()));
        QVERIFY(isDark(m_window->activityDock()->auditView()->viewport()));
        QVERIFY(isDark(m_window->workspaceStatusBar()));
    }

    void quitWithUnsavedPipelineEditsAsksFirst()
    {
        const QString root = freshWorkspace(QStringLiteral("unsaved-quit"));
        QVERIFY(!root.isEmpty());
        const QString dvcYaml = root + QStringLiteral("/dvc.yaml");
        editPipelineIn(root);
        if (QTest::currentTestFailed())
            return;
        // Cancel: the window stays, with the edit.
        {
            ui::testing::MessageBoxAnswerer cancel(QMessageBox::Cancel);
            pressCtrlQ();
            QCOMPARE(cancel.answered, 1);
            QVERIFY2(cancel.text.contains(QStringLiteral("unsaved-quit")), qPrintable(cancel.text));
        }
        QVERIFY(m_window->isVisible());
        QVERIFY(pipelineEditor()->document()->model()->nodeByName(QStringLiteral("split")) != 0);
        QVERIFY(pipelineEditor()->document()->isModified());
        QVERIFY(!QFile::exists(dvcYaml));
        // Discard: the window closes, nothing is written.
        {
            ui::testing::MessageBoxAnswerer discard(QMessageBox::Discard);
            pressCtrlQ();
            QCOMPARE(discard.answered, 1);
        }
        QVERIFY(!m_window->isVisible());
        QVERIFY(!QFile::exists(dvcYaml));
        // Save: dvc.yaml gets the stage, then the window closes.
        m_window = std::make_unique<MainWindow>();
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        editPipelineIn(root);
        if (QTest::currentTestFailed())
            return;
        {
            ui::testing::MessageBoxAnswerer save(QMessageBox::Save);
            pressCtrlQ();
            QCOMPARE(save.answered, 1);
        }
        QVERIFY(!m_window->isVisible());
        QVERIFY2(readFile(dvcYaml).contains("split:"), readFile(dvcYaml).constData());
        // Nothing left to lose: Quit asks nothing.
        m_window = std::make_unique<MainWindow>();
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        openAndWait(*m_window, root);
        {
            ui::testing::MessageBoxAnswerer unexpected(QMessageBox::Cancel); // would end a wrong question
            pressCtrlQ();
            QCOMPARE(unexpected.answered, 0);
        }
        QVERIFY(!m_window->isVisible());
    }

    void switchingWorkspaceWithUnsavedPipelineEditsAsksFirst()
    {
        const QString first = freshWorkspace(QStringLiteral("unsaved-switch"));
        const QString second = freshWorkspace(QStringLiteral("switched-to"));
        QVERIFY(!first.isEmpty() && !second.isEmpty());
        openAndWait(*m_window, second); // so the recent menu lists it
        editPipelineIn(first);
        if (QTest::currentTestFailed())
            return;
        auto *recentMenu = m_window->findChild<QMenu *>(QStringLiteral("menu.recent"));
        auto recentAction = [&]() -> QAction * {
            Q_EMIT recentMenu->aboutToShow(); // rebuilt as the menu opens
            for (QAction *a : recentMenu->actions())
                if (a->toolTip() == second)
                    return a;
            return nullptr;
        };
        QVERIFY(recentAction());
        // Cancel: still the first workspace, with the edit.
        {
            ui::testing::MessageBoxAnswerer cancel(QMessageBox::Cancel);
            recentAction()->trigger();
            QCOMPARE(cancel.answered, 1);
        }
        QTest::qWait(200); // an open wrongly started would be on its way
        QCOMPARE(m_window->workspaceRoot(), first);
        QVERIFY(pipelineEditor()->document()->model()->nodeByName(QStringLiteral("split")) != 0);
        // Closing the workspace (back to the welcome page) asks too.
        {
            ui::testing::MessageBoxAnswerer cancel(QMessageBox::Cancel);
            m_window->findChild<QAction *>(QStringLiteral("action.closeWorkspace"))->trigger();
            QCOMPARE(cancel.answered, 1);
        }
        QVERIFY(m_window->isWorkspaceOpen());
        QVERIFY(pipelineEditor()->document()->isModified());
        // Discard: the other workspace opens, and nothing was written.
        {
            ui::testing::MessageBoxAnswerer discard(QMessageBox::Discard);
            recentAction()->trigger();
            QCOMPARE(discard.answered, 1);
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_window->workspaceRoot(), second, kOpenTimeoutMs);
        QVERIFY(!pipelineEditor()->document()->isModified());
        QVERIFY(!QFile::exists(first + QStringLiteral("/dvc.yaml")));
    }

    void newWorkspaceIsInitialisedAndOpened()
    {
        const QString fresh = m_dir.filePath(QStringLiteral("fresh"));
        m_window->newWorkspaceAt(fresh);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->isWorkspaceOpen(), kOpenTimeoutMs);
        QCOMPARE(m_window->workspaceRoot(), fresh);
        QVERIFY(workspace::Workspace::isWorkspace(fresh));
    }
};

QTEST_MAIN(TstMainWindow)
#include "tst_main_window.moc"
