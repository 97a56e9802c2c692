#!/bin/sh
# Runs a Windows program of the given architecture under the private prefix
# and fails if it exits non-zero.  x86 programs need 32-bit Wine (wine32:i386);
# where it is missing the run is skipped with a printed reason.
# Usage: run-if-wine.sh x64|x86 EXE [ARGS...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
arch=$1; shift
if [ "$arch" = x86 ] && ! sh "$here/have-wine32.sh"; then
    echo "SKIP: $(basename "$1") (x86) not run: 32-bit Wine (wine32:i386) is not installed"
    exit 0
fi
sh "$here/wine-run.sh" "$@" >/dev/null || {
    rc=$?
    echo "run-if-wine: $* exited with $rc" >&2
    exit $rc
}
echo "ran: $(basename "$1") ($arch): ok"
