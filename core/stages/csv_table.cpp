#include "core/stages/csv_table.h"

#include "core/common/atomic_file.h"
#include "core/data/csv_reader.h"
#include "core/data/csv_writer.h"

#include <QDir>
#include <QFileInfo>

namespace orrery::stages {

Result<int> CsvTable::requireColumn(const QString &name, const QString &what) const
{
    const int c = column(name);
    if (c < 0)
        return invalidArgument(QStringLiteral("%1: the data has no column '%2' (columns: %3)").arg(what, name, columns.join(QStringLiteral(", "))));
    return c;
}

Result<CsvTable> CsvTable::read(const QString &path, const std::function<bool()> &cancelled)
{
    data::CsvReader reader;
    ORRERY_TRY(reader.open(path));
    CsvTable t;
    t.columns = reader.columnNames();
    while (reader.next()) {
        std::vector<std::string> row;
        row.reserve(reader.fields().size());
        for (const auto &f : reader.fields())
            row.emplace_back(f);
        t.rows.push_back(std::move(row));
        t.lines.push_back(reader.line());
        if (cancelled && (t.rows.size() & 4095) == 0 && cancelled())
            return orrery::cancelled(QStringLiteral("cancelled while reading %1").arg(path));
    }
    ORRERY_TRY(reader.status());
    return t;
}

Status CsvTable::write(const QString &path, const std::vector<size_t> *indices, const std::vector<int> *subset) const
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    common::AtomicFile file(path);
    ORRERY_TRY(file.open());
    data::CsvWriterOptions options;
    options.escapeFormulas = false; // data in, the same data out
    data::CsvWriter writer(&file, options);
    std::vector<int> all;
    if (!subset) {
        for (int c = 0; c < columns.size(); ++c)
            all.push_back(c);
        subset = &all;
    }
    QStringList header;
    for (int c : *subset)
        header << columns[c];
    ORRERY_TRY(writer.writeRow(header));
    std::vector<std::string_view> fields(subset->size());
    auto emit = [&](const std::vector<std::string> &row) -> Status {
        for (size_t k = 0; k < subset->size(); ++k)
            fields[k] = row[size_t((*subset)[k])];
        return writer.writeRow(fields);
    };
    if (indices) {
        for (size_t i : *indices)
            ORRERY_TRY(emit(rows[i]));
    } else {
        for (const auto &row : rows)
            ORRERY_TRY(emit(row));
    }
    ORRERY_TRY(writer.finish());
    return file.commit();
}

} // namespace orrery::stages
