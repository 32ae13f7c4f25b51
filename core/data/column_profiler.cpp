#include "core/data/column_profiler.h"

#include "core/data/null_values.h"

#include <algorithm>

namespace orrery::data {

ColumnProfiler::ColumnProfiler(const ColumnProfileLimits &limits, quint64 seed)
    : m_keepValues(limits.keepValues),
      m_sketch(limits.exactValues, limits.sampleSize, seed),
      m_distinct(limits.exactDistinct, limits.distinctPrecision),
      m_frequent(limits.frequentCapacity)
{
}

void ColumnProfiler::addNumber(double x)
{
    ++m_numbers;
    if (m_numbers == 1) {
        m_min = m_max = x;
    } else {
        m_min = std::min(m_min, x);
        m_max = std::max(m_max, x);
    }
    const double delta = x - m_mean;
    m_mean += delta / double(m_numbers);
    m_m2 += delta * (x - m_mean);
    if (m_keepValues)
        m_sketch.add(x);
}

void ColumnProfiler::add(std::string_view cell, const NullValues &nulls)
{
    const std::string_view text = trimmedView(cell);
    if (nulls.contains(text)) {
        ++m_nulls;
        return;
    }
    ++m_count;
    CellValue value;
    const CellKind kind = classifyCell(text, &value);
    switch (kind) {
    case CellKind::Int:
        if (m_ints++ == 0) {
            m_minInt = m_maxInt = value.integer;
        } else {
            m_minInt = std::min<qint64>(m_minInt, value.integer);
            m_maxInt = std::max<qint64>(m_maxInt, value.integer);
        }
        addNumber(value.real);
        break;
    case CellKind::Float:
        ++m_floats;
        addNumber(value.real);
        break;
    case CellKind::Bool:
        ++m_bools;
        break;
    case CellKind::Timestamp:
        if (m_timestamps++ == 0) {
            m_minTimestamp = m_maxTimestamp = value.integer;
        } else {
            m_minTimestamp = std::min<qint64>(m_minTimestamp, value.integer);
            m_maxTimestamp = std::max<qint64>(m_maxTimestamp, value.integer);
        }
        break;
    case CellKind::Text:
        ++m_texts;
        m_formulaLike += looksLikeFormula(cell);
        break;
    }
    const std::uint64_t hash = hashCell(kind, value, text);
    m_distinct.add(hash);
    m_frequent.add(hash, text);
}

ColumnType ColumnProfiler::inferType(int maxCategories) const
{
    if (m_count == 0)
        return ColumnType::String;
    if (m_ints == m_count)
        return ColumnType::Int;
    if (m_ints + m_floats == m_count)
        return ColumnType::Float;
    if (m_bools == m_count)
        return ColumnType::Bool;
    if (m_timestamps == m_count)
        return ColumnType::Timestamp;
    const qint64 distinct = m_distinct.count();
    if (m_distinct.isExact() && m_frequent.isExact() && distinct <= maxCategories && distinct * 2 <= m_count)
        return ColumnType::Category;
    return ColumnType::String;
}

ColumnStats ColumnProfiler::finish(const QString &name, int maxCategories, int histogramBins, int topValues)
{
    ColumnStats s;
    s.name = name;
    s.type = inferType(maxCategories);
    s.count = m_count;
    s.nulls = m_nulls;
    s.ints = m_ints;
    s.floats = m_floats;
    s.bools = m_bools;
    s.timestamps = m_timestamps;
    s.texts = m_texts;
    s.formulaLike = m_formulaLike;
    s.distinct = m_distinct.count();
    s.distinctExact = m_distinct.isExact();
    s.distinctRelativeError = m_distinct.relativeError();
    s.top = m_frequent.top(topValues);
    s.topExact = m_frequent.isExact();
    s.topCountError = m_frequent.countError();
    if (s.type == ColumnType::Category)
        s.categories = m_frequent.top(m_frequent.size());
    if (s.isNumeric() && m_numbers > 0) {
        s.mean = m_mean;
        s.std = m_numbers > 1 ? std::sqrt(m_m2 / double(m_numbers - 1)) : std::nan("");
        s.min = m_min;
        s.max = m_max;
        s.minInt = m_minInt;
        s.maxInt = m_maxInt;
        if (m_keepValues) {
            m_sketch.finish();
            for (double p : standardQuantiles())
                s.quantiles.emplace_back(p, m_sketch.quantile(p));
            s.quantilesExact = m_sketch.isExact();
            s.quantileRankError = m_sketch.rankError();
            s.histogram = m_sketch.histogram(histogramBins, m_min, m_max);
        }
    }
    if (s.type == ColumnType::Timestamp) {
        s.minTimestamp = m_minTimestamp;
        s.maxTimestamp = m_maxTimestamp;
    }
    return s;
}

} // namespace orrery::data
