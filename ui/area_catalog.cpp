#include "ui/area_catalog.h"

#include <QCoreApplication>

namespace orrery::ui {
namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("orrery::ui::Areas", text);
}

QVector<AreaInfo> makeAreas()
{
    return {
        {Area::Pipeline, QStringLiteral("pipeline"), tr("Pipeline"), QStringLiteral(":/icons/pipeline.svg"),
         tr("No pipeline yet"),
         tr("The pipeline editor will show your stages (load, validate, split, train, evaluate, gate, "
            "register, deploy) as a graph that runs and caches like DVC."),
         tr("Drag stages from the palette to build a pipeline; `orrery-cli run` runs it from a terminal.")},
        {Area::Data, QStringLiteral("data"), tr("Data"), QStringLiteral(":/icons/data.svg"),
         tr("No datasets yet"),
         tr("Datasets will appear here with their versions from git history, statistics per column "
            "and diffs between any two versions."),
         tr("Add data with `orrery-cli data add PATH`.")},
        {Area::Experiments, QStringLiteral("experiments"), tr("Experiments"), QStringLiteral(":/icons/experiments.svg"),
         tr("No runs yet"),
         tr("Runs will appear here with their parameters and metrics, side-by-side comparison charts "
            "and hyperparameter sweeps."),
         tr("Log runs with MLflow's client pointed at `orrery-cli tracking serve`.")},
        {Area::Registry, QStringLiteral("registry"), tr("Registry"), QStringLiteral(":/icons/registry.svg"),
         tr("No registered models yet"),
         tr("Registered models will appear here with their versions, the champion and challenger "
            "aliases, and the lineage from each version back to its run, code and data."),
         tr("Register a model with `orrery-cli models register`, or let the pipeline's register stage do it.")},
        {Area::Deployments, QStringLiteral("deployments"), tr("Deployments"), QStringLiteral(":/icons/deployments.svg"),
         tr("Nothing deployed yet"),
         tr("Blue-green and canary rollouts to the local inference server will appear here, with "
            "their analysis and a one-click rollback."),
         tr("Start a rollout with `orrery-cli deploy start`; `orrery-cli serve` runs the server.")},
        {Area::Monitoring, QStringLiteral("monitoring"), tr("Monitoring"), QStringLiteral(":/icons/monitoring.svg"),
         tr("Nothing to monitor yet"),
         tr("Live latency and throughput, data and prediction drift charts and firing alerts will "
            "appear here once a model serves predictions."),
         tr("Compare two data sets now with `orrery-cli monitor drift --reference A.csv --current B.csv`.")},
        {Area::Automation, QStringLiteral("automation"), tr("Automation"), QStringLiteral(":/icons/automation.svg"),
         tr("No automation yet"),
         tr("The continuous-training loop will appear here: drift → retrain → gate → canary → "
            "promote, with each trigger, decision and rollback."),
         tr("Start the loop with `orrery-cli ct run`.")},
    };
}

} // namespace

const QVector<AreaInfo> &workbenchAreas()
{
    static const QVector<AreaInfo> areas = makeAreas();
    return areas;
}

} // namespace orrery::ui
