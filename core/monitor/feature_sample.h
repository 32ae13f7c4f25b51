#pragma once
// FeatureSample: one feature's values prepared once for drift comparisons — the reference at
// training time, or a current window. Missing values (NaN, or the CSV's null cells) are counted and
// left out of every test; their share is reported beside the test instead (a column that starts
// arriving empty is a data-quality problem, not a change of distribution).
//
// Numeric features keep their values sorted (the ECDF statistics merge two sorted arrays in one
// pass) and, for the binned statistics, the reference's decile edges: 10 bins between the
// reference's quantiles 0.1 … 0.9 (numpy.quantile, linear), the outer bins open to ±inf so that
// current values beyond the training range still land in a bin. A bin is [left, right), as
// numpy.histogram counts; equal edges (ties, constant columns) make empty bins, and the PSI's
// epsilon (drift_statistics.h) keeps their logarithms finite.
//
// Categorical features keep their counts per category text.
//
// A numeric feature whose reference has at most 5 distinct values (flags, small codes) is
// compared as categorical, by the counts of each value — Evidently's rule: an ECDF test on a 0/1
// column answers a question about proportions with the wrong tool.

#include <QString>

#include <map>
#include <vector>

namespace orrery::monitor {

enum class FeatureKind { Numeric, Categorical };

class FeatureSample {
public:
    static constexpr int kBins = 10;
    static constexpr int kMaxDistinctForCategories = 5;

    // Takes the values (NaN = missing) and sorts the rest.
    static FeatureSample numeric(std::vector<double> values);
    // Category texts; `missing` cells already left out by the caller.
    static FeatureSample categorical(const std::map<QString, qint64> &counts, qint64 missing);

    FeatureKind kind() const { return m_kind; }
    qint64 count() const { return m_count; }   // non-missing values
    qint64 missing() const { return m_missing; }
    double missingShare() const { return m_count + m_missing ? double(m_missing) / double(m_count + m_missing) : 0.0; }

    // Numeric: ascending, no NaN.
    const std::vector<double> &sorted() const { return m_sorted; }
    double mean() const { return m_mean; }
    double standardDeviation() const { return m_std; } // population (numpy.std, ddof = 0)
    qint64 distinctValues() const { return m_distinct; }
    // The 9 inner edges of this sample's deciles (used when this sample is the reference).
    const std::vector<double> &binEdges() const { return m_edges; }
    // Counts of this sample's values in the bins given by `edges` (inner edges, ascending).
    std::vector<double> binCounts(const std::vector<double> &edges) const;
    // The same for unsorted values, NaN left out: a current window binned without sorting it.
    static std::vector<double> binCountsOf(const std::vector<double> &values, const std::vector<double> &edges);

    // Categorical: counts per category. Numeric samples build theirs from the sorted runs, keyed
    // by the number's shortest text.
    const std::map<QString, qint64> &categoryCounts() const;

private:
    FeatureKind m_kind = FeatureKind::Numeric;
    qint64 m_count = 0;
    qint64 m_missing = 0;
    std::vector<double> m_sorted;
    double m_mean = 0.0, m_std = 0.0;
    qint64 m_distinct = 0;
    std::vector<double> m_edges;
    mutable std::map<QString, qint64> m_categories;
    mutable bool m_categoriesBuilt = false;
};

} // namespace orrery::monitor
