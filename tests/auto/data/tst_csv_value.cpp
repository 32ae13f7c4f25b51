// Cell values: the number, boolean and timestamp policy every CSV consumer shares
// (reliability.md #35: `1,5`, `1e309`, `nan`, empty), and the formula rule (#33).
#include "core/data/csv_value.h"
#include "core/data/null_values.h"

#include <QDateTime>
#include <QtTest>

#include <cmath>
#include <random>

using namespace orrery::data;

namespace {
CellKind kindOf(const char *text)
{
    CellValue v;
    return classifyCell(trimmedView(text), &v);
}
} // namespace

class TstCsvValue : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void numbers()
    {
        qint64 i = 0;
        QVERIFY(parseInt64("42", &i) && i == 42);
        QVERIFY(parseInt64("-7", &i) && i == -7);
        QVERIFY(parseInt64("+7", &i) && i == 7);
        QVERIFY(parseInt64("9223372036854775807", &i) && i == INT64_MAX);
        QVERIFY(!parseInt64("9223372036854775808", &i)); // a float then
        QVERIFY(!parseInt64("+-5", &i));
        QVERIFY(!parseInt64("-", &i));
        QVERIFY(!parseInt64("1.0", &i));
        double d = 0;
        QVERIFY(parseFiniteDouble("-3.5", &d) && d == -3.5);
        QVERIFY(parseFiniteDouble("+2.25", &d) && d == 2.25);
        QVERIFY(parseFiniteDouble(".5", &d) && d == 0.5);
        QVERIFY(parseFiniteDouble("5.", &d) && d == 5.0);
        QVERIFY(parseFiniteDouble("1e-3", &d) && d == 1e-3);
        QVERIFY(parseFiniteDouble("1.5E+10", &d) && d == 1.5e10);
        QVERIFY(parseFiniteDouble("1e-400", &d) && d == 0.0); // underflow is a tiny number
        for (const char *notNumber : {"+-5", "1e309", "-1e309", "inf", "-inf", "Infinity", "nan", "NaN", "1,5", "0x1A", "1e", "1.2.3",
                                      "", "-", ".", "e5", "1 000", "12abc"})
            QVERIFY2(!parseFiniteDouble(notNumber, &d), notNumber);
    }

    // The fast path must round exactly like the standard library on every input it takes.
    void fastPathRoundsExactly()
    {
        std::mt19937_64 rng(7);
        std::uniform_real_distribution<double> u(-1e6, 1e6);
        char text[64];
        for (int k = 0; k < 200000; ++k) {
            const int precision = 1 + int(rng() % 17);
            std::snprintf(text, sizeof text, k % 3 ? "%.*f" : "%.*g", precision % 12, u(rng) / double(1 + rng() % 1000));
            double ours = 0;
            QVERIFY(parseFiniteDouble(text, &ours));
            QCOMPARE(ours, std::strtod(text, nullptr));
        }
        double d = 0;
        QVERIFY(parseFiniteDouble("9007199254740993", &d)); // 2^53 + 1: beyond the fast path
        QCOMPARE(d, 9007199254740992.0);
        QVERIFY(parseFiniteDouble("0.1", &d) && d == 0.1);
        QVERIFY(parseFiniteDouble("123456789012345678901234567890", &d) && d == 1.2345678901234568e29);
    }

    void booleansAndKinds()
    {
        bool b = false;
        QVERIFY(parseBool("TRUE", &b) && b);
        QVERIFY(parseBool("False", &b) && !b);
        QVERIFY(!parseBool("yes", &b));
        QCOMPARE(kindOf("12"), CellKind::Int);
        QCOMPARE(kindOf(" 12 "), CellKind::Int);
        QCOMPARE(kindOf("-3.5"), CellKind::Float);
        QCOMPARE(kindOf("1e309"), CellKind::Text);
        QCOMPARE(kindOf("true"), CellKind::Bool);
        QCOMPARE(kindOf("1"), CellKind::Int); // not a boolean
        QCOMPARE(kindOf("2026-01-31"), CellKind::Timestamp);
        QCOMPARE(kindOf("=SUM(A1:A3)"), CellKind::Text);
        QCOMPARE(kindOf("hello"), CellKind::Text);
    }

    void timestamps_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("utc");
        QTest::newRow("date") << "2026-01-31" << "2026-01-31T00:00:00Z";
        QTest::newRow("minutes") << "2026-01-31T12:30" << "2026-01-31T12:30:00Z";
        QTest::newRow("space") << "2026-01-31 12:30:05" << "2026-01-31T12:30:05Z";
        QTest::newRow("zulu") << "2026-01-31T12:30:05Z" << "2026-01-31T12:30:05Z";
        QTest::newRow("millis") << "2026-01-31T12:30:05.250Z" << "2026-01-31T12:30:05.250Z";
        QTest::newRow("micros") << "2026-01-31T12:30:05.000001" << "2026-01-31T12:30:05.000001Z";
        QTest::newRow("offset") << "2026-01-31T12:30:05+02:00" << "2026-01-31T10:30:05Z";
        QTest::newRow("offset no colon") << "2026-01-31T00:30:05-0130" << "2026-01-31T02:00:05Z";
        QTest::newRow("leap day") << "2024-02-29 23:59:59" << "2024-02-29T23:59:59Z";
        QTest::newRow("before 1970") << "1969-12-31T23:59:59.5Z" << "1969-12-31T23:59:59.500Z";
    }
    void timestamps()
    {
        QFETCH(QString, text);
        QFETCH(QString, utc);
        const QByteArray bytes = text.toUtf8();
        qint64 micros = 0;
        QVERIFY(parseTimestamp(std::string_view(bytes.constData(), size_t(bytes.size())), &micros));
        QCOMPARE(formatTimestamp(micros), utc);
        // An independent reading of the same instant: Qt's own ISO parser.
        const QDateTime qt = QDateTime::fromString(utc, Qt::ISODateWithMs);
        QVERIFY(qt.isValid());
        QCOMPARE(micros / 1000, qt.toMSecsSinceEpoch());
    }

    void invalidTimestamps()
    {
        qint64 micros = 0;
        for (const char *bad : {"2023-02-29", "2026-13-01", "2026-00-10", "2026-01-32", "2026-1-5", "2026-01-31T24:00",
                                "2026-01-31T12:60", "2026-01-31T12:30:61", "2026-01-31X12:30", "2026-01-31T12:30+25:00",
                                "2026-01-31T12:30:05.", "20260131", "2026-01-31T12"})
            QVERIFY2(!parseTimestamp(bad, &micros), bad);
    }

    void formulas()
    {
        for (const char *formula : {"=1+2", "=HYPERLINK(\"http://x\",\"y\")", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\r=1", "-"})
            QVERIFY2(looksLikeFormula(formula), formula);
        for (const char *plain : {"-3.5", "+7", "-0", "1e5", "abc", "", "a=b", " =1"})
            QVERIFY2(!looksLikeFormula(plain), plain);
    }

    void missingValues()
    {
        const NullValues defaults;
        for (const char *missing : {"", "NA", "N/A", "null", "NULL", "NaN", "nan"})
            QVERIFY2(defaults.contains(missing), missing);
        for (const char *present : {"0", "none", "na", "-", "NAN"})
            QVERIFY2(!defaults.contains(present), present);
        const NullValues custom(QStringList{QStringLiteral("-"), QStringLiteral("?")});
        QVERIFY(custom.contains("-") && custom.contains("?"));
        QVERIFY(!custom.contains("") && !custom.contains("NA"));
        QCOMPARE(custom.tokens(), (QStringList{"-", "?"}));
    }

    void typeNamesAndHashes()
    {
        ColumnType t = ColumnType::String;
        for (ColumnType each : {ColumnType::Int, ColumnType::Float, ColumnType::Bool, ColumnType::Category, ColumnType::Timestamp,
                                ColumnType::String}) {
            QVERIFY(parseColumnType(columnTypeName(each), &t));
            QCOMPARE(t, each);
        }
        QVERIFY(!parseColumnType("number", &t));
        // 2 and 2.0 are one value; "a" and "b" are two.
        CellValue two{2, 2.0};
        CellValue twoFloat{0, 2.0};
        QCOMPARE(hashCell(CellKind::Int, two, "2"), hashCell(CellKind::Float, twoFloat, "2.0"));
        QVERIFY(hashBytes("a") != hashBytes("b"));
        QVERIFY(hashBytes("abcdefgh") != hashBytes(std::string_view("abcdefgh\0", 9)));
        QCOMPARE(formatNumber(0.1), QStringLiteral("0.1"));
        QCOMPARE(formatNumber(-2.0), QStringLiteral("-2"));
    }
};

QTEST_GUILESS_MAIN(TstCsvValue)
#include "tst_csv_value.moc"
