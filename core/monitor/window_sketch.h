#pragma once
// FeatureSketch: one feature's values in one live window, counted on its reference profile's grid
// (reference_profile.h) instead of kept — constant memory per window whatever the traffic, and
// windows merge by adding counts (a sliding window of several minutes, or a past window used as
// the reference, is a sum of stored one-window sketches).
//
// Numeric: counts and sums of the values in the grid's 100 bins (with the edges, a bin's sum makes
// the ECDF's integral over it exact: live_drift.h), min, max, sum of squares (the exact mean and
// spread), and how many values fall outside the reference's [min, max] (data quality).
// Categorical: counts per reference category (the profile's order) and per unseen category.
// Missing values (NaN, an empty text) are counted apart and enter no bin.
//
// Cost: addNumber is a branch-free binary search over the 99 edges padded to 127 with +inf (7
// compares the CPU need not predict; `bench.sh monitoring` prints ns per value); addText compares
// with the profile's few categories.
// Not thread-safe: one window is filled by one thread (the prediction hook's consumer).

#include "core/common/status.h"
#include "core/monitor/reference_profile.h"

#include <QJsonObject>

#include <map>
#include <vector>

namespace orrery::monitor {

class FeatureSketch {
public:
    FeatureSketch() = default;
    explicit FeatureSketch(const FeatureProfile &profile); // empty, shaped for `profile`
    static FeatureSketch ofReference(const FeatureProfile &profile); // the profile's own counts

    void addNumber(double value, const FeatureProfile &profile);
    void addText(const QString &text, const FeatureProfile &profile);
    void merge(const FeatureSketch &other);

    qint64 count() const { return m_count; }     // non-missing values
    qint64 missing() const { return m_missing; }
    qint64 outOfRange() const { return m_outOfRange; }
    double min() const { return m_min; }
    double max() const { return m_max; }
    double mean() const;
    double standardDeviation() const;           // population
    const std::vector<qint64> &bins() const { return m_bins; }
    const std::vector<double> &binSums() const { return m_binSums; }
    const std::vector<qint64> &categoryCounts() const { return m_categoryCounts; }
    const std::map<QString, qint64> &unseen() const { return m_unseen; }
    qint64 unseenCount() const;

    // What monitor_features.counts stores: {"counts": [100], "sums": [100], "min", "max", "sum", "sum_squares",
    // "count", "missing", "out_of_range"} or {"categories": {text: n}, "count", "missing"}.
    QJsonObject toJson(const FeatureProfile &profile) const;
    static Result<FeatureSketch> fromJson(const QJsonObject &o, const FeatureProfile &profile);

private:
    qint64 m_count = 0, m_missing = 0, m_outOfRange = 0;
    double m_min = 0, m_max = 0;
    long double m_sum = 0, m_sumSquares = 0;
    std::vector<qint64> m_bins;
    std::vector<double> m_binSums;
    std::vector<double> m_searchEdges; // the profile's edges padded to 127 with +inf
    std::vector<qint64> m_categoryCounts;
    std::map<QString, qint64> m_unseen;
};

// The text a number has as a category (FeatureSample's rule: the shortest form, -0 as 0).
QString categoryTextOf(double value);

} // namespace orrery::monitor
