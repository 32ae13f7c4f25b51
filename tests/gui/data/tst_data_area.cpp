// The Data area end to end under the offscreen platform: a workspace with a CSV dataset committed
// once and changed since (rows and one column's values), and a tracked directory; opened in the
// main window and driven by real clicks — the datasets with their status, the versions from git
// history plus the workspace, the statistics of a version (checked against figures the test
// computes itself), the side-by-side diff with the changed figures highlighted, a directory's
// files and file diff, a poll that sees an edit made behind the window's back, and the palette
// the highlights are drawn in.

#include "core/data/data_repository.h"
#include "core/workspace/workspace.h"
#include "ui/common/empty_state.h"
#include "ui/data/change_highlight_delegate.h"
#include "ui/data/column_diff_model.h"
#include "ui/data/column_stats_model.h"
#include "ui/data/data_area.h"
#include "ui/data/data_detail_panel.h"
#include "ui/data/dataset_list_model.h"
#include "ui/data/dataset_poller.h"
#include "ui/data/directory_diff_view.h"
#include "ui/data/directory_view.h"
#include "ui/data/file_change_model.h"
#include "ui/data/file_list_model.h"
#include "ui/data/profile_store.h"
#include "ui/data/table_diff_view.h"
#include "ui/data/table_stats_view.h"
#include "ui/data/version_list_model.h"
#include "ui/shell/main_window.h"
#include "ui/shell/mode_bar.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <memory>
#include <numeric>

using namespace orrery;
using ui::MainWindow;

namespace {
constexpr int kTimeoutMs = 20000; // a cold start of git, SQLite and threads on a busy CI machine

// The two versions of the CSV: rows 3 → 4, and the first amount changes, so amount's mean moves.
const QVector<double> kAmountsV1{10.5, 20.0, 30.25};
const QVector<double> kAmountsV2{11.5, 20.0, 30.25, 40.0};

QByteArray csv(const QVector<double> &amounts)
{
    const QStringList cities{QStringLiteral("Paris"), QStringLiteral("Lyon"), QStringLiteral("Paris"), QStringLiteral("Nice")};
    QByteArray text = "id,amount,city\n";
    for (int i = 0; i < amounts.size(); ++i)
        text += QStringLiteral("%1,%2,%3\n").arg(i + 1).arg(amounts[i]).arg(cities[i % cities.size()]).toUtf8();
    return text;
}

double mean(const QVector<double> &values)
{
    return std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

bool git(const QString &root, const QStringList &args)
{
    QProcess p;
    p.setWorkingDirectory(root);
    p.start(QStringLiteral("git"), QStringList{QStringLiteral("-c"), QStringLiteral("user.name=Data Test"), QStringLiteral("-c"),
                                               QStringLiteral("user.email=data-test@example.org")} + args);
    return p.waitForFinished(30000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

bool add(const QString &root, const QStringList &paths)
{
    auto ws = workspace::Workspace::open(root);
    if (!ws)
        return false;
    data::DataRepository repo(root, &(*ws)->database());
    auto report = repo.add(paths);
    if (!report)
        qWarning() << report.status().toString();
    return report.isOk();
}

void click(QTableView *view, int row, Qt::KeyboardModifiers modifiers = {})
{
    const QModelIndex index = view->model()->index(row, 0);
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers, view->visualRect(index).center());
}

QColor pixelAt(QTableView *view, const QModelIndex &index)
{
    // The left edge of a right-aligned figure cell is background, never text.
    const QImage image = view->viewport()->grab().toImage();
    const QRect cell = view->visualRect(index);
    return image.pixelColor(QPoint(cell.left() + 3, cell.center().y()) * image.devicePixelRatio());
}

bool near(const QColor &a, const QColor &b)
{
    return std::abs(a.red() - b.red()) <= 3 && std::abs(a.green() - b.green()) <= 3 && std::abs(a.blue() - b.blue()) <= 3;
}
} // namespace

class TstDataArea : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_root;
    QString m_emptyRoot;
    std::unique_ptr<MainWindow> m_window;

    QString screenshotPath(const QString &name) const
    {
        const QString dir = QStringLiteral(ORRERY_BINARY_DIR "/screenshots");
        QDir().mkpath(dir);
        return dir + QLatin1Char('/') + name;
    }

    ui::DataArea *area() const { return m_window->dataArea(); }
    ui::DataDetailPanel *panel() const { return area()->detailPanel(); }

    // Opens `root` and goes to the Data area with a real click on its mode button.
    void openDataArea(const QString &root)
    {
        m_window->openWorkspace(root);
        QTRY_VERIFY_WITH_TIMEOUT(m_window->isWorkspaceOpen(), kTimeoutMs);
        QTest::mouseClick(m_window->modeBar()->buttonAt(1), Qt::LeftButton);
        QCOMPARE(m_window->areaStack()->currentWidget(), area());
    }

    int datasetRow(const QString &path) const { return area()->datasetModel()->findPath(path); }

    void selectDataset(const QString &path)
    {
        QTRY_VERIFY_WITH_TIMEOUT(datasetRow(path) >= 0, kTimeoutMs);
        click(area()->datasetView(), datasetRow(path));
        QTRY_COMPARE_WITH_TIMEOUT(area()->versionModel()->datasetPath(), path, kTimeoutMs);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("Orrery"));
        QCoreApplication::setApplicationName(QStringLiteral("OrreryDataAreaTest"));
        QSettings().clear();
        QVERIFY(m_dir.isValid());

        m_emptyRoot = m_dir.filePath(QStringLiteral("no-data"));
        QVERIFY(workspace::Workspace::init(m_emptyRoot).isOk());

        // Version 1 of both datasets, committed; then both changed and added again (not committed).
        m_root = m_dir.filePath(QStringLiteral("fraud"));
        auto report = workspace::Workspace::init(m_root);
        QVERIFY2(report.isOk(), qPrintable(report.status().toString()));
        QVERIFY(writeFile(m_root + QStringLiteral("/data/t.csv"), csv(kAmountsV1)));
        QVERIFY(writeFile(m_root + QStringLiteral("/data/images/a.csv"), "x,y\n1,2\n3,4\n"));
        QVERIFY(writeFile(m_root + QStringLiteral("/data/images/readme.txt"), "notes\n"));
        QVERIFY(add(m_root, {QStringLiteral("data/t.csv"), QStringLiteral("data/images")}));
        QVERIFY(git(m_root, {QStringLiteral("add"), QStringLiteral("data/t.csv.dvc"), QStringLiteral("data/images.dvc"),
                             QStringLiteral("data/.gitignore"), QStringLiteral(".gitignore")}));
        QVERIFY(git(m_root, {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QStringLiteral("Data v1")}));
        QVERIFY(writeFile(m_root + QStringLiteral("/data/t.csv"), csv(kAmountsV2)));
        QVERIFY(writeFile(m_root + QStringLiteral("/data/images/a.csv"), "x,y\n1,2\n3,4\n5,6\n"));
        QVERIFY(writeFile(m_root + QStringLiteral("/data/images/b.csv"), "z\n7\n"));
        QVERIFY(add(m_root, {QStringLiteral("data/t.csv"), QStringLiteral("data/images")}));
    }

    void init()
    {
        m_window = std::make_unique<MainWindow>();
        m_window->resize(1400, 900);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanup()
    {
        m_window.reset();
        QSettings().clear();
    }

    void keepsTheEmptyStateWithoutData()
    {
        openDataArea(m_emptyRoot);
        QTRY_VERIFY_WITH_TIMEOUT(area()->poller()->hasResult(), kTimeoutMs);
        QVERIFY(!area()->isShowingData());
        QVERIFY(area()->emptyState()->isVisible());
        QVERIFY(area()->emptyState()->howToStart().contains(QStringLiteral("orrery-cli data add")));
    }

    void listsDatasetsVersionsAndStatistics()
    {
        openDataArea(m_root);
        QTRY_VERIFY_WITH_TIMEOUT(area()->isShowingData(), kTimeoutMs);
        ui::DatasetListModel *datasets = area()->datasetModel();
        QCOMPARE(datasets->rowCount(), 2);
        const int row = datasetRow(QStringLiteral("data/t.csv"));
        QVERIFY(row >= 0);
        QCOMPARE(datasets->index(row, ui::DatasetListModel::StatusColumn).data().toString(), QStringLiteral("unchanged"));
        QCOMPARE(datasets->index(row, ui::DatasetListModel::PathColumn).data().toString(), QStringLiteral("data/t.csv"));
        QCOMPARE(datasets->index(row, ui::DatasetListModel::SizeColumn).data().toString(), QStringLiteral("%1 bytes").arg(csv(kAmountsV2).size()));

        selectDataset(QStringLiteral("data/t.csv"));
        ui::VersionListModel *versions = area()->versionModel();
        QTRY_COMPARE_WITH_TIMEOUT(versions->rowCount(), 2, kTimeoutMs);
        QCOMPARE(versions->index(0, ui::VersionListModel::VersionColumn).data().toString(), QStringLiteral("workspace"));
        QCOMPARE(versions->versionAt(1).summary, QStringLiteral("Data v1"));
        QCOMPARE(versions->versionAt(1).author, QStringLiteral("Data Test"));
        QCOMPARE(versions->index(1, ui::VersionListModel::VersionColumn).data().toString().size(), 7);
        QVERIFY(versions->versionAt(1).inCache);

        // The committed version: 3 rows, and amount's mean as the test computes it.
        click(area()->versionView(), 1);
        ui::TableStatsView *stats = panel()->statsView();
        QTRY_VERIFY_WITH_TIMEOUT(stats->model()->profile() && stats->model()->profile()->rows == 3, kTimeoutMs);
        QCOMPARE(panel()->currentPage(), stats);
        QVERIFY2(stats->summaryText().startsWith(QStringLiteral("3 rows × 3 columns")), qPrintable(stats->summaryText()));
        const int amount = stats->model()->findColumn(QStringLiteral("amount"));
        QVERIFY(amount >= 0);
        QCOMPARE(stats->model()->index(amount, ui::ColumnStatsModel::MeanColumn).data(ui::ColumnStatsModel::ValueRole).toDouble(),
                 mean(kAmountsV1));
        QCOMPARE(stats->model()->index(amount, ui::ColumnStatsModel::CountColumn).data().toString(), QStringLiteral("3"));
        QVERIFY(!stats->model()->index(amount, ui::ColumnStatsModel::HistogramColumn).data(ui::ColumnStatsModel::HistogramRole).isNull());

        // The workspace: 4 rows. Then back to the commit: from the store, at once, no job.
        click(area()->versionView(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(stats->model()->profile() && stats->model()->profile()->rows == 4, kTimeoutMs);
        QCOMPARE(stats->model()->index(amount, ui::ColumnStatsModel::MeanColumn).data(ui::ColumnStatsModel::ValueRole).toDouble(),
                 mean(kAmountsV2));
        const int computed = panel()->profileStore()->computedCount();
        click(area()->versionView(), 1);
        QVERIFY(!panel()->isBusy());
        QCOMPARE(stats->model()->profile()->rows, qint64(3));
        QCOMPARE(panel()->profileStore()->computedCount(), computed);
        m_window->grab().save(screenshotPath(QStringLiteral("data_stats.png")));
    }

    void comparesTwoVersionsSideBySide()
    {
        openDataArea(m_root);
        selectDataset(QStringLiteral("data/t.csv"));
        QTRY_COMPARE_WITH_TIMEOUT(area()->versionModel()->rowCount(), 2, kTimeoutMs);
        click(area()->versionView(), 0);
        click(area()->versionView(), 1, Qt::ControlModifier);
        QCOMPARE(area()->versionView()->selectionModel()->selectedRows().size(), 2);

        ui::TableDiffView *diff = panel()->diffView();
        QTRY_COMPARE_WITH_TIMEOUT(panel()->currentPage(), diff, kTimeoutMs);
        QVERIFY2(diff->summaryText().startsWith(QStringLiteral("3 → 4 rows (+1)")), qPrintable(diff->summaryText()));
        QVERIFY(panel()->titleText().contains(QStringLiteral("→ the workspace")));

        ui::ColumnDiffModel *model = diff->model();
        const int amount = model->findColumn(QStringLiteral("amount"));
        QVERIFY(amount >= 0);
        QCOMPARE(model->index(amount, ui::ColumnDiffModel::ChangeColumn).data().toString(), QStringLiteral("changed"));
        QCOMPARE(model->index(amount, ui::ColumnDiffModel::MeanBefore).data(ui::ColumnDiffModel::ValueRole).toDouble(), mean(kAmountsV1));
        QCOMPARE(model->index(amount, ui::ColumnDiffModel::MeanAfter).data(ui::ColumnDiffModel::ValueRole).toDouble(), mean(kAmountsV2));
        QVERIFY(model->index(amount, ui::ColumnDiffModel::MeanAfter).data(ui::ColumnDiffModel::ChangedRole).toBool());
        QVERIFY(!model->index(amount, ui::ColumnDiffModel::NullsAfter).data(ui::ColumnDiffModel::ChangedRole).toBool());

        // Highlighted on screen: the changed mean in the palette-derived tint, the unchanged nulls not.
        QTableView *view = diff->view();
        const QColor tint = ui::ChangeHighlightDelegate::highlightColor(view->palette());
        QVERIFY2(near(pixelAt(view, model->index(amount, ui::ColumnDiffModel::MeanAfter)), tint),
                 qPrintable(pixelAt(view, model->index(amount, ui::ColumnDiffModel::MeanAfter)).name()));
        QVERIFY(!near(pixelAt(view, model->index(amount, ui::ColumnDiffModel::NullsAfter)), tint));
        m_window->grab().save(screenshotPath(QStringLiteral("data_diff.png")));

        // "Compare With" does the same as Ctrl-click.
        click(area()->versionView(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(panel()->currentPage(), panel()->statsView(), kTimeoutMs);
        area()->compareVersions(1, 0);
        QTRY_COMPARE_WITH_TIMEOUT(panel()->currentPage(), diff, kTimeoutMs);
    }

    void showsADirectoryAndItsFileDiff()
    {
        openDataArea(m_root);
        selectDataset(QStringLiteral("data/images"));
        const int row = datasetRow(QStringLiteral("data/images"));
        QCOMPARE(area()->datasetModel()->index(row, ui::DatasetListModel::FilesColumn).data().toString(), QStringLiteral("3"));
        QTRY_COMPARE_WITH_TIMEOUT(area()->versionModel()->rowCount(), 2, kTimeoutMs);

        click(area()->versionView(), 1);
        ui::DirectoryView *directory = panel()->directoryView();
        QTRY_COMPARE_WITH_TIMEOUT(panel()->currentPage(), directory, kTimeoutMs);
        QCOMPARE(directory->fileModel()->rowCount(), 2);
        const int a = directory->fileModel()->findPath(QStringLiteral("a.csv"));
        QVERIFY(a >= 0);
        click(directory->fileView(), a);
        QTRY_VERIFY_WITH_TIMEOUT(directory->statsView()->isVisible() && directory->statsView()->model()->profile(), kTimeoutMs);
        QCOMPARE(directory->statsView()->model()->profile()->rows, qint64(2));

        click(area()->versionView(), 0);
        click(area()->versionView(), 1, Qt::ControlModifier);
        ui::DirectoryDiffView *dirDiff = panel()->directoryDiffView();
        QTRY_COMPARE_WITH_TIMEOUT(panel()->currentPage(), dirDiff, kTimeoutMs);
        ui::FileChangeModel *changes = dirDiff->changeModel();
        QCOMPARE(changes->rowCount(), 2);
        QCOMPARE(changes->changeAt(0).relpath, QStringLiteral("a.csv"));
        QCOMPARE(changes->changeAt(0).kind, ui::FileChange::Modified);
        QCOMPARE(changes->changeAt(1).relpath, QStringLiteral("b.csv"));
        QCOMPARE(changes->changeAt(1).kind, ui::FileChange::Added);
        click(dirDiff->changeView(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(dirDiff->diffView()->isVisible() && dirDiff->diffView()->model()->hasDiff(), kTimeoutMs);
        QVERIFY2(dirDiff->diffView()->summaryText().startsWith(QStringLiteral("2 → 3 rows")), qPrintable(dirDiff->diffView()->summaryText()));
    }

    void aPollSeesAnEditMadeElsewhere()
    {
        area()->poller()->setInterval(200);
        openDataArea(m_root);
        selectDataset(QStringLiteral("data/t.csv"));
        QTRY_COMPARE_WITH_TIMEOUT(area()->versionModel()->rowCount(), 2, kTimeoutMs);
        const QString addedMd5 = area()->versionModel()->versionAt(0).md5;

        // Another process edits the data (not added): the status turns "modified" and the
        // workspace row now stands for the edited file — selected, with its statistics.
        const QVector<double> edited{1.0, 2.0, 3.0, 4.0, 5.0};
        QVERIFY(writeFile(m_root + QStringLiteral("/data/t.csv"), csv(edited)));
        const int row = datasetRow(QStringLiteral("data/t.csv"));
        QTRY_COMPARE_WITH_TIMEOUT(area()->datasetModel()->index(row, ui::DatasetListModel::StatusColumn).data().toString(),
                                  QStringLiteral("modified"), kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(area()->versionModel()->rowCount() == 2 && area()->versionModel()->versionAt(0).md5 != addedMd5, kTimeoutMs);
        QVERIFY(area()->versionModel()->versionAt(0).summary.contains(QStringLiteral("Changed on disk")));
        QTRY_VERIFY_WITH_TIMEOUT(panel()->statsView()->model()->profile() && panel()->statsView()->model()->profile()->rows == 5, kTimeoutMs);

        // Put the added version back, so the other tests see the workspace they expect.
        QVERIFY(writeFile(m_root + QStringLiteral("/data/t.csv"), csv(kAmountsV2)));
        QTRY_COMPARE_WITH_TIMEOUT(area()->datasetModel()->index(row, ui::DatasetListModel::StatusColumn).data().toString(),
                                  QStringLiteral("unchanged"), kTimeoutMs);
    }

    void highlightsFollowADarkPalette()
    {
        QPalette dark;
        for (auto role : {QPalette::Window, QPalette::Base, QPalette::Button})
            dark.setColor(role, QColor(0x2b, 0x2e, 0x33));
        dark.setColor(QPalette::AlternateBase, QColor(0x33, 0x36, 0x3b));
        for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
            dark.setColor(role, QColor(0xe6, 0xe6, 0xe6));
        dark.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
        dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0xa0, 0xa8));
        const QPalette light = QApplication::palette();
        QApplication::setPalette(dark);

        openDataArea(m_root);
        selectDataset(QStringLiteral("data/t.csv"));
        QTRY_COMPARE_WITH_TIMEOUT(area()->versionModel()->rowCount(), 2, kTimeoutMs);
        click(area()->versionView(), 0);
        click(area()->versionView(), 1, Qt::ControlModifier);
        ui::TableDiffView *diff = panel()->diffView();
        QTRY_COMPARE_WITH_TIMEOUT(panel()->currentPage(), diff, kTimeoutMs);
        const int amount = diff->model()->findColumn(QStringLiteral("amount"));
        const QColor changed = pixelAt(diff->view(), diff->model()->index(amount, ui::ColumnDiffModel::MeanAfter));
        const QColor plain = pixelAt(diff->view(), diff->model()->index(amount, ui::ColumnDiffModel::NullsAfter));
        m_window->grab().save(screenshotPath(QStringLiteral("data_diff_dark.png")));
        QApplication::setPalette(light);

        // Dark cells stay dark (light text stays readable on them); the tint still stands out.
        QVERIFY2(qGray(changed.rgb()) < 110, qPrintable(changed.name()));
        QVERIFY2(qGray(plain.rgb()) < 80, qPrintable(plain.name()));
        QVERIFY(!near(changed, plain));
        QVERIFY(near(changed, ui::ChangeHighlightDelegate::highlightColor(dark)));
    }
};

QTEST_MAIN(TstDataArea)
#include "tst_data_area.moc"
