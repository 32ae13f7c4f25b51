#include "core/data/distinct_counter.h"

#include <algorithm>
#include <cmath>

namespace orrery::data {

DistinctCounter::DistinctCounter(std::int64_t exactLimit, int precision)
    : m_exactLimit(std::max<std::int64_t>(exactLimit, 0)), m_precision(std::clamp(precision, 4, 16))
{
}

void DistinctCounter::add(std::uint64_t hash)
{
    if (!m_registers.empty()) {
        addToSketch(hash);
        return;
    }
    m_exact.insert(hash);
    if (m_exact.size() > m_exactLimit) {
        m_registers.assign(size_t(1) << m_precision, 0);
        m_exact.forEach([this](std::uint64_t h) { addToSketch(h); });
        m_exact.release();
    }
}

void DistinctCounter::addToSketch(std::uint64_t hash)
{
    // Top `precision` bits pick the register; the rank is the position of the first 1 bit in
    // the rest (hashes are fmix64 outputs: every bit is mixed).
    const unsigned index = unsigned(hash >> (64 - m_precision));
    const std::uint64_t rest = (hash << m_precision) | (std::uint64_t(1) << (m_precision - 1));
    const auto rank = std::uint8_t(__builtin_clzll(rest) + 1);
    std::uint8_t &r = m_registers[index];
    if (rank > r)
        r = rank;
}

std::int64_t DistinctCounter::count() const
{
    if (m_registers.empty())
        return m_exact.size();
    const double m = double(m_registers.size());
    double sum = 0.0;
    int zeros = 0;
    for (std::uint8_t r : m_registers) {
        sum += std::ldexp(1.0, -int(r));
        zeros += r == 0;
    }
    const double alpha = 0.7213 / (1.0 + 1.079 / m);
    double estimate = alpha * m * m / sum;
    if (estimate <= 2.5 * m && zeros > 0)
        estimate = m * std::log(m / double(zeros)); // linear counting for small cardinalities
    return std::int64_t(std::llround(estimate));
}

double DistinctCounter::relativeError() const
{
    return m_registers.empty() ? 0.0 : 1.04 / std::sqrt(double(m_registers.size()));
}

} // namespace orrery::data
