#include "core/data/quantile_sketch.h"

#include <algorithm>
#include <cmath>

namespace orrery::data {

QuantileSketch::QuantileSketch(qint64 exactLimit, int sampleSize, quint64 seed)
    : m_exactLimit(std::max<qint64>(exactLimit, 1)), m_sampleSize(std::max(1, sampleSize)), m_state(seed)
{
    if (qint64(m_sampleSize) > m_exactLimit)
        m_sampleSize = int(m_exactLimit);
}

quint64 QuantileSketch::nextRandom()
{
    // splitmix64: statistically fine for sampling and cheap enough for every value.
    quint64 z = (m_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void QuantileSketch::add(double value)
{
    ++m_count;
    if (m_count <= m_exactLimit) {
        m_values.push_back(value);
        return;
    }
    if (m_count == m_exactLimit + 1 && qint64(m_values.size()) > m_sampleSize) {
        // Leaving exactness: a uniform sample of what was kept (a partial Fisher–Yates shuffle),
        // then algorithm R carries on as if it had sampled from the start.
        for (int i = 0; i < m_sampleSize; ++i) {
            const size_t j = size_t(i) + size_t(nextRandom() % (m_values.size() - size_t(i)));
            std::swap(m_values[size_t(i)], m_values[j]);
        }
        m_values.resize(size_t(m_sampleSize));
        m_values.shrink_to_fit();
    }
    const quint64 j = nextRandom() % quint64(m_count);
    if (j < quint64(m_values.size()))
        m_values[size_t(j)] = value;
}

double QuantileSketch::rankError(double delta) const
{
    if (isExact())
        return 0.0;
    return std::sqrt(std::log(2.0 / delta) / (2.0 * double(m_values.size())));
}

void QuantileSketch::finish()
{
    std::sort(m_values.begin(), m_values.end());
}

double QuantileSketch::quantile(double p) const
{
    if (m_values.empty())
        return std::nan("");
    // numpy "linear": virtual index (n - 1) p between two order statistics, and numpy's _lerp,
    // which interpolates from the nearer end so that the figures agree to the last bit.
    const double index = double(m_values.size() - 1) * std::clamp(p, 0.0, 1.0);
    const size_t below = size_t(std::floor(index));
    const size_t above = std::min(below + 1, m_values.size() - 1);
    const double t = index - double(below);
    const double a = m_values[below];
    const double b = m_values[above];
    const double diff = b - a;
    return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

Histogram QuantileSketch::histogram(int bins, double min, double max) const
{
    Histogram h;
    bins = std::max(1, bins);
    if (min == max) {
        min -= 0.5;
        max += 0.5;
    }
    // numpy.linspace: i * step + start, and the last edge exactly `max`.
    const double step = (max - min) / double(bins);
    h.edges.resize(size_t(bins) + 1);
    for (int i = 0; i < bins; ++i)
        h.edges[size_t(i)] = double(i) * step + min;
    h.edges[size_t(bins)] = max;
    h.counts.assign(size_t(bins), 0);
    const double denominator = max - min;
    for (double v : m_values) {
        if (!(v >= min && v <= max))
            continue;
        // numpy.histogram's uniform-bin computation, with its corrections at the edges.
        auto index = qint64(((v - min) / denominator) * double(bins));
        if (index == bins)
            --index;
        if (v < h.edges[size_t(index)])
            --index;
        else if (v >= h.edges[size_t(index) + 1] && index != bins - 1)
            ++index;
        ++h.counts[size_t(index)];
    }
    if (!isExact() && !m_values.empty()) {
        const double scale = double(m_count) / double(m_values.size());
        for (qint64 &c : h.counts)
            c = qint64(std::llround(double(c) * scale));
    }
    return h;
}

} // namespace orrery::data
