// Data tests: each rule of a schema, violated on purpose, is listed with its column, rule, count
// and first offending rows (line numbers as an editor shows them).
#include "core/data/fraud_generator.h"
#include "core/data/schema.h"
#include "core/data/schema_inference.h"
#include "core/data/schema_validator.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using data::Schema;
using data::Violation;
using testing::writeFile;

namespace {
Schema schemaOf(const QByteArray &yaml)
{
    auto s = Schema::parse(yaml, QStringLiteral("test.schema.yaml"));
    if (!s)
        qFatal("%s", qPrintable(s.status().message()));
    return *s;
}

const Violation *find(const data::ValidationReport &r, const QString &column, const QString &rule)
{
    for (const Violation &v : r.violations)
        if (v.column == column && v.rule == rule)
            return &v;
    return nullptr;
}

QList<qint64> lines(const Violation &v)
{
    QList<qint64> out;
    for (const auto &e : v.examples)
        out << e.line;
    return out;
}
} // namespace

class TstSchemaValidator : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void inferredSchemaPassesItsOwnData()
    {
        data::FraudDataOptions options;
        options.rows = 4000;
        const QString csv = m_dir.filePath(QStringLiteral("fraud.csv"));
        QVERIFY(data::writeFraudCsv(csv, options).isOk());
        auto schema = data::inferSchema(csv);
        QVERIFY(schema);
        auto report = data::validateCsv(csv, *schema);
        QVERIFY2(report, qPrintable(report.status().message()));
        QVERIFY2(report->passed(), qPrintable(report->toText(QStringLiteral("inferred")).join(QLatin1Char('\n'))));
        QCOMPARE(report->rows, 4000);
        QCOMPARE(report->columnsChecked, 12);

        // Tomorrow's data, shifted: amounts tripled, a new channel mix. The schema catches it.
        options.seed = 7;
        options.shift.from = options.start;
        options.shift.amountScale = 3.0;
        const QString shifted = m_dir.filePath(QStringLiteral("fraud-shifted.csv"));
        QVERIFY(data::writeFraudCsv(shifted, options).isOk());
        auto failed = data::validateCsv(shifted, *schema);
        QVERIFY(failed);
        QVERIFY(!failed->passed());
        const Violation *max = find(*failed, QStringLiteral("amount"), QStringLiteral("max"));
        QVERIFY(max);
        QVERIFY(max->count > 0);
        QCOMPARE(max->examples.size(), size_t(qMin<qint64>(5, max->count)));
        QVERIFY(find(*failed, QStringLiteral("transaction_id"), QStringLiteral("unique")) == nullptr);
    }

    void everyRuleIsReported()
    {
        const Schema schema = schemaOf("version: 1\n"
                                       "columns:\n"
                                       "  - {name: id, type: int, unique: true, min: 1}\n"
                                       "  - {name: score, type: float, min: 0, max: 100, max_null_fraction: 0.2}\n"
                                       "  - {name: color, type: category, allowed_values: [red, blue]}\n"
                                       "  - {name: when, type: timestamp, max: 2026-12-31T23:59:59Z}\n"
                                       "  - {name: flag, type: bool}\n"
                                       "  - {name: gone, type: string}\n"
                                       "  - {name: optional, type: string, required: false}\n");
        const QString csv = writeFile(m_dir, QStringLiteral("rules.csv"),
                                      "id,score,color,when,flag,extra\n"
                                      "1,50,red,2026-01-01,true,x\n"        // line 2: fine
                                      "2,-5,blue,2026-02-01,false,x\n"      // line 3: score below min
                                      "2,101,green,2027-01-01,yes,x\n"      // line 4: id repeats; score above max; green; 2027; yes
                                      "x,,red,2026-03-01,TRUE,x\n"          // line 5: id not int; score missing
                                      "0,NA,\"multi\nline\",2026-03-02,false,x\n" // line 6: id below min; score missing; color not allowed
                                      "7,1.5e1,blue,nope,true,x\n");        // line 8: when not a timestamp
        auto report = data::validateCsv(csv, schema);
        QVERIFY2(report, qPrintable(report.status().message()));
        QCOMPARE(report->rows, 6);

        auto check = [&](const char *column, const char *rule, qint64 count, QList<qint64> rows) {
            const Violation *v = find(*report, QLatin1String(column), QLatin1String(rule));
            QVERIFY2(v, qPrintable(QStringLiteral("no %1 violation for %2").arg(QLatin1String(rule), QLatin1String(column))));
            QCOMPARE(v->count, count);
            QCOMPARE(lines(*v), rows);
        };
        check("gone", "required", 1, {});
        check("extra", "unexpected_column", 1, {});
        check("id", "type", 1, {5});
        check("id", "unique", 1, {4});
        check("id", "min", 1, {6});
        check("score", "min", 1, {3});
        check("score", "max", 1, {4});
        check("score", "max_null_fraction", 2, {5, 6});
        check("color", "allowed_values", 2, {4, 6});
        check("when", "max", 1, {4});
        check("when", "type", 1, {8});
        check("flag", "type", 1, {4});
        QVERIFY(find(*report, QStringLiteral("optional"), QStringLiteral("required")) == nullptr);
        QCOMPARE(report->violations.size(), size_t(12));

        const Violation *color = find(*report, QStringLiteral("color"), QStringLiteral("allowed_values"));
        QCOMPARE(color->examples[0].value, QStringLiteral("green"));
        QCOMPARE(color->examples[1].value, QStringLiteral("multi\nline"));
        QCOMPARE(color->expected, QStringLiteral("one of 'red', 'blue'"));
        const Violation *nulls = find(*report, QStringLiteral("score"), QStringLiteral("max_null_fraction"));
        QCOMPARE(nulls->detail, QStringLiteral("33.3% missing (2 of 6 rows)"));

        const QJsonObject json = report->toJson();
        QCOMPARE(json[QStringLiteral("passed")].toBool(), false);
        const QJsonArray list = json[QStringLiteral("violations")].toArray();
        QCOMPARE(list.size(), 12);
        const QJsonObject first = list[0].toObject();
        for (const char *key : {"column", "rule", "expected", "count", "detail", "first_rows"})
            QVERIFY2(first.contains(QLatin1String(key)), key);

        const QStringList text = report->toText(QStringLiteral("test.schema.yaml"));
        QVERIFY2(text[0].contains(QStringLiteral("fails test.schema.yaml: 12 violations in 6 rows")), qPrintable(text[0]));
        QVERIFY(text.contains(QStringLiteral("  score: min — 1 value is below 0 (expected >= 0)")));
        QVERIFY(text.contains(QStringLiteral("      line 3: -5")));
    }

    void numbersCompareByValue()
    {
        const Schema schema = schemaOf("version: 1\ncolumns:\n"
                                       "  - {name: code, type: int, allowed_values: [1, 2]}\n"
                                       "  - {name: big, type: int, max: 9007199254740993}\n");
        const QString csv = writeFile(m_dir, QStringLiteral("values.csv"), "code,big\n01,9007199254740993\n+2,9007199254740994\n3,1\n");
        auto report = data::validateCsv(csv, schema);
        QVERIFY(report);
        QCOMPARE(find(*report, QStringLiteral("code"), QStringLiteral("allowed_values"))->count, 1); // only 3
        // Integers compare exactly, not through double (2^53 + 1 vs 2^53 + 2).
        QCOMPARE(lines(*find(*report, QStringLiteral("big"), QStringLiteral("max"))), (QList<qint64>{3}));
    }

    void unreadableFilesAreErrorsNotViolations()
    {
        const Schema schema = schemaOf("version: 1\ncolumns:\n  - {name: a, type: int}\n  - {name: b, type: int}\n");
        const QString ragged = writeFile(m_dir, QStringLiteral("ragged.csv"), "a,b\n1,2\n3\n");
        auto r = data::validateCsv(ragged, schema);
        QVERIFY(!r);
        QVERIFY(r.status().message().startsWith(ragged + QStringLiteral(":3:2: this record has 1 field")));
        auto missing = data::validateCsv(m_dir.filePath(QStringLiteral("nope.csv")), schema);
        QCOMPARE(missing.status().code(), ErrorCode::Io);
    }

    void schemaCsvOptionsAreUsed()
    {
        const Schema schema = schemaOf("version: 1\ncsv: {delimiter: \";\", null_values: [\"-\"]}\n"
                                       "columns:\n  - {name: a, type: float, max_null_fraction: 0.5}\n  - {name: b, type: string}\n");
        const QString csv = writeFile(m_dir, QStringLiteral("semi.csv"), "a;b\n1,5;x\n-;y\n2;NA\n");
        auto report = data::validateCsv(csv, schema);
        QVERIFY(report);
        // "1,5" is not a number (decimal commas are text); "-" is missing; "NA" is text here.
        QCOMPARE(lines(*find(*report, QStringLiteral("a"), QStringLiteral("type"))), (QList<qint64>{2}));
        QCOMPARE(report->violations.size(), size_t(1));
    }
};

QTEST_GUILESS_MAIN(TstSchemaValidator)
#include "tst_schema_validator.moc"
