#!/bin/sh
# Builds and runs the fuzz targets under tests/fuzz.
#
#   sh tests/fuzz/run.sh smoke   bounded run for `make check` (about 35 s in all)
#   sh tests/fuzz/run.sh long    longer run for `make fuzz` (10 minutes a target)
#
# Two kinds of target:
# - libFuzzer targets (host-native, clang): fuzz_restart_header.  CLANG is
#   the compiler; CF2_FUZZ_SECONDS overrides the time per target.
# - fuzz_params: a Windows program (mingw-w64) that drives the test build of
#   the DLL, build/x64/test/copyfile2.dll, under Wine (the project's prefix
#   build/wineprefix, or CF2_FUZZ_WINEPREFIX) with mutated parameter blocks
#   (tests/fuzz/fuzz_params.c, seeds in tests/fuzz/corpus/params/).
#   CF2_FUZZ_PARAMS_ITERATIONS and CF2_FUZZ_PARAMS_SEED override the count
#   and the seed; a run replays exactly from its seed.
# Outputs go to build/fuzz/: the binaries, a working corpus per libFuzzer
# target (seeded from tests/fuzz/corpus/<target>/ and tests/data/, which are
# only read), logs, and crash-* artifacts.  Exits non-zero when a target
# crashes, fails a check or fails to build; prints "SKIP: ..." for a kind of
# target whose tools are missing here (clang and libFuzzer; mingw-w64 and
# Wine), which is not a failure of ours.
set -u

mode=${1:-smoke}
case $mode in
    smoke) seconds=${CF2_FUZZ_SECONDS:-15}
           params_iterations=${CF2_FUZZ_PARAMS_ITERATIONS:-2000}; params_seconds=15 ;;
    long)  seconds=${CF2_FUZZ_SECONDS:-600}
           params_iterations=${CF2_FUZZ_PARAMS_ITERATIONS:-1000000}; params_seconds=$seconds ;;
    *) echo "usage: $0 smoke|long" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/build/fuzz
clang=${CLANG:-clang}
mkdir -p "$out"

# libFuzzer comes with clang and its runtime (Debian: libclang-rt-14-dev);
# without them there is nothing to run, which is not a failure of ours.
libfuzzer_available() {
    if ! command -v "$clang" >/dev/null 2>&1; then
        echo "SKIP: $clang not found; libFuzzer needs clang"
        return 1
    fi
    cat > "$out/probe.c" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)data;
    (void)size;
    return 0;
}
EOF
    if ! "$clang" -fsanitize=fuzzer,address,undefined -o "$out/probe" "$out/probe.c" \
            >"$out/probe.log" 2>&1; then
        echo "SKIP: $clang cannot link -fsanitize=fuzzer,address,undefined" \
             "(libFuzzer runtime missing, e.g. libclang-rt-14-dev); see $out/probe.log"
        return 1
    fi
    return 0
}

CFLAGS="-std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer,address,undefined \
-fno-sanitize-recover=undefined -I$root/include -I$root/dll"

# run_target NAME SOURCES...
run_target() {
    name=$1
    shift
    bin=$out/$name
    log=$out/$name.$mode.log
    work=$out/corpus/${name#fuzz_}
    seeds=$root/tests/fuzz/corpus/${name#fuzz_}

    # Our own code failing to build is a failure, not a skip.
    # shellcheck disable=SC2086
    if ! "$clang" $CFLAGS -o "$bin" "$@"; then
        echo "FAIL: $name does not build" >&2
        return 1
    fi
    mkdir -p "$work"
    echo "== $name: fuzzing for ${seconds}s ($mode), log $log"
    # The first corpus directory receives new inputs; the seeds are read only.
    "$bin" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/$name-" \
        "$work" "$seeds" "$root/tests/data" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    seed=$(sed -n 's/.*Seed: \([0-9]*\).*/\1/p' "$log" | head -n 1)
    if [ $rc -ne 0 ]; then
        tail -n 40 "$log" >&2
        echo "FAIL: $name exited with status $rc after ${runs:-?} executions" \
             "(seed ${seed:-?}); reproducer: $out/$name-crash-* (see $log)" >&2
        return 1
    fi
    if [ -z "$runs" ]; then
        tail -n 20 "$log" >&2
        echo "FAIL: $name printed no statistics (see $log)" >&2
        return 1
    fi
    echo "$name: $runs executions in ${seconds}s (seed $seed), corpus $(ls "$work" | wc -l) files"
}

# Z:\... for a host path (Wine maps Z: to /).
winepath_of() {
    printf 'Z:%s' "$1" | tr / '\\'
}

# run_params: the Windows-side driver of CopyFile2's parameter handling.
run_params() {
    name=fuzz_params
    exe=$out/$name.exe
    log=$out/$name.$mode.log
    dll=$root/build/x64/test/copyfile2.dll
    mingw=x86_64-w64-mingw32-gcc
    wine=/usr/lib/wine/wine64
    if ! command -v $mingw >/dev/null 2>&1 || [ ! -x $wine ]; then
        echo "SKIP: $name needs $mingw and $wine"
        return 0
    fi
    if [ ! -f "$dll" ]; then
        # A standalone run: build the test DLL (make check has built it).
        ( cd "$root" && ${MAKE:-make} --no-print-directory build/x64/test/copyfile2.dll ) || {
            echo "FAIL: $name: cannot build $dll" >&2; return 1; }
    fi
    if ! $mingw -std=c11 -Wall -Wextra -Werror -O2 -I"$root/include" -D_WIN32_WINNT=0x0A00 \
            -DUNICODE -D_UNICODE -o "$exe" "$root/tests/fuzz/$name.c" -static-libgcc; then
        echo "FAIL: $name does not build" >&2
        return 1
    fi
    pseed=${CF2_FUZZ_PARAMS_SEED:-$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')}
    mkdir -p "$out/params-work"
    echo "== $name: up to $params_iterations executions in ${params_seconds}s ($mode) under Wine, log $log"
    rc=0
    sh "$root/tools/wine-run.sh" --prefix "${CF2_FUZZ_WINEPREFIX:-$root/build/wineprefix}" "$exe" \
        "$(winepath_of "$dll")" "$(winepath_of "$out/params-work")" \
        "$(winepath_of "$root/tests/fuzz/corpus/params")" "$params_iterations" "$pseed" \
        "$params_seconds" >"$log" 2>&1 || rc=$?
    summary=$(grep '^fuzz_params: [0-9]* executions' "$log" | tail -n 1)
    if [ $rc -ne 0 ] || [ -z "$summary" ]; then
        tail -n 40 "$log" >&2
        echo "FAIL: $name exited with status $rc (seed $pseed; replay with" \
             "CF2_FUZZ_PARAMS_SEED=$pseed); see $log" >&2
        return 1
    fi
    echo "$summary"
}

status=0
if libfuzzer_available; then
    run_target fuzz_restart_header "$root/tests/fuzz/fuzz_restart_header.c" \
        "$root/dll/restart_codec.c" "$root/dll/crc32c.c" || status=1
fi
run_params || status=1
exit $status
