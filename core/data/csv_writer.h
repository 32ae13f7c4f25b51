#pragma once
// CsvWriter: writes RFC 4180 CSV that spreadsheets open safely.
//
// A field is quoted when it holds the delimiter, a quote, a line break, or leading or trailing
// spaces; quotes inside are doubled. With escapeFormulas (the default) a cell that a spreadsheet
// would evaluate — it starts with =, +, -, @, a tab or a carriage return and is not a number —
// is written as text: prefixed with a single quote and quoted (the OWASP CSV-injection rule,
// CWE-1236). Numbers such as -3.5 or +7 are written unchanged. Records end with "\n".
//
// The writer buffers and hands whole blocks to its sink, so it suits a QIODevice and an
// AtomicFile alike. Call finish() to write the rest; the destructor does not (a write error must
// reach the caller).

#include "core/common/status.h"

#include <QByteArray>
#include <QStringList>

#include <functional>
#include <string_view>
#include <vector>

class QIODevice;

namespace orrery::common {
class AtomicFile;
}

namespace orrery::data {

struct CsvWriterOptions {
    char delimiter = ',';
    bool escapeFormulas = true;
};

class CsvWriter {
public:
    using Sink = std::function<Status(const char *data, qint64 size)>;

    explicit CsvWriter(Sink sink, CsvWriterOptions options = {});
    explicit CsvWriter(QIODevice *device, CsvWriterOptions options = {});         // not owned
    explicit CsvWriter(common::AtomicFile *file, CsvWriterOptions options = {});  // not owned; commit() stays the caller's

    Status writeRow(const std::vector<std::string_view> &fields);
    Status writeRow(const QStringList &fields);
    Status finish();

    // One field as it appears in the file (quoted and escaped as above).
    static void appendField(QByteArray *out, std::string_view field, const CsvWriterOptions &options);

private:
    Status flushIfFull();

    Sink m_sink;
    CsvWriterOptions m_options;
    QByteArray m_buffer;
};

} // namespace orrery::data
