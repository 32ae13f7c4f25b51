#!/bin/sh
# check_core_module.sh CORE_DIR MODULE LINKS_FILE "LINKS…" "INCLUDES…"
# One core module keeps its layer (DESIGN.md, "Which module may use which"):
# - LINKS_FILE (written by CMake from the target's LINK_LIBRARIES) names only orrery_<m> for m in
#   MODULE's allowed LINKS, and nothing of QtGui, QtWidgets or LibTorch;
# - every file under core/MODULE/ includes "core/<m>/…" only for m in MODULE, LINKS or INCLUDES
#   (INCLUDES: what those links bring, e.g. registry's own tracking and data).
# Names each breach; fails when there is one, when the module has no sources, or when the links
# file is missing (a check that sees nothing must not pass).
set -u
core=$1
module=$2
links_file=$3
links=$4
reachable=$5
status=0
if [ ! -f "$links_file" ]; then
  echo "no link list $links_file for orrery_$module" >&2
  exit 1
fi
for lib in $(tr ';' ' ' <"$links_file"); do
  case $lib in
    orrery_*)
      used=${lib#orrery_}
      ok=no
      for a in $links; do [ "$used" = "$a" ] && ok=yes; done
      if [ $ok = no ]; then
        echo "orrery_$module links $lib (it may link: $links)" >&2
        status=1
      fi ;;
    *Qt6::Gui*|*Qt6::Widgets*|*torch*|*c10*)
      echo "orrery_$module links $lib" >&2
      status=1 ;;
  esac
done
files=0
for file in "$core/$module"/*.h "$core/$module"/*.cpp; do
  [ -f "$file" ] || continue
  files=$((files + 1))
  for used in $(sed -n 's|^[[:space:]]*#[[:space:]]*include[[:space:]]*"core/\([^/"]*\)/.*|\1|p' "$file" | sort -u); do
    ok=no
    for a in $module $links $reachable; do [ "$used" = "$a" ] && ok=yes; done
    if [ $ok = no ]; then
      echo "$file includes core/$used/ (core/$module may include: $module $links $reachable)" >&2
      status=1
    fi
  done
done
if [ $files -eq 0 ]; then
  echo "no sources under $core/$module" >&2
  exit 1
fi
[ $status -eq 0 ] && echo "core/$module: $files files, links and includes only: $module $links $reachable"
exit $status
