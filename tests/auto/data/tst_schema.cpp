// Schemas: inference from data, the YAML format (readable, hand-editable, strict on load with
// file:line:column errors), and the round trip save -> load.
#include "core/data/fraud_generator.h"
#include "core/data/schema.h"
#include "core/data/schema_inference.h"
#include "core/data/schema_validator.h"
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
        // The documented rule (schema_inference.h), applied by hand to what the profile observed.
        auto observed = data::profileCsv(csv, {});
        QVERIFY(observed.isOk());
        auto stats = [&](const char *name) {
            for (const data::ColumnStats &c : observed->columns)
                if (c.name == QLatin1String(name))
                    return c;
            qFatal("no column %s", name);
        };
        const data::ColumnStats a = stats("amount");
        const data::ColumnRule *amount = schema->column(QStringLiteral("amount"));
        QCOMPARE(amount->type, ColumnType::Float);
        QVERIFY(a.min >= 0.5 && a.min - (a.max - a.min) < 0);
        QCOMPARE(amount->min->real, 0.0); // never below zero: stays at or above zero
        QCOMPARE(amount->max->real, std::ceil((a.max + (a.max - a.min)) * 100.0) / 100.0);
        QVERIFY(!amount->unique); // floats are never inferred unique
        const data::ColumnStats ageSeen = stats("customer_age");
        const data::ColumnRule *age = schema->column(QStringLiteral("customer_age"));
        QCOMPARE(age->type, ColumnType::Int);
        QVERIFY(ageSeen.nullFraction() > 0.0);
        QCOMPARE(*age->maxNullFraction, std::ceil((ageSeen.nullFraction() * 1.5 + 0.01) * 1e4) / 1e4);
        QCOMPARE(age->min->integer, std::max<qint64>(0, ageSeen.minInt - (ageSeen.maxInt - ageSeen.minInt)));
        QCOMPARE(age->max->integer, ageSeen.maxInt + (ageSeen.maxInt - ageSeen.minInt));
        QCOMPARE(*schema->column(QStringLiteral("channel"))->maxNullFraction, 0.0); // complete stays complete
        const data::ColumnStats timeSeen = stats("timestamp");
        const data::ColumnRule *time = schema->column(QStringLiteral("timestamp"));
        QCOMPARE(time->type, ColumnType::Timestamp);
        QCOMPARE(time->min->integer, timeSeen.minTimestamp - (timeSeen.maxTimestamp - timeSeen.minTimestamp));
        QVERIFY(!time->max); // new data is newer
        const data::ColumnRule *fraud = schema->column(QStringLiteral("is_fraud"));
        QCOMPARE(fraud->type, ColumnType::Int);
        QCOMPARE(fraud->min->integer, 0); // a 0/1 flag keeps its bounds
        QCOMPARE(fraud->max->integer, 1);

        data::InferenceOptions open;
        open.openCategories = true;
        auto openSchema = data::inferSchema(csv, {}, nullptr, open);
        QVERIFY(openSchema.isOk());
        QCOMPARE(openSchema->column(QStringLiteral("channel"))->type, ColumnType::Category);
        QVERIFY(!openSchema->column(QStringLiteral("channel"))->allowedValues);
    }

    // The newcomer's check: the schema inferred from the demo's 50,000 rows accepts the next 2,000
    // rows of the same generator (it used to fail on 'amount breaks max'), and still refuses data
    // in the wrong unit.
    void moreRowsFromTheSameSourcePass()
    {
        data::FraudDataOptions options;
        options.rows = 52000;
        const QString all = m_dir.filePath(QStringLiteral("all.csv"));
        QVERIFY(data::writeFraudCsv(all, options).isOk());
        const QList<QByteArray> lines = testing::readFile(all).split('\n');
        const QString first = testing::writeFile(m_dir.filePath(QStringLiteral("first.csv")), lines.mid(0, 50001).join('\n') + '\n');
        auto schema = data::inferSchema(first);
        QVERIFY(schema.isOk());
        auto more = data::validateCsv(all, *schema);
        QVERIFY2(more.isOk(), qPrintable(more.status().message()));
        QVERIFY2(more->passed(), qPrintable(more->toText(QStringLiteral("inferred")).join(QLatin1Char('\n'))));
        QCOMPARE(more->rows, qint64(52000));

        // Amounts in cents instead of euros (x100) are still caught.
        QByteArray cents = lines[0] + '\n';
        const int amountColumn = int(QString::fromUtf8(lines[0]).split(QLatin1Char(',')).indexOf(QStringLiteral("amount")));
        QVERIFY(amountColumn >= 0);
        for (int i = 1; i <= 1000; ++i) {
            QList<QByteArray> cells = lines[i].split(',');
            cells[amountColumn] = QByteArray::number(cells[amountColumn].toDouble() * 100.0, 'f', 0);
            cents += cells.join(',') + '\n';
        }
        const QString centsPath = testing::writeFile(m_dir.filePath(QStringLiteral("cents.csv")), cents);
        auto wrongUnit = data::validateCsv(centsPath, *schema);
        QVERIFY(wrongUnit.isOk());
        QVERIFY(!wrongUnit->passed());
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
                                 // ids 1..4 widened by their range 3, never below 0
                                 "  - name: id\n    type: int\n    min: 0\n    max: 7\n    max_null_fraction: 0\n    unique: true\n",
                                 // -0.001..10 widened by 10.001, to hundredths outward; 1 of 4 missing: 0.25 x 1.5 + 0.01
                                 "  - name: score\n    type: float\n    min: -10.01\n    max: 20.01\n    max_null_fraction: 0.385\n",
                                 // 2026-01-01 minus the 62 d 5 h 6 min 7 s to the newest, and no max
                                 "    allowed_values: [blue, red]\n", "  - name: joined\n    type: timestamp\n    min: 2025-10-30T18:53:53Z\n    max_null_fraction: 0\n",
                                 "  - name: active\n    type: bool\n",
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
