// orrery-cli data schema | validate | stats end to end: real processes on real files, exit
// status 0/1/2, --json documents, and errors on stderr that name the file, line and column.
#include "core/data/fraud_generator.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using Run = orrery::testing::ProcessResult;
using orrery::testing::runCli;
using orrery::testing::writeFile;

namespace {

QJsonObject json(const Run &r)
{
    QJsonParseError e;
    const QJsonDocument d = QJsonDocument::fromJson(r.out.toUtf8(), &e);
    if (e.error != QJsonParseError::NoError || !d.isObject())
        qWarning("not a JSON object: %s", qPrintable(r.out));
    return d.object();
}

QJsonObject columnNamed(const QJsonArray &columns, const QString &name)
{
    for (const QJsonValue &c : columns)
        if (c.toObject()[QStringLiteral("name")].toString() == name)
            return c.toObject();
    return {};
}
} // namespace

class TstCliDataQuality : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_csv;

private Q_SLOTS:
    void initTestCase()
    {
        QDir().mkpath(m_dir.filePath(QStringLiteral("data")));
        m_csv = m_dir.filePath(QStringLiteral("data/transactions.csv"));
        orrery::data::FraudDataOptions options;
        options.rows = 3000;
        QVERIFY(orrery::data::writeFraudCsv(m_csv, options).isOk());
    }

    void everySubcommandHasHelp_data()
    {
        QTest::addColumn<QString>("sub");
        for (const char *s : {"schema", "validate", "stats"})
            QTest::newRow(s) << QString::fromLatin1(s);
    }
    void everySubcommandHasHelp()
    {
        QFETCH(QString, sub);
        const Run r = runCli({QStringLiteral("data"), sub, QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("orrery-cli data ") + sub), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("--json")));
        const Run list = runCli({QStringLiteral("data"), QStringLiteral("--help")});
        QVERIFY(list.out.contains(sub));
    }

    // schema -> validate passes -> data changes -> validate fails with exit 1 and the rows.
    void schemaThenValidate()
    {
        const Run schema = runCli({QStringLiteral("data"), QStringLiteral("schema"), m_csv});
        QVERIFY2(schema.code == 0, qPrintable(schema.err));
        const QString schemaPath = m_dir.filePath(QStringLiteral("data/transactions.schema.yaml"));
        QVERIFY2(schema.out.contains(QStringLiteral("Wrote ") + schemaPath), qPrintable(schema.out));
        QVERIFY(schema.out.contains(QStringLiteral("channel")) && schema.out.contains(QStringLiteral("atm, online, pos")));
        QVERIFY(QFile::exists(schemaPath));

        const Run pass = runCli({QStringLiteral("data"), QStringLiteral("validate"), m_csv}); // schema found beside the data
        QVERIFY2(pass.code == 0, qPrintable(pass.out + pass.err));
        QVERIFY(pass.out.contains(QStringLiteral("no violations")));

        QFile f(m_csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray text = f.readAll();
        f.close();
        text.replace(",online,", ",phone,"); // a new channel
        text += "T0000001,2026-02-01T00:00:00Z,C00001,-5.00,fuel,pos,US,1.0,44,10,1,0\n"; // repeated id, negative amount
        const QString changed = writeFile(m_dir.filePath(QStringLiteral("data/changed.csv")), text);
        const Run fails = runCli({QStringLiteral("data"), QStringLiteral("validate"), changed, QStringLiteral("--schema"), schemaPath});
        QCOMPARE(fails.code, 1);
        QVERIFY2(fails.out.contains(QStringLiteral("channel: allowed_values")), qPrintable(fails.out));
        QVERIFY(fails.out.contains(QStringLiteral("transaction_id: unique — 1 value repeats an earlier one")));
        QVERIFY(fails.out.contains(QStringLiteral("line 3002: T0000001")));
        QVERIFY(fails.out.contains(QStringLiteral("amount: min")));

        const Run js = runCli({QStringLiteral("data"), QStringLiteral("validate"), changed, QStringLiteral("--schema"), schemaPath,
                            QStringLiteral("--json")});
        QCOMPARE(js.code, 1);
        const QJsonObject report = json(js);
        QCOMPARE(report[QStringLiteral("passed")].toBool(), false);
        QCOMPARE(report[QStringLiteral("rows")].toInteger(), 3001);
        QCOMPARE(report[QStringLiteral("schema_path")].toString(), schemaPath);
        bool sawChannel = false;
        for (const QJsonValue &v : report[QStringLiteral("violations")].toArray()) {
            const QJsonObject o = v.toObject();
            if (o[QStringLiteral("column")].toString() != QLatin1String("channel"))
                continue;
            sawChannel = true;
            QCOMPARE(o[QStringLiteral("rule")].toString(), QStringLiteral("allowed_values"));
            QVERIFY(o[QStringLiteral("count")].toInteger() > 5);
            const QJsonArray rows = o[QStringLiteral("first_rows")].toArray();
            QCOMPARE(rows.size(), 5);
            QCOMPARE(rows[0].toObject()[QStringLiteral("value")].toString(), QStringLiteral("phone"));
            QVERIFY(rows[0].toObject()[QStringLiteral("line")].toInteger() >= 2);
        }
        QVERIFY(sawChannel);
    }

    void schemaJsonAndOutput()
    {
        const QString out = m_dir.filePath(QStringLiteral("custom.yaml"));
        const Run r = runCli({QStringLiteral("data"), QStringLiteral("schema"), m_csv, QStringLiteral("--output"), out, QStringLiteral("--json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = json(r);
        QCOMPARE(o[QStringLiteral("schema_path")].toString(), out);
        const QJsonArray columns = o[QStringLiteral("schema")].toObject()[QStringLiteral("columns")].toArray();
        QCOMPARE(columns.size(), 12);
        const QJsonObject id = columnNamed(columns, QStringLiteral("transaction_id"));
        QCOMPARE(id[QStringLiteral("unique")].toBool(), true);
        QVERIFY(QFile::exists(out));
    }

    // 1..100 in a column: the closed-form figures through the command line.
    void statsJson()
    {
        QByteArray text = "n,label\n";
        for (int i = 1; i <= 100; ++i)
            text += QByteArray::number(i) + (i % 4 ? ",a\n" : ",b\n");
        const QString path = writeFile(m_dir.filePath(QStringLiteral("hundred.csv")), text);
        const Run r = runCli({QStringLiteral("data"), QStringLiteral("stats"), path, QStringLiteral("--json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = json(r);
        QCOMPARE(o[QStringLiteral("rows")].toInteger(), 100);
        const QJsonObject n = columnNamed(o[QStringLiteral("columns")].toArray(), QStringLiteral("n"));
        QCOMPARE(n[QStringLiteral("type")].toString(), QStringLiteral("int"));
        QCOMPARE(n[QStringLiteral("mean")].toDouble(), 50.5);
        QVERIFY(std::fabs(n[QStringLiteral("std")].toDouble() - 29.011491975882016) < 1e-12);
        QCOMPARE(n[QStringLiteral("quantiles")].toObject()[QStringLiteral("p25")].toDouble(), 25.75);
        QCOMPARE(n[QStringLiteral("histogram")].toObject()[QStringLiteral("counts")].toArray().size(), 20);
        const QJsonObject label = columnNamed(o[QStringLiteral("columns")].toArray(), QStringLiteral("label"));
        QCOMPARE(label[QStringLiteral("type")].toString(), QStringLiteral("category"));
        const QJsonObject top = label[QStringLiteral("top")].toArray().at(0).toObject();
        QCOMPARE(top[QStringLiteral("value")].toString(), QStringLiteral("a"));
        QCOMPARE(top[QStringLiteral("count")].toInteger(), 75);

        const Run table = runCli({QStringLiteral("data"), QStringLiteral("stats"), path});
        QCOMPARE(table.code, 0);
        QVERIFY2(table.out.contains(QStringLiteral("100 rows, 2 columns")), qPrintable(table.out));
        QVERIFY(table.out.contains(QStringLiteral("a (75), b (25)")));
    }

    void realDataWithAPreamble()
    {
        const QString iris = QStringLiteral("/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv");
        QVERIFY2(QFile::exists(iris), "iris.csv is missing: run packaging/setup.sh --test (python3-sklearn)");
        const Run r = runCli({QStringLiteral("data"), QStringLiteral("stats"), iris, QStringLiteral("--skip-lines"), QStringLiteral("1"),
                           QStringLiteral("--no-header"), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = json(r);
        QCOMPARE(o[QStringLiteral("rows")].toInteger(), 150);
        const QJsonObject sepal = columnNamed(o[QStringLiteral("columns")].toArray(), QStringLiteral("column_1"));
        QVERIFY(std::fabs(sepal[QStringLiteral("mean")].toDouble() - 5.843333333333334) < 1e-12); // the textbook figure
        // Without the options breast_cancer.csv's first line (4 counts and names) is taken as the
        // header, and the 31-field rows are refused as ragged, at the first of them.
        const QString cancer = QStringLiteral("/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv");
        if (QFile::exists(cancer)) {
            const Run plain = runCli({QStringLiteral("data"), QStringLiteral("stats"), cancer});
            QCOMPARE(plain.code, 2);
            QVERIFY2(plain.err.contains(cancer + QStringLiteral(":2:5: this record has 31 fields but the header has 4 columns")),
                     qPrintable(plain.err));
        }
    }

    // Bad input: exit 2, and the message names the file, line and column and says what to do.
    void badInputIsAnErrorWithAPlace()
    {
        const QString ragged = writeFile(m_dir.filePath(QStringLiteral("ragged.csv")), "a,b,c\n1,2,3\n4,5\n");
        Run r = runCli({QStringLiteral("data"), QStringLiteral("stats"), ragged});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(ragged + QStringLiteral(":3:3: this record has 2 fields but the header has 3 columns")), qPrintable(r.err));

        const QString quote = writeFile(m_dir.filePath(QStringLiteral("quote.csv")), "a,b\n1,\"open\n2,3\n");
        r = runCli({QStringLiteral("data"), QStringLiteral("schema"), quote});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(quote + QStringLiteral(":2:2: the quote that opens this field is never closed")), qPrintable(r.err));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("quote.schema.yaml")))); // nothing written on failure

        const QString text = QStringLiteral("a,b\n1,2\n");
        QByteArray utf16("\xFF\xFE", 2);
        utf16 += QByteArray(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
        const QString wide = writeFile(m_dir.filePath(QStringLiteral("utf16.csv")), utf16);
        r = runCli({QStringLiteral("data"), QStringLiteral("stats"), wide});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("UTF-16 is not supported: convert to UTF-8")), qPrintable(r.err));

        const QString nul = writeFile(m_dir.filePath(QStringLiteral("nul.csv")), QByteArray("a,b\n1,2\n3,\0\n", 12));
        r = runCli({QStringLiteral("data"), QStringLiteral("stats"), nul});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(nul + QStringLiteral(":3:2: a NUL byte")), qPrintable(r.err));

        r = runCli({QStringLiteral("data"), QStringLiteral("stats"), ragged, QStringLiteral("--max-columns"), QStringLiteral("2")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(ragged + QStringLiteral(":1:3: more than 2 columns")), qPrintable(r.err));

        const QString badSchema = writeFile(m_dir.filePath(QStringLiteral("bad.schema.yaml")), "version: 1\ncolumns:\n  - {name: a, type: int, mn: 1}\n");
        r = runCli({QStringLiteral("data"), QStringLiteral("validate"), ragged, QStringLiteral("--schema"), badSchema});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(badSchema + QStringLiteral(":3:26: unknown key 'mn' in column 'a'")), qPrintable(r.err));

        r = runCli({QStringLiteral("data"), QStringLiteral("validate"), ragged}); // no schema beside it
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("no schema at")), qPrintable(r.err));
    }

    void usageErrors()
    {
        for (const QStringList &args : QList<QStringList>{{QStringLiteral("data"), QStringLiteral("stats")},
                                                          {QStringLiteral("data"), QStringLiteral("stats"), m_csv, QStringLiteral("--delimiter"), QStringLiteral("ab")},
                                                          {QStringLiteral("data"), QStringLiteral("stats"), m_csv, QStringLiteral("--bins"), QStringLiteral("0")},
                                                          {QStringLiteral("data"), QStringLiteral("schema"), m_csv, QStringLiteral("--skip-lines"), QStringLiteral("x")},
                                                          {QStringLiteral("data"), QStringLiteral("stats"), m_dir.filePath(QStringLiteral("missing.csv"))},
                                                          {QStringLiteral("data"), QStringLiteral("validate"), m_dir.path()}}) {
            const Run r = runCli(args);
            QVERIFY2(r.code == 2, qPrintable(args.join(QLatin1Char(' '))));
            QVERIFY2(!r.err.isEmpty(), qPrintable(args.join(QLatin1Char(' '))));
        }
    }
};

QTEST_GUILESS_MAIN(TstCliDataQuality)
#include "tst_cli_data_quality.moc"
