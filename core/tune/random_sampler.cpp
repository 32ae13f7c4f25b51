#include "core/tune/random_sampler.h"

#include <algorithm>
#include <cmath>

namespace orrery::tune {

common::Random RandomSampler::generatorFor(quint64 seed, int trialNumber)
{
    // splitmix64's finaliser on the trial number, so that neighbouring (seed, k) pairs give
    // unrelated streams (Random's own seeding walks seed + γ, seed + 2γ, …: seed ^ k alone could
    // make two pairs share most of their state).
    quint64 z = quint64(qint64(trialNumber)) + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return common::Random(seed ^ z);
}

double RandomSampler::drawValue(const ParamSpec &spec, common::Random &random)
{
    switch (spec.kind) {
    case ParamKind::Categorical:
        return double(random.below(quint64(spec.choices.size())));
    case ParamKind::Int:
        if (spec.log) {
            const double v = std::exp(random.uniform(std::log(spec.low - 0.5), std::log(spec.high + 0.5)));
            return std::clamp(std::round(v), spec.low, spec.high);
        }
        [[fallthrough]];
    case ParamKind::Float: {
        const double q = spec.kind == ParamKind::Int ? std::max(spec.step, 1.0) : spec.step;
        if (q > 0) {
            const double top = spec.low + double(spec.cardinality() - 1) * q;
            return spec.snap(random.uniform(spec.low - 0.5 * q, top + 0.5 * q));
        }
        if (spec.log) {
            const double v = std::exp(random.uniform(std::log(spec.low), std::log(spec.high)));
            return std::clamp(v, spec.low, spec.high);
        }
        return random.uniform(spec.low, spec.high);
    }
    }
    return std::nan("");
}

Point RandomSampler::draw(const SearchSpace &space, common::Random &random)
{
    Point p(size_t(space.size()), std::nan(""));
    for (int i = 0; i < space.size(); ++i)
        if (space.isActive(p, i)) // parents come earlier: their values are drawn already
            p[size_t(i)] = drawValue(space.params()[i], random);
    return p;
}

Result<Point> RandomSampler::suggest(const SearchSpace &space, const History &, int trialNumber) const
{
    common::Random random = generatorFor(m_seed, trialNumber);
    return draw(space, random);
}

} // namespace orrery::tune
