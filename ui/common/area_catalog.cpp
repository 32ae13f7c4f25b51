#include "ui/common/area_catalog.h"

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
         tr("Your pipeline, as a graph"),
         tr("The pipeline editor: stages such as load, validate, split, train, evaluate and gate, "
            "wired into a graph that runs and caches like DVC, with each stage's state, log and metrics."),
         tr("Drag stages from the palette onto the canvas and connect their ports; `orrery-cli demo DIR` makes a workspace with a pipeline.")},
        {Area::Data, QStringLiteral("data"), tr("Data"), QStringLiteral(":/icons/data.svg"),
         tr("Datasets and their versions"),
         tr("Once the workspace tracks data, this area lists each dataset with its versions from git "
            "history, the statistics of every column and the diff between any two versions."),
         tr("Add data with `orrery-cli data add PATH`, then commit the .dvc file it writes.")},
        {Area::Experiments, QStringLiteral("experiments"), tr("Experiments"), QStringLiteral(":/icons/experiments.svg"),
         tr("Runs and comparisons"),
         tr("Once runs are logged, this area lists every run with its parameters and metrics, and "
            "compares the runs you select: metric curves, scatter, parallel coordinates and diffs."),
         tr("Log runs with MLflow's client pointed at `orrery-cli tracking serve`.")},
        {Area::Registry, QStringLiteral("registry"), tr("Registry"), QStringLiteral(":/icons/registry.svg"),
         tr("Registered models"),
         tr("No model is registered yet. Once one is, this area lists each model with its champion and "
            "challenger, its versions with their gates, metrics, signature and model card, the lineage from "
            "each version back to its runs and data, and promotes, demotes and archives versions."),
         tr("Register a model with `orrery-cli models register NAME --file model.pt`, or run a pipeline whose register stage records the trained model after its gates.")},
        {Area::Deployments, QStringLiteral("deployments"), tr("Deployments"), QStringLiteral(":/icons/deployments.svg"),
         tr("Rollouts to the inference server"),
         tr("No endpoint serves a model yet. Once one does, this area lists each endpoint with its versions and "
            "live traffic split, follows canary, blue-green and shadow rollouts step by step with their analysis, "
            "pauses, promotes, aborts and rolls them back, and starts and stops the local inference server."),
         tr("Click Start rollout… (or run `orrery-cli deploy start fraud --alias champion --endpoint fraud`) to serve a registered version "
            "on an endpoint; Start server runs `orrery-cli serve`, which applies it.")},
        {Area::Monitoring, QStringLiteral("monitoring"), tr("Monitoring"), QStringLiteral(":/icons/monitoring.svg"),
         tr("Live monitoring"),
         tr("No drift window is recorded yet. Once an endpoint serves traffic, this area charts its throughput and latency, a "
            "heatmap of drift per feature and window, each feature's reference versus current distribution, the prediction "
            "distribution, accuracy from delayed labels per model version and data quality, and lists the alerts to acknowledge or silence."),
         tr("Serve the workspace with `orrery-cli serve` (or Start server in Deployments), then send traffic — for the demo, "
            "`orrery-cli demo replay --endpoint fraud --shift-at 60s` replays it with a shift after a minute. Each closed window appears here.")},
        {Area::Automation, QStringLiteral("automation"), tr("Automation"), QStringLiteral(":/icons/automation.svg"),
         tr("The continuous-training loop"),
         tr("No continuous-training loop is set up yet. Once ct.yaml describes one, this area shows the loop's state and "
            "its triggers with their next firing, the step in progress, and a timeline of iterations — trigger → data → "
            "pipeline → gate → canary → promoted or rolled back — each with its steps and the reason for every decision; "
            "it pauses and resumes the loop, asks for a retrain, and approves or rejects an iteration that waits."),
         tr("Write ct.yaml at the workspace root (model, endpoint, dataset, triggers; `orrery-cli ct check --help` shows one), "
            "check it with `orrery-cli ct check`, then start the loop with `orrery-cli ct run`. Its iterations appear here as it works.")},
    };
}

} // namespace

const QVector<AreaInfo> &workbenchAreas()
{
    static const QVector<AreaInfo> areas = makeAreas();
    return areas;
}

} // namespace orrery::ui
