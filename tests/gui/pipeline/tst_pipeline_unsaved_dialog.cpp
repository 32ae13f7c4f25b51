// The Save / Discard / Cancel question as a user meets it: a field of the property form edited
// with the keys, then the window closed (a close request, as the window manager or Ctrl+Q sends
// it, to a window that asks the editor the way the workbench's does). The box is photographed over
// the window — unsaved-dialog.png in the test's working folder and in /tmp/orrery-shots/ — and
// checked for what it must say; then each answer: Cancel keeps the edit and the window, Discard
// closes and leaves dvc.yaml and params.yaml as they were, Save writes the edit and closes.
// Runs under Xvfb: a real X server, the fonts a user's desktop renders.
#include "pipeline_editor_fixture.h"

#include "core/pipeline/pipeline_model.h"
#include "ui/pipeline/stage_param_editor.h"
#include "ui/pipeline/stage_property_editor.h"

#include <QCloseEvent>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QPainter>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace orrery;
using namespace orrery::ui;
using namespace orrery::ui::testing;

namespace {

// The workbench's close handling, reduced to the editor: MainWindow::closeEvent asks mayClose(this)
// and ignores the close unless it may.
class Host : public QMainWindow {
public:
    Host() : editor(new PipelineEditor(this)) { setCentralWidget(editor); }
    PipelineEditor *editor;

protected:
    void closeEvent(QCloseEvent *event) override
    {
        if (editor->mayClose(this))
            event->accept();
        else
            event->ignore();
    }
};

QByteArray read(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("(missing)");
}

} // namespace

class TstPipelineUnsavedDialog : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_template;
    QString m_root;

    std::unique_ptr<Host> openEdited()
    {
        auto host = std::make_unique<Host>();
        host->resize(1280, 800);
        host->show();
        if (!QTest::qWaitForWindowExposed(host.get()))
            return nullptr;
        host->activateWindow(); // no window manager under Xvfb
        if (!QTest::qWaitForWindowActive(host.get()))
            return nullptr;
        PipelineEditor &e = *host->editor;
        e.setWorkspaceRoot(m_root);
        e.view()->setTransform(QTransform());
        e.view()->centerOn(e.scene()->nodeItem(e.document()->model()->nodeByName(QStringLiteral("split")))->sceneBoundingRect().center());
        QTest::mouseClick(e.view()->viewport(), Qt::LeftButton, {}, nodeTitle(e, QStringLiteral("split")));
        if (e.propertyEditor()->node() != e.document()->model()->nodeByName(QStringLiteral("split")))
            return nullptr;
        // Typed: --label (in dvc.yaml's command) and --seed (params.yaml).
        for (const auto &[name, text] : {std::pair{QStringLiteral("label"), QStringLiteral("fraud")}, std::pair{QStringLiteral("seed"), QStringLiteral("7")}}) {
            auto *field = qobject_cast<QLineEdit *>(e.propertyEditor()->editor(name)->field());
            QTest::mouseClick(field, Qt::LeftButton);
            QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
            QTest::keyClicks(field, text);
        }
        return host;
    }

    QString fieldText(Host &host, const QString &name)
    {
        return qobject_cast<QLineEdit *>(host.editor->propertyEditor()->editor(name)->field())->text();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_tmp.isValid());
        demo::DemoOptions o;
        o.rows = 500;
        m_template = m_tmp.filePath(QStringLiteral("demo"));
        auto r = demo::createDemoWorkspace(m_template, o);
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    }

    void init()
    {
        static int n = 0;
        m_root = m_tmp.filePath(QStringLiteral("fraud-detection-%1").arg(++n));
        QDir().mkpath(m_root + QStringLiteral("/.orrery"));
        for (const QString &f : {QStringLiteral("dvc.yaml"), QStringLiteral("params.yaml")})
            QVERIFY(QFile::copy(QDir(m_template).filePath(f), QDir(m_root).filePath(f)));
    }

    void cancelKeepsTheEditAndTheWindow()
    {
        const QByteArray dvc = read(m_root + QStringLiteral("/dvc.yaml"));
        const QByteArray params = read(m_root + QStringLiteral("/params.yaml"));
        auto host = openEdited();
        QVERIFY(host);
        QVERIFY(host->editor->hasUnsavedEdits());
        MessageBoxAnswerer cancel(QMessageBox::Cancel);
        QVERIFY(!host->close());
        QCOMPARE(cancel.answered, 1);

        // What the box says: which workspace, what is at stake, three answers with their words.
        QVERIFY2(cancel.text.contains(QFileInfo(m_root).fileName()), qPrintable(cancel.text));
        QVERIFY2(cancel.text.contains(QStringLiteral("dvc.yaml")), qPrintable(cancel.text));
        // …and which edits, as the Undo button names them.
        QVERIFY2(cancel.text.contains(QStringLiteral("Change split.label to fraud")), qPrintable(cancel.text));
        QVERIFY2(cancel.text.contains(QStringLiteral("Change split.seed to 7")), qPrintable(cancel.text));
        // The picture, over the window as it was shown.
        QVERIFY(!cancel.shot.isNull());
        QImage shot = host->grab().toImage();
        {
            QPainter p(&shot);
            p.drawImage(cancel.shotAt - host->mapToGlobal(QPoint(0, 0)), cancel.shot);
        }
        QVERIFY(shot.save(QDir::current().filePath(QStringLiteral("unsaved-dialog.png"))));
        QDir().mkpath(QStringLiteral("/tmp/orrery-shots"));
        shot.save(QStringLiteral("/tmp/orrery-shots/unsaved-dialog.png"));
        cancel.shot.save(QStringLiteral("/tmp/orrery-shots/unsaved-dialog-box.png"));

        // The form beside it reads too: no field squeezed to a few letters by a long label.
        for (QLineEdit *f : host->editor->propertyEditor()->findChildren<QLineEdit *>())
            if (f->isVisible())
                QVERIFY2(f->width() >= 120, qPrintable(QStringLiteral("%1 is %2 px wide").arg(f->objectName()).arg(f->width())));

        // Kept: the window, the fields as typed, the document's edit; nothing written.
        QVERIFY(host->isVisible());
        QCOMPARE(fieldText(*host, QStringLiteral("label")), QStringLiteral("fraud"));
        QCOMPARE(fieldText(*host, QStringLiteral("seed")), QStringLiteral("7"));
        QVERIFY(host->editor->document()->isModified());
        QCOMPARE(host->editor->document()->param(QStringLiteral("split.seed"))->toInt(), 7);
        QCOMPARE(read(m_root + QStringLiteral("/dvc.yaml")), dvc);
        QCOMPARE(read(m_root + QStringLiteral("/params.yaml")), params);
    }

    void theBoxIsReadable()
    {
        auto host = openEdited();
        QVERIFY(host);
        // Looked at while it is open: every label and button shows its whole text. (Checked into
        // lists, then answered whatever was found: a failed check must not leave the box open.)
        QStringList problems, buttons;
        QString objectName;
        bool looked = false, saveIsDefault = false;
        QTimer poll;
        poll.setInterval(10);
        connect(&poll, &QTimer::timeout, this, [&] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box || !box->isVisible() || looked)
                return;
            looked = true;
            objectName = box->objectName();
            for (QLabel *l : box->findChildren<QLabel *>()) {
                if (!l->isVisible() || l->text().isEmpty() || !l->pixmap().isNull())
                    continue;
                const int needHeight = l->wordWrap() ? l->heightForWidth(l->width()) : l->sizeHint().height();
                if (l->height() < needHeight || (!l->wordWrap() && l->width() < l->sizeHint().width()))
                    problems << QStringLiteral("label '%1' cut (%2x%3)").arg(l->text()).arg(l->width()).arg(l->height());
                if (l->palette().color(l->foregroundRole()) == l->palette().color(l->backgroundRole()))
                    problems << QStringLiteral("label '%1' has its background's colour").arg(l->text());
            }
            for (QAbstractButton *b : box->buttons()) {
                buttons << b->text().remove(QLatin1Char('&'));
                if (b->width() < b->sizeHint().width())
                    problems << QStringLiteral("button '%1' cut").arg(b->text());
            }
            saveIsDefault = box->defaultButton() == box->button(QMessageBox::Save);
            box->button(QMessageBox::Cancel)->click();
        });
        poll.start();
        QVERIFY(!host->close());
        QVERIFY(looked);
        QCOMPARE(objectName, QStringLiteral("unsavedEditsBox"));
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral("; "))));
        buttons.sort();
        QCOMPARE(buttons, (QStringList{QStringLiteral("Cancel"), QStringLiteral("Discard"), QStringLiteral("Save")}));
        QVERIFY(saveIsDefault);
    }

    void discardLeavesTheFilesAsTheyWere()
    {
        const QByteArray dvc = read(m_root + QStringLiteral("/dvc.yaml"));
        const QByteArray params = read(m_root + QStringLiteral("/params.yaml"));
        auto host = openEdited();
        QVERIFY(host);
        MessageBoxAnswerer discard(QMessageBox::Discard);
        QVERIFY(host->close());
        QCOMPARE(discard.answered, 1);
        QVERIFY(!host->isVisible());
        QCOMPARE(read(m_root + QStringLiteral("/dvc.yaml")), dvc);
        QCOMPARE(read(m_root + QStringLiteral("/params.yaml")), params);
    }

    void saveWritesTheEditThenCloses()
    {
        const QByteArray dvc = read(m_root + QStringLiteral("/dvc.yaml"));
        QVERIFY(!dvc.contains("--label fraud"));
        auto host = openEdited();
        QVERIFY(host);
        MessageBoxAnswerer save(QMessageBox::Save);
        QVERIFY(host->close());
        QCOMPARE(save.answered, 1);
        QVERIFY(!host->isVisible());
        const QByteArray saved = read(m_root + QStringLiteral("/dvc.yaml"));
        QVERIFY2(saved.contains("--label fraud"), saved.constData());
        auto params = pipeline::loadParamsFile(m_root + QStringLiteral("/params.yaml"), QStringLiteral("params.yaml"));
        QVERIFY2(params.isOk(), qPrintable(params.status().message()));
        QCOMPARE(params->find(QStringLiteral("split.seed"))->interpolationText(), QStringLiteral("7"));
        // Nothing left to lose: the next close asks nothing.
        auto again = std::make_unique<Host>();
        again->show();
        QVERIFY(QTest::qWaitForWindowExposed(again.get()));
        again->editor->setWorkspaceRoot(m_root);
        MessageBoxAnswerer unexpected(QMessageBox::Cancel);
        QVERIFY(again->close());
        QCOMPARE(unexpected.answered, 0);
    }
};

QTEST_MAIN(TstPipelineUnsavedDialog)
#include "tst_pipeline_unsaved_dialog.moc"
