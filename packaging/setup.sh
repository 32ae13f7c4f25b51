#!/usr/bin/env bash
# Install the Debian packages Orrery needs. Idempotent: when everything is present it only
# runs dpkg-query and exits in well under a second.
#   packaging/setup.sh          what building and running Orrery needs
#   packaging/setup.sh --test   also what the tests need (Xvfb, SciPy, PyTorch oracles, servers)
set -euo pipefail

BUILD_PACKAGES=(
  g++ cmake ninja-build ccache pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-charts-dev qt6-svg-dev
  libqt6opengl6-dev libxkbcommon-dev          # qt6-charts-dev silently needs these (PLATFORM.md)
  qt6-httpserver-dev qt6-websockets-dev       # HttpServer's CMake package requires WebSockets
  qt6-qpa-plugins libqt6svg6
  libgit2-dev libsqlite3-dev libtorch-dev libyaml-cpp-dev
  libboost-dev                                # Boost.Beast: the HTTP layer of every server (core/http)
  libgloo-dev                                 # torch.distributed's Gloo backend headers (core/train)
)
TEST_PACKAGES=(
  xvfb xauth imagemagick
  python3-scipy python3-numpy python3-sklearn python3-torch
  sqlite3 git
  python3-requests                            # the MLflow-client-like script of the tracking REST test
  # MLflow 2.4's own client (tests/vendor/mlflow-2.4): its pure-Python dependencies, all in Debian
  python3-click python3-cloudpickle python3-entrypoints python3-git python3-yaml python3-protobuf
  python3-tz python3-packaging python3-importlib-metadata python3-sqlparse python3-tabulate
  python3-sqlalchemy python3-alembic python3-markdown python3-jinja2 python3-flask
  prometheus                                  # promtool checks /metrics; a real Prometheus scrapes it
)

wanted=("${BUILD_PACKAGES[@]}")
if [[ "${1:-}" == "--test" ]]; then wanted+=("${TEST_PACKAGES[@]}"); fi

missing=()
for p in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#wanted[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when they are missing or a first attempt fails.
if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
