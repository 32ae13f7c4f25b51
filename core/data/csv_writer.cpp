#include "core/data/csv_writer.h"

#include "core/common/atomic_file.h"
#include "core/data/csv_value.h"

#include <QIODevice>

namespace orrery::data {
namespace {
constexpr qsizetype kFlushBytes = 1 << 20;
}

CsvWriter::CsvWriter(Sink sink, CsvWriterOptions options) : m_sink(std::move(sink)), m_options(options)
{
    m_buffer.reserve(kFlushBytes + 4096);
}

CsvWriter::CsvWriter(QIODevice *device, CsvWriterOptions options)
    : CsvWriter(
          [device](const char *data, qint64 size) -> Status {
              if (device->write(data, size) != size)
                  return ioError(QStringLiteral("cannot write CSV: %1").arg(device->errorString()));
              return Status::ok();
          },
          options)
{
}

CsvWriter::CsvWriter(common::AtomicFile *file, CsvWriterOptions options)
    : CsvWriter([file](const char *data, qint64 size) { return file->write(data, size); }, options)
{
}

void CsvWriter::appendField(QByteArray *out, std::string_view field, const CsvWriterOptions &options)
{
    const bool formula = options.escapeFormulas && looksLikeFormula(field);
    bool quote = formula || (!field.empty() && (field.front() == ' ' || field.back() == ' '));
    for (char c : field) {
        if (c == options.delimiter || c == '"' || c == '\n' || c == '\r') {
            quote = true;
            break;
        }
    }
    if (!quote) {
        out->append(field.data(), qsizetype(field.size()));
        return;
    }
    out->append('"');
    if (formula)
        out->append('\'');
    for (char c : field) {
        if (c == '"')
            out->append('"');
        out->append(c);
    }
    out->append('"');
}

Status CsvWriter::writeRow(const std::vector<std::string_view> &fields)
{
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0)
            m_buffer.append(m_options.delimiter);
        appendField(&m_buffer, fields[i], m_options);
    }
    m_buffer.append('\n');
    return flushIfFull();
}

Status CsvWriter::writeRow(const QStringList &fields)
{
    std::vector<QByteArray> utf8;
    utf8.reserve(size_t(fields.size()));
    std::vector<std::string_view> views;
    views.reserve(size_t(fields.size()));
    for (const QString &f : fields) {
        utf8.push_back(f.toUtf8());
        views.emplace_back(utf8.back().constData(), size_t(utf8.back().size()));
    }
    return writeRow(views);
}

Status CsvWriter::flushIfFull()
{
    if (m_buffer.size() < kFlushBytes)
        return Status::ok();
    return finish();
}

Status CsvWriter::finish()
{
    if (m_buffer.isEmpty())
        return Status::ok();
    Status s = m_sink(m_buffer.constData(), m_buffer.size());
    m_buffer.clear();
    return s;
}

} // namespace orrery::data
