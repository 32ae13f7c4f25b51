#include "core/tune/sampler.h"

#include "core/tune/grid_sampler.h"
#include "core/tune/random_sampler.h"
#include "core/tune/tpe_sampler.h"

namespace orrery::tune {

Result<std::unique_ptr<Sampler>> makeSampler(const SamplerSpec &spec, const SearchSpace &space)
{
    if (spec.type == QLatin1String("random"))
        return std::unique_ptr<Sampler>(new RandomSampler(spec.seed));
    if (spec.type == QLatin1String("grid")) {
        auto grid = GridSampler::create(space, spec.seed);
        if (!grid)
            return grid.status();
        return std::unique_ptr<Sampler>(std::move(grid).value());
    }
    if (spec.type == QLatin1String("tpe")) {
        if (spec.startupTrials < 0)
            return invalidArgument(QStringLiteral("sampler tpe: startup trials must be 0 or more (got %1)").arg(spec.startupTrials));
        if (spec.candidates < 1)
            return invalidArgument(QStringLiteral("sampler tpe: candidates must be 1 or more (got %1)").arg(spec.candidates));
        return std::unique_ptr<Sampler>(new TpeSampler(spec));
    }
    return invalidArgument(QStringLiteral("unknown sampler '%1' (known: grid, random, tpe)").arg(spec.type));
}

} // namespace orrery::tune
