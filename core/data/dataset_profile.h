#pragma once
// DatasetProfile: per-column statistics of a CSV file, computed in one streaming pass in
// bounded memory — `orrery-cli data stats`, the Data view, and the starting point of schema
// inference (Schema::infer).
//
// Memory: the reader holds one record and one block; the columns share three budgets (values
// kept for exact quantiles, value hashes for exact distinct counts, values tracked for top
// counts). A column's share is the budget divided by the number of columns, with a floor so
// that very wide files still get usable sketches: memory stays near the budgets (~200 MB at the
// defaults) whatever the number of rows, and grows with the number of columns only past
// ~16,000 of them. Each figure says whether it is exact (see ColumnStats).
//
// Threads: profileCsv runs on the caller's thread (a Job's worker); it reports progress in bytes
// and stops with the cancelled Status when the job is cancelled.

#include "core/common/status.h"
#include "core/data/column_stats.h"
#include "core/data/csv_reader.h"

#include <QJsonObject>
#include <QStringList>

#include <vector>

namespace orrery::common {
class JobContext;
}

namespace orrery::data {

struct ProfileOptions {
    CsvOptions csv;
    QStringList nullValues;           // empty: NullValues::defaultTokens()
    int histogramBins = 20;
    int topValues = 10;
    int maxCategories = 50;           // text with at most this many distinct values is a category
    bool keepValues = true;           // false: skip quantiles and histograms
    qint64 exactValueBudget = 4 << 20;  // numbers kept for exact quantiles, all columns (8 bytes each)
    qint64 distinctBudget = 2 << 20;  // hashes kept for exact distinct counts (16 bytes each)
    qint64 frequentBudget = 1 << 20;  // values tracked for top counts
};

struct DatasetProfile {
    QString path;
    qint64 rows = 0;
    qint64 bytes = 0;
    CsvOptions csv;
    QStringList nullValues;
    std::vector<ColumnStats> columns;

    QJsonObject toJson() const;
};

Result<DatasetProfile> profileCsv(const QString &path, const ProfileOptions &options, common::JobContext *job = nullptr);

} // namespace orrery::data
