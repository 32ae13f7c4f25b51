#include "core/monitor/feature_sample.h"

#include "core/data/csv_value.h"
#include "core/monitor/drift_statistics.h"
#include "core/monitor/value_sort.h"

#include <algorithm>
#include <cmath>

namespace orrery::monitor {

FeatureSample FeatureSample::numeric(std::vector<double> values)
{
    FeatureSample s;
    s.m_kind = FeatureKind::Numeric;
    const auto kept = std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); });
    s.m_missing = qint64(values.end() - kept);
    values.erase(kept, values.end());
    sortValues(values);
    s.m_sorted = std::move(values);
    s.m_count = qint64(s.m_sorted.size());
    if (s.m_count == 0)
        return s;
    long double sum = 0;
    for (double v : s.m_sorted)
        sum += v;
    const long double mean = sum / s.m_count;
    long double squares = 0;
    for (double v : s.m_sorted)
        squares += (v - mean) * (v - mean);
    s.m_mean = double(mean);
    s.m_std = double(std::sqrt(squares / s.m_count));
    s.m_distinct = 1;
    for (size_t i = 1; i < s.m_sorted.size(); ++i)
        s.m_distinct += s.m_sorted[i] != s.m_sorted[i - 1];
    s.m_edges.resize(kBins - 1);
    // numpy.linspace(0, 1, 11)[1:-1]: i * 0.1
    for (int i = 1; i < kBins; ++i)
        s.m_edges[size_t(i - 1)] = sortedQuantile(s.m_sorted, double(i) * (1.0 / kBins));
    return s;
}

FeatureSample FeatureSample::categorical(const std::map<QString, qint64> &counts, qint64 missing)
{
    FeatureSample s;
    s.m_kind = FeatureKind::Categorical;
    s.m_categories = counts;
    s.m_categoriesBuilt = true;
    s.m_missing = missing;
    for (const auto &c : counts)
        s.m_count += c.second;
    s.m_distinct = qint64(counts.size());
    return s;
}

std::vector<double> FeatureSample::binCounts(const std::vector<double> &edges) const
{
    // Bin b holds edges[b-1] <= x < edges[b]: the number of inner edges <= x. On sorted values
    // that is a difference of positions.
    std::vector<double> counts(edges.size() + 1, 0.0);
    size_t previous = 0;
    for (size_t b = 0; b < edges.size(); ++b) {
        const size_t end = size_t(std::lower_bound(m_sorted.begin(), m_sorted.end(), edges[b]) - m_sorted.begin());
        counts[b] = double(end - previous);
        previous = end;
    }
    counts[edges.size()] = double(m_sorted.size() - previous);
    return counts;
}

std::vector<double> FeatureSample::binCountsOf(const std::vector<double> &values, const std::vector<double> &edges)
{
    std::vector<qint64> counts(edges.size() + 1, 0);
    for (double v : values) {
        if (std::isnan(v))
            continue;
        // The number of edges <= v (upper_bound), counted without branches: ten edges are
        // fewer compares than a mispredicted binary search costs.
        size_t bin = 0;
        for (double e : edges)
            bin += e <= v;
        ++counts[bin];
    }
    return std::vector<double>(counts.begin(), counts.end());
}

const std::map<QString, qint64> &FeatureSample::categoryCounts() const
{
    if (!m_categoriesBuilt) {
        for (size_t i = 0; i < m_sorted.size();) {
            size_t j = i;
            while (j < m_sorted.size() && m_sorted[j] == m_sorted[i])
                ++j;
            m_categories[data::formatNumber(m_sorted[i] == 0 ? 0.0 : m_sorted[i])] += qint64(j - i);
            i = j;
        }
        m_categoriesBuilt = true;
    }
    return m_categories;
}

} // namespace orrery::monitor
