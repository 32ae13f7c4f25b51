// CsvReader: RFC 4180 cases, streaming across block boundaries, and the bad-input catalogue
// (reliability.md #32, #34): each bad input is a clear error naming line and column.
#include "core/data/csv_reader.h"

#include <QBuffer>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using data::CsvOptions;
using data::CsvReader;

namespace {

struct Parsed {
    QStringList header;
    QList<QStringList> rows;
    QList<qint64> lines;
    Status status;
};

Parsed parse(const QByteArray &bytes, CsvOptions options = {})
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    CsvReader reader(options);
    Parsed out;
    out.status = reader.open(&buffer, QStringLiteral("t.csv"));
    if (!out.status)
        return out;
    out.header = reader.columnNames();
    while (reader.next()) {
        QStringList row;
        for (std::string_view f : reader.fields())
            row << QString::fromUtf8(f.data(), qsizetype(f.size()));
        out.rows << row;
        out.lines << reader.line();
    }
    out.status = reader.status();
    return out;
}

QString errorOf(const QByteArray &bytes, CsvOptions options = {})
{
    const Parsed p = parse(bytes, options);
    return p.status.isOk() ? QStringLiteral("<no error>") : p.status.message();
}

// A sequential device that produces `size` bytes: `prefix`, then `fill` repeated. Nothing is
// stored, so a test can feed a reader a 1 GB line without a 1 GB file.
class GeneratedDevice : public QIODevice {
public:
    GeneratedDevice(QByteArray prefix, qint64 size, char fill) : m_prefix(std::move(prefix)), m_size(size), m_fill(fill) {}
    bool isSequential() const override { return true; }
    qint64 produced() const { return m_pos; }

protected:
    qint64 readData(char *data, qint64 max) override
    {
        const qint64 n = qMin(max, m_size - m_pos);
        for (qint64 i = 0; i < n; ++i) {
            const qint64 at = m_pos + i;
            if (at < m_prefix.size()) {
                data[i] = m_prefix[at];
            } else {
                std::memset(data + i, m_fill, size_t(n - i));
                break;
            }
        }
        m_pos += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_prefix;
    qint64 m_size;
    char m_fill;
    qint64 m_pos = 0;
};

} // namespace

class TstCsvReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void simpleFile()
    {
        const Parsed p = parse("a,b,c\n1,2,3\n4,5,6\n");
        QVERIFY2(p.status.isOk(), qPrintable(p.status.message()));
        QCOMPARE(p.header, (QStringList{"a", "b", "c"}));
        QCOMPARE(p.rows.size(), 2);
        QCOMPARE(p.rows[1], (QStringList{"4", "5", "6"}));
        QCOMPARE(p.lines, (QList<qint64>{2, 3}));
    }

    void rfc4180Quoting()
    {
        const Parsed p = parse("name,note\r\n\"Smith, J\",\"said \"\"hi\"\"\"\r\n\"two\nlines\",\"\"\r\nlast,\"x\"");
        QVERIFY2(p.status.isOk(), qPrintable(p.status.message()));
        QCOMPARE(p.rows.size(), 3);
        QCOMPARE(p.rows[0], (QStringList{"Smith, J", "said \"hi\""}));
        QCOMPARE(p.rows[1], (QStringList{"two\nlines", ""}));
        QCOMPARE(p.rows[2], (QStringList{"last", "x"}));
        // Line numbers are where each record starts in the file, counting the embedded line break.
        QCOMPARE(p.lines, (QList<qint64>{2, 3, 5}));
    }

    void lineEndingsAndBom()
    {
        const QByteArray lf = "a,b\n1,2\n3,4\n";
        const QByteArray crlf = "a,b\r\n1,2\r\n3,4\r\n";
        const QByteArray cr = "a,b\r1,2\r3,4\r";
        const QByteArray mixed = "\xEF\xBB\xBF" "a,b\r\n1,2\n3,4";
        for (const QByteArray &bytes : {lf, crlf, cr, mixed}) {
            const Parsed p = parse(bytes);
            QVERIFY2(p.status.isOk(), qPrintable(p.status.message()));
            QCOMPARE(p.header, (QStringList{"a", "b"})); // the BOM is not part of the first name
            QCOMPARE(p.rows, (QList<QStringList>{{"1", "2"}, {"3", "4"}}));
            QCOMPARE(p.lines, (QList<qint64>{2, 3}));
        }
    }

    void emptyFieldsAndBlankLines()
    {
        const Parsed p = parse("a,b,c\n,,\n\n1,,\n\r\n,2,\n");
        QVERIFY2(p.status.isOk(), qPrintable(p.status.message()));
        QCOMPARE(p.rows, (QList<QStringList>{{"", "", ""}, {"1", "", ""}, {"", "2", ""}}));
        QCOMPARE(p.lines, (QList<qint64>{2, 4, 6}));
        // One column: an empty line is a missing value, not nothing.
        const Parsed one = parse("x\n1\n\n3\n");
        QCOMPARE(one.rows, (QList<QStringList>{{"1"}, {""}, {"3"}}));
    }

    void otherDelimitersHeaderlessAndPreamble()
    {
        CsvOptions tab;
        tab.delimiter = '\t';
        QCOMPARE(parse("a\tb\n1,5\t\"x\ty\"\n", tab).rows, (QList<QStringList>{{"1,5", "x\ty"}}));
        CsvOptions headerless;
        headerless.hasHeader = false;
        const Parsed h = parse("1,2\n3,4\n", headerless);
        QCOMPARE(h.header, (QStringList{"column_1", "column_2"}));
        QCOMPARE(h.rows.size(), 2);
        QCOMPARE(h.lines, (QList<qint64>{1, 2}));
        // scikit-learn's bundled CSVs start with a line of counts, then headerless data.
        CsvOptions sklearn;
        sklearn.skipLines = 1;
        sklearn.hasHeader = false;
        const Parsed s = parse("150,4,setosa\n5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0.2,0\n", sklearn);
        QVERIFY2(s.status.isOk(), qPrintable(s.status.message()));
        QCOMPARE(s.header.size(), 5);
        QCOMPARE(s.lines, (QList<qint64>{2, 3}));
        // An unnamed column (pandas' index) gets a name; duplicate names are refused.
        QCOMPARE(parse(",a\n0,1\n").header, (QStringList{"column_1", "a"}));
        QVERIFY(errorOf("a,b,a\n1,2,3\n").startsWith(QStringLiteral("t.csv:1:3: column 3 has the same name as column 1")));
    }

    // Every block size splits records, quotes, doubled quotes and CRLF at every possible place;
    // the result must never depend on where the reads happened to end.
    void blockBoundariesDoNotMatter()
    {
        const QByteArray text = "id,text,value\r\n1,\"a \"\"quoted\"\" word\",3.5\r\n2,\"multi\r\nline, with comma\",-1\r\n"
                                "3,plain,\"\"\r\n4,\"\"\"\",7\n5,end,8";
        CsvOptions big;
        const Parsed reference = parse(text, big);
        QVERIFY2(reference.status.isOk(), qPrintable(reference.status.message()));
        QCOMPARE(reference.rows.size(), 5);
        QCOMPARE(reference.rows[3], (QStringList{"4", "\"", "7"}));
        for (int block = 16; block <= 80; ++block) {
            CsvOptions small;
            small.blockSize = block;
            const Parsed p = parse(text, small);
            QVERIFY2(p.status.isOk(), qPrintable(QStringLiteral("block %1: %2").arg(block).arg(p.status.message())));
            QCOMPARE(p.rows, reference.rows);
            QCOMPARE(p.lines, reference.lines);
        }
    }

    void readsAFileInBoundedMemory()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("big.csv"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("a,b\n");
        QByteArray chunk;
        for (int i = 0; i < 100000; ++i)
            chunk += QByteArray::number(i) + ',' + QByteArray::number(i * 0.5) + '\n';
        f.write(chunk);
        f.close();
        CsvOptions options;
        options.blockSize = 4096; // the buffer stays one block: records are short
        CsvReader reader(options);
        QVERIFY(reader.open(path).isOk());
        qint64 sum = 0;
        while (reader.next())
            sum += QByteArray(reader.field(0).data(), int(reader.field(0).size())).toLongLong();
        QVERIFY(reader.status().isOk());
        QCOMPARE(reader.recordCount(), 100000);
        QCOMPARE(sum, 4999950000LL);
        QCOMPARE(reader.bytesRead(), reader.totalBytes());
    }

    // --- bad input: each a clear error with line and column ---

    void raggedRows()
    {
        QCOMPARE(errorOf("a,b,c\n1,2,3\n4,5\n"),
                 QStringLiteral("t.csv:3:3: this record has 2 fields but the header has 3 columns: column 3 ('c') is missing; "
                                "add the missing fields, or quote a field that contains line breaks"));
        QVERIFY(errorOf("a,b\n1,2\n3,4,5\n").startsWith(QStringLiteral("t.csv:3:3: this record has 3 fields but the header has 2 columns")));
        CsvOptions lenient;
        lenient.allowRaggedRows = true;
        QCOMPARE(parse("a,b\n1\n1,2,3\n", lenient).rows, (QList<QStringList>{{"1"}, {"1", "2", "3"}}));
    }

    void unclosedQuoteNamesWhereItOpened()
    {
        const QString e = errorOf("a,b\n1,2\n3,\"open\n4,5\n6,7\n");
        QVERIFY2(e.startsWith(QStringLiteral("t.csv:3:2: the quote that opens this field is never closed")), qPrintable(e));
        // With a small record limit the open quote is still named, at its own line.
        CsvOptions limited;
        limited.maxRecordBytes = 64;
        limited.blockSize = 16;
        QByteArray body = "a,b\n1,\"never closed";
        for (int i = 0; i < 20; ++i)
            body += "\nmore,lines";
        const QString e2 = errorOf(body, limited);
        QVERIFY2(e2.startsWith(QStringLiteral("t.csv:2:2: a quoted field opens here and is still open after 64 bytes")), qPrintable(e2));
    }

    void textAfterClosingQuote()
    {
        const QString e = errorOf("a,b\n\"x\"y,2\n");
        QVERIFY2(e.startsWith(QStringLiteral("t.csv:2:1: 'y' after the closing quote")), qPrintable(e));
    }

    void utf16IsRefused()
    {
        const QString text = QStringLiteral("a,b\n1,2\n");
        QByteArray le("\xFF\xFE", 2);
        le += QByteArray(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
        QByteArray be("\xFE\xFF", 2);
        for (QChar c : text)
            be += char(c.unicode() >> 8), be += char(c.unicode() & 0xff);
        const QByteArray noBom = le.mid(2);
        for (const QByteArray &bytes : {le, be, noBom}) {
            const QString e = errorOf(bytes);
            QVERIFY2(e.contains(QStringLiteral("UTF-16 is not supported: convert to UTF-8")), qPrintable(e));
            QVERIFY(e.startsWith(QStringLiteral("t.csv:1:1: the file is UTF-16")));
        }
        QVERIFY(errorOf(QByteArray("\xFF\xFE\0\0a\0\0\0", 8)).contains(QStringLiteral("UTF-32 is not supported")));
    }

    void nulBytes()
    {
        QCOMPARE(errorOf(QByteArray("a,b\n1,2\n3,x\0y\n", 15)),
                 QStringLiteral("t.csv:3:2: a NUL byte (0x00): the file is binary or not UTF-8 text (UTF-16?); convert it to UTF-8"));
        QVERIFY(errorOf(QByteArray("a,b\n1,\"q\0\"\n", 11)).startsWith(QStringLiteral("t.csv:2:2: a NUL byte")));
    }

    void recordLongerThanTheLimit()
    {
        CsvOptions limited;
        limited.maxRecordBytes = 100;
        limited.blockSize = 32;
        const QString e = errorOf("a,b\n1,2\n3," + QByteArray(500, 'x') + "\n5,6\n", limited);
        QVERIFY2(e.startsWith(QStringLiteral("t.csv:3:2: this record is longer than 100 bytes, the limit")), qPrintable(e));
        // Also when the long record sits inside one block (no refill involved).
        limited.blockSize = 1 << 20;
        QVERIFY(errorOf("a,b\n1,2\n3," + QByteArray(500, 'x') + "\n5,6\n", limited).startsWith(QStringLiteral("t.csv:3:")));
    }

    // A real 1 GB line, streamed (nothing on disk): with the default 64 MiB limit the reader stops
    // after reading about 64 MiB, naming the line, instead of growing to a gigabyte.
    void oneGigabyteLineStopsAtTheLimit()
    {
        GeneratedDevice device("a,b\n1,", 1LL << 30, 'x');
        QVERIFY(device.open(QIODevice::ReadOnly | QIODevice::Unbuffered));
        CsvReader reader;
        QVERIFY(reader.open(&device, QStringLiteral("huge.csv")).isOk());
        QVERIFY(!reader.next());
        QVERIFY2(reader.status().message().startsWith(QStringLiteral("huge.csv:2:2: this record is longer than 64 MiB, the limit")),
                 qPrintable(reader.status().message()));
        QVERIFY2(device.produced() <= (66LL << 20), qPrintable(QString::number(device.produced())));
    }

    // The same line read to its end when the limit allows it: a 1 GB field is data, not a crash.
    void oneGigabyteLineWithARaisedLimit()
    {
        const qint64 size = 1LL << 30;
        GeneratedDevice device("a,b\n1,", size, 'x');
        QVERIFY(device.open(QIODevice::ReadOnly | QIODevice::Unbuffered));
        CsvOptions options;
        options.maxRecordBytes = size;
        options.blockSize = 8 << 20;
        CsvReader reader(options);
        QVERIFY(reader.open(&device, QStringLiteral("huge.csv")).isOk());
        QElapsedTimer t;
        t.start();
        QVERIFY2(reader.next(), qPrintable(reader.status().message()));
        QCOMPARE(qint64(reader.field(1).size()), size - 6);
        QVERIFY(!reader.next());
        QVERIFY(reader.status().isOk());
        qInfo("1 GB line read in %lld ms", t.elapsed());
    }

    void hundredThousandColumns()
    {
        QByteArray text;
        for (int i = 0; i < 100000; ++i)
            text += (i ? "," : "") + QByteArray("c") + QByteArray::number(i);
        text += '\n';
        for (int r = 0; r < 3; ++r) {
            for (int i = 0; i < 100000; ++i)
                text += (i ? "," : "") + QByteArray::number(i + r);
            text += '\n';
        }
        const Parsed p = parse(text);
        QVERIFY2(p.status.isOk(), qPrintable(p.status.message()));
        QCOMPARE(p.header.size(), 100000);
        QCOMPARE(p.rows.size(), 3);
        QCOMPARE(p.rows[2].last(), QStringLiteral("100001"));
        CsvOptions limited;
        limited.maxColumns = 1000;
        QCOMPARE(errorOf(text, limited),
                 QStringLiteral("t.csv:1:1001: more than 1000 columns, the limit; if the file is right, raise it (--max-columns)"));
    }

    void emptyFileAndBadOptions()
    {
        QVERIFY(errorOf("").contains(QStringLiteral("has no lines")));
        QVERIFY(errorOf("\n\n").contains(QStringLiteral("has no lines")));
        CsvOptions bad;
        bad.delimiter = '"';
        QVERIFY(errorOf("a\n", bad).contains(QStringLiteral("delimiter cannot be")));
        CsvReader reader;
        QVERIFY(reader.open(QStringLiteral("/nonexistent/x.csv")).message().startsWith(QStringLiteral("cannot open /nonexistent/x.csv")));
    }

    // Truncations and random bytes never crash or hang: the reader returns rows or an error.
    void fuzzedInputsEndCleanly()
    {
        const QByteArray seed = "id,\"na,me\",v\r\n1,\"a\"\"b\",2\n2,\"x\ny\",3\n";
        quint32 state = 12345;
        for (int round = 0; round < 3000; ++round) {
            QByteArray bytes = seed.left(int(state % quint32(seed.size() + 1)));
            for (int k = 0; k < 3; ++k) {
                state = state * 1664525u + 1013904223u;
                static const char kChoices[] = {'"', ',', '\n', '\r', '\0', 'x'};
                if (!bytes.isEmpty())
                    bytes[int(state % quint32(bytes.size()))] = kChoices[(state >> 24) % 6];
            }
            CsvOptions options;
            options.blockSize = 16 + int(state % 32);
            const Parsed p = parse(bytes, options);
            QVERIFY(p.rows.size() <= 10);
        }
    }
};

QTEST_GUILESS_MAIN(TstCsvReader)
#include "tst_csv_reader.moc"
