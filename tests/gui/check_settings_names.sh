#!/usr/bin/env bash
# GUI tests run in parallel (ctest -j) and QSettings in test mode is one file per application
# name: two tests that set the same name clear and overwrite each other's settings (a CI run
# failed that way). Each setApplicationName in the tests must be unique.
set -euo pipefail
dups=$(grep -rhoE 'setApplicationName\(QStringLiteral\("[^"]+"\)' "$1" | sort | uniq -d)
if [[ -n "$dups" ]]; then
  echo "tests share a QSettings application name (each needs its own): $dups"
  exit 1
fi
echo "every test has its own settings name"
