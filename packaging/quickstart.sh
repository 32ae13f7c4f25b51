#!/usr/bin/env bash
# README command 1: set up, build, create a demo workspace (default ~/orrery-demo, kept when it
# exists) and open the workbench on it. With no display it says so and shows the demo from the
# terminal instead.
#   packaging/quickstart.sh [DEMO_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$(pwd)

packaging/setup.sh
export CCACHE_BASEDIR="$repo" CCACHE_NOHASHDIR=true
cmake -S . -B build -G Ninja -DORRERY_GUI=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# orrery-train is the LibTorch half that `orrery-cli train` and the pipeline's train stage run.
cmake --build build -j "${ORRERY_BUILD_JOBS:-2}" --target orrery orrery-cli orrery-train

demo=${1:-$HOME/orrery-demo}
cli="$repo/build/bin/orrery-cli"
if [[ -e "$demo/.orrery/orrery.db" ]]; then
  echo "Using the existing demo workspace $demo"
else
  "$cli" demo "$demo"
  # Run the demo's pipeline once, so the window opens on tracked runs and a trained model.
  (cd "$demo" && "$cli" run)
fi

if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
  echo "Opening the workbench on $demo"
  exec "$repo/build/bin/orrery" "$demo"
fi

echo
echo "No display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so the workbench window"
echo "cannot open here. The headless demo instead:"
echo
"$cli" --workspace "$demo" doctor
echo
"$cli" --workspace "$demo" audit list
echo
echo "The demo workspace is $demo (dataset: $demo/data/transactions.csv; see $demo/README.md)."
echo "Open it later on a machine with a display:  $repo/build/bin/orrery $demo"
echo "Or under a virtual display:                 xvfb-run -a $repo/build/bin/orrery $demo"
