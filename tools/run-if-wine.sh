#!/bin/sh
# Runs a Windows program of the given architecture under the private prefix
# and fails if it exits non-zero.  x86 programs need 32-bit Wine (wine32:i386);
# where it is missing the run is skipped with a printed reason.
# Usage: run-if-wine.sh [--show] x64|x86 EXE [ARGS...]
#   --show  print the program's output (by default only failures show it)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
show=0
if [ "${1:-}" = --show ]; then show=1; shift; fi
arch=$1; shift
if [ "$arch" = x86 ] && ! sh "$here/have-wine32.sh"; then
    echo "SKIP: $(basename "$1") (x86) not run: 32-bit Wine (wine32:i386) is not installed"
    exit 0
fi
out=$(mktemp "${TMPDIR:-/tmp}/run-if-wine.XXXXXX")
rc=0
sh "$here/wine-run.sh" "$@" >"$out" 2>&1 || rc=$?
if [ $show -eq 1 ] || [ $rc -ne 0 ]; then cat "$out"; fi
rm -f "$out"
if [ $rc -ne 0 ]; then
    echo "run-if-wine: $* exited with $rc" >&2
    exit $rc
fi
echo "ran: $(basename "$1") ($arch): ok"
