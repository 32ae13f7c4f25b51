#!/bin/sh
# check_ui_includes.sh UI_DIR
# ui/'s folders include only what their libraries may link (ui/CMakeLists.txt): common includes
# only common; activity includes common; every area (any other folder but shell) includes common,
# activity and itself — never another area, never the shell; the shell includes everything.
# Names each include that breaks the rule; fails when there is one, or when UI_DIR has no folders.
set -u
ui=$1
status=0
folders=0
for dir in "$ui"/*/; do
  [ -d "$dir" ] || continue # the pattern itself when nothing matched
  folder=$(basename "$dir")
  folders=$((folders + 1))
  case $folder in
    shell) continue ;;
    common) allowed="common" ;;
    activity) allowed="common activity" ;;
    *) allowed="common activity $folder" ;;
  esac
  for file in "$dir"*.h "$dir"*.cpp; do
    [ -f "$file" ] || continue
    # `#include "ui/X/…"`: X is the folder it reaches into.
    for used in $(sed -n 's|^[[:space:]]*#[[:space:]]*include[[:space:]]*"ui/\([^/"]*\)/.*|\1|p' "$file" | sort -u); do
      ok=no
      for a in $allowed; do
        [ "$used" = "$a" ] && ok=yes
      done
      if [ $ok = no ]; then
        echo "$file includes ui/$used/ (ui/$folder may include: $allowed)" >&2
        status=1
      fi
    done
    # A header of ui/ outside any folder is a unit that has not found its area.
    if grep -q '^[[:space:]]*#[[:space:]]*include[[:space:]]*"ui/[^/"]*"' "$file"; then
      echo "$file includes a ui/ header outside the folders: $(grep -o '"ui/[^/"]*"' "$file" | tr '\n' ' ')" >&2
      status=1
    fi
  done
done
if [ $folders -eq 0 ]; then
  echo "no folders under $ui" >&2
  exit 1
fi
[ $status -eq 0 ] && echo "ui/: $folders folders, no include across areas"
exit $status
