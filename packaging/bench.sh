#!/usr/bin/env bash
# Build (Release) and run the benchmarks in tests/bench, each beside its peer in the same run.
#   packaging/bench.sh [GROUP…]     groups: foundation (more arrive with each capability)
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

status=0
for g in "${groups[@]}"; do
  case "$g" in
    foundation) run_foundation || status=1 ;;
    *) echo "bench.sh: no benchmark group '$g' yet (known: foundation)" >&2; status=1 ;;
  esac
done
exit $status
