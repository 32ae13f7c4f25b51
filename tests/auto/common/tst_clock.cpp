// The compressed clock (core/common/clock.h): the formula every process computes, two processes
// built from one environment agreeing to the millisecond whenever each started, the environment
// a scenario hands its children, and bad values refused with the variable, the value and the fix.
#include "core/common/clock.h"

#include <QtTest>

#include <atomic>

using namespace orrery;
using common::ClockScale;
using common::ScaledClock;

namespace {

constexpr qint64 kAnchor = 1'767'225'600'000; // 2026-01-01T00:00:00Z

QProcessEnvironment clockEnv(const QString &scale, const QString &anchor)
{
    QProcessEnvironment env;
    if (!scale.isNull())
        env.insert(QStringLiteral("ORRERY_CLOCK_SCALE"), scale);
    if (!anchor.isNull())
        env.insert(QStringLiteral("ORRERY_CLOCK_ANCHOR"), anchor);
    return env;
}

} // namespace

class TstClock : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void theFormulaRunsScaleTimesFasterFromTheAnchor()
    {
        qint64 real = kAnchor;
        ScaledClock clock(ClockScale{60, kAnchor}, [&real] { return real; });
        QCOMPARE(clock.nowMs(), kAnchor); // at the anchor the clock is real time
        real = kAnchor + 1000;
        QCOMPARE(clock.nowMs(), kAnchor + 60'000); // a real second is a clock minute
        real = kAnchor + 90'500;
        QCOMPARE(clock.nowMs(), kAnchor + 5'430'000);
        QCOMPARE(clock.now(), QDateTime(QDate(2026, 1, 1), QTime(1, 30, 30), Qt::UTC));
        QCOMPARE(clock.now().timeSpec(), Qt::UTC);

        // Rounded down to the millisecond, so every process gets the same one.
        const ClockScale fractional{2.5, kAnchor};
        QCOMPARE(fractional.clockAt(kAnchor + 3), kAnchor + 7);
        QCOMPARE(fractional.clockAt(kAnchor + 4), kAnchor + 10);
        // Scale 1 is real time, whatever the anchor.
        const ClockScale real1{1, kAnchor + 5};
        QVERIFY(!real1.compressed());
        QCOMPARE(real1.clockAt(kAnchor + 123'456), kAnchor + 123'456);
        QCOMPARE(ClockScale().describe(), QStringLiteral("real time"));
        QCOMPARE((ClockScale{60, kAnchor}.describe()), QStringLiteral("60× from 2026-01-01T00:00:00.000Z"));
    }

    void durationsTurnIntoRealWaitsAndBack()
    {
        const ClockScale s{30, kAnchor};
        QCOMPARE(s.realMs(60'000), qint64(2'000)); // a 1-minute window closes every 2 real seconds
        QCOMPARE(s.realMs(3'600'000), qint64(120'000));
        QCOMPARE(s.realMs(1), qint64(1));          // rounded up: a wait never ends early
        QCOMPARE(s.realMs(31), qint64(2));
        QCOMPARE(s.realMs(0), qint64(0));
        QCOMPARE(s.clockMs(2'000), qint64(60'000)); // a real limit (a heartbeat's age) in clock time
        QCOMPARE(s.clockMs(60'000), qint64(1'800'000));
        const ScaledClock clock(s);
        QCOMPARE(clock.realMs(300'000), qint64(10'000));
        QCOMPARE(clock.clockMs(10'000), qint64(300'000));
        // Slower than real time works the same way.
        QCOMPARE((ClockScale{0.5, kAnchor}.realMs(1'000)), qint64(2'000));
        // Clocks that are not compressed wait what they are told.
        const common::ManualClock manual(QDateTime::fromMSecsSinceEpoch(kAnchor, Qt::UTC));
        QCOMPARE(manual.realMs(60'000), qint64(60'000));
        QCOMPARE(manual.clockMs(60'000), qint64(60'000));
    }

    void twoProcessesOfOneEnvironmentAgree()
    {
        // The scenario starts the clock and hands it to its children through the environment.
        const ClockScale started = ClockScale::startingNow(30);
        QVERIFY(started.compressed());
        QVERIFY(qAbs(started.anchorMs - QDateTime::currentMSecsSinceEpoch()) < 60'000);
        QProcessEnvironment env;
        env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin"));
        started.exportTo(env);
        QCOMPARE(env.value(QStringLiteral("ORRERY_CLOCK_SCALE")), QStringLiteral("30"));
        QCOMPARE(env.value(QStringLiteral("ORRERY_CLOCK_ANCHOR")), QString::number(started.anchorMs));
        QCOMPARE(env.value(QStringLiteral("PATH")), QStringLiteral("/usr/bin"));

        // Two "processes" read it, one 7 real seconds after the other: no state of their own, so
        // at any real millisecond they say the same time.
        std::atomic<qint64> real{started.anchorMs + 250};
        auto first = ClockScale::fromEnvironment(env, real.load());
        QVERIFY2(first, qPrintable(first.status().message()));
        const ScaledClock a(*first, [&real] { return real.load(); });
        real += 7'000;
        auto second = ClockScale::fromEnvironment(env, real.load());
        QVERIFY2(second, qPrintable(second.status().message()));
        const ScaledClock b(*second, [&real] { return real.load(); });
        QCOMPARE(second->scale, first->scale);
        QCOMPARE(second->anchorMs, first->anchorMs);
        for (const qint64 step : {0, 1, 33, 1000, 86'400'000}) {
            real += step;
            QCOMPARE(a.nowMs(), b.nowMs());
            QCOMPARE(a.nowMs(), started.anchorMs + (real.load() - started.anchorMs) * 30);
        }

        // On the real clock too: each reading lies between the formula at the real times around it.
        const ScaledClock c(*first), d(*second);
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const qint64 ca = c.nowMs(), db = d.nowMs();
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        for (const qint64 t : {ca, db}) {
            QVERIFY(t >= started.clockAt(before));
            QVERIFY(t <= started.clockAt(after));
        }
        QVERIFY(ca <= db); // read in this order
    }

    void theEnvironmentCarriesTheExactScale()
    {
        for (const double scale : {60.0, 0.5, 1.0 / 3.0, 0.001, 10'000.0, 42.125}) {
            QProcessEnvironment env;
            const ClockScale s{scale, kAnchor};
            s.exportTo(env);
            auto read = ClockScale::fromEnvironment(env, kAnchor);
            QVERIFY2(read, qPrintable(read.status().message()));
            QCOMPARE(read->scale, scale); // bit for bit: the children run on the parent's clock
            QCOMPARE(read->anchorMs, kAnchor);
        }
        // Real time: the variables go, so a child of a compressed process can run on real time.
        QProcessEnvironment env = clockEnv(QStringLiteral("60"), QString::number(kAnchor));
        ClockScale().exportTo(env);
        QVERIFY(!env.contains(QStringLiteral("ORRERY_CLOCK_SCALE")));
        QVERIFY(!env.contains(QStringLiteral("ORRERY_CLOCK_ANCHOR")));
    }

    void unsetOrEmptyIsRealTime()
    {
        for (const auto &env : {QProcessEnvironment(), clockEnv(QString(""), QString("")), clockEnv(QStringLiteral("1"), QString()),
                                clockEnv(QString(), QString::number(kAnchor))}) {
            auto s = ClockScale::fromEnvironment(env, kAnchor);
            QVERIFY2(s, qPrintable(s.status().message()));
            QVERIFY(!s->compressed());
            QCOMPARE(s->clockAt(kAnchor + 999), kAnchor + 999);
        }
        auto padded = ClockScale::fromEnvironment(clockEnv(QStringLiteral(" 60 "), QStringLiteral(" %1\n").arg(kAnchor)), kAnchor);
        QVERIFY2(padded, qPrintable(padded.status().message()));
        QCOMPARE(padded->scale, 60.0);
    }

    void badValuesAreRefusedByName_data()
    {
        QTest::addColumn<QString>("scale");
        QTest::addColumn<QString>("anchor");
        QTest::addColumn<QString>("expected");
        const QString anchor = QString::number(kAnchor);
        QTest::newRow("word") << "fast" << anchor << "ORRERY_CLOCK_SCALE='fast' is not a clock scale";
        QTest::newRow("zero") << "0" << anchor << "ORRERY_CLOCK_SCALE='0' is not a clock scale";
        QTest::newRow("negative") << "-60" << anchor << "ORRERY_CLOCK_SCALE='-60' is not a clock scale";
        QTest::newRow("exponent") << "6e1" << anchor << "ORRERY_CLOCK_SCALE='6e1' is not a clock scale";
        QTest::newRow("unit") << "60x" << anchor << "ORRERY_CLOCK_SCALE='60x' is not a clock scale";
        QTest::newRow("too fast") << "20000" << anchor << "from 0.001 to 10000";
        QTest::newRow("too slow") << "0.0001" << anchor << "ORRERY_CLOCK_SCALE='0.0001'";
        QTest::newRow("no anchor") << "60" << QString() << "ORRERY_CLOCK_SCALE='60' needs ORRERY_CLOCK_ANCHOR";
        QTest::newRow("empty anchor") << "60" << "" << "needs ORRERY_CLOCK_ANCHOR";
        QTest::newRow("anchor word") << "60" << "now" << "ORRERY_CLOCK_ANCHOR='now' is not a time";
        QTest::newRow("anchor negative") << "60" << "-1" << "ORRERY_CLOCK_ANCHOR='-1' is not a time";
        QTest::newRow("anchor fraction") << "60" << "1767225600000.5" << "ORRERY_CLOCK_ANCHOR='1767225600000.5' is not a time";
        QTest::newRow("anchor seconds") << "60" << "1767225600" << "it takes milliseconds since the epoch, not seconds";
        QTest::newRow("anchor future") << "60" << QString::number(kAnchor + 3'600'000) << "in the future";
        QTest::newRow("anchor huge") << "60" << "99999999999999999999" << "ORRERY_CLOCK_ANCHOR='99999999999999999999' is not a time";
    }

    void badValuesAreRefusedByName()
    {
        QFETCH(QString, scale);
        QFETCH(QString, anchor);
        QFETCH(QString, expected);
        auto s = ClockScale::fromEnvironment(clockEnv(scale, anchor), kAnchor);
        QVERIFY(!s);
        QCOMPARE(s.status().code(), ErrorCode::InvalidArgument);
        QVERIFY2(s.status().message().contains(expected), qPrintable(s.status().message()));
        QVERIFY2(s.status().message().contains(QStringLiteral("ORRERY_CLOCK_ANCHOR")), qPrintable(s.status().message())); // the fix names both
    }

    void checkClockEnvironmentReadsTheProcessEnvironment()
    {
        // What main() prints before exiting 2. (Clock::system() is never asked here, so the
        // process's own clock is not fixed to a bad setting.)
        qputenv("ORRERY_CLOCK_SCALE", "sixty");
        qputenv("ORRERY_CLOCK_ANCHOR", QByteArray::number(QDateTime::currentMSecsSinceEpoch()));
        const Status bad = common::checkClockEnvironment();
        QVERIFY(!bad);
        QVERIFY2(bad.message().startsWith(QStringLiteral("ORRERY_CLOCK_SCALE='sixty' is not a clock scale")), qPrintable(bad.message()));
        qputenv("ORRERY_CLOCK_SCALE", "60");
        QVERIFY2(common::checkClockEnvironment(), qPrintable(common::checkClockEnvironment().message()));
        qunsetenv("ORRERY_CLOCK_ANCHOR");
        QVERIFY(!common::checkClockEnvironment());
        qunsetenv("ORRERY_CLOCK_SCALE");
        QVERIFY(common::checkClockEnvironment());
    }
};

QTEST_GUILESS_MAIN(TstClock)
#include "tst_clock.moc"
