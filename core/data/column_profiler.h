#pragma once
// ColumnProfiler: accumulates one column's statistics in a single pass, one cell at a time, in
// memory bounded by its limits (DatasetProfile derives them from the file-wide budgets).
//
// Hot path: a cell costs a trim, a null check, one classification that parses the value, and
// constant-time updates (Welford's mean and variance, min/max, the sketches). No allocation
// happens per cell except when a new value enters the frequent-values table.

#include "core/data/column_stats.h"
#include "core/data/distinct_counter.h"
#include "core/data/frequent_values.h"
#include "core/data/quantile_sketch.h"

#include <string_view>

namespace orrery::data {

class NullValues;

struct ColumnProfileLimits {
    bool keepValues = true;          // false: no quantiles or histogram (schema inference)
    qint64 exactValues = 1 << 20;    // values kept for exact quantiles
    int sampleSize = 1 << 16;        // reservoir past that
    qint64 exactDistinct = 100000;   // value hashes kept for an exact distinct count
    int distinctPrecision = 14;      // HyperLogLog past that
    int frequentCapacity = 1024;     // values tracked for top counts
};

class ColumnProfiler {
public:
    ColumnProfiler(const ColumnProfileLimits &limits, quint64 seed);

    void add(std::string_view cell, const NullValues &nulls);
    void addMissing() { ++m_nulls; }

    // The column's type: the narrowest kind that holds every value; text with at most
    // maxCategories distinct values, each seen twice on average, is a category.
    ColumnType inferType(int maxCategories) const;
    ColumnStats finish(const QString &name, int maxCategories, int histogramBins, int topValues);

private:
    void addNumber(double x);

    bool m_keepValues;
    qint64 m_count = 0, m_nulls = 0;
    qint64 m_ints = 0, m_floats = 0, m_bools = 0, m_timestamps = 0, m_texts = 0, m_formulaLike = 0;
    // Welford's running mean and sum of squared deviations over the numeric cells.
    qint64 m_numbers = 0;
    double m_mean = 0.0, m_m2 = 0.0;
    double m_min = 0.0, m_max = 0.0;
    qint64 m_minInt = 0, m_maxInt = 0;
    qint64 m_minTimestamp = 0, m_maxTimestamp = 0;
    QuantileSketch m_sketch;
    DistinctCounter m_distinct;
    FrequentValues m_frequent;
};

} // namespace orrery::data
