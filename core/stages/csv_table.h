#pragma once
// CsvTable: a CSV file read whole into memory (the stages' working sets are modest: the demo's
// 50,000 rows are ~5 MB), and written back atomically — a stage's out appears complete or not at
// all.

#include "core/common/status.h"

#include <QString>
#include <QStringList>

#include <string>
#include <functional>
#include <vector>

namespace orrery::stages {

struct CsvTable {
    QStringList columns;
    std::vector<std::vector<std::string>> rows;
    std::vector<qint64> lines; // the file line of each row, for messages

    int column(const QString &name) const { return int(columns.indexOf(name)); }
    // The column, or InvalidArgument naming the file's columns.
    Result<int> requireColumn(const QString &name, const QString &what) const;

    static Result<CsvTable> read(const QString &path, const std::function<bool()> &cancelled = {});
    // Writes `columns` and the rows at `indices` (all rows when empty), atomically.
    Status write(const QString &path, const std::vector<size_t> *indices = nullptr, const std::vector<int> *columnSubset = nullptr) const;
};

} // namespace orrery::stages
