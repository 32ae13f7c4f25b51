#pragma once
// DistinctCounter: the number of distinct values in a column — exact (a set of 64-bit value
// hashes) up to a limit, then a HyperLogLog estimate, so memory stays bounded on any file.
//
// Exactness: "exact" counts distinct hashes; two different values share a 64-bit hash with
// probability about n²/2^65 (3e-6 for ten million values). Past the limit the estimate's relative
// standard error is 1.04/sqrt(2^precision): 0.8 % at the default precision 14 (16 KiB).

#include "core/data/hash_set64.h"

#include <cstdint>
#include <vector>

namespace orrery::data {

class DistinctCounter {
public:
    // precision: 4..16 (HyperLogLog registers = 2^precision bytes, allocated only past the limit)
    explicit DistinctCounter(std::int64_t exactLimit = 100000, int precision = 14);

    void add(std::uint64_t hash);
    std::int64_t count() const;
    bool isExact() const { return m_registers.empty(); }
    double relativeError() const; // 0 while exact

private:
    void addToSketch(std::uint64_t hash);

    std::int64_t m_exactLimit;
    int m_precision;
    HashSet64 m_exact;
    std::vector<std::uint8_t> m_registers;
};

} // namespace orrery::data
