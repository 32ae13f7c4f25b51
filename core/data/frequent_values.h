#pragma once
// FrequentValues: the most frequent values of a column and their counts, in bounded memory
// (the Misra–Gries summary).
//
// At most `capacity` values are tracked. While a column has no more distinct values than that,
// every count is exact (isExact()). Past it, each new value that finds the table full lowers
// every count by one (and drops those that reach zero); a reported count is then at most
// countError() below the true one, countError() <= n / (capacity + 1), and any value occurring
// more than n / (capacity + 1) times is guaranteed to be listed. Values are identified by their
// hash (see hashCell); the text kept is the first one seen.

#include <QString>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::data {

struct ValueCount {
    QString value;
    qint64 count = 0;
};

class FrequentValues {
public:
    explicit FrequentValues(int capacity = 1024);

    void add(std::uint64_t hash, std::string_view text);
    bool isExact() const { return m_rounds == 0; }
    qint64 countError() const { return m_rounds; }
    int size() const { return m_size; }
    // The n most frequent, by count (descending), ties by value text: the same file always
    // gives the same list.
    std::vector<ValueCount> top(int n) const;

private:
    // An open-addressing table at most half full, keyed by hash (0 = empty). A flat table, not
    // std::unordered_map: no allocation per new value (short texts stay in the string's own
    // buffer, and slots are reused), which matters when every value of a column is new.
    struct Slot {
        std::uint64_t hash = 0;
        qint64 count = 0;
        std::string text;
    };
    size_t find(std::uint64_t hash) const; // the value's slot, or the empty slot it would take
    void decrementRound();
    void rehash(size_t slots);

    int m_capacity;
    int m_size = 0;
    qint64 m_rounds = 0;
    std::vector<Slot> m_slots;
    std::vector<Slot> m_spare; // the next table, kept to rebuild into without allocating
};

} // namespace orrery::data
