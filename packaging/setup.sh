#!/usr/bin/env bash
# Install the Debian packages Orrery needs. Idempotent: when everything is present it only
# runs dpkg-query and exits in well under a second.
#   packaging/setup.sh          what building and running Orrery needs
#   packaging/setup.sh --test   also what the tests need (Xvfb, SciPy, PyTorch oracles, servers),
#                               and the npm validators of the exported manifests (tests/deploy)
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
  prometheus-alertmanager                     # a real Alertmanager receives Orrery's alerts (tst_alertmanager)
  # orrery-cli export: CRD schemas checked with jsonschema, Deployment/Service/Rollout with the npm
  # packages of tests/deploy/package.json (node; nodesource's nodejs brings npm)
  python3-jsonschema nodejs
  python3-optuna                              # core/tune: Optuna 3.1 is the pruners' and samplers' oracle, and the benchmark's peer
  # DVC compatibility oracles: pathspec (DVC's .dvcignore matcher) and ruamel.yaml (DVC's YAML
  # dumper, whose 80-column wrapping dvc.lock must match)
  python3-pathspec python3-ruamel.yaml
  slurm-wlm munge                             # a one-node Slurm cluster for the executor's tests (tests/support/slurm_cluster.sh)
  iproute2                                    # `ip netns`: two Gloo ranks in two network namespaces (tst_cli_train_netns)
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
else
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  # Update the package lists only when they are missing or a first attempt fails.
  if ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi

# The export validators: `npm ci` from tests/deploy/package-lock.json into tests/deploy/node_modules
# (ignored by git), again only when the lock file changed; --prefer-offline takes npm's cache first.
if [[ "${1:-}" == "--test" ]]; then
  validators="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/deploy"
  stamp="$validators/node_modules/.orrery-package-lock.md5"
  want=$(md5sum "$validators/package-lock.json" | cut -d' ' -f1)
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    if ! command -v npm >/dev/null; then
      echo "setup: npm is missing (it comes with nodesource's nodejs; on Debian's own nodejs: apt-get install npm)" >&2
      exit 1
    fi
    echo "setup: installing the export validators (npm ci in tests/deploy)"
    (cd "$validators" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
  fi
fi
