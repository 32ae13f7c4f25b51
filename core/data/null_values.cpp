#include "core/data/null_values.h"

namespace orrery::data {

NullValues::NullValues() : NullValues(defaultTokens()) {}

NullValues::NullValues(const QStringList &tokens)
{
    for (const QString &token : tokens) {
        const QByteArray utf8 = token.trimmed().toUtf8();
        if (utf8.isEmpty()) {
            m_empty = true;
            continue;
        }
        m_tokens.emplace_back(utf8.constData(), size_t(utf8.size()));
        m_first[static_cast<unsigned char>(utf8.front())] = true;
    }
}

QStringList NullValues::defaultTokens()
{
    return {QString(), QStringLiteral("NA"), QStringLiteral("N/A"), QStringLiteral("null"), QStringLiteral("NULL"),
            QStringLiteral("NaN"), QStringLiteral("nan")};
}

QStringList NullValues::tokens() const
{
    QStringList out;
    if (m_empty)
        out << QString();
    for (const std::string &t : m_tokens)
        out << QString::fromUtf8(t.data(), qsizetype(t.size()));
    return out;
}

} // namespace orrery::data
