// The first window a user sees on the demo after `orrery-cli run`: the Pipeline area shows the
// whole pipeline, every card inside the canvas at a readable size (issue 14, deliverable 1).
#include "core/demo/demo_workspace.h"
#include "tests/support/test_support.h"
#include "ui/experiments/experiment_area.h"
#include "ui/experiments/run_table_model.h"
#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_editor.h"
#include "ui/pipeline/pipeline_scene.h"
#include "ui/pipeline/pipeline_view.h"
#include "ui/pipeline/stage_node_item.h"
#include "ui/shell/main_window.h"
#include "ui/shell/mode_bar.h"

#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QSettings>
#include <QStackedWidget>
#include <QToolButton>
#include <QTreeView>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace orrery;
using namespace orrery::ui;

namespace {

// Every card's rectangle on screen (viewport coordinates).
QVector<QRect> cardRects(PipelineEditor &e)
{
    QVector<QRect> rects;
    for (pipeline::NodeId id : e.document()->model()->nodes())
        if (StageNodeItem *item = e.scene()->nodeItem(id))
            rects << e.view()->mapFromScene(item->mapToScene(QRectF(0, 0, StageNodeItem::kWidth, item->boundingRect().height() - 2)))
                         .boundingRect();
    return rects;
}

QStringList cardTexts(PipelineEditor &e)
{
    QStringList texts;
    for (pipeline::NodeId id : e.document()->model()->nodes())
        texts << e.document()->model()->stage(id)->name + QStringLiteral(": ") + e.scene()->nodeItem(id)->view().stateText;
    return texts;
}

QString cardText(PipelineEditor &e, const QString &stage)
{
    return e.scene()->nodeItem(e.document()->model()->nodeByName(stage))->view().stateText;
}

QString describe(PipelineEditor &e)
{
    QString s = QStringLiteral("viewport %1x%2, zoom %3:").arg(e.view()->viewport()->width()).arg(e.view()->viewport()->height()).arg(e.view()->zoom());
    for (const QRect &r : cardRects(e))
        s += QStringLiteral(" [%1,%2 %3x%4]").arg(r.x()).arg(r.y()).arg(r.width()).arg(r.height());
    return s;
}

bool allReadableInside(PipelineEditor &e)
{
    const QVector<QRect> rects = cardRects(e);
    if (rects.size() != e.document()->model()->nodes().size() || rects.isEmpty())
        return false;
    for (const QRect &r : rects)
        if (!e.view()->viewport()->rect().contains(r) || r.width() < 140)
            return false;
    return true;
}

} // namespace

class TstFirstWindow : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_root;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("Orrery"));
        QCoreApplication::setApplicationName(QStringLiteral("OrreryFirstWindowTest"));
        QSettings().clear();
        demo::DemoOptions o;
        o.rows = 5000;
        o.trainer = demo::DemoTrainer::Baseline; // no LibTorch process needed to run it
        m_root = m_tmp.filePath(QStringLiteral("demo"));
        auto made = demo::createDemoWorkspace(m_root, o);
        QVERIFY2(made.isOk(), qPrintable(made.status().message()));
        const auto ran = orrery::testing::runCli({QStringLiteral("run"), QStringLiteral("--workspace"), m_root});
        QVERIFY2(ran.ok(), qPrintable(ran.describe()));
    }

    // Edited outside the window (a text editor): split and what follows it say what changed.
    void cardsFollowParamsEditedOnDisk()
    {
        auto window = std::make_unique<MainWindow>();
        window->resize(1280, 800);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        window->openWorkspace(m_root);
        QTRY_VERIFY_WITH_TIMEOUT(window->isWorkspaceOpen(), 30000);
        auto *editor = window->findChild<PipelineEditor *>();
        QVERIFY(editor);
        QTRY_VERIFY_WITH_TIMEOUT(editor->document()->model()->nodes().size() >= 6, 30000);
        QTRY_VERIFY2_WITH_TIMEOUT(cardText(*editor, QStringLiteral("split")).startsWith(QStringLiteral("up to date")),
                                  qPrintable(cardTexts(*editor).join(QLatin1Char('|'))), 60000);
        const QString paramsPath = QDir(m_root).filePath(QStringLiteral("params.yaml"));
        QByteArray params = orrery::testing::readFile(paramsPath);
        const int at = params.indexOf("split:");
        QVERIFY(at >= 0);
        const int seed = params.indexOf("seed: 42", at);
        QVERIFY(seed > at);
        params.replace(seed, 8, "seed: 43");
        orrery::testing::writeFile(paramsPath, params);
        QTRY_VERIFY2_WITH_TIMEOUT(cardText(*editor, QStringLiteral("split")).contains(QStringLiteral("changed: param split.seed")),
                                  qPrintable(cardTexts(*editor).join(QLatin1Char('|'))), 60000);
        for (const char *downstream : {"train", "evaluate", "gate"})
            QTRY_VERIFY2_WITH_TIMEOUT(cardText(*editor, QLatin1String(downstream)).startsWith(QStringLiteral("changed")),
                                      qPrintable(cardTexts(*editor).join(QLatin1Char('|'))), 60000);
        for (const char *upstream : {"load", "validate"})
            QVERIFY2(cardText(*editor, QLatin1String(upstream)).startsWith(QStringLiteral("up to date")), qPrintable(cardTexts(*editor).join(QLatin1Char('|'))));
        // Back as it was: up to date again.
        params.replace(seed, 8, "seed: 42");
        orrery::testing::writeFile(paramsPath, params);
        QTRY_VERIFY2_WITH_TIMEOUT(cardText(*editor, QStringLiteral("gate")).startsWith(QStringLiteral("up to date")),
                                  qPrintable(cardTexts(*editor).join(QLatin1Char('|'))), 60000);
    }

    void thePipelineOpensFittedAndReadable()
    {
        auto window = std::make_unique<MainWindow>();
        window->resize(1280, 800);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        window->openWorkspace(m_root);
        QTRY_VERIFY_WITH_TIMEOUT(window->isWorkspaceOpen(), 30000);
        auto *editor = window->findChild<PipelineEditor *>();
        QVERIFY(editor);
        QTRY_VERIFY_WITH_TIMEOUT(editor->document()->model()->nodes().size() >= 6, 30000);
        QTRY_VERIFY2_WITH_TIMEOUT(allReadableInside(*editor), qPrintable(describe(*editor)), 30000);
        // The run was the terminal's, not this window's: the cards still say it ran.
        QTRY_VERIFY2_WITH_TIMEOUT(cardTexts(*editor).filter(QStringLiteral("up to date")).size() == cardTexts(*editor).size(),
                                  qPrintable(cardTexts(*editor).join(QLatin1Char('|'))), 60000);

        // Fit (the toolbar's action) keeps it so after the user zoomed out.
        editor->view()->zoomBy(0.5, editor->view()->viewport()->rect().center());
        QVERIFY(!allReadableInside(*editor));
        editor->action(QStringLiteral("fit"))->trigger();
        QVERIFY2(allReadableInside(*editor), qPrintable(describe(*editor)));

        // A bigger window: the cards grow, up to the readable maximum.
        window->resize(1600, 1000);
        editor->action(QStringLiteral("fit"))->trigger();
        QVERIFY2(allReadableInside(*editor), qPrintable(describe(*editor)));
        QVERIFY(editor->view()->zoom() <= PipelineView::kMaxFitZoom + 1e-9);

        // Opened at 1600x1000 from the start (the README's screenshot size): readable, up to date.
        window.reset();
        window = std::make_unique<MainWindow>();
        window->resize(1600, 1000);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        window->openWorkspace(m_root);
        QTRY_VERIFY_WITH_TIMEOUT(window->isWorkspaceOpen(), 30000);
        editor = window->findChild<PipelineEditor *>();
        QVERIFY(editor);
        QTRY_VERIFY_WITH_TIMEOUT(editor->document()->model()->nodes().size() >= 6, 30000);
        QTRY_VERIFY2_WITH_TIMEOUT(allReadableInside(*editor), qPrintable(describe(*editor)), 30000);
        QTRY_VERIFY2_WITH_TIMEOUT(cardTexts(*editor).filter(QStringLiteral("up to date")).size() == cardTexts(*editor).size(),
                                  qPrintable(cardTexts(*editor).join(QLatin1Char('|'))), 60000);
        if (const QString dir = qEnvironmentVariable("ORRERY_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(window->grab().save(QDir(dir).filePath(QStringLiteral("pipeline-first-window.png"))));
    }

    // The run from the terminal in the Experiments area: one row, the pipeline run, that expands
    // (a click on its arrow) to its stage runs.
    void experimentsShowThePipelineRunWithItsStages()
    {
        auto window = std::make_unique<MainWindow>();
        window->resize(1600, 1000);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        window->openWorkspace(m_root);
        QTRY_VERIFY_WITH_TIMEOUT(window->isWorkspaceOpen(), 30000);
        QTest::mouseClick(window->modeBar()->buttonAt(2), Qt::LeftButton);
        auto *area = qobject_cast<ExperimentArea *>(window->areaStack()->currentWidget());
        QVERIFY(area);
        RunTableModel *model = area->runModel();
        QTRY_VERIFY_WITH_TIMEOUT(area->isShowingRuns() && !model->isLoading() && model->runCount() >= 7, 30000); // the pipeline run and its six stages
        QCOMPARE(model->rowCount(), 1);
        const QModelIndex pipelineRun = model->index(0, 0);
        QTRY_VERIFY_WITH_TIMEOUT(model->cachedRow(pipelineRun) != nullptr, 30000);
        QCOMPARE(model->rowCount(pipelineRun), model->runCount() - 1);
        QTreeView *view = area->runView();
        QVERIFY(!view->isExpanded(pipelineRun));
        const QRect text = view->visualRect(pipelineRun);
        QTest::mouseClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, QPoint(text.left() - view->indentation() / 2, text.center().y()));
        QTRY_VERIFY_WITH_TIMEOUT(view->isExpanded(pipelineRun), 10000);
        QStringList stages;
        for (int r = 0; r < model->rowCount(pipelineRun); ++r) {
            const QModelIndex stage = model->index(r, 0, pipelineRun);
            model->data(stage);
            QTRY_VERIFY_WITH_TIMEOUT(model->cachedRow(stage) != nullptr, 30000);
            stages << model->cachedRow(stage)->info.runName;
        }
        for (const char *stage : {"load", "validate", "split", "train", "evaluate", "gate"})
            QVERIFY2(stages.contains(QLatin1String(stage)), qPrintable(stages.join(QLatin1Char(','))));
        if (const QString dir = qEnvironmentVariable("ORRERY_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(window->grab().save(QDir(dir).filePath(QStringLiteral("experiments-pipeline-run.png"))));
    }

    // Each card says when its own stage ran, from its tracked stage run, not one time for all
    // (dvc.lock's): a pipeline run on a clock set 2.5 hours back, then `run load --force` alone
    // now. A stage whose last run was not tracked (`dvc repro`, `run --no-track`: no stage run
    // with its params) says dvc.lock's time. A workspace of its own: the runs above are newer.
    void eachCardSaysWhenItsOwnStageRan()
    {
        demo::DemoOptions o;
        o.rows = 5000;
        o.trainer = demo::DemoTrainer::Baseline;
        const QString root = m_tmp.filePath(QStringLiteral("times"));
        auto made = demo::createDemoWorkspace(root, o);
        QVERIFY2(made.isOk(), qPrintable(made.status().message()));
        orrery::testing::ProcessOptions earlier;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // The project's own compressed clock (core/common/clock.h), slowed to a crawl from an
        // anchor in the past: every time the run records is ~2.5 h before real time.
        env.insert(QStringLiteral("ORRERY_CLOCK_SCALE"), QStringLiteral("0.001"));
        env.insert(QStringLiteral("ORRERY_CLOCK_ANCHOR"), QString::number(QDateTime::currentMSecsSinceEpoch() - 150 * 60 * 1000));
        earlier.environment = env;
        auto ran = orrery::testing::runCli({QStringLiteral("run"), QStringLiteral("--workspace"), root}, earlier);
        QVERIFY2(ran.ok(), qPrintable(ran.describe()));
        ran = orrery::testing::runCli({QStringLiteral("run"), QStringLiteral("load"), QStringLiteral("--force"), QStringLiteral("--workspace"), root});
        QVERIFY2(ran.ok(), qPrintable(ran.describe()));

        auto window = std::make_unique<MainWindow>();
        window->resize(1280, 800);
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window.get()));
        window->openWorkspace(root);
        QTRY_VERIFY_WITH_TIMEOUT(window->isWorkspaceOpen(), 30000);
        auto *editor = window->findChild<PipelineEditor *>();
        QVERIFY(editor);
        QTRY_VERIFY_WITH_TIMEOUT(editor->document()->model()->nodes().size() >= 6, 30000);
        // load ran last, alone (its outs the same: the rest stays up to date); the others ran earlier.
        static const QRegularExpression recently(QStringLiteral("^up to date · ran (just now|[0-9]+ min ago)$"));
        QTRY_VERIFY2_WITH_TIMEOUT(recently.match(cardText(*editor, QStringLiteral("load"))).hasMatch(),
                                  qPrintable(cardTexts(*editor).join(QLatin1Char('|'))), 60000);
        for (const char *stage : {"validate", "split", "train", "evaluate", "gate"})
            QTRY_VERIFY2_WITH_TIMEOUT(cardText(*editor, QLatin1String(stage)) == QStringLiteral("up to date · ran 2 h ago"),
                                      qPrintable(cardTexts(*editor).join(QLatin1Char('|'))), 60000);

        // split's seed changed and split and what follows it run untracked, as `dvc repro` would:
        // their tracked runs read seed 42, so their cards take dvc.lock's time; validate's stays.
        const QString paramsPath = QDir(root).filePath(QStringLiteral("params.yaml"));
        QByteArray params = orrery::testing::readFile(paramsPath);
        const int seed = params.indexOf("seed: 42", params.indexOf("split:"));
        QVERIFY(seed > 0);
        params.replace(seed, 8, "seed: 43");
        orrery::testing::writeFile(paramsPath, params);
        ran = orrery::testing::runCli({QStringLiteral("run"), QStringLiteral("--no-track"), QStringLiteral("--workspace"), root});
        QVERIFY2(ran.ok(), qPrintable(ran.describe()));
        for (const char *stage : {"split", "train", "evaluate", "gate"})
            QTRY_VERIFY2_WITH_TIMEOUT(recently.match(cardText(*editor, QLatin1String(stage))).hasMatch(),
                                      qPrintable(cardTexts(*editor).join(QLatin1Char('|'))), 60000);
        QCOMPARE(cardText(*editor, QStringLiteral("validate")), QStringLiteral("up to date · ran 2 h ago"));
    }
};

QTEST_MAIN(TstFirstWindow)
#include "tst_first_window.moc"
