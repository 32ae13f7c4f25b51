#pragma once
// HashSet64: a set of 64-bit hashes with open addressing and linear probing, 8 bytes a slot and
// at most half full (16 bytes per element at worst). Distinct counts and uniqueness checks hold
// millions of value hashes; std::unordered_set would take ~40 bytes and an allocation each.
//
// The hash 0 marks an empty slot, so an inserted 0 is stored as 1: two values whose hashes are
// 0 and 1 count as one (probability 2^-63 per pair).

#include <cstdint>
#include <vector>

namespace orrery::data {

class HashSet64 {
public:
    // True when `hash` was not in the set.
    bool insert(std::uint64_t hash)
    {
        if (hash == 0)
            hash = 1;
        if ((m_size + 1) * 2 > m_slots.size())
            grow();
        const std::uint64_t mask = m_slots.size() - 1;
        for (std::uint64_t i = hash & mask;; i = (i + 1) & mask) {
            if (m_slots[i] == hash)
                return false;
            if (m_slots[i] == 0) {
                m_slots[i] = hash;
                ++m_size;
                return true;
            }
        }
    }
    std::int64_t size() const { return std::int64_t(m_size); }
    template <typename F>
    void forEach(F f) const
    {
        for (std::uint64_t h : m_slots)
            if (h != 0)
                f(h);
    }
    void release()
    {
        std::vector<std::uint64_t>().swap(m_slots);
        m_size = 0;
    }

private:
    void grow()
    {
        std::vector<std::uint64_t> old;
        old.swap(m_slots);
        m_slots.assign(old.empty() ? 16 : old.size() * 2, 0);
        m_size = 0;
        for (std::uint64_t h : old)
            if (h != 0)
                insert(h);
    }

    std::vector<std::uint64_t> m_slots;
    std::uint64_t m_size = 0;
};

} // namespace orrery::data
