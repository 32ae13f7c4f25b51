#include "core/tune/pruner.h"

#include "core/tune/hyperband_pruner.h"
#include "core/tune/median_pruner.h"
#include "core/tune/successive_halving_pruner.h"

namespace orrery::tune {

namespace {

class NoPruner final : public Pruner {
public:
    void report(int, int, double) override { }
    bool shouldPrune(int, int) override { return false; }
    void finished(int, TrialState) override { }
};

Status atLeast(const QString &type, const char *field, int value, int minimum, const QString &why)
{
    if (value >= minimum)
        return Status::ok();
    return invalidArgument(QStringLiteral("pruner %1: %2 is %3; it must be at least %4 (%5)")
                               .arg(type, QLatin1String(field))
                               .arg(value)
                               .arg(minimum)
                               .arg(why));
}

Status checkRungs(const PrunerSpec &spec)
{
    ORRERY_TRY(atLeast(
        spec.type, "min_resource", spec.minResource, 1, QStringLiteral("the steps a trial runs before its first rung; steps start at 1")));
    ORRERY_TRY(atLeast(spec.type, "reduction_factor", spec.reductionFactor, 2,
        QStringLiteral("each rung keeps the top 1/reduction_factor of the trials; 3 is the default")));
    return Status::ok();
}

} // namespace

Result<std::unique_ptr<Pruner>> makePruner(const PrunerSpec &spec, Direction direction)
{
    if (spec.type == QLatin1String("none"))
        return std::unique_ptr<Pruner>(std::make_unique<NoPruner>());

    if (spec.type == QLatin1String("median")) {
        ORRERY_TRY(
            atLeast(spec.type, "startup_trials", spec.startupTrials, 0, QStringLiteral("the Complete trials needed before any pruning")));
        ORRERY_TRY(
            atLeast(spec.type, "warmup_steps", spec.warmupSteps, 0, QStringLiteral("the first steps of each trial that are never pruned")));
        return std::unique_ptr<Pruner>(std::make_unique<MedianPruner>(direction, spec.startupTrials, spec.warmupSteps));
    }

    if (spec.type == QLatin1String("asha")) {
        ORRERY_TRY(checkRungs(spec));
        ORRERY_TRY(atLeast(spec.type, "min_early_stopping_rate", spec.minEarlyStoppingRate, 0,
            QStringLiteral("the first rung is at min_resource · reduction_factor^min_early_stopping_rate")));
        return std::unique_ptr<Pruner>(
            std::make_unique<SuccessiveHalvingPruner>(direction, spec.minResource, spec.reductionFactor, spec.minEarlyStoppingRate));
    }

    if (spec.type == QLatin1String("hyperband")) {
        ORRERY_TRY(checkRungs(spec));
        if (spec.maxResource < 1) {
            return invalidArgument(QStringLiteral("pruner hyperband: max_resource is %1; hyperband needs it: set it to the "
                                                  "most steps a trial runs (the training's epochs)")
                                       .arg(spec.maxResource));
        }
        if (spec.maxResource < spec.minResource) {
            return invalidArgument(QStringLiteral("pruner hyperband: max_resource %1 is below min_resource %2; max_resource "
                                                  "is the most steps a trial runs and must be at least min_resource")
                                       .arg(spec.maxResource)
                                       .arg(spec.minResource));
        }
        return std::unique_ptr<Pruner>(
            std::make_unique<HyperbandPruner>(direction, spec.minResource, spec.maxResource, spec.reductionFactor));
    }

    return invalidArgument(QStringLiteral("unknown pruner \"%1\": the pruners are none, median, asha and hyperband").arg(spec.type));
}

} // namespace orrery::tune
