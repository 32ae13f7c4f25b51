#!/usr/bin/env bash
# Issue 20's benchmark: what handing work to Slurm costs, beside the local executor in the same run.
#   tests/bench/slurm_overhead.sh ORRERY_CLI WORK_DIR       (packaging/bench.sh pipeline runs it)
#
# A one-node Slurm cluster on this machine (tests/support/slurm_cluster.sh, stopped at the end).
# Stages: a chain of N_STAGES (default 8) no-op stages (`echo i > out/i`, each needing the last)
# run with `orrery-cli run --force --no-track`, all local, then all on Slurm (executors.yaml's
# default); the overhead per stage is the difference over N_STAGES — sbatch, Slurm starting the
# job, and the executor's 500 ms scontrol poll noticing its end.
# Array trials: a grid sweep of N_TRIALS (default 8) trials of the demo's MLP (one epoch), two at
# once, locally and as one Slurm job array; the overhead per trial is the difference over N_TRIALS.
# Prints `bench NAME VALUE UNIT` lines; detail on stderr.
set -euo pipefail
(($# == 2)) || { echo "usage: tests/bench/slurm_overhead.sh ORRERY_CLI WORK_DIR" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cli=$(realpath "$1")
work=$(realpath -m "$2")
stages=${N_STAGES:-8}
trials=${N_TRIALS:-8}
mkdir -p "$work"
cluster="$work/slurm-cluster"
"$here/../support/slurm_cluster.sh" start "$cluster" >&2
trap '"$here/../support/slurm_cluster.sh" stop "$cluster" >&2' EXIT
export SLURM_CONF="$cluster/slurm.conf"

seconds() { # COMMAND… — wall seconds, the command's output to stderr
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >&2 || { echo "slurm_overhead.sh: '$*' failed" >&2; return 1; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

# ---- stages ----
ws="$work/stages"
rm -rf "$ws"
"$cli" init "$ws" >&2
{
  echo "stages:"
  for ((i = 0; i < stages; i++)); do
    echo "  s$i:"
    echo "    cmd: mkdir -p out && echo $i > out/$i"
    ((i > 0)) && echo "    deps: [out/$((i - 1))]"
    echo "    outs: [out/$i]"
  done
} >"$ws/dvc.yaml"
local_s=$(cd "$ws" && seconds "$cli" run --force --no-track) || exit 1
printf 'default:\n  executor: slurm\n  cpus: 1\n  memory: 100M\n' >"$ws/executors.yaml"
slurm_s=$(cd "$ws" && seconds "$cli" run --force --no-track) || exit 1
echo "bench pipeline_${stages}_noop_stages_local $local_s s"
echo "bench pipeline_${stages}_noop_stages_slurm $slurm_s s"
awk -v l="$local_s" -v s="$slurm_s" -v n="$stages" 'BEGIN { printf "bench slurm_overhead_per_stage %.0f ms\n", 1000 * (s - l) / n }'

# ---- array trials ----
demo="$work/demo"
rm -rf "$demo"
"$cli" demo "$demo" >&2
(cd "$demo" && "$cli" run split >&2)
sed -i 's/epochs: [0-9]*/epochs: 1/' "$demo/train.yaml"
sweep() { # NAME PLACEMENT
  cat >"$demo/$1.yaml" <<YAML
name: $1
train: train.yaml
metric: val_pr_auc
trials: $trials
parallel: 2
sampler: {type: grid, seed: 1}
$2
params:
  optimizer.lr: {choices: [0.001, 0.002, 0.003, 0.004]}
  model.hidden: {choices: [[16], [32, 16]]}
YAML
  (cd "$demo" && seconds "$cli" tune "$1.yaml")
}
local_t=$(sweep local-grid "") || exit 1
slurm_t=$(sweep slurm-grid "placement: {executor: slurm, cpus: 1, memory: 1G}") || exit 1
echo "bench grid_${trials}_trials_local $local_t s"
echo "bench grid_${trials}_trials_slurm_array $slurm_t s"
awk -v l="$local_t" -v s="$slurm_t" -v n="$trials" 'BEGIN { printf "bench slurm_array_overhead_per_trial %.0f ms\n", 1000 * (s - l) / n }'
