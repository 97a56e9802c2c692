#!/bin/sh
# Builds and runs the libFuzzer targets under tests/fuzz.
#
#   sh tests/fuzz/run.sh smoke   bounded run for `make check` (about 20 s in all)
#   sh tests/fuzz/run.sh long    longer run for `make fuzz` (10 minutes a target)
#
# CF2_FUZZ_SECONDS overrides the time per target; CLANG the compiler.
# Outputs go to build/fuzz/: the binaries, a working corpus per target
# (seeded from tests/fuzz/corpus/<target>/ and tests/data/, which are only
# read), logs, and crash-* artifacts.  Exits non-zero when a target crashes
# or fails to build; prints "SKIP: ..." and exits 0 when libFuzzer is not
# available on this machine.
set -u

mode=${1:-smoke}
case $mode in
    smoke) seconds=${CF2_FUZZ_SECONDS:-15} ;;
    long)  seconds=${CF2_FUZZ_SECONDS:-600} ;;
    *) echo "usage: $0 smoke|long" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/build/fuzz
clang=${CLANG:-clang}
mkdir -p "$out"

# libFuzzer comes with clang and its runtime (Debian: libclang-rt-14-dev);
# without them there is nothing to run, which is not a failure of ours.
if ! command -v "$clang" >/dev/null 2>&1; then
    echo "SKIP: $clang not found; libFuzzer needs clang"
    exit 0
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
    exit 0
fi

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

status=0
run_target fuzz_restart_header "$root/tests/fuzz/fuzz_restart_header.c" \
    "$root/dll/restart_codec.c" "$root/dll/crc32c.c" || status=1
exit $status
