#!/bin/sh
# The conformance suite under Wine's heap checking (issue 8; docs/reliability.md).
#
#   sh tests/soak/heap-check.sh [CONFORMANCE-OPTIONS...]   (default: --quick)
#
# Runs build/x64/tests/conformance.exe against the test build of the DLL with
# WINEDEBUG=warn+heap, which makes Wine validate heap calls (double frees,
# pointers it never handed out, corrupted blocks) and report them on the
# "heap" debug channel.  tools/wine-run.sh always sets WINEDEBUG=-all, so
# Wine's loader is run directly here.  First a positive control
# (build/x64/tests/heap_control.exe misuses the heap on purpose) must produce
# such messages, which proves they would be seen; then the suite must exit 0
# with none.  Prints the suite's summary and the number of heap messages.
# CF2_HEAP_WINEPREFIX selects the prefix (default build/wineprefix).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
wine=/usr/lib/wine/wine64
if [ ! -x $wine ]; then
    echo "SKIP: heap check: $wine not found"
    exit 0
fi
[ $# -gt 0 ] || set -- --quick
export WINEPREFIX="${CF2_HEAP_WINEPREFIX:-$root/build/wineprefix}"
export WINEDLLOVERRIDES="winedbg.exe=d"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    # Let wine-run.sh create the prefix the usual way.
    sh "$root/tools/wine-run.sh" --prefix "$WINEPREFIX" "$root/build/x64/tests/conformance.exe" --probe >/dev/null
fi
logs=$root/build/heap-check
rm -rf "$logs" && mkdir -p "$logs"
pattern=':[a-z]*:heap:'
# Z:\... for a host path (Wine maps Z: to /).
winpath() {
    printf 'Z:%s' "$1" | tr / '\\'
}

WINEDEBUG=warn+heap $wine "$root/build/x64/tests/heap_control.exe" >"$logs/control.log" 2>&1 </dev/null
control=$(grep -c "$pattern" "$logs/control.log")
if [ "$control" -lt 2 ]; then
    cat "$logs/control.log" >&2
    echo "FAIL: heap check: the control program's heap misuse gave $control heap messages" \
         "(expected 2): Wine's heap checking is not on, so its silence would prove nothing" >&2
    exit 1
fi

rc=0
WINEDEBUG=warn+heap $wine "$root/build/x64/tests/conformance.exe" \
    --impl "$(winpath "$root/build/x64/test/copyfile2.dll")" \
    --workdir "$(winpath "$logs/work")" "$@" >"$logs/suite.log" 2>&1 </dev/null || rc=$?
rm -rf "$logs/work"
found=$(grep -c "$pattern" "$logs/suite.log")
summary=$(tr -d '\r' <"$logs/suite.log" | grep '^cf2-conformance (x64): [0-9]* tests' | tail -n 1)
printf '%s %s\n' "heap check: control ${control} messages (as expected); suite with WINEDEBUG=warn+heap" \
     "$*: exit $rc, ${found} heap messages; ${summary:-no summary}"
if [ "$found" -ne 0 ]; then
    grep "$pattern" "$logs/suite.log" | head -n 20 >&2
    echo "FAIL: heap check: Wine reported heap misuse while the suite ran (see $logs/suite.log)" >&2
    exit 1
fi
if [ $rc -ne 0 ]; then
    grep -E '^\[  (FAILED|ERROR)' "$logs/suite.log" | head -n 30 >&2
    echo "FAIL: heap check: the suite exited with $rc under heap checking (see $logs/suite.log)" >&2
    exit 1
fi
