#include "app/cli/cli.h"

namespace orrery::cli {

int runInit(const Context &);
int runDemo(const Context &);
int runDoctor(const Context &);
int runAudit(const Context &);
int runData(const Context &);
int runRuns(const Context &);
int runTracking(const Context &);
int runPredict(const Context &);
int runServeModel(const Context &);
int runTrain(const Context &);
int runRun(const Context &);
int runStage(const Context &);
int runMerge(const Context &);
int runModels(const Context &);
int runDeploy(const Context &);
int runExport(const Context &);
int runMonitor(const Context &);
int runCt(const Context &);
int runTune(const Context &);

const std::vector<Command> &commands()
{
    static const std::vector<Command> all = {
        {"init", "turn a folder into a workspace (git, .orrery/, .dvc/config)", runInit},
        {"demo", "create a demo workspace with a synthetic card-fraud dataset (demo DIR); replay its traffic with delayed labels to an endpoint (demo replay --endpoint E)", runDemo},
        {"doctor", "check database, audit chain, cache and git; say how to recover", runDoctor},
        {"data", "data versions (add, status, checkout, …) and data tests", runData},
        {"runs", "tracked runs: list, show (with the reproducibility manifest), diff, export", runRuns},
        {"tracking", "serve MLflow's tracking REST API over the workspace (tracking serve --port P)", runTracking},
        {"run", "run the pipeline (dvc.yaml), skipping unchanged stages; exit 1 when a data test or gate fails", runRun},
        {"stage", "one built-in pipeline stage, as dvc.yaml's cmd calls it (stage TYPE --help)", runStage},
        {"merge", "three-way merge of dvc.yaml and params.yaml from a branch, per stage and per param", runMerge},
        {"train", "train a model from a YAML config (train CONFIG.yaml [--nproc N | --rank R --world-size W --master HOST:PORT | --slurm --nodes N --ntasks-per-node K])", runTrain},
        {"models", "the model registry: list, show, register, promote, demote, alias, history, archive, card, gates", runModels},
        {"serve", "serve the workspace's endpoints and their rollouts (serve [--port P]), or one model (serve --model FILE|NAME@ALIAS|models:/NAME/VERSION --endpoint E), over the Open Inference Protocol v2", runServeModel},
        {"deploy", "endpoints and rollouts: start (direct, blue-green, canary, shadow), status, list, pause, resume, promote, abort, retry, rollback", runDeploy},
        {"export", "a deployment as Kubernetes, Argo Rollouts, KServe, Terraform or Containerfile (export FORMAT ENDPOINT --model NAME --version V); the monitoring as Prometheus alerting rules or a Grafana dashboard (export prometheus-rules|grafana [--out FILE|DIR])", runExport},
        {"predict", "score a CSV with a TorchScript model (predict MODEL.pt|NAME@ALIAS|NAME/VERSION --input X.csv --output Y.csv)", runPredict},
        {"monitor", "drift of a current CSV against a reference, per feature (monitor drift --reference A.csv --current B.csv [--json] [--html FILE]; exit 1 on drift); delayed labels (monitor feedback import LABELS.csv --endpoint E)", runMonitor},
        {"ct", "continuous training (ct.yaml): status, list, show, approve, reject, pause, resume, trigger, check, run (the loop: data, pipeline, gate, approval, canary, promote)", runCt},
        {"tune", "hyperparameter sweeps over a training config: tune SWEEP.yaml, resume, status, best, check (TPE, grid, random; median, ASHA, Hyperband pruning)", runTune},
        {"audit", "list the audit log or verify its hash chain", runAudit},
    };
    return all;
}

} // namespace orrery::cli
