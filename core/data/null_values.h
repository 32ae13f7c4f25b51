#pragma once
// NullValues: which cell texts mean "missing". Configurable per file (a schema stores its own
// list); the default is the empty cell, NA, N/A, null, NULL, NaN and nan. Comparison is exact on
// the trimmed text; a first-byte filter keeps the common case (a number) to one table lookup.

#include <QStringList>

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::data {

class NullValues {
public:
    NullValues(); // the default list
    explicit NullValues(const QStringList &tokens);

    static QStringList defaultTokens();

    // `text` must already be trimmed (see trimmedView).
    bool contains(std::string_view text) const
    {
        if (text.empty())
            return m_empty;
        if (!m_first[static_cast<unsigned char>(text.front())])
            return false;
        for (const std::string &t : m_tokens)
            if (t == text)
                return true;
        return false;
    }

    QStringList tokens() const;

private:
    bool m_empty = false;
    std::array<bool, 256> m_first{};
    std::vector<std::string> m_tokens; // non-empty tokens
};

} // namespace orrery::data
