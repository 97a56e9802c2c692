#!/bin/sh
# Runs a Windows program under the project's private Wine prefix.
#
#   tools/wine-run.sh [--prefix DIR] [--overrides STR] EXE [ARGS...]
#
# - The prefix lives under build/ (default build/wineprefix) and is created
#   with wineboot on first use, its output sent to a file: wineboot starts
#   background services that inherit stdout/stderr, so a pipe reading from a
#   Wine program could otherwise stay open until the wineserver exits.
# - The program's stdout and stderr go to one file (cmocka prints its summary
#   on stdout and PASSED/FAILED on stderr; one file keeps them in order), which
#   is then printed.  The program's exit code is returned.
# - WINEDEBUG=-all, and winedbg is disabled so a crash fails fast.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
prefix="$here/build/wineprefix"
overrides=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift 2 ;;
        --overrides) overrides=$2; shift 2 ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] || { echo "usage: wine-run.sh [--prefix DIR] [--overrides STR] EXE [ARGS...]" >&2; exit 2; }

WINE=/usr/lib/wine/wine64
export WINEPREFIX="$prefix"
export WINEDEBUG=-all
if [ -n "$overrides" ]; then
    export WINEDLLOVERRIDES="winedbg.exe=d;$overrides"
else
    export WINEDLLOVERRIDES="winedbg.exe=d"
fi

if [ ! -f "$prefix/system.reg" ]; then
    mkdir -p "$prefix"
    "$WINE" wineboot --init >"$prefix.wineboot.log" 2>&1 || true
    # wineboot returns before the registry is flushed; wait for the server.
    /usr/lib/wine/wineserver -w || true
    if [ ! -f "$prefix/system.reg" ]; then
        echo "wine-run: could not create the prefix $prefix" >&2
        cat "$prefix.wineboot.log" >&2
        exit 1
    fi
fi

out=$(mktemp "${TMPDIR:-/tmp}/wine-run.XXXXXX")
rc=0
"$WINE" "$@" >"$out" 2>&1 </dev/null || rc=$?
cat "$out"
rm -f "$out"
exit $rc
