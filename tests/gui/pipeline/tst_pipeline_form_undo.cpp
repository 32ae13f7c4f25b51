// One undo history per editor: the property form's edits are commands on the document's stack,
// Ctrl+Z / Ctrl+Shift+Z typed in a form field undo and redo on that stack (not the line edit's
// private history), the field shows the restored value, and nothing the user cannot see (a
// selection, an edit back to the value already there) leaves a step for the toolbar's Undo.
#include "pipeline_editor_fixture.h"

#include "core/pipeline/pipeline_model.h"
#include "ui/pipeline/stage_param_editor.h"
#include "ui/pipeline/stage_property_editor.h"

#include <QAction>
#include <QLineEdit>
#include <QPointer>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QUndoStack>

using namespace orrery;
using namespace orrery::ui;
using namespace orrery::ui::testing;

class TstPipelineFormUndo : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_root;
    std::unique_ptr<PipelineEditor> m_editor;

    PipelineDocument *doc() { return m_editor->document(); }
    QUndoStack *stack() { return doc()->undoStack(); }
    QString param(const QString &key) { return doc()->param(key) ? doc()->param(key)->interpolationText() : QStringLiteral("(none)"); }

    void select(const QString &stage)
    {
        QTest::mouseClick(m_editor->view()->viewport(), Qt::LeftButton, {}, nodeTitle(*m_editor, stage));
        QCOMPARE(m_editor->propertyEditor()->node(), doc()->model()->nodeByName(stage));
    }

    QLineEdit *field(const QString &name)
    {
        StageParamEditor *e = m_editor->propertyEditor()->editor(name);
        return e ? qobject_cast<QLineEdit *>(e->field()) : nullptr;
    }

    // As a hand types: a click in the field, Ctrl+A, the text.
    void type(QLineEdit *f, const QString &text)
    {
        QTest::mouseClick(f, Qt::LeftButton);
        QVERIFY(f->hasFocus());
        QTest::keyClick(f, Qt::Key_A, Qt::ControlModifier);
        QTest::keyClicks(f, text);
        QCOMPARE(f->text(), text);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_tmp.isValid());
        demo::DemoOptions o;
        o.rows = 500;
        o.trainer = demo::DemoTrainer::Baseline; // train's epochs, learning_rate, seed in params.yaml
        m_root = m_tmp.filePath(QStringLiteral("demo"));
        auto r = demo::createDemoWorkspace(m_root, o);
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    }

    void init()
    {
        m_editor = std::make_unique<PipelineEditor>();
        m_editor->resize(1500, 900);
        m_editor->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_editor.get()));
        m_editor->activateWindow(); // no window manager under Xvfb: focus needs an active window
        QVERIFY(QTest::qWaitForWindowActive(m_editor.get()));
        m_editor->setWorkspaceRoot(m_root);
        m_editor->view()->setTransform(QTransform());
        m_editor->view()->centerOn(QPointF(400, 200));
    }

    void cleanup() { m_editor.reset(); }

    void ctrlZInAFieldUndoesOnTheEditorsStack()
    {
        QAction *undoAction = m_editor->action(QStringLiteral("undo"));
        // Selecting stages pushes nothing: the toolbar's Undo has nothing to undo.
        select(QStringLiteral("split"));
        select(QStringLiteral("train"));
        QCOMPARE(stack()->count(), 0);
        QVERIFY(!undoAction->isEnabled());

        QPointer<QLineEdit> lr = field(QStringLiteral("learning-rate"));
        QVERIFY(lr);
        QCOMPARE(lr->text(), QStringLiteral("0.05"));
        type(lr, QStringLiteral("0.001"));
        QCOMPARE(param(QStringLiteral("train.learning_rate")), QStringLiteral("0.001"));
        QCOMPARE(stack()->count(), 1); // five keystrokes, one command
        QCOMPARE(stack()->undoText(), QStringLiteral("Change train.learning_rate to 0.001"));
        QVERIFY(undoAction->isEnabled());
        QCOMPARE(undoAction->toolTip(), QStringLiteral("Change train.learning_rate to 0.001"));

        // Ctrl+Z in the field: the document's stack undoes, the field shows the value back and
        // keeps the focus (the form is not rebuilt under the cursor).
        QTest::keyClick(lr, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(param(QStringLiteral("train.learning_rate")), QStringLiteral("0.05"));
        QVERIFY(lr);
        QCOMPARE(lr->text(), QStringLiteral("0.05"));
        QVERIFY(lr->hasFocus());
        QCOMPARE(stack()->index(), 0);
        QVERIFY(!undoAction->isEnabled()); // nothing invisible left behind
        // Ctrl+Shift+Z: redone, shown.
        QTest::keyClick(lr, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(param(QStringLiteral("train.learning_rate")), QStringLiteral("0.001"));
        QCOMPARE(lr->text(), QStringLiteral("0.001"));
        QCOMPARE(stack()->index(), 1);

        // Two fields, two commands, undone in turn from inside the second field.
        QLineEdit *epochs = field(QStringLiteral("epochs"));
        const QString epochsBefore = epochs->text();
        QVERIFY(epochsBefore != QStringLiteral("3"));
        type(epochs, QStringLiteral("3"));
        QCOMPARE(stack()->count(), 2);
        QCOMPARE(stack()->undoText(), QStringLiteral("Change train.epochs to 3"));
        QTest::keyClick(epochs, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(epochs->text(), epochsBefore);
        QCOMPARE(param(QStringLiteral("train.learning_rate")), QStringLiteral("0.001"));
        QTest::keyClick(epochs, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(param(QStringLiteral("train.learning_rate")), QStringLiteral("0.05"));
        QCOMPARE(lr->text(), QStringLiteral("0.05"));
        QCOMPARE(stack()->index(), 0);

        // A literal option (in the command, not params.yaml): the same, through the stage.
        QLineEdit *label = field(QStringLiteral("label"));
        QCOMPARE(label->text(), QStringLiteral("is_fraud"));
        type(label, QStringLiteral("fraud"));
        QCOMPARE(stack()->undoText(), QStringLiteral("Change train.label to fraud"));
        QVERIFY(doc()->model()->stage(doc()->model()->nodeByName(QStringLiteral("train")))->cmd.front().contains(QStringLiteral("--label fraud")));
        QTest::keyClick(label, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(label->text(), QStringLiteral("is_fraud"));
        QVERIFY(doc()->model()->stage(doc()->model()->nodeByName(QStringLiteral("train")))->cmd.front().contains(QStringLiteral("--label is_fraud")));
        QVERIFY(!undoAction->isEnabled());
    }

    void editsToTheCurrentValueLeaveNoStep()
    {
        select(QStringLiteral("train"));
        QLineEdit *lr = field(QStringLiteral("learning-rate"));
        // Retyped as it is: on the way ("0.0") the value changes, at the end it is back.
        type(lr, QStringLiteral("0.05"));
        QCOMPARE(param(QStringLiteral("train.learning_rate")), QStringLiteral("0.05"));
        QCOMPARE(stack()->count(), 0);
        QVERIFY(!m_editor->action(QStringLiteral("undo"))->isEnabled());
        QLineEdit *label = field(QStringLiteral("label"));
        type(label, QStringLiteral("is_fraud"));
        QCOMPARE(stack()->count(), 0);
        QVERIFY(!doc()->isModified());
        QCOMPARE(m_editor->action(QStringLiteral("save"))->text(), QStringLiteral("Save"));
    }
};

QTEST_MAIN(TstPipelineFormUndo)
#include "tst_pipeline_form_undo.moc"
