#include "core/tune/successive_halving_pruner.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace orrery::tune {

SuccessiveHalvingPruner::SuccessiveHalvingPruner(Direction direction, int minResource, int reductionFactor, int minEarlyStoppingRate)
    : m_direction(direction), m_minResource(minResource), m_reductionFactor(reductionFactor), m_minEarlyStoppingRate(minEarlyStoppingRate)
{ }

qint64 SuccessiveHalvingPruner::rungStep(int rung) const
{
    constexpr qint64 kNever = std::numeric_limits<qint64>::max();
    qint64 step = m_minResource;
    const int exponent = m_minEarlyStoppingRate + rung;
    for (int i = 0; i < exponent; ++i) {
        if (step > kNever / m_reductionFactor)
            return kNever;
        step *= m_reductionFactor;
    }
    return step;
}

int SuccessiveHalvingPruner::recordedAt(int rung) const
{
    return rung >= 0 && rung < int(m_rungValues.size()) ? int(m_rungValues[size_t(rung)].size()) : 0;
}

void SuccessiveHalvingPruner::report(int trial, int step, double value)
{
    TrialProgress &t = m_trials[trial];
    if (step <= t.lastStep)
        return;
    t.lastStep = step;
    t.prune = false;
    for (;;) {
        if (step < rungStep(t.rungsPassed))
            return;
        if (std::isnan(value)) {
            t.prune = true;
            return;
        }
        const bool promoted = recordAndPromote(t.rungsPassed, value);
        ++t.rungsPassed;
        if (!promoted) {
            t.prune = true;
            return;
        }
    }
}

bool SuccessiveHalvingPruner::recordAndPromote(int rung, double value)
{
    if (int(m_rungValues.size()) <= rung)
        m_rungValues.resize(size_t(rung) + 1);
    std::vector<double> &values = m_rungValues[size_t(rung)];
    values.insert(std::upper_bound(values.begin(), values.end(), value), value);
    // The i-th best of the n values at this rung, i = max(1, ⌊n / factor⌋).
    const size_t n = values.size();
    const size_t i = std::max<size_t>(1, n / size_t(m_reductionFactor));
    if (m_direction == Direction::Maximize)
        return value >= values[n - i];
    return value <= values[i - 1];
}

bool SuccessiveHalvingPruner::shouldPrune(int trial, int step)
{
    const auto it = m_trials.find(trial);
    if (it == m_trials.end() || it->second.lastStep != step)
        return false;
    return it->second.prune;
}

void SuccessiveHalvingPruner::finished(int trial, TrialState)
{
    // Its rung values stay: every trial's count, whatever its end.
    m_trials.erase(trial);
}

} // namespace orrery::tune
