#!/usr/bin/python3
"""Peer baseline: Optuna 3.1's TPE tuning the demo's MLP, the budget and space of our demo sweep.
  optuna_demo_mlp.py CLI DEMO_DIR WORK_DIR SEED [--trials N] [--jobs N]
CLI: orrery-cli; DEMO_DIR: a demo workspace after `orrery-cli run` (its work/train.csv exists);
WORK_DIR: where each trial's training config is written. Prints
  optuna_demo_mlp seed=S trials=N complete=C best=V seconds=T
with V the best validation PR-AUC (validation.overall.pr_auc of `orrery-cli train --json`, the
value our sweep records for a complete trial).

Each objective call writes DEMO_DIR/train.yaml with the trial's values at their keys and data.path
made absolute, and runs `orrery-cli train CONFIG --json` in the workspace: the same trainer, data
and split as `orrery-cli tune`'s trials. Same space as tests/bench/tune_demo.sh's sweep file:
  optimizer.lr            log-uniform 1e-4 .. 0.05
  model.hidden            categorical [32,16] | [64,32] | [16]   (Optuna's choices must be scalars,
                          so the lists are named by strings and mapped back)
  model.dropout           0 .. 0.4, step 0.1
  training.class_weights  categorical none | balanced
Sampler settings match our sweep's `sampler: {type: tpe, seed: S}` defaults (startup_trials 10,
candidates 24, multivariate): TPESampler(seed=S, n_startup_trials=10, n_ei_candidates=24,
multivariate=True); Optuna's own default is univariate, which our sampler also offers. Two trials
at once (n_jobs 2, threads: each waits on its training process) as our sweep's parallel 2, so both
sides see the same amount of history when they suggest."""
import json, os, subprocess, sys, threading, time, warnings

import optuna
import yaml

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)  # multivariate

HIDDEN = {"32,16": [32, 16], "64,32": [64, 32], "16": [16]}


def main():
    args = sys.argv[1:]
    def option(name, default):
        if name in args:
            i = args.index(name)
            value = args[i + 1]
            del args[i:i + 2]
            return int(value)
        return default
    trials, jobs = option("--trials", 30), option("--jobs", 2)
    if len(args) != 4:
        sys.exit(__doc__)
    cli, demo, work, seed = os.path.abspath(args[0]), os.path.abspath(args[1]), os.path.abspath(args[2]), int(args[3])
    with open(os.path.join(demo, "train.yaml")) as f:
        base = yaml.safe_load(f)
    base["data"]["path"] = os.path.join(demo, base["data"]["path"])
    os.makedirs(work, exist_ok=True)
    lock = threading.Lock()

    def objective(trial):
        config = json.loads(json.dumps(base))  # a deep copy
        config["optimizer"]["lr"] = trial.suggest_float("optimizer.lr", 1e-4, 0.05, log=True)
        config["model"]["hidden"] = HIDDEN[trial.suggest_categorical("model.hidden", list(HIDDEN))]
        config["model"]["dropout"] = trial.suggest_float("model.dropout", 0.0, 0.4, step=0.1)
        config["training"]["class_weights"] = trial.suggest_categorical("training.class_weights", ["none", "balanced"])
        config["tracking"]["run_name"] = f"optuna-seed{seed}-trial{trial.number}"
        path = os.path.join(work, f"trial-{trial.number}.yaml")
        with lock, open(path, "w") as f:
            yaml.safe_dump(config, f, sort_keys=False)
        r = subprocess.run([cli, "train", path, "--json"], cwd=demo, capture_output=True, text=True)
        if r.returncode != 0:
            tail = (r.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise RuntimeError(f"trial {trial.number}: orrery-cli train {path} exited {r.returncode}: {tail}")
        return float(json.loads(r.stdout)["validation"]["overall"]["pr_auc"])

    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=10, n_ei_candidates=24, multivariate=True)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    started = time.perf_counter()
    # A failed training is a failed trial (as in our sweep), not the end of the study.
    study.optimize(objective, n_trials=trials, n_jobs=jobs, catch=(RuntimeError,))
    seconds = time.perf_counter() - started
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        sys.exit(f"optuna_demo_mlp: no trial of seed {seed} completed (see the trials' errors above)")
    print(f"optuna_demo_mlp seed={seed} trials={len(study.trials)} complete={len(complete)} "
          f"best={study.best_value:.6f} seconds={seconds:.1f}")


if __name__ == "__main__":
    main()
