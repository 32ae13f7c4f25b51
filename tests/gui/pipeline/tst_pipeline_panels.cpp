// The editor's panels: the palette and the properties collapse with a toolbar toggle each, the
// canvas/properties divider stays where the user put it when the selection changes, and both are
// remembered by the next editor (QSettings in test mode).
#include "pipeline_editor_fixture.h"
#include "tests/support/test_support.h"

#include "ui/pipeline/path_line_edit.h"
#include "ui/pipeline/stage_property_editor.h"

#include <QLabel>
#include <QPushButton>
#include <QSettings>

#include <cmath>
#include <QSplitter>
#include <QSplitterHandle>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QToolBar>

using namespace orrery;
using namespace orrery::ui;
using namespace orrery::ui::testing;

namespace {

// A real press-move-release on a splitter handle, dx pixels to the right.
void dragHandle(QSplitterHandle *handle, int dx)
{
    const QPoint from = handle->rect().center();
    const QPoint to = from + QPoint(dx, 0);
    QMouseEvent press(QEvent::MouseButtonPress, from, handle->mapToGlobal(from), Qt::LeftButton, Qt::LeftButton, {});
    QApplication::sendEvent(handle, &press);
    for (int i = 1; i <= 4; ++i) {
        const QPoint p = from + QPoint(dx * i / 4, 0);
        QMouseEvent move(QEvent::MouseMove, p, handle->mapToGlobal(p), Qt::NoButton, Qt::LeftButton, {});
        QApplication::sendEvent(handle, &move);
    }
    QMouseEvent release(QEvent::MouseButtonRelease, to, handle->mapToGlobal(to), Qt::LeftButton, Qt::NoButton, {});
    QApplication::sendEvent(handle, &release);
}

QString sizesText(const QList<int> &sizes)
{
    QStringList parts;
    for (int size : sizes)
        parts << QString::number(size);
    return parts.join(QLatin1Char('|'));
}

void clickAction(PipelineEditor &e, const QString &name)
{
    auto *bar = e.findChild<QToolBar *>(QStringLiteral("pipelineToolBar"));
    QWidget *button = bar ? bar->widgetForAction(e.action(name)) : nullptr;
    QVERIFY2(button && button->isVisible(), qPrintable(name));
    QTest::mouseClick(button, Qt::LeftButton);
}

} // namespace

class TstPipelinePanels : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_root;

    std::unique_ptr<PipelineEditor> openEditor()
    {
        auto e = std::make_unique<PipelineEditor>();
        e->resize(1400, 900);
        e->show();
        if (!QTest::qWaitForWindowExposed(e.get()))
            return nullptr;
        // Active, so that a click gives keyboard focus also under Xvfb, where no window manager
        // activates windows (offscreen does it by itself).
        e->activateWindow();
        if (!QTest::qWaitForWindowActive(e.get()))
            return nullptr;
        e->setWorkspaceRoot(m_root);
        return e;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("Orrery"));
        QCoreApplication::setApplicationName(QStringLiteral("OrreryPanelsTest"));
        QSettings().clear();
        demo::DemoOptions o;
        o.rows = 2000;
        o.trainer = demo::DemoTrainer::Baseline;
        m_root = m_tmp.filePath(QStringLiteral("demo"));
        auto made = demo::createDemoWorkspace(m_root, o);
        QVERIFY2(made.isOk(), qPrintable(made.status().message()));
    }

    // The "changed on disk" banner reads in the default palette and in a dark one.
    void bannerIsReadableInLightAndDark()
    {
        const QPalette light = QApplication::palette();
        QPalette dark;
        for (auto role : {QPalette::Window, QPalette::Base, QPalette::Button, QPalette::ToolTipBase})
            dark.setColor(role, QColor(0x2b, 0x2e, 0x33));
        for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText, QPalette::ToolTipText})
            dark.setColor(role, QColor(0xe6, 0xe6, 0xe6));
        for (const QPalette &p : {light, dark}) {
            QApplication::setPalette(p);
            QSettings().clear();
            auto e = openEditor();
            QVERIFY(e);
            // Unsaved edits (a stage from the palette), then someone else's dvc.yaml.
            e->addStageOfType(QStringLiteral("split"), QPointF(0, 600));
            QVERIFY(e->document()->isModified());
            const QString dvc = QDir(m_root).filePath(QStringLiteral("dvc.yaml"));
            const QByteArray before = orrery::testing::readFile(dvc);
            orrery::testing::writeFile(dvc, before + "\n# edited elsewhere\n");
            QTRY_VERIFY_WITH_TIMEOUT(e->isReloadAsked(), 20000);
            auto *banner = e->findChild<QFrame *>(QStringLiteral("pipelineReloadBanner"));
            auto *text = e->findChild<QLabel *>(QStringLiteral("bannerText"));
            QVERIFY(banner && text);
            const QImage shot = banner->grab().toImage();
            const QColor bg = shot.pixelColor(shot.width() / 2, shot.height() - 4); // below the text
            const QColor fg = text->palette().color(text->foregroundRole());
            const auto luminance = [](const QColor &c) {
                const auto lin = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
                return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF());
            };
            const double a = luminance(bg), b = luminance(fg);
            const double contrast = (std::max(a, b) + 0.05) / (std::min(a, b) + 0.05);
            QVERIFY2(contrast >= 4.5, qPrintable(QStringLiteral("text %1 on %2: contrast %3").arg(fg.name(), bg.name()).arg(contrast)));
            QTest::mouseClick(e->findChild<QPushButton *>(QStringLiteral("bannerKeep")), Qt::LeftButton);
            QVERIFY(!e->isReloadAsked());
            orrery::testing::writeFile(dvc, before);
            e.reset();
        }
        QApplication::setPalette(light);
    }

    // A path in a narrow properties column shows its end in full: "…transactions.csv".
    void pathFieldsShowTheEndOfThePath()
    {
        QSettings().clear();
        auto e = openEditor();
        QVERIFY(e);
        QSplitter *split = e->splitter();
        split->setSizes({170, 1400 - 170 - 220, 220}); // as narrow as the column goes
        e->view()->setTransform(QTransform());
        e->view()->centerOn(e->scene()->nodeItem(e->document()->model()->nodeByName(QStringLiteral("split")))->sceneBoundingRect().center());
        QTest::mouseClick(e->view()->viewport(), Qt::LeftButton, {}, nodeTitle(*e, QStringLiteral("split")));
        QTRY_COMPARE(e->scene()->selectedNodes().size(), 1);
        PathLineEdit *input = nullptr;
        QTRY_VERIFY((input = e->propertyEditor()->findChild<PathLineEdit *>(QStringLiteral("field.input"))) && input->isVisible());
        QCOMPARE(input->text(), QStringLiteral("work/transactions.csv"));
        // A long label ("--input (input)", "--seed (params.yaml: split.seed)") does not squeeze the field.
        QVERIFY2(input->width() >= 150, qPrintable(QString::number(input->width())));
        QTRY_COMPARE(input->shownText(), input->text()); // it fits: all of it
        input->setText(QStringLiteral("data/some/deeply/nested/folder/of/the/project/work/transactions.csv"));
        QTRY_VERIFY(!input->hasFocus());
        const QString shown = input->shownText();
        QVERIFY2(shown.startsWith(QChar(0x2026)) && shown.endsWith(QStringLiteral("/work/transactions.csv")), qPrintable(shown + QStringLiteral(" in a field %1 px wide").arg(input->width())));
        QCOMPARE(input->toolTip(), input->text()); // the whole path, on hover
        // Editing shows the whole text, as any line edit.
        QTest::mouseClick(input, Qt::LeftButton);
        QTRY_VERIFY(input->hasFocus());
        QCOMPARE(input->shownText(), input->text());
    }

    void dividerStaysAndPanelsCollapseAndAreRemembered()
    {
        QSettings().clear();
        auto e = openEditor();
        QVERIFY(e);
        QSplitter *split = e->splitter();
        QVERIFY(split);
        // The properties column dragged as narrow as it goes, with nothing selected: narrower
        // than train's form (its long params.yaml labels) asks for. The bug this guards: each
        // selection set the column to its form's width, so the divider jumped with the selection.
        dragHandle(split->handle(2), 600);
        QCoreApplication::processEvents();
        const QList<int> chosen = split->sizes();
        QVERIFY2(chosen.value(2) < 270, qPrintable(QString::number(chosen.value(2))));

        // Short and long forms in turn (with a click on their titles), then nothing: it stays.
        e->view()->setTransform(QTransform());
        QHash<QString, int> formWidth; // the width each form asks for
        for (const char *stage : {"load", "train", "validate", "split", "evaluate", "train", "gate"}) {
            e->view()->centerOn(e->scene()->nodeItem(e->document()->model()->nodeByName(QLatin1String(stage)))->sceneBoundingRect().center());
            QTest::mouseClick(e->view()->viewport(), Qt::LeftButton, {}, nodeTitle(*e, QLatin1String(stage)));
            QTRY_COMPARE(e->scene()->selectedNodes().size(), 1);
            // The form is rebuilt at once; its layout and the splitter's react to posted events.
            QTest::qWait(20);
            QCoreApplication::processEvents();
            formWidth.insert(QLatin1String(stage), e->propertyEditor()->minimumSizeHint().width());
            QVERIFY2(split->sizes() == chosen, qPrintable(QStringLiteral("after selecting %1 (its form asks for %2 px): %3 → %4")
                                                              .arg(QLatin1String(stage)).arg(formWidth.value(QLatin1String(stage)))
                                                              .arg(sizesText(chosen), sizesText(split->sizes()))));
        }
        // The walk above had a long form and a short one, or it proved nothing.
        QVERIFY2(formWidth.value(QStringLiteral("train")) >= 2 * formWidth.value(QStringLiteral("load")),
                 qPrintable(QStringLiteral("train's form %1 px, load's %2 px").arg(formWidth.value(QStringLiteral("train"))).arg(formWidth.value(QStringLiteral("load")))));
        e->scene()->clearSelection();
        QTest::qWait(20);
        QCoreApplication::processEvents();
        QCOMPARE(split->sizes(), chosen);

        // The palette's toggle hides it; the canvas takes its width.
        const int canvasBefore = e->view()->width();
        clickAction(*e, QStringLiteral("togglePalette"));
        QVERIFY(e->palette()->isHidden());
        QTRY_VERIFY(e->view()->width() > canvasBefore);
        const QList<int> saved = split->sizes();

        // The next editor (a restart) opens as the user left it.
        e.reset();
        e = openEditor();
        QVERIFY(e);
        QVERIFY(e->palette()->isHidden());
        QVERIFY(!e->action(QStringLiteral("togglePalette"))->isChecked());
        QCOMPARE(e->splitter()->sizes(), saved);

        // Both back, and the properties hidden instead.
        clickAction(*e, QStringLiteral("togglePalette"));
        QTRY_VERIFY(e->palette()->isVisible());
        clickAction(*e, QStringLiteral("toggleProperties"));
        QTRY_VERIFY(!e->propertyEditor()->isVisible());
        e.reset();
        e = openEditor();
        QVERIFY(e->palette()->isVisible());
        QVERIFY(!e->propertyEditor()->isVisible());
        QVERIFY(!e->action(QStringLiteral("toggleProperties"))->isChecked());
    }
};

QTEST_MAIN(TstPipelinePanels)
#include "tst_pipeline_panels.moc"
