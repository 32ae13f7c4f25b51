#include "core/tune/median_pruner.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace orrery::tune {

MedianPruner::MedianPruner(Direction direction, int startupTrials, int warmupSteps)
    : m_direction(direction), m_startupTrials(startupTrials), m_warmupSteps(warmupSteps)
{ }

double MedianPruner::ranked(double v) const
{
    if (!std::isnan(v))
        return v;
    return m_direction == Direction::Maximize ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
}

bool MedianPruner::better(double a, double b) const
{
    return m_direction == Direction::Maximize ? a > b : a < b;
}

void MedianPruner::report(int trial, int step, double value)
{
    RunningTrial &t = m_running[trial];
    if (!t.values.empty() && step <= t.values.back().first)
        return;
    t.values.emplace_back(step, value);
    if (std::isnan(value))
        return;
    if (!t.hasValue || better(value, t.best))
        t.best = value;
    t.hasValue = true;
}

bool MedianPruner::shouldPrune(int trial, int step)
{
    if (m_completeTrials == 0 || m_completeTrials < m_startupTrials)
        return false;
    const auto it = m_running.find(trial);
    if (it == m_running.end() || it->second.values.empty())
        return false;
    const RunningTrial &t = it->second;
    if (step != t.values.back().first)
        return false;
    if (step <= m_warmupSteps)
        return false;
    // Every report NaN: nothing to compare, and a trial that never produced a number is the worst
    // there is (Optuna prunes it before looking at the others).
    if (!t.hasValue)
        return true;
    const double median = medianAt(step);
    if (std::isnan(median))
        return false;
    return better(median, t.best);
}

void MedianPruner::finished(int trial, TrialState state)
{
    const auto it = m_running.find(trial);
    if (state == TrialState::Complete) {
        ++m_completeTrials;
        if (it != m_running.end()) {
            for (const auto &[step, value] : it->second.values)
                m_completeAtStep[step].add(ranked(value));
        }
    }
    if (it != m_running.end())
        m_running.erase(it);
}

double MedianPruner::medianAt(int step) const
{
    const auto it = m_completeAtStep.find(step);
    if (it == m_completeAtStep.end() || it->second.empty())
        return std::numeric_limits<double>::quiet_NaN();
    return it->second.median();
}

void MedianPruner::RunningMedian::add(double v)
{
    if (m_lower.empty() || v <= m_lower.front()) {
        m_lower.push_back(v);
        std::push_heap(m_lower.begin(), m_lower.end());
    } else {
        m_upper.push_back(v);
        std::push_heap(m_upper.begin(), m_upper.end(), std::greater<double>());
    }
    // Rebalance: |lower| is |upper| or |upper| + 1.
    if (m_lower.size() > m_upper.size() + 1) {
        std::pop_heap(m_lower.begin(), m_lower.end());
        m_upper.push_back(m_lower.back());
        m_lower.pop_back();
        std::push_heap(m_upper.begin(), m_upper.end(), std::greater<double>());
    } else if (m_upper.size() > m_lower.size()) {
        std::pop_heap(m_upper.begin(), m_upper.end(), std::greater<double>());
        m_lower.push_back(m_upper.back());
        m_upper.pop_back();
        std::push_heap(m_lower.begin(), m_lower.end());
    }
}

double MedianPruner::RunningMedian::median() const
{
    const double a = m_lower.front();
    if (m_lower.size() > m_upper.size())
        return a;
    const double b = m_upper.front();
    // numpy's _lerp at t = 0.5 takes the form b − (b − a)·(1 − t); with an infinite end (a NaN
    // report of a Complete trial) that form gives NaN, where the median is that infinity.
    if (std::isinf(a) || std::isinf(b))
        return a == b ? a : a + b;
    return b - (b - a) * 0.5;
}

} // namespace orrery::tune
