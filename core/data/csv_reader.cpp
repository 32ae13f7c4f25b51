#include "core/data/csv_reader.h"

#include <QFile>
#include <QHash>

#include <cstdlib>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace orrery::data {
namespace {

// Bytes the buffer holds past the sentinel, so a 16-byte load starting at or before the
// sentinel never leaves the allocation.
constexpr size_t kPadding = 64;

// The first byte at or after p that ends an unquoted field: the delimiter, CR, LF or NUL. The
// sentinel after the data guarantees there is one. SSE2 (every x86-64) checks 16 bytes per step:
// numeric fields are short, and one predictable test per field beats a branch per byte.
const char *scanPlain(const char *p, char delimiter, const bool *stop)
{
#if defined(__SSE2__)
    const __m128i d = _mm_set1_epi8(delimiter);
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i nul = _mm_setzero_si128();
    for (;;) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        const __m128i hits = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, lf)),
                                          _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, nul)));
        const int mask = _mm_movemask_epi8(hits);
        if (mask != 0)
            return p + __builtin_ctz(unsigned(mask));
        p += 16;
    }
#else
    while (!stop[static_cast<unsigned char>(*p)])
        ++p;
    return p;
#endif
}

QString byteSize(qint64 bytes)
{
    if (bytes >= (1LL << 20) && bytes % (1LL << 20) == 0)
        return QStringLiteral("%1 MiB").arg(bytes >> 20);
    if (bytes >= (1LL << 10) && bytes % (1LL << 10) == 0)
        return QStringLiteral("%1 KiB").arg(bytes >> 10);
    return QStringLiteral("%1 bytes").arg(bytes);
}

QString printable(char c)
{
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f)
        return QStringLiteral("'%1'").arg(QLatin1Char(c));
    return QStringLiteral("byte 0x%1").arg(u, 2, 16, QLatin1Char('0'));
}

} // namespace

CsvReader::CsvReader(CsvOptions options) : m_options(options)
{
}

CsvReader::~CsvReader() = default;

void CsvReader::FreeDeleter::operator()(char *p) const
{
    std::free(p);
}

Status CsvReader::errorAt(qint64 line, int column, const QString &what) const
{
    return invalidArgument(QStringLiteral("%1:%2:%3: %4").arg(m_name).arg(line).arg(column).arg(what));
}

Status CsvReader::open(const QString &path)
{
    auto file = std::make_unique<QFile>(path);
    // Unbuffered: the reader's own blocks are the only buffer, no second copy through QIODevice.
    if (!file->open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return ioError(QStringLiteral("cannot open %1: %2").arg(path, file->errorString()));
    m_totalBytes = file->size();
    m_ownedDevice = std::move(file);
    m_device = m_ownedDevice.get();
    m_name = path;
    return m_status = start();
}

Status CsvReader::open(QIODevice *device, const QString &name)
{
    m_device = device;
    m_name = name;
    m_totalBytes = device->isSequential() ? -1 : device->size();
    return m_status = start();
}

Status CsvReader::start()
{
    const char d = m_options.delimiter;
    if (d == '"' || d == '\n' || d == '\r' || d == '\0')
        return invalidArgument(QStringLiteral("%1: the delimiter cannot be %2; use ',', ';', '|' or a tab").arg(m_name, printable(d)));
    if (m_options.maxColumns < 1 || m_options.maxRecordBytes < 1 || m_options.skipLines < 0)
        return invalidArgument(QStringLiteral("%1: the column and record limits must be positive").arg(m_name));
    for (char c : {d, '\n', '\r', '\0'})
        m_plainStop[static_cast<unsigned char>(c)] = true;
    for (char c : {'"', '\n', '\r', '\0'})
        m_quotedStop[static_cast<unsigned char>(c)] = true;
    m_capacity = size_t(qBound<qint64>(16, m_options.blockSize, 1LL << 30));
    m_buffer.reset(static_cast<char *>(std::calloc(m_capacity + 1 + kPadding, 1)));
    if (!m_buffer)
        return ioError(QStringLiteral("%1: out of memory for a %2 read buffer").arg(m_name, byteSize(qint64(m_capacity))));

    ORRERY_TRY(fill());
    ORRERY_TRY(checkEncoding());
    for (int i = 0; i < m_options.skipLines; ++i) {
        bool done = false;
        while (!done)
            ORRERY_TRY(skipRawLine(&done));
    }
    if (!readRecord()) {
        if (!m_status.isOk())
            return m_status;
        return invalidArgument(QStringLiteral("%1: the file has no %2; a CSV file needs at least a header line")
                                   .arg(m_name, m_options.skipLines > 0 ? QStringLiteral("lines after the skipped ones") : QStringLiteral("lines")));
    }
    m_columnNames.reserve(qsizetype(m_fields.size()));
    if (!m_options.hasHeader) {
        for (size_t i = 0; i < m_fields.size(); ++i)
            m_columnNames << QStringLiteral("column_%1").arg(i + 1);
        m_pending = true; // the first record is data
        return Status::ok();
    }
    QHash<QString, int> seen;
    for (size_t i = 0; i < m_fields.size(); ++i) {
        QString name = QString::fromUtf8(m_fields[i].data(), qsizetype(m_fields[i].size())).trimmed();
        if (name.isEmpty())
            name = QStringLiteral("column_%1").arg(i + 1); // pandas writes an unnamed index column
        const auto it = seen.constFind(name);
        if (it != seen.constEnd())
            return errorAt(m_recordLine, int(i) + 1,
                           QStringLiteral("column %1 has the same name as column %2 ('%3'); rename one of them in the header")
                               .arg(i + 1)
                               .arg(it.value() + 1)
                               .arg(name));
        seen.insert(name, int(i));
        m_columnNames << name;
    }
    return Status::ok();
}

Status CsvReader::fill()
{
    char *base = m_buffer.get();
    if (m_begin > 0) {
        std::memmove(base, base + m_begin, m_end - m_begin);
        m_consumedBefore += qint64(m_begin);
        m_end -= m_begin;
        m_begin = 0;
    }
    if (m_end == m_capacity) {
        // One record fills the buffer: grow it, up to the record limit (the caller checked it).
        const size_t grown = qMax(size_t(qMin<qint64>(qint64(m_capacity) * 2, m_options.maxRecordBytes + 1)), m_capacity + 1);
        char *bigger = static_cast<char *>(std::realloc(base, grown + 1 + kPadding));
        if (!bigger)
            return ioError(QStringLiteral("%1: out of memory for a record of %2").arg(m_name, byteSize(qint64(grown))));
        m_buffer.release();
        m_buffer.reset(bigger);
        m_capacity = grown;
        base = bigger;
    }
    const qint64 n = m_device->read(base + m_end, qint64(m_capacity - m_end));
    if (n < 0)
        return ioError(QStringLiteral("cannot read %1: %2").arg(m_name, m_device->errorString()));
    if (n == 0)
        m_eof = true;
    m_end += size_t(n);
    base[m_end] = '\n'; // the sentinel that ends every scan without a bounds check
    return Status::ok();
}

Status CsvReader::checkEncoding()
{
    const auto *b = reinterpret_cast<const unsigned char *>(m_buffer.get() + m_begin);
    const size_t n = m_end - m_begin;
    const QString fix = QStringLiteral("convert to UTF-8, for example: iconv -f %1 -t UTF-8 '%2' > converted.csv");
    auto refuse = [&](const char *encoding, const char *how) {
        return errorAt(1, 1, QStringLiteral("the file is %1 (%2). %1 is not supported: ")
                                 .arg(QLatin1String(encoding), QLatin1String(how))
                             + fix.arg(QString::fromLatin1(encoding).left(6), m_name));
    };
    if (n >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0)
        return refuse("UTF-32", "little-endian byte-order mark FF FE 00 00");
    if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF)
        return refuse("UTF-32", "big-endian byte-order mark 00 00 FE FF");
    if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE)
        return refuse("UTF-16", "little-endian byte-order mark FF FE");
    if (n >= 2 && b[0] == 0xFE && b[1] == 0xFF)
        return refuse("UTF-16", "big-endian byte-order mark FE FF");
    if (n >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) {
        m_begin += 3;
        return Status::ok();
    }
    // UTF-16 without a byte-order mark: ASCII text leaves a NUL in every other byte.
    const size_t sample = qMin<size_t>(n, 4096) & ~size_t(1);
    if (sample >= 4) {
        size_t evenNul = 0, oddNul = 0;
        for (size_t i = 0; i < sample; i += 2) {
            evenNul += b[i] == 0;
            oddNul += b[i + 1] == 0;
        }
        const size_t pairs = sample / 2;
        if (oddNul * 2 >= pairs && evenNul * 8 < oddNul)
            return refuse("UTF-16", "little-endian, no byte-order mark: every other byte is NUL");
        if (evenNul * 2 >= pairs && oddNul * 8 < evenNul)
            return refuse("UTF-16", "big-endian, no byte-order mark: every other byte is NUL");
    }
    return Status::ok();
}

Status CsvReader::skipRawLine(bool *done)
{
    const char *base = m_buffer.get();
    for (size_t i = m_begin; i < m_end; ++i) {
        const char c = base[i];
        if (c != '\n' && c != '\r')
            continue;
        if (c == '\r' && i + 1 == m_end && !m_eof)
            break; // is it CRLF? read on
        size_t next = i + 1;
        if (c == '\r' && next < m_end && base[next] == '\n')
            ++next;
        m_begin = next;
        ++m_line;
        *done = true;
        return Status::ok();
    }
    if (m_eof) {
        m_begin = m_end;
        *done = true;
        return Status::ok();
    }
    if (qint64(m_end - m_begin) > m_options.maxRecordBytes)
        return errorAt(m_line, 1, QStringLiteral("a skipped line is longer than %1").arg(byteSize(m_options.maxRecordBytes)));
    *done = false;
    return fill();
}

CsvReader::Parse CsvReader::parseRecord()
{
    char *const base = m_buffer.get();
    char *p = base + m_begin;
    char *const e = base + m_end;
    const char *const recordStart = p;
    const char delimiter = m_options.delimiter;
    const bool *plainStop = m_plainStop.data();
    const bool *quotedStop = m_quotedStop.data();
    const size_t maxColumns = size_t(m_options.maxColumns);
    qint64 lines = 0; // line breaks inside this record so far
    m_fields.clear();
    m_unescape.clear();
    m_inQuote = false;

    auto fail = [&](qint64 line, size_t column, const QString &what) {
        m_errorLine = line;
        m_errorColumn = int(column);
        m_error = what;
        return Parse::Error;
    };
    auto needMore = [&] {
        m_errorLine = m_line;
        m_errorColumn = int(m_fields.size()) + 1;
        return Parse::NeedMore;
    };
    const QString nulError = QStringLiteral("a NUL byte (0x00): the file is binary or not UTF-8 text (UTF-16?); convert it to UTF-8");

    for (;;) {
        if (m_fields.size() >= maxColumns)
            return fail(m_line + lines, maxColumns + 1,
                        QStringLiteral("more than %1 columns, the limit; if the file is right, raise it (--max-columns)").arg(maxColumns));
        if (*p == '"') {
            m_inQuote = true;
            m_quoteLine = m_line + lines;
            char *const contentStart = ++p;
            char *contentEnd = nullptr;
            bool doubled = false;
            for (;;) {
                while (!quotedStop[static_cast<unsigned char>(*p)])
                    ++p;
                if (p == e) {
                    if (!m_eof)
                        return needMore();
                    return fail(m_quoteLine, m_fields.size() + 1,
                                QStringLiteral("the quote that opens this field is never closed (the file ends inside it); "
                                               "close it, or write a quote inside a field as two quotes (\"\")"));
                }
                const char c = *p;
                if (c == '\n' || c == '\r') {
                    if (!(c == '\r' && p + 1 < e && p[1] == '\n'))
                        ++lines; // CRLF counts once, at its LF
                    ++p;
                    continue;
                }
                if (c == '\0')
                    return fail(m_line + lines, m_fields.size() + 1, nulError);
                if (p + 1 == e && !m_eof)
                    return needMore(); // a quote at the end of the block: doubled or closing?
                if (p + 1 < e && p[1] == '"') {
                    doubled = true;
                    p += 2;
                    continue;
                }
                contentEnd = p++;
                break;
            }
            m_inQuote = false;
            if (doubled)
                m_unescape.push_back(std::uint32_t(m_fields.size()));
            m_fields.emplace_back(contentStart, size_t(contentEnd - contentStart));
            if (p == e) {
                if (!m_eof)
                    return needMore();
                break;
            }
            if (*p == delimiter) {
                ++p;
                continue;
            }
            if (*p == '\n' || *p == '\r')
                break;
            return fail(m_line + lines, m_fields.size(),
                        QStringLiteral("%1 after the closing quote of a quoted field; a quote inside a quoted field is written as "
                                       "two quotes (\"\"), and the field must end at the quote")
                            .arg(printable(*p)));
        }
        char *const fieldStart = p;
        p = const_cast<char *>(scanPlain(p, delimiter, plainStop));
        if (p == e) {
            if (!m_eof)
                return needMore();
            m_fields.emplace_back(fieldStart, size_t(p - fieldStart));
            break;
        }
        if (*p == '\0')
            return fail(m_line + lines, m_fields.size() + 1, nulError);
        m_fields.emplace_back(fieldStart, size_t(p - fieldStart));
        if (*p == delimiter) {
            ++p;
            continue;
        }
        break; // a line break
    }
    // p is at the record's line break, or at the end of the data.
    if (p != e) {
        if (*p == '\r') {
            if (p + 1 == e && !m_eof)
                return needMore(); // CR or CRLF?
            ++p;
            if (p != e && *p == '\n')
                ++p;
        } else {
            ++p;
        }
        ++lines;
    }
    if (qint64(p - recordStart) > m_options.maxRecordBytes)
        return fail(m_line, m_fields.size(),
                    QStringLiteral("this record is longer than %1, the limit; if the file is right, raise it (--max-record-bytes)")
                        .arg(byteSize(m_options.maxRecordBytes)));
    const bool blank = recordStart == e || *recordStart == '\n' || *recordStart == '\r';
    m_recordLine = m_line;
    m_line += lines;
    m_begin = size_t(p - base);
    // Collapse doubled quotes in place: the record is complete, so no re-parse will see them.
    for (std::uint32_t index : m_unescape) {
        std::string_view &f = m_fields[index];
        char *dst = const_cast<char *>(f.data());
        char *const start = dst;
        const char *src = f.data();
        const char *const end = src + f.size();
        while (src < end) {
            const char c = *src++;
            *dst++ = c;
            if (c == '"')
                ++src;
        }
        f = std::string_view(start, size_t(dst - start));
    }
    return blank ? Parse::Blank : Parse::Record;
}

bool CsvReader::readRecord()
{
    for (;;) {
        if (m_begin == m_end && m_eof)
            return false;
        switch (parseRecord()) {
        case Parse::Record:
            return true;
        case Parse::Blank:
            // An empty line is a missing value in a one-column file and nothing otherwise.
            if (m_columnNames.size() == 1)
                return true;
            continue;
        case Parse::Error:
            m_status = errorAt(m_errorLine, m_errorColumn, m_error);
            return false;
        case Parse::NeedMore:
            break;
        }
        if (qint64(m_end - m_begin) > m_options.maxRecordBytes) {
            m_status = m_inQuote
                ? errorAt(m_quoteLine, m_errorColumn,
                          QStringLiteral("a quoted field opens here and is still open after %1, the record limit: an unclosed "
                                         "quote? Close it, or raise the limit (--max-record-bytes) if the file is right")
                              .arg(byteSize(m_options.maxRecordBytes)))
                : errorAt(m_errorLine, m_errorColumn,
                          QStringLiteral("this record is longer than %1, the limit (column %2 is still going); if the file is "
                                         "right, raise it (--max-record-bytes)")
                              .arg(byteSize(m_options.maxRecordBytes))
                              .arg(m_errorColumn));
            return false;
        }
        if (Status s = fill(); !s) {
            m_status = s;
            return false;
        }
    }
}

Status CsvReader::checkShape()
{
    const int expected = columnCount();
    const int got = int(m_fields.size());
    if (got == expected || m_options.allowRaggedRows)
        return Status::ok();
    if (got < expected)
        return errorAt(m_recordLine, got + 1,
                       QStringLiteral("this record has %1 field%2 but the header has %3 columns: column %4 ('%5') is missing; "
                                      "add the missing fields, or quote a field that contains line breaks")
                           .arg(got)
                           .arg(got == 1 ? "" : "s")
                           .arg(expected)
                           .arg(got + 1)
                           .arg(m_columnNames.at(got)));
    return errorAt(m_recordLine, expected + 1,
                   QStringLiteral("this record has %1 fields but the header has %2 columns; a field that contains the "
                                  "delimiter %3 must be quoted")
                       .arg(got)
                       .arg(expected)
                       .arg(printable(m_options.delimiter)));
}

bool CsvReader::next()
{
    if (!m_status.isOk() || m_device == nullptr)
        return false;
    if (m_pending) {
        m_pending = false;
        ++m_records;
        return true;
    }
    if (!readRecord())
        return false;
    if (Status s = checkShape(); !s) {
        m_status = s;
        return false;
    }
    ++m_records;
    return true;
}

} // namespace orrery::data
