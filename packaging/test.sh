#!/usr/bin/env bash
# README command 2: set up, build both configurations (full and -DORRERY_GUI=OFF), run every
# test through CTest, print CTest's summary, exit non-zero on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packaging/setup.sh --test

jobs=${ORRERY_BUILD_JOBS:-2}
# CI builds in a fresh clone each time: let ccache match objects across clone folders.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
status=0
for config in "build -DORRERY_GUI=ON" "build-nogui -DORRERY_GUI=OFF"; do
  set -- $config
  dir=$1; gui=$2
  echo "== configure and build $dir ($gui)"
  cmake -S . -B "$dir" -G Ninja "$gui" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$dir" -j "$jobs"
done

for dir in build build-nogui; do
  echo "== test $dir"
  # Tests run offscreen; orrery_test() sets QT_QPA_PLATFORM for each.
  if ! ctest --test-dir "$dir" --output-on-failure -j "$jobs"; then
    status=1
  fi
done
exit $status
