#!/usr/bin/env bash
# Build (Release) and run the benchmarks in tests/bench, each beside its peer in the same run.
#   packaging/bench.sh [GROUP…]     groups: foundation, data, tracking, pipeline, training, experiments, editor, registry, serving, deployment, monitoring, ct, tuning, tuning-demo, sweepview
# Prints `bench NAME VALUE UNIT` lines; `bench NAME_vs_PEER RATIO x` where RATIO > 1 means Orrery
# is better. Exits non-zero only when a benchmark itself fails to run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)

packaging/setup.sh --test >/dev/null
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DORRERY_GUI=OFF -DORRERY_TESTS=ON -DORRERY_BENCH=ON >/dev/null
cmake --build build-bench -j "${ORRERY_BUILD_JOBS:-2}" >/dev/null

groups=("$@")
((${#groups[@]})) || groups=(foundation)
work=$(mktemp -d /tmp/orrery-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

ratio() { # NAME PEER ORRERY_VALUE PEER_VALUE  (values where lower is better)
  awk -v n="$1" -v p="$2" -v o="$3" -v q="$4" 'BEGIN { printf "bench %s_vs_%s %.2f x\n", n, p, q / o }'
}

run_foundation() {
  local out
  out=$("$repo/build-bench/tests/bench/bench_foundation" "$work/foundation")
  echo "$out"
  local ours peer
  ours=$(awk '$2 == "audit_append_100k_batch" { print $3 }' <<<"$out")
  peer=$(/usr/bin/python3 tests/bench/peers/audit_chain.py "$work/peer-audit.db" | awk '{ print $3 }')
  echo "bench audit_append_100k_batch_python $peer s"
  ratio audit_append_100k_batch python_sqlite3 "$ours" "$peer"
  # A command's start-up: what every CLI call pays before doing anything.
  local start
  start=$(/usr/bin/python3 - "$repo/build-bench/bin/orrery-cli" <<'PY'
import subprocess, sys, time
times = []
for _ in range(20):
    t = time.perf_counter(); subprocess.run([sys.argv[1], "--version"], stdout=subprocess.DEVNULL, check=True)
    times.append(time.perf_counter() - t)
times.sort(); print(f"{times[len(times)//2]*1000:.3f}")
PY
)
  echo "bench cli_start $start ms"
}

# Data versioning: md5 of many files against coreutils' md5sum (one core, then both), warm cache;
# `data status` of 100,000 unchanged files.
run_data_versioning() {
  local dir="$work/hash-files"
  mkdir -p "$dir"
  for i in $(seq 1 200); do head -c 2097152 /dev/urandom > "$dir/f$i.bin"; done
  cat "$dir"/* > /dev/null # warm page cache for both sides
  local bin="$repo/build-bench/tests/bench/bench_data"
  local t1 t2 m1 m2
  t1=$("$bin" hash "$dir" 1 | tee /dev/stderr | awk '$2 == "hash_threads1" { print $3 }')
  t2=$("$bin" hash "$dir" 2 | tee /dev/stderr | awk '$2 == "hash_threads2" { print $3 }')
  m1=$(/usr/bin/python3 -c "import subprocess,time,glob,sys; f=sorted(glob.glob(sys.argv[1]+'/*')); t=time.perf_counter(); subprocess.run(['md5sum']+f, stdout=subprocess.DEVNULL, check=True); print(f'{time.perf_counter()-t:.3f}')" "$dir")
  m2=$(/usr/bin/python3 -c "import subprocess,time,glob,sys; f=sorted(glob.glob(sys.argv[1]+'/*')); h=len(f)//2; t=time.perf_counter(); ps=[subprocess.Popen(['md5sum']+p, stdout=subprocess.DEVNULL) for p in (f[:h], f[h:])]; [p.wait() for p in ps]; print(f'{time.perf_counter()-t:.3f}')" "$dir")
  echo "bench md5sum_one_core $m1 s"
  echo "bench md5sum_two_processes $m2 s"
  ratio hash_one_core md5sum "$t1" "$m1"
  ratio hash_two_threads md5sum_one_core "$t2" "$m1"
  rm -rf "$dir"
  "$bin" status-100k "$work/status"
}

# CSV parsing of numeric data (~200 MB, warm page cache): Orrery's reader beside Python's csv
# module and, when python3-pandas is installed, pandas.read_csv, on the same file.
run_data_csv() {
  local out ours peer py pd
  out=$("$repo/build-bench/tests/bench/bench_csv" "$work/csv")
  echo "$out"
  ours=$(awk '$2 == "csv_parse_numeric_time" { print $3 }' <<<"$out")
  peer=$(/usr/bin/python3 tests/bench/peers/csv_python.py "$work/csv/numeric.csv")
  py=$(awk '$2 == "csv_python_csv" { print $3 }' <<<"$peer")
  echo "bench csv_parse_numeric_python_csv $py s"
  ratio csv_parse_numeric python_csv "$ours" "$py"
  pd=$(awk '$2 == "csv_pandas" { print $3 }' <<<"$peer")
  if [[ -n "$pd" ]]; then
    echo "bench csv_parse_numeric_pandas $pd s"
    ratio csv_parse_numeric pandas "$ours" "$pd"
  fi
  rm -rf "$work/csv"
}

# Experiment tracking: ingest through the writer thread and decimation (bench_tracking), and
# MLflow's REST log-batch of 1,000 metrics over keep-alive HTTP (bench_tracking_rest), side by
# side with MLflow 2.4's own server (tests/vendor/mlflow-2.4, Flask, its SQLite store).
run_tracking() {
  "$repo/build-bench/tests/bench/bench_tracking" "$work/tracking"
  local port=$((20000 + RANDOM % 20000))
  mkdir -p "$work/mlflow"
  PYTHONPATH="$repo/tests/vendor/mlflow-2.4" \
    _MLFLOW_SERVER_FILE_STORE="sqlite:///$work/mlflow/mlflow.db" _MLFLOW_SERVER_ARTIFACT_ROOT="$work/mlflow/artifacts" \
    /usr/bin/python3 -c "from mlflow.server import app; app.run(host='127.0.0.1', port=$port, threaded=True)" \
    >"$work/mlflow/server.log" 2>&1 &
  local mlflow_pid=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    sleep 0.5
  done
  "$repo/build-bench/tests/bench/bench_tracking_rest" "$work/tracking-rest" 300 "$port"
  kill "$mlflow_pid" 2>/dev/null; wait "$mlflow_pid" 2>/dev/null || true
  rm -rf "$work/tracking" "$work/tracking-rest" "$work/mlflow"
}

# Experiment comparison (the Experiments area, offscreen): 100,000 runs × 20 params × 10 metrics
# (table first paint, sort by a metric) and ten runs of 1,000,000 points (redraw after a zoom).
# It needs the GUI, so it builds its own Release folder with the workbench on.
run_experiments() {
  cmake -S . -B build-bench-gui -G Ninja -DCMAKE_BUILD_TYPE=Release -DORRERY_GUI=ON -DORRERY_TESTS=ON -DORRERY_BENCH=ON >/dev/null
  cmake --build build-bench-gui -j "${ORRERY_BUILD_JOBS:-2}" --target bench_experiments >/dev/null
  QT_QPA_PLATFORM=offscreen "$repo/build-bench-gui/tests/bench/bench_experiments" "$work/experiments"
  rm -rf "$work/experiments"
}

# The pipeline editor: a 500-stage pipeline opened (the issue asks <= 500 ms), pan and zoom frame
# times at 1:1 and fitted (<= 33 ms). Same GUI Release folder as the experiments group.
run_editor() {
  cmake -S . -B build-bench-gui -G Ninja -DCMAKE_BUILD_TYPE=Release -DORRERY_GUI=ON -DORRERY_TESTS=ON -DORRERY_BENCH=ON >/dev/null
  cmake --build build-bench-gui -j "${ORRERY_BUILD_JOBS:-2}" --target bench_editor >/dev/null
  QT_QPA_PLATFORM=offscreen "$repo/build-bench-gui/tests/bench/bench_editor" "$work/editor" 500
  rm -rf "$work/editor"
}

# Training: LibTorch's loop beside the same MLP in PyTorch (peers/train_pytorch.py, 800 steps),
# rows/s for an epoch of the demo fraud data, and 2-rank Gloo scaling on this machine.
run_training() {
  local out ours peer
  out=$("$repo/build-bench/tests/bench/bench_training" "$work/training")
  echo "$out"
  ours=$(awk '$2 == "train_mlp_step_us" { print $3 }' <<<"$out")
  peer=$(/usr/bin/python3 tests/bench/peers/train_pytorch.py) # a copy of shared/peers/train_pytorch.py
  peer=$(sed -n 's/.*us_per_step=\([0-9.]*\).*/\1/p' <<<"$peer")
  echo "bench train_mlp_step_us_pytorch $peer us"
  ratio train_mlp_step pytorch "$ours" "$peer"
  rm -rf "$work/training"
}

# Pipelines: the executor's own cost per no-op stage (in-process and `true` commands) and the time
# a 200-stage pipeline with everything up to date takes to decide there is nothing to do. DVC, the
# peer, cannot be installed here and has no Python stand-in in peers/, so no ratio is printed.
# Then (issue 20) what Slurm costs per no-op stage and per array trial beside local execution, on a
# one-node cluster started for it (tests/bench/slurm_overhead.sh).
run_pipeline() {
  "$repo/build-bench/tests/bench/bench_pipeline" "$work/pipeline" "$repo/build-bench/bin/orrery-cli"
  tests/bench/slurm_overhead.sh "$repo/build-bench/bin/orrery-cli" "$work/slurm"
}

# The model registry: 1,000 models × 100 versions (the issue asks models list <= 200 ms, search by
# run or tag <= 20 ms, lineage <= 10 ms), beside MLflow 2.4's own registry store on the same shape
# (tests/bench/peers/registry_mlflow.py: SqlAlchemyStore over SQLite, as `mlflow server` serves it).
run_registry() {
  local out peer
  out=$("$repo/build-bench/tests/bench/bench_registry" "$work/registry")
  echo "$out"
  peer=$(PYTHONPATH="$repo/tests/vendor/mlflow-2.4" /usr/bin/python3 tests/bench/peers/registry_mlflow.py "$work/registry-peer" 2>/dev/null)
  echo "$peer"
  local pair ours theirs
  for pair in "registry_models_list_1k mlflow_registry_models_list_1k" "registry_versions_by_run mlflow_registry_versions_by_run" \
              "registry_versions_by_tag mlflow_registry_versions_by_tag" "registry_lineage mlflow_registry_version_get"; do
    set -- $pair
    ours=$(awk -v k="$1" '$2 == k { print $3 }' <<<"$out")
    theirs=$(awk -v k="$2" '$2 == k { print $3 }' <<<"$peer")
    ratio "$1" mlflow "$ours" "$theirs"
  done
  # The Registry area's first paint needs the GUI build (the experiments group's Release folder).
  cmake -S . -B build-bench-gui -G Ninja -DCMAKE_BUILD_TYPE=Release -DORRERY_GUI=ON -DORRERY_BENCH=ON >/dev/null
  cmake --build build-bench-gui -j "${ORRERY_BUILD_JOBS:-2}" --target bench_registry_area >/dev/null
  QT_QPA_PLATFORM=offscreen "$repo/build-bench-gui/tests/bench/bench_registry_area" "$work/registry-area"
}

# Serving: the 20->64->1 MLP of peers/serve_fastapi.py (same seed, so the same weights) exported to
# TorchScript, served by `orrery-cli serve` (orrery-serve, dynamic batching) and by the Python peer
# (FastAPI + uvicorn when /usr/bin/python3 has them, else Flask), each loaded alike: wrk -t1 -c16
# with peers/serve_load.lua when wrk is installed, else bench_serving (the same load, in C++).
run_serving() {
  local seconds=${ORRERY_BENCH_SERVING_SECONDS:-10} ours peer peer_name pid out peer_out
  /usr/bin/python3 tests/bench/peers/export_serve_mlp.py "$work/mlp.pt"
  load() { # PORT NAME
    if command -v wrk >/dev/null; then
      "$repo/build-bench/tests/bench/bench_serving" "$1" "$2-warmup" 1 1 >/dev/null # waits until it answers
      $client wrk -t1 -c16 -d"${seconds}s" --latency -s tests/bench/peers/serve_load.lua "http://127.0.0.1:$1/v2/models/m/infer" |
        awk -v n="$2" '/Requests\/sec/ { printf "bench %s_rps %.0f req/s\n", n, $2 } $1 == "50%" { printf "bench %s_p50 %s\n", n, $2 } $1 == "99%" { printf "bench %s_p99 %s\n", n, $2 }'
    else
      $client "$repo/build-bench/tests/bench/bench_serving" "$1" "$2" "$seconds" 16
    fi
  }
  # The issue's setup: the load generator pinned to one core and the server to the other, for
  # Orrery and the peer alike (taskset; unpinned on a one-core machine).
  local client="" server=""
  if command -v taskset >/dev/null && (($(nproc) >= 2)); then client="taskset -c 0"; server="taskset -c 1"; fi
  $server "$repo/build-bench/bin/orrery-cli" serve --model "$work/mlp.pt" --endpoint m --port 18093 >/dev/null 2>&1 &
  pid=$!
  out=$(load 18093 serving_orrery) || { kill -TERM "$pid"; wait "$pid" || true; return 1; }
  kill -TERM "$pid"; wait "$pid" || true
  echo "$out"
  if /usr/bin/python3 -c 'import fastapi, uvicorn' 2>/dev/null; then
    peer_name=fastapi; $server /usr/bin/python3 tests/bench/peers/serve_fastapi.py 18094 >/dev/null 2>&1 &
  else
    peer_name=flask; $server /usr/bin/python3 tests/bench/peers/serve_flask.py 18094 >/dev/null 2>&1 &
  fi
  pid=$!
  peer_out=$(load 18094 "serving_$peer_name") || { kill -TERM "$pid"; wait "$pid" || true; return 1; }
  kill -TERM "$pid"; wait "$pid" || true
  echo "$peer_out"
  ours=$(awk '$2 == "serving_orrery_rps" { print $3 }' <<<"$out")
  peer=$(awk -v k="serving_${peer_name}_rps" '$2 == k { print $3 }' <<<"$peer_out")
  ratio serving_rps "$peer_name" "$peer" "$ours" # throughput: higher is better, so the values swap
}

# Deployment: dynamic batching's gain at 64 connections, canary routing's cost (bench_canary),
# serve's start to ready with the demo model, and desired state to applied in the workspace server.
run_deployment() {
  local seconds=${ORRERY_BENCH_SERVING_SECONDS:-10} pid out batched single
  local cli="$repo/build-bench/bin/orrery-cli" loader="$repo/build-bench/tests/bench/bench_serving"
  /usr/bin/python3 tests/bench/peers/export_serve_mlp.py "$work/mlp.pt"
  for mode in batched single; do
    local extra=()
    [[ $mode == single ]] && extra=(--max-batch 1)
    "$cli" serve --model "$work/mlp.pt" --endpoint m --port 18095 "${extra[@]}" >/dev/null 2>&1 &
    pid=$!
    out=$("$loader" 18095 "batching_${mode}_c64" "$seconds" 64) || { kill -TERM "$pid"; wait "$pid" || true; return 1; }
    kill -TERM "$pid"; wait "$pid" || true
    echo "$out"
    [[ $mode == batched ]] && batched=$(awk '$2 ~ /_rps$/ { print $3 }' <<<"$out") || single=$(awk '$2 ~ /_rps$/ { print $3 }' <<<"$out")
  done
  awk -v b="$batched" -v s="$single" 'BEGIN { printf "bench batching_gain_c64 %.2f x\n", b / s }'
  "$repo/build-bench/tests/bench/bench_canary" "$work/mlp.pt" "$loader" "${ORRERY_BENCH_CANARY_SECONDS:-3}" || return 1
  # The demo's model: start to ready, then the workspace server's desired-state latency.
  "$cli" demo "$work/deploy-demo" >/dev/null && (cd "$work/deploy-demo" && "$cli" run >/dev/null 2>&1) || return 1
  /usr/bin/python3 - "$cli" "$work/deploy-demo" <<'PY'
import subprocess, sys, time
times = []
for _ in range(5):
    t = time.perf_counter()
    p = subprocess.Popen([sys.argv[1], "serve", "--model", "fraud@champion", "--endpoint", "fraud", "--port", "0"],
                         cwd=sys.argv[2], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in p.stdout:
        if line.startswith("ready:"):
            break
    times.append((time.perf_counter() - t) * 1000)
    p.terminate(); p.wait()
times.sort(); print(f"bench serve_start_to_ready_ms {times[2]:.0f} ms")
PY
  (cd "$work/deploy-demo" && "$cli" deploy start fraud --alias champion --endpoint fraud >/dev/null) || return 1
  (cd "$work/deploy-demo" && exec "$cli" serve --port 18096 >/dev/null 2>&1) &
  pid=$!
  /usr/bin/python3 tests/bench/peers/deploy_latency.py "$cli" "$work/deploy-demo" 18096 || { kill -TERM "$pid"; wait "$pid" || true; return 1; }
  kill -TERM "$pid"; wait "$pid" || true
}

# Monitoring: each drift statistic on 1,000,000 vs 1,000,000 values (the reference prepared once,
# as at training time) beside SciPy on the same data (peers/drift_scipy.py, a copy of
# shared/peers/drift_scipy.py); the issue asks >= 10x.
run_monitoring() {
  local out peer ours theirs name
  out=$("$repo/build-bench/tests/bench/bench_drift")
  echo "$out"
  peer=$(/usr/bin/python3 tests/bench/peers/drift_scipy.py 1000000)
  for name in ks wasserstein psi chi2 jensenshannon hellinger; do
    theirs=$(awk -v k="$name" '$1 == k { sub("seconds=", "", $4); print $4 }' <<<"$peer")
    echo "bench drift_${name}_1m_scipy $theirs s"
    ours=$(awk -v k="drift_${name}_1m" '$2 == k { print $3 }' <<<"$out")
    ratio "drift_${name}_1m" scipy "$ours" "$theirs"
  done
  # Serving with all of monitoring — the prediction log keeping every request's inputs and the
  # live drift windows — against none (the issue asks >= 90 %): the demo's model on the workspace
  # server, the same load.
  local cli="$repo/build-bench/bin/orrery-cli" loader="$repo/build-bench/tests/bench/bench_serving" pid logged unlogged
  local ws="$work/monitor-demo" seconds=${ORRERY_BENCH_SERVING_SECONDS:-10}
  "$cli" demo "$ws" >/dev/null && (cd "$ws" && "$cli" run >/dev/null 2>&1 && "$cli" deploy start fraud --alias champion --endpoint fraud >/dev/null) || return 1
  /usr/bin/python3 tests/bench/peers/demo_request.py "$cli" "$ws" "$work/demo-request.json" || return 1
  for mode in logged unlogged; do
    local extra=(--sample-inputs 1)
    [[ $mode == unlogged ]] && extra=(--no-prediction-log --no-monitor)
    (cd "$ws" && exec "$cli" serve --port 18098 "${extra[@]}" >/dev/null 2>&1) &
    pid=$!
    out=$("$loader" 18098 "serving_log_$mode" "$seconds" 16 /v2/models/fraud/infer "$work/demo-request.json") || { kill -TERM "$pid"; wait "$pid" || true; return 1; }
    kill -TERM "$pid"; wait "$pid" || true
    echo "$out"
    [[ $mode == logged ]] && logged=$(awk '$2 ~ /_rps$/ { print $3 }' <<<"$out") || unlogged=$(awk '$2 ~ /_rps$/ { print $3 }' <<<"$out")
  done
  awk -v l="$logged" -v u="$unlogged" 'BEGIN { printf "bench serving_with_monitoring_share %.1f %%\n", 100 * l / u }'
}

# The Monitoring area opened on 30 days of one-minute windows x 12 features (the issue asks
# <= 300 ms to the charts' data), offscreen, in the experiments group's GUI Release folder.
run_monitoring_area() {
  cmake -S . -B build-bench-gui -G Ninja -DCMAKE_BUILD_TYPE=Release -DORRERY_GUI=ON -DORRERY_BENCH=ON >/dev/null
  cmake --build build-bench-gui -j "${ORRERY_BUILD_JOBS:-2}" --target bench_monitoring_area >/dev/null
  QT_QPA_PLATFORM=offscreen "$repo/build-bench-gui/tests/bench/bench_monitoring_area" "$work/monitoring-area"
  rm -rf "$work/monitoring-area"
}

# Continuous training: the drift scenario on its compressed clock — from the injected shift to the
# first alert and to the new champion serving, counted in monitoring windows (1m of clock each) and
# in clock time; the iteration's steps, and the loop's own overhead beside the pipeline's and the
# canary's time. No other tool closes this loop, so there is no peer to run beside it.
run_ct() {
  local out
  out=$("$repo/build-bench/bin/orrery-cli" demo "$work/ct-drift" --scenario drift --json 2>"$work/ct-drift.log") || {
    tail -20 "$work/ct-drift.log" >&2; return 1; }
  /usr/bin/python3 - <<<"$out" <<'PY'
import json, sys
r = json.load(sys.stdin)
steps = r["step_ms"]
print(f"bench ct_scenario_as_designed {1 if r['as_designed'] else 0} bool")
print(f"bench ct_shift_to_alert_windows {r['windows_to_alert']} windows")
print(f"bench ct_shift_to_champion_windows {r['windows_to_end']} windows")
print(f"bench ct_shift_to_alert_clock {r['shift_to_alert_ms']/1000:.0f} s")
print(f"bench ct_shift_to_champion_clock {r['shift_to_end_ms']/1000:.0f} s")
for name in ("data", "pipeline", "gate", "canary", "promote"):
    if name in steps:
        print(f"bench ct_step_{name}_clock {steps[name]/1000:.1f} s")
loop = r["iteration_ms"] - steps.get("pipeline", 0) - steps.get("canary", 0)
print(f"bench ct_loop_overhead_clock {loop/1000:.1f} s")
if r["iteration_ms"] > 0:
    print(f"bench ct_loop_overhead_share {100.0*loop/r['iteration_ms']:.1f} %")
PY
  rm -rf "$work/ct-drift"
}

# Tuning: TPE's time per suggestion after 1,000 and 10,000 finished trials (the history loaded in
# bulk, then K ask/tell cycles) beside Optuna's TPE on the same space, objective and history sizes
# (peers/optuna_tpe.py, a copy of shared/peers/optuna_tpe.py: Optuna's default, univariate); the
# issue asks >= 20x. Then quality: the median best of 5 seeds on Branin (100 trials) and Hartmann-6
# (200 trials), minimised, beside Optuna's TPE (peers/optuna_quality.py), and the difference
# (ours − Optuna's: above 0 is worse) as a share of the objective's range over its domain:
# Branin 0.397887 … 308.129 (at (−5, 0)), Hartmann-6 −3.32237 … 0; the issue asks within 1 %.
# Twice: against Optuna 3.1 as Debian ships it, and against the same with upstream's fix of its
# truncated-normal logpdf (optuna/optuna#5109, #5110: 3.1 leaves out −ln σ, so its kernels are not
# densities; Orrery's are, as in Optuna's later releases) — the rule Orrery follows. The median of
# 5 seeds moves by about 1.5 % of Hartmann-6's range from one set of seeds to another:
# ORRERY_BENCH_TUNING_SEEDS=31 gives a steadier comparison (and takes ~15 minutes for the peers).
run_tuning() {
  local bin="$repo/build-bench/tests/bench/bench_tune_sampler" out peer ours n k mode seeds=${ORRERY_BENCH_TUNING_SEEDS:-5}
  for nk in "1000 50" "10000 20"; do
    read -r n k <<<"$nk"
    out=$("$bin" overhead "$n" "$k") || return 1
    echo "$out"
    peer=$(/usr/bin/python3 tests/bench/peers/optuna_tpe.py --after "$n" --suggest "$k" | sed -n 's/.*ms_per_suggestion=\([0-9.]*\).*/\1/p')
    [[ -n "$peer" ]] || return 1
    echo "bench tpe_suggest_after_${n}_optuna $peer ms"
    for mode in univariate multivariate; do
      ours=$(awk -v k="tpe_suggest_after_${n}_${mode}" '$2 == k { print $3 }' <<<"$out")
      ratio "tpe_suggest_after_${n}_${mode}" optuna "$ours" "$peer"
    done
  done
  out=$("$bin" quality "$seeds") || return 1
  echo "$out"
  for fix in "" --fixed-logpdf; do
    peer=$(/usr/bin/python3 tests/bench/peers/optuna_quality.py "$seeds" $fix) || return 1
    echo "$peer"
    awk 'NR == FNR { ours[$2] = $3; next }
         { name = $2; peer = name; sub(/_optuna(_fixed)?$/, "", name); sub(/^.*_best_[a-z]*_/, "", peer)
           range = (name ~ /branin/) ? 308.129096 - 0.397887 : 3.32237
           printf "bench %s_vs_%s_share_of_range %.2f %%\n", name, peer, 100 * (ours[name] - $3) / range }' \
      <(echo "$out") <(echo "$peer")
  done
}

# Tuning the demo's MLP with the real trainer (issue 19): the median best validation PR-AUC of 5
# seeds of 30 TPE trials beside Optuna 3.1's TPE on the same space and budget
# (peers/optuna_demo_mlp.py), and ASHA beside plain random search on the same 64 configurations
# (best and epochs summed). Minutes of training: N_SEEDS=1 shortens it. See tests/bench/tune_demo.sh.
run_tuning_demo() {
  tests/bench/tune_demo.sh "$repo/build-bench/bin/orrery-cli" "$work/tuning-demo"
}

# The Sweep view (issue 19): a 100,000-trial sweep written through SweepStore (complete, pruned and
# failed trials with their steps); the view's first paint and the update after 1,000 trials finish
# (the issue asks < 300 ms each). Optuna's dashboard, the peer, fails near 46,000 trials
# (optuna-dashboard #385, ../shared/reference/competitors.md) and is not installed here: no ratio. Same GUI Release folder
# as the experiments group.
run_sweepview() {
  cmake -S . -B build-bench-gui -G Ninja -DCMAKE_BUILD_TYPE=Release -DORRERY_GUI=ON -DORRERY_TESTS=ON -DORRERY_BENCH=ON >/dev/null
  cmake --build build-bench-gui -j "${ORRERY_BUILD_JOBS:-2}" --target bench_sweep_view >/dev/null
  QT_QPA_PLATFORM=offscreen "$repo/build-bench-gui/tests/bench/bench_sweep_view" "$work/sweepview"
  rm -rf "$work/sweepview"
}

status=0
for g in "${groups[@]}"; do
  case "$g" in
    foundation) run_foundation || status=1 ;;
    data) run_data_versioning || status=1; run_data_csv || status=1 ;;
    tracking) run_tracking || status=1 ;;
    pipeline) run_pipeline || status=1 ;;
    training) run_training || status=1 ;;
    experiments) run_experiments || status=1 ;;
    editor) run_editor || status=1 ;;
    registry) run_registry || status=1 ;;
    serving) run_serving || status=1 ;;
    deployment) run_deployment || status=1 ;;
    monitoring) run_monitoring || status=1; run_monitoring_area || status=1 ;;
    ct) run_ct || status=1 ;;
    tuning) run_tuning || status=1 ;;
    tuning-demo) run_tuning_demo || status=1 ;;
    sweepview) run_sweepview || status=1 ;;
    *) echo "bench.sh: no benchmark group '$g' (known: foundation, data, tracking, pipeline, training, experiments, editor, registry, serving, deployment, monitoring, ct, tuning, tuning-demo, sweepview)" >&2; status=1 ;;
  esac
done
exit $status
