// CsvWriter: RFC 4180 quoting, the OWASP CSV-injection rule, and a round trip through CsvReader.
#include "core/common/atomic_file.h"
#include "core/data/csv_reader.h"
#include "core/data/csv_writer.h"

#include <QBuffer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using data::CsvWriter;

namespace {
QByteArray written(const QStringList &row, data::CsvWriterOptions options = {})
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    CsvWriter writer(&buffer, options);
    if (!writer.writeRow(row) || !writer.finish())
        return "<error>";
    return buffer.data();
}
} // namespace

class TstCsvWriter : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void quoting()
    {
        QCOMPARE(written({"a", "b c", "1.5"}), QByteArray("a,b c,1.5\n"));
        QCOMPARE(written({"x,y", "say \"hi\"", "two\nlines", ""}), QByteArray("\"x,y\",\"say \"\"hi\"\"\",\"two\nlines\",\n"));
        QCOMPARE(written({" padded "}), QByteArray("\" padded \"\n"));
        data::CsvWriterOptions semicolon;
        semicolon.delimiter = ';';
        QCOMPARE(written({"1,5", "a;b"}, semicolon), QByteArray("1,5;\"a;b\"\n"));
    }

    // OWASP: a cell a spreadsheet would evaluate is prefixed with ' and quoted; numbers are not.
    void formulasAreEscaped()
    {
        QCOMPARE(written({"=HYPERLINK(\"http://evil\",\"click\")"}), QByteArray("\"'=HYPERLINK(\"\"http://evil\"\",\"\"click\"\")\"\n"));
        QCOMPARE(written({"+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx"}),
                 QByteArray("\"'+cmd|' /C calc'!A0\",\"'-2+3\",\"'@SUM(A1)\",\"'\tx\"\n"));
        QCOMPARE(written({"-3.5", "+7", "-0", "1e-5"}), QByteArray("-3.5,+7,-0,1e-5\n"));
        data::CsvWriterOptions raw;
        raw.escapeFormulas = false;
        QCOMPARE(written({"=1+2"}, raw), QByteArray("=1+2\n"));
    }

    void roundTripThroughTheReader()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("out.csv"));
        const QList<QStringList> rows = {{"name", "note", "value"},
                                         {"Smith, J", "said \"hi\"", "-3.5"},
                                         {"multi\r\nline", "", "42"},
                                         {"\"", "a\"\"b", "x"}};
        common::AtomicFile file(path);
        QVERIFY(file.open().isOk());
        CsvWriter writer(&file);
        for (const QStringList &row : rows)
            QVERIFY(writer.writeRow(row).isOk());
        QVERIFY(writer.finish().isOk());
        QVERIFY(file.commit().isOk());

        data::CsvReader reader;
        QVERIFY(reader.open(path).isOk());
        QCOMPARE(reader.columnNames(), rows[0]);
        for (int r = 1; r < rows.size(); ++r) {
            QVERIFY2(reader.next(), qPrintable(reader.status().message()));
            QStringList got;
            for (std::string_view f : reader.fields())
                got << QString::fromUtf8(f.data(), qsizetype(f.size()));
            QCOMPARE(got, rows[r]);
        }
        QVERIFY(!reader.next());
        QVERIFY(reader.status().isOk());
    }
};

QTEST_GUILESS_MAIN(TstCsvWriter)
#include "tst_csv_writer.moc"
