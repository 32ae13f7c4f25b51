#pragma once
// CsvReader: a streaming RFC 4180 reader that never holds more than one record (plus one read
// block) in memory, and that stops at the first malformed record with an error naming the file,
// the line and the column, and saying how to fix it.
//
// What it reads: fields separated by a configurable delimiter; records ended by LF, CRLF or a
// lone CR (mixed endings are fine); fields in double quotes may hold delimiters, line breaks
// and doubled quotes (""). A UTF-8 byte-order mark is skipped. Blank lines are skipped, except
// in a one-column file, where an empty line is a missing value.
//
// What it refuses, each with file:line:column: UTF-16 and UTF-32 (a byte-order mark or the
// pattern of NUL bytes they leave in ASCII text), NUL bytes, a quote not closed before the end of
// the file (named at the line where it opened), characters after a closing quote, a record longer
// than CsvOptions::maxRecordBytes (default 64 MiB, so a 1 GB line stops after 64 MiB read),
// more columns than CsvOptions::maxColumns, duplicate column names, and, unless allowRaggedRows,
// a record with more or fewer fields than the header.
//
// Line numbers are the file's own (1-based, as an editor counts them): line() is the line where
// the current record starts, so "go to line" lands on it even when quoted fields span lines.
// Columns are 1-based field numbers.
//
// Performance contract: fields are byte views into the reader's buffer (no per-cell allocation);
// they stay valid until the next call to next(). Doubled quotes are collapsed in place. Typical
// numeric files tokenize at several hundred MB/s on one core.
//
// Threads: one reader belongs to one thread at a time.

#include "core/common/status.h"

#include <QString>
#include <QStringList>

#include <array>
#include <memory>
#include <string_view>
#include <vector>

class QIODevice;

namespace orrery::data {

struct CsvOptions {
    char delimiter = ',';
    bool hasHeader = true;                  // false: columns are named column_1, column_2, …
    int skipLines = 0;                      // raw lines before the header (a preamble) to skip
    qint64 maxRecordBytes = 64LL << 20;     // one record, all its lines included
    int maxColumns = 100000;
    qint64 blockSize = 1 << 20;             // bytes per read
    bool allowRaggedRows = false;           // true: short or long records are handed on as they are
};

class CsvReader {
public:
    explicit CsvReader(CsvOptions options = {});
    ~CsvReader();
    CsvReader(const CsvReader &) = delete;
    CsvReader &operator=(const CsvReader &) = delete;

    // Opens a file and reads its header. The error names the path.
    Status open(const QString &path);
    // Reads from a device that is already open (not owned; must outlive the reader). `name`
    // stands for it in errors.
    Status open(QIODevice *device, const QString &name);

    const QString &name() const { return m_name; }
    const QStringList &columnNames() const { return m_columnNames; }
    int columnCount() const { return int(m_columnNames.size()); }

    // Reads the next data record: true when there is one; false at the end of the data (status()
    // ok) or at an error (status() says which and where). After false, further calls return false.
    bool next();
    const std::vector<std::string_view> &fields() const { return m_fields; }
    std::string_view field(int column) const { return m_fields[size_t(column)]; }
    qint64 line() const { return m_recordLine; }       // where the current record starts
    qint64 recordCount() const { return m_records; }   // data records returned so far
    const Status &status() const { return m_status; }

    qint64 bytesRead() const { return m_consumedBefore + qint64(m_begin); } // for progress
    qint64 totalBytes() const { return m_totalBytes; }                      // -1 when unknown

    // An error at line:column of this file, in the reader's format ("name:line:column: what").
    Status errorAt(qint64 line, int column, const QString &what) const;

private:
    enum class Parse { Record, Blank, NeedMore, Error };
    Status start();
    Status fill();
    Status checkEncoding();
    Status skipRawLine(bool *done);
    Parse parseRecord();
    bool readRecord(); // parse with refills; false at the end or on error
    Status checkShape();

    CsvOptions m_options;
    QString m_name;
    QIODevice *m_device = nullptr;
    std::unique_ptr<QIODevice> m_ownedDevice;
    std::array<bool, 256> m_plainStop{}; // bytes that end an unquoted field's scan
    std::array<bool, 256> m_quotedStop{};

    // malloc'd so that growing it is a realloc: glibc moves large blocks with mremap, without
    // copying or touching fresh pages (page faults dominated a 1 GB record otherwise).
    struct FreeDeleter {
        void operator()(char *p) const;
    };
    std::unique_ptr<char, FreeDeleter> m_buffer;
    size_t m_capacity = 0;               // bytes of data m_buffer holds; one more for the sentinel
    size_t m_begin = 0;                  // first unparsed byte
    size_t m_end = 0;                    // end of valid data
    bool m_eof = false;
    qint64 m_consumedBefore = 0;         // file offset of m_buffer[0]
    qint64 m_totalBytes = -1;

    QStringList m_columnNames;
    std::vector<std::string_view> m_fields;
    std::vector<std::uint32_t> m_unescape; // fields holding doubled quotes, collapsed once complete
    qint64 m_line = 1;                   // line of m_begin
    qint64 m_recordLine = 0;
    qint64 m_records = 0;
    bool m_pending = false;              // without a header the first record was read by open()
    Status m_status;
    // Where parseRecord stopped when it needed more bytes or failed.
    qint64 m_errorLine = 0;
    int m_errorColumn = 0;
    QString m_error;
    bool m_inQuote = false;
    qint64 m_quoteLine = 0;
};

} // namespace orrery::data
