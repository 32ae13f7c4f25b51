#include "core/data/frequent_values.h"

#include <algorithm>

namespace orrery::data {

FrequentValues::FrequentValues(int capacity) : m_capacity(std::max(1, capacity))
{
}

void FrequentValues::add(std::uint64_t hash, std::string_view text)
{
    if (hash == 0)
        hash = 1;
    if (m_slots.empty())
        m_slots.resize(8); // grows with the values seen: a wide file has many small columns
    size_t i = find(hash);
    if (m_slots[i].hash == hash) {
        ++m_slots[i].count;
        return;
    }
    if (m_size < m_capacity) {
        if (size_t(m_size + 1) * 2 > m_slots.size()) {
            rehash(m_slots.size() * 2);
            i = find(hash);
        }
        Slot &slot = m_slots[i];
        slot.hash = hash;
        slot.count = 1;
        slot.text.assign(text.data(), text.size());
        ++m_size;
        return;
    }
    decrementRound();
}

size_t FrequentValues::find(std::uint64_t hash) const
{
    const size_t mask = m_slots.size() - 1;
    size_t i = size_t(hash) & mask;
    while (m_slots[i].hash != hash && m_slots[i].hash != 0)
        i = (i + 1) & mask;
    return i;
}

void FrequentValues::decrementRound()
{
    // The table is full and a new value arrived: every count (and the new value's 1) drops by
    // one. Each round removes capacity + 1 occurrences, so rounds <= n / (capacity + 1) and the
    // O(capacity) rebuild is amortized O(1) per add.
    ++m_rounds;
    for (Slot &s : m_slots)
        if (s.hash != 0 && --s.count == 0)
            s.hash = 0;
    rehash(m_slots.size());
}

void FrequentValues::rehash(size_t slots)
{
    m_spare.resize(slots);
    for (Slot &s : m_spare)
        s.hash = 0;
    const size_t mask = m_spare.size() - 1;
    m_size = 0;
    for (Slot &s : m_slots) {
        if (s.hash == 0)
            continue;
        size_t i = size_t(s.hash) & mask;
        while (m_spare[i].hash != 0)
            i = (i + 1) & mask;
        Slot &to = m_spare[i];
        to.hash = s.hash;
        to.count = s.count;
        to.text.swap(s.text);
        ++m_size;
    }
    m_slots.swap(m_spare);
}

std::vector<ValueCount> FrequentValues::top(int n) const
{
    std::vector<const Slot *> sorted;
    sorted.reserve(size_t(m_size));
    for (const Slot &s : m_slots)
        if (s.hash != 0)
            sorted.push_back(&s);
    const size_t keep = std::min(sorted.size(), size_t(std::max(0, n)));
    std::partial_sort(sorted.begin(), sorted.begin() + std::ptrdiff_t(keep), sorted.end(), [](const Slot *a, const Slot *b) {
        return a->count != b->count ? a->count > b->count : a->text < b->text;
    });
    std::vector<ValueCount> out;
    out.reserve(keep);
    for (size_t i = 0; i < keep; ++i)
        out.push_back({QString::fromUtf8(sorted[i]->text.data(), qsizetype(sorted[i]->text.size())), sorted[i]->count});
    return out;
}

} // namespace orrery::data
