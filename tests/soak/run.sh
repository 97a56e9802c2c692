#!/bin/sh
# make soak: the long reliability runs of issue 8 (docs/reliability.md).
#
#   sh tests/soak/run.sh
#
# 1. Crash safety: tests/crash/crash_test.c with CF2_SOAK_KILLS (default 100)
#    restartable copies killed at random moments and resumed byte-identically
#    (make check runs 30).
# 2. Concurrency: the reliability area's concurrency tests with
#    CF2_SOAK_COPIES (default 200) copies per thread, 8 threads (make check
#    runs 25), under Wine's heap checking (WINEDEBUG=warn+heap): no heap
#    message may appear.
# Seeds are printed; CF2_CRASH_SEED and CF2_REL_SEED replay a run.
# CF2_SOAK_WINEPREFIX selects the Wine prefix (default build/wineprefix).
# Exits non-zero if any part fails, after running all of them.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
kills=${CF2_SOAK_KILLS:-100}
copies=${CF2_SOAK_COPIES:-200}
status=0
t0=$(date +%s)

winpath() {
    printf 'Z:%s' "$1" | tr / '\\'
}

# ---- 1. kill and resume
echo "== soak 1/2: $kills restartable copies killed and resumed (crash_test.exe, x64)"
work=$root/build/soak-crash
rm -rf "$work" && mkdir -p "$work"
log=$root/build/soak-crash.log
prefix=${CF2_SOAK_WINEPREFIX:-$root/build/wineprefix}
( cd "$work" && CF2_CRASH_ROUNDS=$kills sh "$root/tools/wine-run.sh" --prefix "$prefix" \
    ../x64/tests/crash_test.exe ) >"$log" 2>&1 || status=1
rm -rf "$work"
grep -E '^crash (test seed|summary)' "$log"
grep -qE '^\[  PASSED  \] 1 test' "$log" || { tail -n 30 "$log" >&2; echo "FAIL: soak: crash test (see $log)" >&2; status=1; }

# ---- 2. concurrency under heap checking
echo "== soak 2/2: 8 threads x $copies concurrent copies (reliability area, concurrency tests), WINEDEBUG=warn+heap"
export WINEPREFIX="$prefix"
export WINEDLLOVERRIDES="winedbg.exe=d"
log=$root/build/soak-concurrency.log
rc=0
CF2_REL_COPIES=$copies WINEDEBUG=warn+heap /usr/lib/wine/wine64 "$root/build/x64/tests/conformance.exe" \
    --impl "$(winpath "$root/build/x64/test/copyfile2.dll")" --workdir "$(winpath "$root/build/soak-work")" \
    --area reliability --filter concurrency >"$log" 2>&1 </dev/null || rc=$?
rm -rf "$root/build/soak-work"
tr -d '\r' <"$log" | grep -E '^concurrency \(|^cf2-conformance \(x64\): [0-9]+ tests'
heap=$(grep -c ':[a-z]*:heap:' "$log")
echo "heap messages: $heap"
if [ $rc -ne 0 ] || [ "$heap" -ne 0 ]; then
    grep -E '^ERROR|:heap:' "$log" | head -n 20 >&2
    echo "FAIL: soak: concurrency (exit $rc, $heap heap messages; see $log)" >&2
    status=1
fi

kills_done=$(sed -n 's/^crash summary: \([0-9]*\) kills.*/\1/p' "$root/build/soak-crash.log")
copies_done=$(sed -n 's/^concurrency ([^)]*): \([0-9]*\) copies.*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
echo "soak: ${kills_done:-0} kills survived and resumed byte-identically, $copies_done concurrent copies," \
     "$heap heap messages, $(( $(date +%s) - t0 )) s; $( [ $status -eq 0 ] && echo passed || echo FAILED)"
exit $status
