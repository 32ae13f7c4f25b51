#!/usr/bin/env bash
# README command 2: set up, build two configurations, run every test through CTest, print CTest's
# summary, exit non-zero on any failure — and, under CI=true, on any skipped test.
#   build/       the full configuration: the window, LibTorch (orrery-train), and the benchmarks,
#                built but not run, so that they cannot rot
#   build-asan/  no GUI, Debug, AddressSanitizer + UndefinedBehaviorSanitizer, without LibTorch
#                (Debian's libtorch pulls OpenCV and Qt 5: docs/architecture.md, "LibTorch")
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packaging/setup.sh --test

jobs=${ORRERY_BUILD_JOBS:-2}
# CI builds in a fresh clone each time: let ccache match objects across clone folders.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
configs=(
  "build -DORRERY_GUI=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DORRERY_TORCH=ON -DORRERY_SANITIZE=OFF -DORRERY_BENCH=ON"
  "build-asan -DORRERY_GUI=OFF -DCMAKE_BUILD_TYPE=Debug -DORRERY_TORCH=OFF -DORRERY_SANITIZE=ON -DORRERY_BENCH=ON"
)
for config in "${configs[@]}"; do
  set -- $config
  dir=$1
  shift
  echo "== configure and build $dir ($*)"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
done

# A sanitizer report ends the process with an error, so the test that triggered it fails.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for config in "${configs[@]}"; do
  set -- $config
  dir=$1
  echo "== test $dir"
  log="$dir/Testing/ctest-output.txt"
  mkdir -p "$dir/Testing"
  # Tests run offscreen (or under xvfb-run where they say so); orrery_test sets the platform.
  if ! ctest --test-dir "$dir" --output-on-failure --no-tests=error -j "$jobs" 2>&1 | tee "$log"; then
    status=1
  fi
  # The failures again at the end, where a truncated CI log still shows them.
  if grep -q "FAIL!  :" "$log"; then
    echo "== $dir: failed checks"
    grep -A3 "FAIL!  :" "$log" | head -60
  fi
  if grep -q "(Skipped)" "$log"; then
    echo "== $dir: some tests were skipped (see 'The following tests did not run' above)"
    if [[ "${CI:-}" == "true" ]]; then
      echo "== a skipped test fails CI: packaging/setup.sh --test installs what every test needs"
      status=1
    fi
  fi
done
exit $status
