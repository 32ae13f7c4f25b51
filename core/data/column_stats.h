#pragma once
// ColumnStats: the statistics of one CSV column, as DatasetProfile computes them — what the
// `data stats` command prints, the Data view shows, and schema inference starts from.
//
// Which figures are exact: counts, nulls, mean, std, min and max always; quantiles and the
// histogram while the column's values fit the profile's budget (quantilesExact, else a
// reservoir sample with quantileRankError, see QuantileSketch); distinct while under the
// distinct budget (else a HyperLogLog estimate, distinctRelativeError); top values while the
// column has few enough distinct values (else topCountError bounds how far each count may be
// low, see FrequentValues). The JSON says which, next to each figure.

#include "core/data/csv_value.h"
#include "core/data/frequent_values.h"
#include "core/data/quantile_sketch.h"

#include <QJsonObject>
#include <QString>

#include <cmath>
#include <utility>
#include <vector>

namespace orrery::data {

struct ColumnStats {
    QString name;
    ColumnType type = ColumnType::String;
    qint64 count = 0; // cells with a value
    qint64 nulls = 0; // missing cells (NullValues)
    // What the values were: the type is the narrowest kind that holds them all.
    qint64 ints = 0, floats = 0, bools = 0, timestamps = 0, texts = 0;
    qint64 formulaLike = 0; // text cells a spreadsheet would evaluate (see looksLikeFormula)

    // Int and float columns. std is the sample standard deviation (n - 1), NaN below two values.
    double mean = std::nan(""), std = std::nan(""), min = std::nan(""), max = std::nan("");
    qint64 minInt = 0, maxInt = 0; // int columns: the bounds without rounding through double
    std::vector<std::pair<double, double>> quantiles; // (p, value): p01 p05 p25 p50 p75 p95 p99
    bool quantilesExact = true;
    double quantileRankError = 0.0;
    Histogram histogram;

    // Timestamp columns: microseconds since 1970-01-01T00:00:00Z.
    qint64 minTimestamp = 0, maxTimestamp = 0;

    qint64 distinct = 0;
    bool distinctExact = true;
    double distinctRelativeError = 0.0;
    std::vector<ValueCount> top; // most frequent values
    bool topExact = true;
    qint64 topCountError = 0;
    std::vector<ValueCount> categories; // every value, when type is Category

    qint64 rows() const { return count + nulls; }
    double nullFraction() const { return rows() > 0 ? double(nulls) / double(rows()) : 0.0; }
    bool isNumeric() const { return type == ColumnType::Int || type == ColumnType::Float; }
    // Every value differs from every other (known only while distinct is exact).
    bool isUnique() const { return distinctExact && count > 0 && distinct == count; }

    QJsonObject toJson() const;
};

// The quantiles every profile reports.
const std::vector<double> &standardQuantiles();
// "p01", "p50", …
QString quantileName(double p);

} // namespace orrery::data
