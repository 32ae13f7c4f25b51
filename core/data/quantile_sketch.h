#pragma once
// QuantileSketch: quantiles and a histogram of one numeric column in bounded memory.
//
// Up to `exactLimit` values are kept, so quantiles and histogram counts are exact for data that
// fits. Past it the sketch keeps a uniform random sample of `sampleSize` values (reservoir
// sampling, Vitter's algorithm R, seeded: the same file gives the same figures). Then, by the
// Dvoretzky–Kiefer–Wolfowitz inequality, every quantile's rank is off by more than
//     eps = sqrt(ln(2 / delta) / (2 * sampleSize))
// with probability at most delta: with 65,536 samples, eps = 0.0072 at delta = 0.001, i.e. the
// reported p50 lies between the true p49.28 and p50.72. rankError() reports eps (0 when exact);
// histogram counts are then the sample's, scaled to the column's count.
//
// Definitions match NumPy's defaults, so figures compare with numpy directly:
// - quantile(p) is numpy.quantile(values, p) with method="linear" (Hyndman–Fan type 7);
// - histogram(bins) is numpy.histogram(values, bins): equal-width bins between min and max
//   (min-0.5..max+0.5 when they are equal), every bin half-open but the last, closed.

#include <QtGlobal>

#include <cstdint>
#include <vector>

namespace orrery::data {

struct Histogram {
    std::vector<double> edges;    // bins + 1
    std::vector<qint64> counts;   // bins
};

class QuantileSketch {
public:
    explicit QuantileSketch(qint64 exactLimit = 1 << 20, int sampleSize = 1 << 16, quint64 seed = 0x5eed);

    void add(double value);
    qint64 count() const { return m_count; }
    bool isExact() const { return m_count <= qint64(m_values.size()); }
    double rankError(double delta = 0.001) const;

    // Sorts what was kept; call once after the last add() and before the queries.
    void finish();
    double quantile(double p) const;
    Histogram histogram(int bins, double min, double max) const;

private:
    qint64 m_exactLimit;
    int m_sampleSize;
    qint64 m_count = 0;
    std::vector<double> m_values;
    quint64 m_state;
    quint64 nextRandom();
};

} // namespace orrery::data
