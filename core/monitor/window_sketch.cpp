#include "core/monitor/window_sketch.h"

#include "core/data/csv_value.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

namespace orrery::monitor {

namespace {
constexpr size_t kSearchSize = 127; // 2^7 - 1 >= the grid's 99 edges
}

QString categoryTextOf(double value)
{
    return data::formatNumber(value == 0 ? 0.0 : value);
}

FeatureSketch::FeatureSketch(const FeatureProfile &profile)
{
    if (profile.kind == FeatureKind::Numeric) {
        m_bins.assign(FeatureProfile::kGridBins, 0);
        m_binSums.assign(FeatureProfile::kGridBins, 0.0);
        m_searchEdges.assign(kSearchSize, std::numeric_limits<double>::infinity());
        std::copy(profile.edges.begin(), profile.edges.end(), m_searchEdges.begin());
    }
    else
        m_categoryCounts.assign(profile.categories.size(), 0);
}

FeatureSketch FeatureSketch::ofReference(const FeatureProfile &profile)
{
    FeatureSketch s(profile);
    s.m_count = profile.count;
    s.m_missing = profile.missing;
    if (profile.kind == FeatureKind::Numeric) {
        if (!profile.counts.empty())
            s.m_bins = profile.counts;
        if (!profile.sums.empty())
            s.m_binSums = profile.sums;
        s.m_min = profile.min;
        s.m_max = profile.max;
        s.m_sum = (long double)profile.mean * profile.count;
        s.m_sumSquares = (long double)profile.count * ((long double)profile.std * profile.std + (long double)profile.mean * profile.mean);
    } else {
        for (size_t i = 0; i < profile.categories.size(); ++i)
            s.m_categoryCounts[i] = profile.categories[i].second;
    }
    return s;
}

void FeatureSketch::addNumber(double value, const FeatureProfile &profile)
{
    if (std::isnan(value)) {
        ++m_missing;
        return;
    }
    if (profile.kind == FeatureKind::Categorical) {
        addText(categoryTextOf(value), profile);
        return;
    }
    if (m_count == 0) {
        m_min = m_max = value;
    } else {
        m_min = std::min(m_min, value);
        m_max = std::max(m_max, value);
    }
    ++m_count;
    m_sum += value;
    m_sumSquares += (long double)value * value;
    if (profile.count > 0 && (value < profile.min || value > profile.max))
        ++m_outOfRange;
    // The bin is the number of edges at or below the value (upper_bound), found in 7 steps whose
    // outcome is a conditional move, not a branch to predict.
    if (profile.edges.empty() || m_searchEdges.empty())
        return;
    const double *edges = m_searchEdges.data();
    size_t bin = 0;
    for (size_t step = (kSearchSize + 1) / 2; step > 0; step /= 2)
        bin += (edges[bin + step - 1] <= value) ? step : 0;
    ++m_bins[bin];
    m_binSums[bin] += value;
}

void FeatureSketch::addText(const QString &text, const FeatureProfile &profile)
{
    if (text.isEmpty()) {
        ++m_missing;
        return;
    }
    ++m_count;
    for (size_t i = 0; i < profile.categories.size(); ++i)
        if (profile.categories[i].first == text) {
            ++m_categoryCounts[i];
            return;
        }
    ++m_unseen[text];
}

void FeatureSketch::merge(const FeatureSketch &o)
{
    if (o.m_count > 0) {
        m_min = m_count ? std::min(m_min, o.m_min) : o.m_min;
        m_max = m_count ? std::max(m_max, o.m_max) : o.m_max;
    }
    m_count += o.m_count;
    m_missing += o.m_missing;
    m_outOfRange += o.m_outOfRange;
    m_sum += o.m_sum;
    m_sumSquares += o.m_sumSquares;
    for (size_t i = 0; i < m_bins.size() && i < o.m_bins.size(); ++i) {
        m_bins[i] += o.m_bins[i];
        m_binSums[i] += o.m_binSums[i];
    }
    for (size_t i = 0; i < m_categoryCounts.size() && i < o.m_categoryCounts.size(); ++i)
        m_categoryCounts[i] += o.m_categoryCounts[i];
    for (const auto &[text, n] : o.m_unseen)
        m_unseen[text] += n;
}

double FeatureSketch::mean() const
{
    return m_count ? double(m_sum / m_count) : 0.0;
}

double FeatureSketch::standardDeviation() const
{
    if (!m_count)
        return 0.0;
    const long double mean = m_sum / m_count;
    const long double variance = m_sumSquares / m_count - mean * mean;
    return variance > 0 ? double(std::sqrt(variance)) : 0.0;
}

qint64 FeatureSketch::unseenCount() const
{
    qint64 n = 0;
    for (const auto &[text, c] : m_unseen)
        n += c;
    return n;
}

QJsonObject FeatureSketch::toJson(const FeatureProfile &profile) const
{
    QJsonObject o{{QStringLiteral("count"), double(m_count)}, {QStringLiteral("missing"), double(m_missing)}};
    if (profile.kind == FeatureKind::Numeric) {
        QJsonArray bins, sums;
        for (qint64 n : m_bins)
            bins.append(double(n));
        for (double x : m_binSums)
            sums.append(x);
        o.insert(QStringLiteral("counts"), bins);
        o.insert(QStringLiteral("sums"), sums);
        o.insert(QStringLiteral("min"), m_min);
        o.insert(QStringLiteral("max"), m_max);
        o.insert(QStringLiteral("sum"), double(m_sum));
        o.insert(QStringLiteral("sum_squares"), double(m_sumSquares));
        o.insert(QStringLiteral("out_of_range"), double(m_outOfRange));
    } else {
        QJsonObject categories;
        for (size_t i = 0; i < profile.categories.size(); ++i)
            categories.insert(profile.categories[i].first, double(m_categoryCounts[i]));
        for (const auto &[text, n] : m_unseen)
            categories.insert(text, double(n));
        o.insert(QStringLiteral("categories"), categories);
        QJsonArray unseen;
        for (const auto &[text, n] : m_unseen)
            unseen.append(text);
        o.insert(QStringLiteral("unseen"), unseen);
    }
    return o;
}

Result<FeatureSketch> FeatureSketch::fromJson(const QJsonObject &o, const FeatureProfile &profile)
{
    FeatureSketch s(profile);
    s.m_count = qint64(o.value(QStringLiteral("count")).toDouble());
    s.m_missing = qint64(o.value(QStringLiteral("missing")).toDouble());
    if (profile.kind == FeatureKind::Numeric) {
        const QJsonArray bins = o.value(QStringLiteral("counts")).toArray();
        if (bins.size() != FeatureProfile::kGridBins)
            return invalidArgument(QStringLiteral("window sketch of '%1': %2 bins, expected %3").arg(profile.name).arg(bins.size()).arg(FeatureProfile::kGridBins));
        const QJsonArray sums = o.value(QStringLiteral("sums")).toArray();
        if (sums.size() != bins.size())
            return invalidArgument(QStringLiteral("window sketch of '%1': %2 sums for %3 bins").arg(profile.name).arg(sums.size()).arg(bins.size()));
        for (int i = 0; i < bins.size(); ++i) {
            s.m_bins[size_t(i)] = qint64(bins[i].toDouble());
            s.m_binSums[size_t(i)] = sums[i].toDouble();
        }
        s.m_min = o.value(QStringLiteral("min")).toDouble();
        s.m_max = o.value(QStringLiteral("max")).toDouble();
        s.m_sum = o.value(QStringLiteral("sum")).toDouble();
        s.m_sumSquares = o.value(QStringLiteral("sum_squares")).toDouble();
        s.m_outOfRange = qint64(o.value(QStringLiteral("out_of_range")).toDouble());
    } else {
        const QJsonObject categories = o.value(QStringLiteral("categories")).toObject();
        for (auto it = categories.begin(); it != categories.end(); ++it) {
            const qint64 n = qint64(it.value().toDouble());
            bool known = false;
            for (size_t i = 0; i < profile.categories.size(); ++i)
                if (profile.categories[i].first == it.key()) {
                    s.m_categoryCounts[i] += n;
                    known = true;
                }
            if (!known && n > 0)
                s.m_unseen[it.key()] += n;
        }
    }
    return s;
}

} // namespace orrery::monitor
