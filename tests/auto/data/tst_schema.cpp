// Schemas: inference from data, the YAML format (readable, hand-editable, strict on load with
// file:line:column errors), and the round trip save -> load.
#include "core/data/fraud_generator.h"
#include "core/data/schema.h"
#include "core/data/schema_inference.h"
#include "tests/support/test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using data::ColumnType;
using data::Schema;
using testing::writeFile;

namespace {
QString parseError(const QByteArray &yaml)
{
    auto s = Schema::parse(yaml, QStringLiteral("s.yaml"));
    return s ? QStringLiteral("<parsed>") : s.status().message();
}

const QByteArray kMinimal = "version: 1\ncolumns:\n  - {name: a, type: int}\n";
} // namespace

class TstSchema : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void infersFromTheFraudData()
    {
        data::FraudDataOptions options;
        options.rows = 3000;
        const QString csv = m_dir.filePath(QStringLiteral("transactions.csv"));
        QVERIFY(data::writeFraudCsv(csv, options).isOk());
        auto schema = data::inferSchema(csv);
        QVERIFY2(schema, qPrintable(schema.status().message()));
        QCOMPARE(schema->rows, 3000);
        QCOMPARE(schema->source, QStringLiteral("transactions.csv"));
        QCOMPARE(int(schema->columns.size()), 12);

        const data::ColumnRule *id = schema->column(QStringLiteral("transaction_id"));
        QCOMPARE(id->type, ColumnType::String);
        QVERIFY(id->unique);
        const data::ColumnRule *channel = schema->column(QStringLiteral("channel"));
        QCOMPARE(channel->type, ColumnType::Category);
        QCOMPARE(*channel->allowedValues, (QStringList{"atm", "online", "pos"}));
        const data::ColumnRule *amount = schema->column(QStringLiteral("amount"));
        QCOMPARE(amount->type, ColumnType::Float);
        QVERIFY(amount->min && amount->max && amount->min->real >= 0.5);
        QVERIFY(!amount->unique); // floats are never inferred unique
        const data::ColumnRule *age = schema->column(QStringLiteral("customer_age"));
        QCOMPARE(age->type, ColumnType::Int);
        QVERIFY(*age->maxNullFraction > 0.0 && *age->maxNullFraction < 0.1);
        QCOMPARE(age->min->integer, 18);
        const data::ColumnRule *time = schema->column(QStringLiteral("timestamp"));
        QCOMPARE(time->type, ColumnType::Timestamp);
        QCOMPARE(time->boundText(*time->min).left(10), QStringLiteral("2026-01-01"));
        const data::ColumnRule *fraud = schema->column(QStringLiteral("is_fraud"));
        QCOMPARE(fraud->type, ColumnType::Int);
        QCOMPARE(fraud->max->integer, 1);
    }

    void yamlIsReadableAndRoundTrips()
    {
        const QString csv = writeFile(m_dir, QStringLiteral("people.csv"),
                                      "id,name,score,joined,team,active,note\n"
                                      "1,Ann,3.5,2026-01-02,red,true,\"a, b\"\n"
                                      "2,Bob,,2026-02-03 10:00:00,blue,false,null\n"
                                      "3,Cy,-1e-3,2026-03-04T05:06:07Z,red,true,=1+2\n"
                                      "4,Di,10,2026-01-01,red,true,x\n");
        auto schema = data::inferSchema(csv);
        QVERIFY2(schema, qPrintable(schema.status().message()));
        const QString path = Schema::defaultPathFor(csv);
        QCOMPARE(path, m_dir.filePath(QStringLiteral("people.schema.yaml")));
        QVERIFY(schema->save(path).isOk());

        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray yaml = f.readAll();
        // What a person sees: a comment on top, one rule per line, flow lists for values.
        QVERIFY2(yaml.startsWith("# Data schema of people.csv"), yaml.constData());
        for (const char *line : {"version: 1\n", "source: people.csv\n", "rows: 4\n", "allow_extra_columns: false\n",
                                 "  - name: id\n    type: int\n    min: 1\n    max: 4\n    max_null_fraction: 0\n    unique: true\n",
                                 "  - name: score\n    type: float\n    min: -0.001\n    max: 10\n    max_null_fraction: 0.25\n",
                                 "    allowed_values: [blue, red]\n", "    min: 2026-01-01T00:00:00Z\n", "  - name: active\n    type: bool\n",
                                 "  null_values: [\"\", NA, N/A, \"null\", \"NULL\", NaN, nan]\n"})
            QVERIFY2(yaml.contains(line), qPrintable(QStringLiteral("missing:\n%1\nin:\n%2").arg(QLatin1String(line), QString::fromUtf8(yaml))));

        auto loaded = Schema::load(path);
        QVERIFY2(loaded, qPrintable(loaded.status().message()));
        QCOMPARE(loaded->toJson(), schema->toJson());
        QCOMPARE(loaded->toYaml(), yaml);
    }

    void handEditedSchemasLoad()
    {
        auto s = Schema::parse("# my rules\nversion: 1\ncsv:\n  delimiter: \"\\t\"\n  header: yes\n  null_values: [\"-\", \"\"]\n"
                               "allow_extra_columns: true\ncolumns:\n"
                               "  - name: price\n    type: double\n    min: 0\n    max: 1e6\n    description: in euros\n"
                               "  - name: when\n    type: datetime\n    min: 2020-01-01\n    required: false\n"
                               "  - name: code\n    type: string\n    allowed_values: [001, \"002\", A]\n",
                               QStringLiteral("s.yaml"));
        QVERIFY2(s, qPrintable(s.status().message()));
        QCOMPARE(s->csv.delimiter, '\t');
        QCOMPARE(s->nullValues, (QStringList{"-", ""}));
        QVERIFY(s->allowExtraColumns);
        QCOMPARE(s->columns[0].type, ColumnType::Float);
        QCOMPARE(s->columns[0].max->real, 1e6);
        QCOMPARE(s->columns[0].description, QStringLiteral("in euros"));
        QCOMPARE(s->columns[1].type, ColumnType::Timestamp);
        QVERIFY(!s->columns[1].required);
        QCOMPARE(s->columns[1].boundText(*s->columns[1].min), QStringLiteral("2020-01-01T00:00:00Z"));
        QCOMPARE(*s->columns[2].allowedValues, (QStringList{"001", "002", "A"})); // YAML text, as written
    }

    // A mistyped rule must never silently check nothing: each mistake names file:line:column.
    void strictLoadingNamesThePlace_data()
    {
        QTest::addColumn<QByteArray>("yaml");
        QTest::addColumn<QString>("error");
        QTest::newRow("unknown rule") << QByteArray("version: 1\ncolumns:\n  - name: a\n    type: int\n    mn: 3\n")
                                      << "s.yaml:5:5: unknown key 'mn' in column 'a'; the keys are: name, type, required, min, max";
        QTest::newRow("unknown type") << QByteArray("version: 1\ncolumns:\n  - name: a\n    type: number\n")
                                      << "s.yaml:4:11: column 'a' has the unknown type 'number'";
        QTest::newRow("min not a number") << QByteArray("version: 1\ncolumns:\n  - {name: a, type: float, min: low}\n")
                                          << "s.yaml:3:33: min of column 'a' must be a number, not 'low'";
        QTest::newRow("min on a string") << QByteArray("version: 1\ncolumns:\n  - {name: a, type: string, min: 1}\n")
                                         << "s.yaml:3:34: min of column 'a': min and max apply to int, float and timestamp columns";
        QTest::newRow("min above max") << QByteArray("version: 1\ncolumns:\n  - {name: a, type: int, min: 5, max: 1}\n")
                                       << "s.yaml:3:31: column 'a' has min 5 above max 1";
        QTest::newRow("fraction") << QByteArray("version: 1\ncolumns:\n  - {name: a, type: int, max_null_fraction: 5}\n")
                                  << "s.yaml:3:45: max_null_fraction of column 'a' is a share between 0 and 1";
        QTest::newRow("duplicate column") << QByteArray("version: 1\ncolumns:\n  - {name: a, type: int}\n  - {name: a, type: float}\n")
                                          << "s.yaml:4:5: column 'a' is listed twice";
        QTest::newRow("bare null") << QByteArray("version: 1\ncsv:\n  null_values: [NA, null]\ncolumns: []\n")
                                   << "s.yaml:3:21: an entry of csv.null_values is empty or a bare null; write the text in quotes";
        QTest::newRow("bad bool") << QByteArray("version: 1\ncolumns:\n  - {name: a, type: int, unique: maybe}\n")
                                  << "s.yaml:3:34: unique of column 'a' must be true or false, not 'maybe'";
        QTest::newRow("no type") << QByteArray("version: 1\ncolumns:\n  - name: a\n")
                                 << "s.yaml:3:5: column 1 of 'columns' needs at least a name and a type";
        QTest::newRow("newer version") << QByteArray("version: 2\ncolumns: []\n") << "s.yaml:1:10: schema version 2 is not supported";
        QTest::newRow("no version") << QByteArray("columns: []\n") << "s.yaml: no 'version'";
        QTest::newRow("bad yaml") << QByteArray("version: 1\ncolumns: [a, b\n") << "s.yaml:3:1: not valid YAML: ";
        QTest::newRow("not a mapping") << QByteArray("- a\n- b\n") << "s.yaml: not a schema";
        QTest::newRow("bad delimiter") << QByteArray("version: 1\ncsv: {delimiter: \"ab\"}\ncolumns: []\n")
                                       << "s.yaml:2:18: csv.delimiter must be one character";
    }
    void strictLoadingNamesThePlace()
    {
        QFETCH(QByteArray, yaml);
        QFETCH(QString, error);
        const QString got = parseError(yaml);
        QVERIFY2(got.startsWith(error), qPrintable(QStringLiteral("got: %1\nwanted: %2").arg(got, error)));
        QVERIFY(parseError(kMinimal) == QStringLiteral("<parsed>"));
    }

    void missingSchemaFileSaysHowToMakeOne()
    {
        auto s = Schema::load(m_dir.filePath(QStringLiteral("none.schema.yaml")));
        QVERIFY(!s);
        QCOMPARE(s.status().code(), ErrorCode::NotFound);
        QVERIFY(s.status().message().contains(QStringLiteral("orrery-cli data schema")));
        QCOMPARE(Schema::defaultPathFor(QStringLiteral("data.csv")), QStringLiteral("data.schema.yaml"));
        QCOMPARE(Schema::defaultPathFor(QStringLiteral("/a/b/x.tsv")), QStringLiteral("/a/b/x.schema.yaml"));
    }
};

QTEST_GUILESS_MAIN(TstSchema)
#include "tst_schema.moc"
