// The Data area as a newcomer meets it (issue 14): the demo workspace after `orrery-cli run`, and a
// second version of its dataset (2,000 more transactions from the demo's generator, a month after
// the first 90 days, added with `orrery-cli data add` and committed). In the window, with real
// clicks: the dataset, its two committed versions, one clicked and the other Ctrl-clicked, and the
// comparison's "What changed" column says what changed per column — amount's mean and timestamp's
// newest day as the test computes them from the two CSVs itself — rather than only "changed".

#include "core/data/fraud_generator.h"
#include "core/demo/demo_workspace.h"
#include "tests/support/test_support.h"
#include "ui/data/column_diff_model.h"
#include "ui/data/data_area.h"
#include "ui/data/data_detail_panel.h"
#include "ui/data/dataset_list_model.h"
#include "ui/data/table_diff_view.h"
#include "ui/data/version_list_model.h"
#include "ui/shell/main_window.h"
#include "ui/shell/mode_bar.h"

#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLocale>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtTest>

#include <memory>

using namespace orrery;

namespace {
constexpr int kTimeoutMs = 60000; // profiles 7,000 rows on a busy CI machine
const char *const kDataset = "data/transactions.csv";
const char *const kSecondCommit = "Data: 2,000 more transactions from April";

// What the test reads from a version of the CSV itself: rows, amount's mean, the newest day.
struct Figures {
    qint64 rows = 0;
    double meanAmount = 0;
    QString newestDay;
};

Figures figuresOf(const QByteArray &csv)
{
    Figures f;
    const QList<QByteArray> lines = csv.split('\n');
    const QList<QByteArray> header = lines.value(0).split(',');
    const int amount = int(header.indexOf("amount")), timestamp = int(header.indexOf("timestamp"));
    if (amount < 0 || timestamp < 0)
        return f;
    double sum = 0;
    QDateTime newest;
    for (int i = 1; i < lines.size(); ++i) {
        if (lines[i].isEmpty())
            continue;
        const QList<QByteArray> cells = lines[i].split(',');
        sum += cells.value(amount).toDouble();
        const QDateTime t = QDateTime::fromString(QString::fromUtf8(cells.value(timestamp)), Qt::ISODate);
        if (!newest.isValid() || t > newest)
            newest = t;
        ++f.rows;
    }
    f.meanAmount = f.rows > 0 ? sum / double(f.rows) : 0;
    f.newestDay = newest.toUTC().toString(QStringLiteral("yyyy-MM-dd"));
    return f;
}

void click(QTableView *view, int row, Qt::KeyboardModifiers modifiers = {})
{
    const QModelIndex index = view->model()->index(row, 0);
    view->scrollTo(index);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, modifiers, view->visualRect(index).center());
}

int versionRow(ui::VersionListModel *versions, const QString &summaryStart)
{
    for (int r = 0; r < versions->rowCount(); ++r)
        if (versions->versionAt(r).summary.startsWith(summaryStart))
            return r;
    return -1;
}
} // namespace

class TstDataNewcomer : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_root;
    Figures m_v1, m_v2;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("Orrery"));
        QCoreApplication::setApplicationName(QStringLiteral("OrreryDataNewcomerTest"));
        QSettings().clear();
        QVERIFY(m_dir.isValid());
        demo::DemoOptions o;
        o.rows = 5000;
        o.trainer = demo::DemoTrainer::Baseline; // no LibTorch process needed to run it
        m_root = m_dir.filePath(QStringLiteral("demo"));
        auto made = demo::createDemoWorkspace(m_root, o);
        QVERIFY2(made.isOk(), qPrintable(made.status().message()));
        auto ran = testing::runCli({QStringLiteral("run"), QStringLiteral("--workspace"), m_root});
        QVERIFY2(ran.ok(), qPrintable(ran.describe()));

        // The second version: the same generator, another seed, the month after the first 90 days.
        const QString csvPath = QDir(m_root).filePath(QLatin1String(kDataset));
        const QByteArray v1 = testing::readFile(csvPath);
        data::FraudDataOptions more;
        more.seed = 7;
        more.rows = 2000;
        more.start = QDateTime(QDate(2026, 4, 1), QTime(0, 0), Qt::UTC);
        more.spanSeconds = 30LL * 24 * 3600;
        data::FraudGenerator generator(more);
        QByteArray v2 = v1;
        for (qint64 id = 5001; !generator.atEnd(); ++id) {
            // Transaction ids go on from the first version's (the generator starts at T0000001).
            const QByteArray line = data::FraudGenerator::csvLine(generator.next());
            v2 += 'T' + QByteArray::number(id).rightJustified(7, '0') + line.mid(line.indexOf(','));
        }
        testing::writeFile(csvPath, v2);
        m_v1 = figuresOf(v1);
        m_v2 = figuresOf(v2);
        QCOMPARE(m_v1.rows, qint64(5000));
        QCOMPARE(m_v2.rows, qint64(7000));
        QVERIFY(m_v1.newestDay < m_v2.newestDay);
        ran = testing::runCli({QStringLiteral("data"), QStringLiteral("add"), QLatin1String(kDataset)}, m_root);
        QVERIFY2(ran.ok(), qPrintable(ran.describe()));
        testing::git(m_root,
            {QStringLiteral("commit"), QStringLiteral("-q"), QStringLiteral("-m"), QLatin1String(kSecondCommit),
                QLatin1String(kDataset) + QStringLiteral(".dvc")});
    }

    void twoVersionsSayWhatChanged()
    {
        auto window = std::make_unique<ui::MainWindow>();
        window->resize(1600, 1000);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        window->openWorkspace(m_root);
        QTRY_VERIFY_WITH_TIMEOUT(window->isWorkspaceOpen(), kTimeoutMs);
        QTest::mouseClick(window->modeBar()->buttonAt(1), Qt::LeftButton);
        ui::DataArea *area = window->dataArea();
        QCOMPARE(window->areaStack()->currentWidget(), area);

        // The dataset, then its versions: the demo's commit and the second one.
        QTRY_VERIFY_WITH_TIMEOUT(area->datasetModel()->findPath(QLatin1String(kDataset)) >= 0, kTimeoutMs);
        click(area->datasetView(), area->datasetModel()->findPath(QLatin1String(kDataset)));
        ui::VersionListModel *versions = area->versionModel();
        QTRY_VERIFY_WITH_TIMEOUT(versions->datasetPath() == QLatin1String(kDataset)
                && versionRow(versions, QLatin1String(kSecondCommit)) >= 0
                && versionRow(versions, QStringLiteral("Orrery demo workspace")) >= 0,
            kTimeoutMs);
        const int older = versionRow(versions, QStringLiteral("Orrery demo workspace"));
        const int newer = versionRow(versions, QLatin1String(kSecondCommit));
        click(area->versionView(), older);
        click(area->versionView(), newer, Qt::ControlModifier);
        QCOMPARE(area->versionView()->selectionModel()->selectedRows().size(), 2);

        ui::DataDetailPanel *panel = area->detailPanel();
        ui::TableDiffView *diff = panel->diffView();
        QTRY_COMPARE_WITH_TIMEOUT(panel->currentPage(), diff, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(diff->model()->hasDiff(), kTimeoutMs);
        const QString rows
            = QStringLiteral("%1 → %2 rows (+%3)")
                  .arg(QLocale().toString(m_v1.rows), QLocale().toString(m_v2.rows), QLocale().toString(m_v2.rows - m_v1.rows));
        QVERIFY2(diff->summaryText().startsWith(rows), qPrintable(diff->summaryText()));

        // "What changed" says it per column, in figures the test computed from the files.
        ui::ColumnDiffModel *model = diff->model();
        const auto what = [&](const QString &column) {
            const int row = model->findColumn(column);
            return row < 0 ? QStringLiteral("(no column %1)").arg(column)
                           : model->index(row, ui::ColumnDiffModel::WhatColumn).data().toString();
        };
        const QString amount = what(QStringLiteral("amount"));
        QVERIFY2(
            amount.contains(
                QStringLiteral("mean %1 → %2").arg(QString::number(m_v1.meanAmount, 'g', 4), QString::number(m_v2.meanAmount, 'g', 4))),
            qPrintable(amount));
        const QString timestamp = what(QStringLiteral("timestamp"));
        QVERIFY2(timestamp.contains(QStringLiteral("newest %1 → %2").arg(m_v1.newestDay, m_v2.newestDay)), qPrintable(timestamp));
        // Every column the comparison calls changed says how; none is just "changed".
        QCOMPARE(model->rowCount(), 12);
        for (int r = 0; r < model->rowCount(); ++r) {
            const QString name = model->index(r, ui::ColumnDiffModel::NameColumn).data().toString();
            const QString change = model->index(r, ui::ColumnDiffModel::ChangeColumn).data().toString();
            if (change != QLatin1String("unchanged"))
                QVERIFY2(!what(name).isEmpty(), qPrintable(name + QStringLiteral(": ") + change));
        }
        // And the user sees it: the column is on screen, wide enough for a phrase.
        QTableView *view = diff->view();
        QVERIFY(!view->isColumnHidden(ui::ColumnDiffModel::WhatColumn));
        const int x = view->columnViewportPosition(ui::ColumnDiffModel::WhatColumn);
        QVERIFY2(x >= 0 && x + 100 <= view->viewport()->width() && view->columnWidth(ui::ColumnDiffModel::WhatColumn) >= 100,
            qPrintable(QStringLiteral("What changed at x %1, %2 px wide, viewport %3 px")
                           .arg(x)
                           .arg(view->columnWidth(ui::ColumnDiffModel::WhatColumn))
                           .arg(view->viewport()->width())));
        if (const QString dir = qEnvironmentVariable("ORRERY_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(window->grab().save(QDir(dir).filePath(QStringLiteral("data-newcomer-diff.png"))));
    }
};

QTEST_MAIN(TstDataNewcomer)
#include "tst_data_newcomer.moc"
