// `demo replay --shift`'s new merchant category: category=NAME:SHARE parsed beside amount,
// online and fraud (bad forms refused with the form), shown in the shift's text, and in the
// replayed rows exactly from the shift's row on; with the generator's own figures for the rest,
// the stream is the unshifted one but for the new category.
#include "core/demo/replay_stream.h"

#include <QtTest>

using namespace orrery;

namespace {

demo::ReplayTimeline timeline()
{
    demo::ReplayTimeline t;
    t.start = QDateTime(QDate(2026, 4, 1), QTime(0, 0), Qt::UTC);
    t.stepSeconds = 156;
    return t;
}

} // namespace

class TstReplayShift : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesTheCategoryBesideTheFactors()
    {
        auto all = demo::parseReplayShift(QStringLiteral("amount=2.5,online=0.8,fraud=1.5,category=crypto_exchange:0.2"));
        QVERIFY2(all.isOk(), qPrintable(all.status().message()));
        QCOMPARE(all->newCategory, QStringLiteral("crypto_exchange"));
        QCOMPARE(all->newCategoryShare, 0.2);
        QCOMPARE(all->amountScale, 2.5);
        QCOMPARE(demo::replayShiftText(*all),
                 QStringLiteral("amount x2.5, online share 0.8, fraud rate x1.5, new category crypto_exchange in 20% of transactions"));
        auto alone = demo::parseReplayShift(QStringLiteral(" category = crypto_exchange:1 "));
        QVERIFY2(alone.isOk(), qPrintable(alone.status().message()));
        QCOMPARE(alone->newCategoryShare, 1.0);
        QCOMPARE(alone->fraudRateScale, 1.5); // the others keep their defaults
        auto none = demo::parseReplayShift(QStringLiteral("fraud=2"));
        QVERIFY(none->newCategory.isEmpty());
        QCOMPARE(demo::replayShiftText(*none), QStringLiteral("amount x2.5, online share 0.8, fraud rate x2"));
    }

    void badCategoriesAreRefusedWithTheForm_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("needle");
        QTest::newRow("no share") << QStringLiteral("category=crypto_exchange") << QStringLiteral("no category=NAME:SHARE");
        QTest::newRow("no name") << QStringLiteral("category=:0.2") << QStringLiteral("no category=NAME:SHARE");
        QTest::newRow("share not a number") << QStringLiteral("category=crypto:lots") << QStringLiteral("no category=NAME:SHARE");
        QTest::newRow("share above 1") << QStringLiteral("category=crypto:1.5") << QStringLiteral("between 0 and 1");
        QTest::newRow("a category the data has") << QStringLiteral("category=travel:0.2") << QStringLiteral("'travel' is one of the merchant categories");
        QTest::newRow("a space in the name") << QStringLiteral("category=crypto exchange:0.2") << QStringLiteral("not a name of letters");
        QTest::newRow("unknown key names category") << QStringLiteral("colour=2") << QStringLiteral("amount, online, fraud or category");
    }
    void badCategoriesAreRefusedWithTheForm()
    {
        QFETCH(QString, text);
        QFETCH(QString, needle);
        const auto parsed = demo::parseReplayShift(text);
        QVERIFY(!parsed.isOk());
        QCOMPARE(parsed.status().code(), ErrorCode::InvalidArgument);
        QVERIFY2(parsed.status().message().startsWith(QStringLiteral("--shift: ")), qPrintable(parsed.status().message()));
        QVERIFY2(parsed.status().message().contains(needle), qPrintable(parsed.status().message()));
    }

    void theNewCategoryBeginsAtTheShiftsRow()
    {
        auto shift = demo::parseReplayShift(QStringLiteral("category=crypto_exchange:1"));
        QVERIFY(shift.isOk());
        demo::ReplayStream stream(7, timeline(), 40, *shift);
        const auto rows = stream.next(80);
        QCOMPARE(rows.size(), size_t(80));
        for (int i = 0; i < 80; ++i)
            QVERIFY2((rows[size_t(i)].merchantCategory == QLatin1String("crypto_exchange")) == (i >= 40), qPrintable(QString::number(i)));
        QCOMPARE(demo::ReplayStream::cells(rows[40])[4], QByteArray("crypto_exchange"));
    }

    void withTheGeneratorsOwnFiguresOnlyTheCategoryChanges()
    {
        auto shift = demo::parseReplayShift(QStringLiteral("amount=1,online=0.28,fraud=1,category=crypto_exchange:0.3"));
        QVERIFY(shift.isOk());
        demo::ReplayStream shifted(7, timeline(), 100, *shift), plain(7, timeline());
        const auto a = shifted.next(2000), b = plain.next(2000);
        int fresh = 0;
        for (size_t i = 0; i < a.size(); ++i) {
            auto expected = b[i];
            if (a[i].merchantCategory == QLatin1String("crypto_exchange")) {
                QVERIFY(i >= 100);
                expected.merchantCategory = a[i].merchantCategory;
                ++fresh;
            }
            QCOMPARE(demo::ReplayStream::cells(a[i]), demo::ReplayStream::cells(expected));
        }
        // Binomial(1900, 0.3): sd 20 rows; ±120 is 6 sd.
        QVERIFY2(fresh > 450 && fresh < 690, qPrintable(QString::number(fresh)));
    }
};

QTEST_GUILESS_MAIN(TstReplayShift)
#include "tst_replay_shift.moc"
