#include "core/monitor/value_sort.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace orrery::monitor {

namespace {

// Maps a double to an unsigned key with the same order: negative numbers have all bits flipped
// (larger magnitude sorts first), non-negative ones only the sign bit set.
inline std::uint64_t keyOf(double value)
{
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return (bits & 0x8000000000000000ULL) ? ~bits : (bits | 0x8000000000000000ULL);
}

inline double valueOf(std::uint64_t key)
{
    const std::uint64_t bits = (key & 0x8000000000000000ULL) ? (key & ~0x8000000000000000ULL) : ~key;
    double value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

// Digits of 16 bits: four passes. 11- and 13-bit digits (more passes, fewer buckets) measured no
// faster for a million values here.
constexpr int kBits = 16;
constexpr int kPasses = 4; // 64 bits
constexpr std::uint64_t kMask = (1u << kBits) - 1;

} // namespace

void sortValues(std::vector<double> &values)
{
    const size_t n = values.size();
    if (n < 4096 || n > 0xFFFFFFFFu) { // counts are 32-bit
        std::sort(values.begin(), values.end());
        return;
    }
    // The keys live in the values' own storage (read and written through memcpy, so no aliasing
    // rule is bent) and one scratch buffer: a second 8-byte array per value cost more in fresh
    // pages than its pass.
    auto load = [](const void *base, size_t i) {
        std::uint64_t k;
        std::memcpy(&k, static_cast<const char *>(base) + 8 * i, 8);
        return k;
    };
    auto store = [](void *base, size_t i, std::uint64_t k) { std::memcpy(static_cast<char *>(base) + 8 * i, &k, 8); };
    void *own = values.data();
    std::vector<std::uint32_t> counts(size_t(kPasses) << kBits, 0);
    for (size_t i = 0; i < n; ++i) {
        const std::uint64_t k = keyOf(values[i]);
        store(own, i, k);
        for (int p = 0; p < kPasses; ++p)
            ++counts[(size_t(p) << kBits) + ((k >> (kBits * p)) & kMask)];
    }
    std::vector<std::uint64_t> scratch(n);
    void *from = own, *to = scratch.data();
    for (int p = 0; p < kPasses; ++p) {
        std::uint32_t *count = &counts[size_t(p) << kBits];
        // A digit that every key shares moves nothing: skip the pass.
        if (count[(load(from, 0) >> (kBits * p)) & kMask] == n)
            continue;
        std::uint32_t offset = 0;
        for (size_t d = 0; d <= kMask; ++d) {
            const std::uint32_t c = count[d];
            count[d] = offset;
            offset += c;
        }
        for (size_t i = 0; i < n; ++i) {
            const std::uint64_t k = load(from, i);
            store(to, count[(k >> (kBits * p)) & kMask]++, k);
        }
        std::swap(from, to);
    }
    for (size_t i = 0; i < n; ++i)
        values[i] = valueOf(load(from, i));
}

} // namespace orrery::monitor
