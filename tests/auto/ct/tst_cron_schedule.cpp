// The cron parser (core/ct/cron_schedule.h) against next runs worked out by hand with a calendar:
// steps, ranges, lists, names, macros, Sunday as 0 and 7, month ends and the 29th of February
// (2100 is no leap year), Vixie cron's day rule (both day fields restricted: either; one starting
// with '*': both), strictly-after semantics, and every refusal naming the field and the fix.
#include "core/ct/cron_schedule.h"

#include <QTimeZone>
#include <QtTest>

using namespace orrery;
using namespace orrery::ct;

namespace {

QDateTime utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) { return QDateTime(QDate(y, mo, d), QTime(h, mi, s), Qt::UTC); }

QDateTime next(const char *expression, const QDateTime &after)
{
    auto s = CronSchedule::parse(QString::fromLatin1(expression));
    if (!s) {
        qWarning("%s: %s", expression, qPrintable(s.status().message()));
        return QDateTime();
    }
    return s->nextAfter(after);
}

QString errorOf(const char *expression)
{
    auto s = CronSchedule::parse(QString::fromLatin1(expression));
    return s ? QString() : s.status().message();
}

} // namespace

class TstCronSchedule : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void stepsRangesAndLists_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QDateTime>("after");
        QTest::addColumn<QDateTime>("expected");
        // Every quarter hour: the next one, and strictly after a run that is exactly now.
        QTest::newRow("*/15 mid-slot") << "*/15 * * * *" << utc(2026, 3, 10, 10, 7, 30) << utc(2026, 3, 10, 10, 15);
        QTest::newRow("*/15 on a run") << "*/15 * * * *" << utc(2026, 3, 10, 10, 15) << utc(2026, 3, 10, 10, 30);
        QTest::newRow("*/15 hour end") << "*/15 * * * *" << utc(2026, 3, 10, 23, 50) << utc(2026, 3, 11, 0, 0);
        // Daily at 03:00: at 03:00 itself the next is tomorrow's.
        QTest::newRow("daily") << "0 3 * * *" << utc(2026, 3, 10, 3, 0) << utc(2026, 3, 11, 3, 0);
        // A range with a step in two fields: minutes 0,10,20,30 of hours 8-10; after 10:30 → tomorrow 08:00.
        QTest::newRow("range/step") << "0-30/10 8-10 * * *" << utc(2026, 3, 10, 10, 30) << utc(2026, 3, 11, 8, 0);
        QTest::newRow("range/step inside") << "0-30/10 8-10 * * *" << utc(2026, 3, 10, 9, 11) << utc(2026, 3, 10, 9, 20);
        // A list; a value with a step runs from it to the field's end (5, 25, 45).
        QTest::newRow("list") << "5,50 1,13 * * *" << utc(2026, 3, 10, 1, 6) << utc(2026, 3, 10, 1, 50);
        QTest::newRow("value/step") << "5/20 * * * *" << utc(2026, 3, 10, 7, 30) << utc(2026, 3, 10, 7, 45);
        // Month ends: the 31st skips April; New Year.
        QTest::newRow("31st") << "0 0 31 * *" << utc(2026, 4, 1) << utc(2026, 5, 31);
        QTest::newRow("new year") << "0 0 1 1 *" << utc(2026, 6, 1) << utc(2027, 1, 1);
        // Names, case-insensitive, in lists and ranges: 09:30 on weekdays of January and July.
        // 2026-01-30 is a Friday; after its 10:00, the next weekday of those months is 2026-07-01 (Wed).
        QTest::newRow("names") << "30 9 * JAN,jul mon-FRI" << utc(2026, 1, 30, 10, 0) << utc(2026, 7, 1, 9, 30);
        // Sunday is 0 and 7: 2026-03-10 is a Tuesday, the next Sunday the 15th.
        QTest::newRow("sunday 7") << "0 0 * * 7" << utc(2026, 3, 10) << utc(2026, 3, 15);
        QTest::newRow("sunday 0") << "0 0 * * 0" << utc(2026, 3, 10) << utc(2026, 3, 15);
        QTest::newRow("sun-sat names") << "0 0 * * sun" << utc(2026, 3, 10) << utc(2026, 3, 15);
        // Macros.
        QTest::newRow("@hourly") << "@hourly" << utc(2026, 3, 10, 10, 0) << utc(2026, 3, 10, 11, 0);
        QTest::newRow("@daily") << "@daily" << utc(2026, 3, 10, 10, 0) << utc(2026, 3, 11, 0, 0);
        QTest::newRow("@weekly") << "@weekly" << utc(2026, 3, 10, 12, 0) << utc(2026, 3, 15, 0, 0);
        QTest::newRow("@monthly") << "@monthly" << utc(2026, 3, 10) << utc(2026, 4, 1);
        QTest::newRow("@yearly") << "@annually" << utc(2026, 3, 10) << utc(2027, 1, 1);
    }
    void stepsRangesAndLists()
    {
        QFETCH(QString, expression);
        QFETCH(QDateTime, after);
        QFETCH(QDateTime, expected);
        QCOMPARE(next(expression.toLatin1().constData(), after), expected);
    }

    void february29()
    {
        // Leap years only: 2026 and 2027 are not, 2028 is; 2100 is not (a century not divisible by 400).
        QCOMPARE(next("0 0 29 2 *", utc(2025, 1, 1)), utc(2028, 2, 29));
        QCOMPARE(next("0 0 29 2 *", utc(2028, 2, 29)), utc(2032, 2, 29));
        QCOMPARE(next("0 0 29 2 *", utc(2096, 3, 1)), utc(2104, 2, 29));
        // The last day of February every year is not expressible with one day: 28 runs yearly.
        QCOMPARE(next("0 0 28 2 *", utc(2026, 3, 1)), utc(2027, 2, 28));
    }

    void dayOfMonthOrDayOfWeek()
    {
        // Both restricted → either. "0 12 13 * 1": the 13th OR any Monday. 2026-02-13 is a Friday;
        // the Mondays around it are the 9th and the 16th.
        QCOMPARE(next("0 12 13 * 1", utc(2026, 2, 7)), utc(2026, 2, 9, 12, 0));
        QCOMPARE(next("0 12 13 * 1", utc(2026, 2, 10)), utc(2026, 2, 13, 12, 0));
        QCOMPARE(next("0 12 13 * 1", utc(2026, 2, 13, 12, 0)), utc(2026, 2, 16, 12, 0));
        // "0 0 1,15 * mon": 2026-03-02 is a Monday; then Monday the 9th, then Sunday the 15th.
        QCOMPARE(next("0 0 1,15 * mon", utc(2026, 3, 2)), utc(2026, 3, 9));
        QCOMPARE(next("0 0 1,15 * mon", utc(2026, 3, 9)), utc(2026, 3, 15));
        // A day field starting with '*' (even */2) → both must hold: odd days that are Mondays.
        // 2026-03-02 (Monday, even) and 2026-03-03 (odd, Tuesday) do not; 2026-03-09 does.
        QCOMPARE(next("0 0 */2 * 1", utc(2026, 3, 1)), utc(2026, 3, 9));
        // Day of week '*' with a day of month: the 1st only, whatever weekday.
        QCOMPARE(next("0 0 1 * *", utc(2026, 3, 2)), utc(2026, 4, 1));
        // matches() agrees with nextAfter().
        auto s = CronSchedule::parse(QStringLiteral("0 12 13 * 1"));
        QVERIFY(s);
        QVERIFY(s->matches(utc(2026, 2, 13, 12, 0, 42)));
        QVERIFY(s->matches(utc(2026, 2, 16, 12, 0)));
        QVERIFY(!s->matches(utc(2026, 2, 14, 12, 0)));
        QVERIFY(!s->matches(utc(2026, 2, 16, 12, 1)));
    }

    void nextRunsAndTimeZones()
    {
        auto s = CronSchedule::parse(QStringLiteral("30 2 * * *"));
        QVERIFY(s);
        // UTC throughout: the European spring-forward night (2026-03-29, 02:30 local does not
        // exist) changes nothing — every day has its 02:30 UTC.
        const QVector<QDateTime> runs = s->nextRuns(utc(2026, 3, 28, 3, 0), 3);
        QCOMPARE(runs, (QVector<QDateTime>{utc(2026, 3, 29, 2, 30), utc(2026, 3, 30, 2, 30), utc(2026, 3, 31, 2, 30)}));
        // A time given in another zone is the same instant.
        const QDateTime berlin(QDate(2026, 3, 28), QTime(4, 0), QTimeZone("Europe/Berlin"));
        QCOMPARE(s->nextAfter(berlin), utc(2026, 3, 29, 2, 30));
        QCOMPARE(s->expression(), QStringLiteral("30 2 * * *"));
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("expression");
        QTest::addColumn<QString>("says");
        QTest::newRow("empty") << "" << "is empty";
        QTest::newRow("four fields") << "0 3 * *" << "has 4 fields; write five";
        QTest::newRow("six fields") << "0 0 3 * * *" << "has 6 fields";
        QTest::newRow("minute 60") << "60 * * * *" << "the minute field's '60' is outside 0-59";
        QTest::newRow("hour 24") << "0 24 * * *" << "the hour field's '24' is outside 0-23";
        QTest::newRow("day 0") << "0 0 0 * *" << "the day of the month field's '0' is outside 1-31";
        QTest::newRow("month 13") << "0 0 1 13 *" << "the month field's '13' is outside 1-12";
        QTest::newRow("weekday 8") << "0 0 * * 8" << "the day of the week field's '8' is outside 0-7";
        QTest::newRow("step 0") << "*/0 * * * *" << "has the step '0', which is no whole number above 0";
        QTest::newRow("backwards") << "0 0 * * fri-mon" << "runs backwards";
        QTest::newRow("bad name") << "0 0 * * funday" << "'funday', which is no number or name";
        QTest::newRow("name in minutes") << "mon * * * *" << "'mon', which is no number";
        QTest::newRow("empty item") << "0,,5 * * * *" << "empty item between commas";
        QTest::newRow("reboot") << "@reboot" << "@reboot has no time";
        QTest::newRow("february 30") << "0 0 30 2 *" << "never runs: none of its months has day 30";
        QTest::newRow("april 31") << "0 0 31 4,6,9,11 *" << "never runs";
    }
    void refusals()
    {
        QFETCH(QString, expression);
        QFETCH(QString, says);
        const QString error = errorOf(expression.toLatin1().constData());
        QVERIFY2(!error.isEmpty(), qPrintable(expression));
        QVERIFY2(error.contains(says), qPrintable(error));
    }

    void february30OrMondaysRuns()
    {
        // Vixie's OR: "the 30th of February or any Monday in February" runs on February's Mondays.
        // 2026-02-02 is a Monday.
        QCOMPARE(next("0 0 30 2 mon", utc(2026, 1, 1)), utc(2026, 2, 2));
    }
};

QTEST_GUILESS_MAIN(TstCronSchedule)
#include "tst_cron_schedule.moc"
