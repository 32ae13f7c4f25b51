#include "core/tune/hyperband_pruner.h"

#include <QByteArray>

#include <array>

namespace orrery::tune {

namespace {

std::array<quint32, 256> makeCrcTable()
{
    std::array<quint32, 256> table{};
    for (quint32 i = 0; i < 256; ++i) {
        quint32 c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}

} // namespace

quint32 HyperbandPruner::crc32(QByteArrayView bytes)
{
    static const std::array<quint32, 256> table = makeCrcTable();
    quint32 c = 0xFFFFFFFFu;
    for (const char ch : bytes)
        c = table[(c ^ quint8(ch)) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

int HyperbandPruner::bracketCount(int minResource, int maxResource, int reductionFactor)
{
    int s = 0;
    qint64 resource = minResource;
    while (resource * reductionFactor <= qint64(maxResource)) {
        resource *= reductionFactor;
        ++s;
    }
    return s + 1;
}

HyperbandPruner::HyperbandPruner(Direction direction, int minResource, int maxResource, int reductionFactor)
{
    const int n = bracketCount(minResource, maxResource, reductionFactor);
    for (int b = 0; b < n; ++b) {
        // ⌈n · factor^s / (s + 1)⌉; factor^s ≤ maxResource / minResource, so no overflow.
        const int s = n - 1 - b;
        qint64 power = 1;
        for (int i = 0; i < s; ++i)
            power *= reductionFactor;
        const qint64 budget = (qint64(n) * power + s) / (s + 1);
        m_budgets.push_back(budget);
        m_totalBudget += budget;
        m_brackets.push_back(std::make_unique<SuccessiveHalvingPruner>(direction, minResource, reductionFactor, b));
    }
}

int HyperbandPruner::bracketOf(int trial) const
{
    const QByteArray key = QByteArrayLiteral("trial_") + QByteArray::number(trial);
    qint64 r = qint64(crc32(key) % quint64(m_totalBudget));
    for (size_t b = 0; b < m_budgets.size(); ++b) {
        r -= m_budgets[b];
        if (r < 0)
            return int(b);
    }
    return int(m_budgets.size()) - 1; // unreachable: r < the sum of the budgets
}

void HyperbandPruner::report(int trial, int step, double value)
{
    m_brackets[size_t(bracketOf(trial))]->report(trial, step, value);
}

bool HyperbandPruner::shouldPrune(int trial, int step)
{
    return m_brackets[size_t(bracketOf(trial))]->shouldPrune(trial, step);
}

void HyperbandPruner::finished(int trial, TrialState state)
{
    m_brackets[size_t(bracketOf(trial))]->finished(trial, state);
}

} // namespace orrery::tune
