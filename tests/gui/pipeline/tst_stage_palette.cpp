// The palette: one item per stage type with an icon, its name and the type's own one-line
// summary (true today: the train stage is the in-process baseline), dragged or activated.
#include "core/pipeline/stage_type.h"
#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/stage_palette.h"

#include <QListWidget>
#include <QSignalSpy>
#include <QtTest>

using namespace orrery;
using namespace orrery::ui;

class TstStagePalette : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void eachTypeIsAnItemWithIconNameAndSummary()
    {
        PipelineDocument doc;
        StagePalette palette(doc.registry());
        palette.resize(260, 600);
        palette.show();
        QVERIFY(QTest::qWaitForWindowExposed(&palette));
        QListWidget *list = palette.list();
        const QStringList names = doc.registry().names();
        QCOMPARE(list->count(), names.size() + 1); // and "command"
        for (int i = 0; i < list->count(); ++i) {
            QListWidgetItem *item = list->item(i);
            const QString type = item->data(StagePalette::kTypeRole).toString();
            QCOMPARE(item->text(), type); // the name alone; the summary is its own line
            QVERIFY2(!item->icon().pixmap(24, 24).isNull(), qPrintable(type)); // the file is there and renders
            const QString summary = item->data(StagePalette::kSummaryRole).toString();
            QVERIFY2(!summary.isEmpty() && !summary.contains(QLatin1Char('\n')), qPrintable(type));
            if (const pipeline::StageType *t = doc.registry().type(type))
                QCOMPARE(summary, t->summary); // from core/stages, not written twice
            // Two lines of text fit the item (name and summary), so nothing is cut vertically.
            QVERIFY(list->visualItemRect(item).height() >= 2 * list->fontMetrics().height());
        }
        const QString train = doc.registry().type(QStringLiteral("train"))->summary;
        QVERIFY2(train.contains(QStringLiteral("baseline logistic regression")) && !train.contains(QStringLiteral("until")), qPrintable(train));
        QVERIFY(train.contains(QStringLiteral("orrery-cli train")));

        // A double click on an item asks for that type.
        QSignalSpy activated(&palette, &StagePalette::activated);
        QListWidgetItem *split = list->findItems(QStringLiteral("split"), Qt::MatchExactly).value(0);
        QVERIFY(split);
        const QPoint at = list->visualItemRect(split).center();
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(list->viewport(), Qt::LeftButton, {}, at);
        QTRY_COMPARE(activated.size(), 1);
        QCOMPARE(activated.first().first().toString(), QStringLiteral("split"));
    }
};

QTEST_MAIN(TstStagePalette)
#include "tst_stage_palette.moc"
