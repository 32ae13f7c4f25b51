#!/bin/sh
# check_links.sh BINARY FORBIDDEN_REGEX
# Fails when ldd cannot read BINARY (a missing or broken file must not pass as "links nothing
# forbidden") or when any library it loads matches FORBIDDEN_REGEX, naming each one.
set -u
binary=$1
forbidden=$2
if ! libraries=$(ldd "$binary" 2>&1); then
  echo "ldd failed on $binary: $libraries" >&2
  exit 1
fi
if ! printf '%s\n' "$libraries" | grep -q 'libQt6Core'; then
  echo "ldd output of $binary does not look like a Qt program's:" >&2
  printf '%s\n' "$libraries" >&2
  exit 1
fi
found=$(printf '%s\n' "$libraries" | grep -E "$forbidden")
if [ -n "$found" ]; then
  echo "$binary loads what it must not ($forbidden):" >&2
  printf '%s\n' "$found" >&2
  exit 1
fi
echo "$binary loads none of: $forbidden"
