#!/bin/sh
# bench/server-requests.sh - counts the wineserver requests one small file's
# copy makes, per contender (docs/benchmarks.md, "Where the time goes").
#
#   sh bench/server-requests.sh [METHOD...]     (default: copyfile2 bare copyfileex)
#
# For each method, `cf2bench many` copies 5 files of 4 KiB into an empty
# folder under WINEDEBUG=+server, in a private prefix whose wineserver is
# started afresh (its log is where the requests go).  The requests of the
# copying thread between the third and the fourth source's create_file are
# one file's copy; they are printed in order, then counted.
# Needs `make all` and build/x64/bench/cf2bench.exe (`make bench` builds it).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
EXE=$here/build/x64/bench/cf2bench.exe
DLL=$here/build/x64/copyfile2.dll
WORK=$here/build/server-requests
PREFIX=$here/build/wineprefix-requests
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver
[ -f "$EXE" ] && [ -f "$DLL" ] || { echo "server-requests: build first (make bench builds cf2bench.exe)" >&2; exit 2; }
[ $# -gt 0 ] || set -- copyfile2 bare copyfileex

winpath() { echo "Z:$1" | tr / '\\'; }

rm -rf "$WORK"
mkdir -p "$WORK/src"
for i in 1 2 3 4 5; do head -c 4096 /dev/urandom >"$WORK/src/f$i"; done
export WINEPREFIX=$PREFIX WINEDLLOVERRIDES=winedbg.exe=d
if [ ! -f "$PREFIX/system.reg" ]; then
    WINEDEBUG=-all "$WINE" wineboot --init >"$PREFIX.wineboot.log" 2>&1 || true
    "$WINESERVER" -w || true
fi

for m in "$@"; do
    "$WINESERVER" -k 2>/dev/null || true
    "$WINESERVER" -w 2>/dev/null || true
    rm -rf "$WORK/dst"
    mkdir "$WORK/dst"
    # The first Wine process starts the server, whose trace goes to this
    # process's stderr: the log file, never a pipe (see the README on Wine).
    WINEDEBUG=+server "$WINE" "$EXE" many --impl "$(winpath "$DLL")" --method "$m" \
        --src "$(winpath "$WORK/src")" --dst "$(winpath "$WORK/dst")" >"$WORK/$m.out" 2>"$WORK/$m.log" || {
        echo "server-requests: $m failed:" >&2
        cat "$WORK/$m.out" >&2
        exit 1
    }
    "$WINESERVER" -w 2>/dev/null || true
    awk '/create_file\(.*src\\\\f3"/ { s = 1; split($1, t, ":"); tid = t[1] }
         /create_file\(.*src\\\\f4"/ { exit }
         s && $1 == tid ":" && / [a-z_]+\( / { sub(/^[0-9a-f]+: /, ""); sub(/\(.*/, ""); print }' \
        "$WORK/$m.log" >"$WORK/$m.requests"
    n=$(wc -l <"$WORK/$m.requests")
    echo "$m: $n wineserver requests for one 4 KiB file:"
    sort "$WORK/$m.requests" | uniq -c | sort -rn | sed 's/^/    /'
done
"$WINESERVER" -k 2>/dev/null || true
