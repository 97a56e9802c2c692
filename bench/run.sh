#!/bin/sh
# bench/run.sh - the whole benchmark behind `make bench` (issue 7).
#
# Contenders:
#   ours     CopyFile2 from build/x64/copyfile2.dll, loaded at run time
#   wine     Wine's kernel32 CopyFileExW
#   cp       Linux cp (GNU coreutils), run natively, as a user would
#   loop64k  CreateFileW + 64 KiB ReadFile/WriteFile loop (the baseline)
#   bare     (small files) loop64k plus SetFileTime, CREATE_NEW: the floor of
#            a one-call-per-file copy under Wine
# Workloads (docs/benchmarks.md describes each):
#   1 large files (BENCH_LARGE_MB, default "512 2048"), warm page cache, new
#     and existing destination
#   2 the same with the source evicted before every copy (bench/native/evict:
#     fdatasync + posix_fadvise(POSIX_FADV_DONTNEED), no root needed)
#   3 many small files: 2,000 x 4 KiB and 500 x 256 KiB, one call per file,
#     one Wine process per contender per round; cp is one `cp -r` process
#   4 variants of CopyFile2 on the 512 MiB file: progress routine,
#     RESTARTABLE, NO_BUFFERING, NO_OFFLOAD, ioDesiredSize, pre-allocation
#   5 sparse: 8 GiB logical with 64 MiB of data, ENABLE_SPARSE_COPY vs a
#     dense copy of 1 GiB logical (same density) scaled by 8
#   6 peak working-set growth of the copying process
#   plus a size sweep (4 MiB, 64 MiB) for the throughput plot, the cancel
#   latency, and strace -c -f of one copy of each kind.
# Writes docs/benchmarks.md from its marker down and docs/benchmarks.png
# (the report and the plot are made by bench/report.sh, sourced at the end).
#
# Method: see the introduction of docs/benchmarks.md (in-process
# QueryPerformanceCounter timing for the Windows contenders, timecmd for cp,
# interleaved contenders in an order rotated every repetition, medians,
# pre-touched memory before every timed copy because this VM hands free
# memory back to the host, the source re-read before each warm repetition
# because DAMON evicts page cache left unread for ~60 s).
#
# Environment:
#   BENCH_REPS=5           repetitions of every timed cell (>= 5 for the doc)
#   BENCH_LARGE_MB="512 2048"  sizes of the large-file workload
#   BENCH_IMPL=PATH        the DLL to measure (default build/x64/copyfile2.dll)
#   BENCH_WINEPREFIX=DIR   Wine prefix (default build/wineprefix-bench)
#   BENCH_DOC=PATH         report (default docs/benchmarks.md; the PNG goes next
#                          to it, same name with .png)
#   BENCH_PRETOUCH_MB=N    cap of the memory touched before each timed copy
#                          (default 256, to keep the run under 15 minutes;
#                          0 turns it off)
#   BENCH_STRICT=1         exit 1 when a target is missed
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

REPS=${BENCH_REPS:-5}
LARGE_MB=${BENCH_LARGE_MB:-512 2048}
IMPL=${BENCH_IMPL:-$here/build/x64/copyfile2.dll}
PREFIX=${BENCH_WINEPREFIX:-$here/build/wineprefix-bench}
case $PREFIX in /*) ;; *) PREFIX=$here/$PREFIX ;; esac
DOC=${BENCH_DOC:-$here/docs/benchmarks.md}
PNG=${DOC%.md}.png
STRICT=${BENCH_STRICT:-0}
PRETOUCH_CAP=${BENCH_PRETOUCH_MB:-256}
CANCEL_DELAY_MS=100
# Repetitions of the cells whose targets compare contenders that are equal
# within this VM's noise: cold new-destination copies (see large_cell) and
# the small-file sets (CopyFile2 and the bare loop make the same wineserver
# requests per file, so only noise separates them).  Three more than REPS:
# what the 15-minute budget of a fresh clone leaves room for.
CREPS=$((REPS + 3))
# Workload 4.  Flags in hex: RESTARTABLE 2, NO_BUFFERING 1000, NO_OFFLOAD
# 40000, DISABLE_PRE_ALLOCATION 4000000; /FLAGS/KiB = V2 ioDesiredSize.
VARIANTS=copyfile2,copyfile2-cb,copyfile2/2,copyfile2/1000,copyfile2/40000,copyfile2/40000/64,copyfile2/40000/1024,copyfile2/40000/8192,copyfile2/4000000,copyfile2/4040000,copyfile2/0/8192,copyfile2-cb/0/64,copyfile2-cb/0/8192

WORK=$here/build/bench-work
EXE=$here/build/x64/bench/cf2bench.exe
TIMECMD=$WORK/timecmd
EVICT=$WORK/evict
DST=$WORK/dst.bin
RES=$WORK/results.txt # one line per sample: CELL CONTENDER MS HRESULT EXTRA
LOG=$WORK/wine.log
WINESERVER=/usr/lib/wine/wineserver

case $REPS in '' | *[!0-9]*) echo "run.sh: BENCH_REPS must be a number" >&2; exit 2 ;; esac
case $PRETOUCH_CAP in '' | *[!0-9]*) echo "run.sh: BENCH_PRETOUCH_MB must be a number" >&2; exit 2 ;; esac
[ "$REPS" -ge 1 ] || { echo "run.sh: BENCH_REPS must be >= 1" >&2; exit 2; }
for f in "$IMPL" "$EXE"; do
    [ -f "$f" ] || { echo "run.sh: $f is missing (run make bench, or set BENCH_IMPL)" >&2; exit 2; }
done

# gnuplot for the plot: Debian's headless build is the package gnuplot-nox
# (it provides /usr/bin/gnuplot and has the png and pngcairo terminals).
# Installed as root like tools/setup-deps.sh does; without it the run goes on
# and only the PNG is missing.
if ! command -v gnuplot >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        echo "bench: installing gnuplot-nox" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null 2>&1 ||
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null; } ||
            echo "bench: could not install gnuplot-nox; no plot" >&2
    else
        echo "bench: gnuplot is missing (apt-get install gnuplot-nox as root); no plot" >&2
    fi
fi

mkdir -p "$WORK" "$(dirname "$DOC")"
errors=0

# shellcheck disable=SC2317 # called through trap
cleanup() {
    rm -rf "$WORK"/src-* "$WORK"/dst* "$WORK"/sparse-* "$WORK"/small-* "$WORK"/strace-dst*
    WINEPREFIX=$PREFIX "$WINESERVER" -k >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
note() { echo "bench: [$(($(date +%s) - started)) s] $*" >&2; }
min() { if [ "$1" -lt "$2" ]; then echo "$1"; else echo "$2"; fi; }

${NATIVE_CC:-cc} -std=c11 -Wall -Wextra -Werror -O2 -o "$TIMECMD" bench/native/timecmd.c
${NATIVE_CC:-cc} -std=c11 -Wall -Wextra -Werror -O2 -o "$EVICT" bench/native/evict.c

# Runs cf2bench under Wine; RESULT lines go to $RES.part as
# "DEST METHOD MS HR key=value,...".
cf2() {
    rc=0
    sh tools/wine-run.sh --prefix "$PREFIX" "$EXE" "$@" >"$LOG" 2>&1 || rc=$?
    # A Wine process that died before printing anything (seen once on the
    # loaded machine: exit 1, empty output) is started again, once.
    if [ "$rc" -ne 0 ] && ! grep -q '^RESULT\|^ERROR' "$LOG"; then
        note "cf2bench $1 exited with $rc before any output; running it again"
        rc=0
        sh tools/wine-run.sh --prefix "$PREFIX" "$EXE" "$@" >"$LOG" 2>&1 || rc=$?
    fi
    awk '$1 == "RESULT" {
            extra = ""
            for (i = 2; i <= NF; i++) {
                split($i, kv, "="); v[kv[1]] = kv[2]
                if (kv[1] != "method" && kv[1] != "dest" && kv[1] != "ms" && kv[1] != "hr" && kv[1] != "rep")
                    extra = extra (extra == "" ? "" : ",") $i
            }
            print v["dest"], v["method"], v["ms"], v["hr"], (extra == "" ? "-" : extra)
            for (k in v) delete v[k]
         }' "$LOG" >>"$RES.part"
    if [ "$rc" -ne 0 ]; then
        note "cf2bench $1 exited with $rc:"
        sed 's/^/    /' "$LOG" >&2
    fi
    return "$rc"
}

# Moves $RES.part into $RES under cell name $1, renaming methods to contenders.
commit_part() {
    sed -e "s/^[^ ]* /$1 /" -e 's/ copyfile2 / ours /' -e 's/ copyfileex / wine /' "$RES.part" >>"$RES"
    : >"$RES.part"
}

method_of() {
    case $1 in
        ours) echo copyfile2 ;;
        wine) echo copyfileex ;;
        *) echo "$1" ;;
    esac
}

# Rotates the words of $2 left by $1 (mod count); prints them.
rotate() {
    k=$1
    shift
    # shellcheck disable=SC2086
    set -- $*
    n=$#
    k=$((k % n))
    while [ "$k" -gt 0 ]; do
        first=$1
        shift
        set -- "$@" "$first"
        k=$((k - 1))
    done
    echo "$@"
}

# Median of the successful samples of one contender in one cell.
median() {
    awk -v d="$1" -v c="$2" '$1 == d && $2 == c && $4 == "0x00000000" { print $3 }' "$RES" |
        sort -n | awk '{ a[NR] = $1 }
            END {
                if (NR == 0) { print "n/a"; exit }
                if (NR % 2) m = a[(NR + 1) / 2]; else m = (a[NR / 2] + a[NR / 2 + 1]) / 2
                printf "%.1f\n", m
            }'
}
# Quantile $3 (0..1, nearest rank) of the successful samples of cell $1, contender $2.
quantile() {
    awk -v d="$1" -v c="$2" '$1 == d && $2 == c && $4 == "0x00000000" { print $3 }' "$RES" |
        sort -n | awk -v q="$3" '{ a[NR] = $1 }
            END {
                if (NR == 0) { print "n/a"; exit }
                r = int(q * NR + 0.999999); if (r < 1) r = 1; if (r > NR) r = NR
                printf "%.1f\n", a[r]
            }'
}
# Median of one key=value of EXTRA.
median_extra() {
    awk -v d="$1" -v c="$2" -v k="$3" '$1 == d && $2 == c {
            n = split($5, kv, ","); for (i = 1; i <= n; i++) { split(kv[i], p, "="); if (p[1] == k) print p[2] } }' "$RES" |
        sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
            printf "%.0f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
samples() {
    awk -v d="$1" -v c="$2" -v want="${3:-0x00000000}" '$1 == d && $2 == c {
            printf "%s%.1f%s", sep, $3, ($4 == want ? "" : " (" $4 ")"); sep = " " }
        END { print "" }' "$RES"
}
# "RATIO PASS|MISS" for a / b against "<= t".
ratio() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
        if (a == "n/a" || b == "n/a" || b + 0 <= 0) { print "n/a MISS"; exit }
        r = a / b; printf "%.3f %s\n", r, (r <= t + 0 ? "PASS" : "MISS") }'
}
# "RATIO PASS|MISS" for a / b against ">= t".
ratio_ge() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
        if (a == "n/a" || b == "n/a" || b + 0 <= 0) { print "n/a MISS"; exit }
        r = a / b; printf "%.3f %s\n", r, (r >= t + 0 ? "PASS" : "MISS") }'
}
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a" || b + 0 <= 0) print "n/a"; else printf "%.3f\n", a / b }'; }
# MiB/s of $1 bytes in $2 ms.
mibs() { awk -v b="$1" -v ms="$2" 'BEGIN { if (ms == "n/a" || ms + 0 <= 0) print "NaN"; else printf "%.1f\n", b / 1048576 / (ms / 1000) }'; }
# files/s of $1 files in $2 ms.
fps() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms == "n/a" || ms + 0 <= 0) print "n/a"; else printf "%.0f\n", n / (ms / 1000) }'; }

# One timed cp.  $1 cell, $2 src, $3 dst, $4 new|existing, $5 warm|cold, $6 pretouch MB.
run_cp() {
    if [ "$4" = new ]; then
        rm -f "$3"
    elif [ ! -f "$3" ] || [ "$(wc -c <"$3")" -ne "$(wc -c <"$2")" ]; then
        cp "$2" "$3"
    fi
    sync
    ev=""
    [ "$5" = cold ] && ev="-e $2"
    rc=0
    # shellcheck disable=SC2086
    out=$("$TIMECMD" -t "$6" $ev cp "$2" "$3" 2>&1 >/dev/null) || rc=$?
    [ "$5" = cold ] && check_evicted "$1 cp" "$out"
    ms=$(echo "$out" | sed -n 's/^ms=//p')
    if [ "$rc" -ne 0 ] || [ -z "$ms" ]; then
        note "cp failed ($rc): $out"
        errors=$((errors + 1))
        echo "$1 cp 0 0x80004005 -" >>"$RES"
    else
        echo "$1 cp $ms 0x00000000 -" >>"$RES"
    fi
    if [ "$4" = new ]; then rm -f "$3"; fi
}

# Windows contenders of $5 (comma list) in one process.  $1 cell, $2 src,
# $3 new|existing, $4 rep, $5 list, $6 pretouch MB, $7 warm|cold.
run_group() {
    [ -n "$5" ] || return 0
    ex=""
    [ "$3" = existing ] && ex=--existing
    verify=""
    [ "$4" -eq 0 ] && verify=--verify
    ev=""
    [ "$7" = cold ] && ev=--evict
    sync
    # shellcheck disable=SC2086
    cf2 copy --impl "$IMPL" --method "$5" --src "$2" --dst "$DST" $ex $verify $ev --pretouch "$6" ||
        errors=$((errors + 1))
    [ "$7" = cold ] && check_evicted "$1" "$(grep '^EVICT' "$LOG")"
    commit_part "$1"
}

# The eviction of a cold copy must have left (almost) nothing cached: more
# than 1% of the pages still resident is reported as an error.  $1 what,
# $2 output holding resident=N/M lines.
check_evicted() {
    bad=$(echo "$2" | sed -n 's/.*resident=\([0-9-]*\)\/\([0-9]*\).*/\1 \2/p' |
        awk '$1 < 0 || $1 * 100 > $2 { n++ } END { print n + 0 }')
    if [ "$bad" -ne 0 ] || ! echo "$2" | grep -q 'resident='; then
        note "$1: the source was not evicted: $2"
        errors=$((errors + 1))
    fi
    return 0
}

# One cell of the large-file workloads: $1 cell, $2 src, $3 size MiB,
# $4 new|existing, $5 warm|cold.  REPS repetitions of ours/wine/cp/loop64k.
large_cell() {
    pt=$(min "$3" "$PRETOUCH_CAP")
    # Cold new-destination cells get more repetitions (CREPS): their samples
    # fall into a fast and a slow group here (docs/benchmarks.md), so the
    # median needs more of them.  (Cold existing-destination cells are far
    # from their limit and cost the most: each sample first rewrites the
    # whole destination.)
    reps=$REPS
    [ "$5" = cold ] && [ "$4" = new ] && reps=$CREPS
    rep=0
    while [ "$rep" -lt "$reps" ]; do
        [ "$5" = warm ] && cat "$2" >/dev/null
        if [ "$4" = existing ] && [ ! -f "$DST" ]; then cp "$2" "$DST"; fi
        group=""
        for c in $(rotate "$rep" ours wine cp loop64k); do
            if [ "$c" = cp ]; then
                run_group "$1" "$2" "$4" "$rep" "$group" "$pt" "$5"
                group=""
                run_cp "$1" "$2" "$DST" "$4" "$5" "$pt"
            else
                # Cold or warm, adjacent Windows contenders share one
                # process; a cold one evicts the source itself right before
                # its copy (cf2bench --evict, timecmd -e for cp).
                group=${group:+$group,}$(method_of "$c")
            fi
        done
        run_group "$1" "$2" "$4" "$rep" "$group" "$pt" "$5"
        rep=$((rep + 1))
    done
    rm -f "$DST"
}

# Only the report, from the results of the last run (for editing report.sh).
if [ "${BENCH_REPORT_ONLY:-0}" = 1 ]; then
    first_large=$(echo "$LARGE_MB" | awk '{ print $1 }')
    last_large=$(echo "$LARGE_MB" | awk '{ print $NF }')
    . "$WORK/facts.sh"
    . bench/report.sh
fi

# ---------------------------------------------------------------- set-up
: >"$RES"
: >"$RES.part"
rm -rf "$WORK"/src-* "$WORK"/dst* "$WORK"/sparse-* "$WORK"/small-*

if [ ! -f "$PREFIX/system.reg" ]; then
    note "creating the Wine prefix $PREFIX"
    sh tools/wine-run.sh --prefix "$PREFIX" "$EXE" >"$LOG" 2>&1 || true
fi
WINEPREFIX=$PREFIX "$WINESERVER" -k >/dev/null 2>&1 || true
WINEPREFIX=$PREFIX "$WINESERVER" -w >/dev/null 2>&1 || true
WINEPREFIX=$PREFIX "$WINESERVER" -p >"$WORK/wineserver.log" 2>&1 </dev/null ||
    note "could not start a persistent wineserver; carrying on without"

note "creating the sources in $WORK"
for mb in 4 64 $LARGE_MB; do
    [ -f "$WORK/src-$mb" ] || head -c "${mb}M" /dev/urandom >"$WORK/src-$mb"
done
first_large=$(echo "$LARGE_MB" | awk '{ print $1 }')
big=$WORK/src-$first_large

note "warm-up round (untimed)"
cf2 copy --impl "$IMPL" --method copyfile2,copyfileex,loop64k --src "$big" --dst "$DST" ||
    { note "the warm-up copy failed; giving up"; exit 1; }
cp "$big" "$DST" && rm -f "$DST"
: >"$RES.part"

i=0
while [ "$i" -lt "$REPS" ]; do
    out=$("$TIMECMD" cp --version 2>&1 >/dev/null) || true
    echo "start cp-exec $(echo "$out" | sed -n 's/^ms=//p') 0x00000000 -" >>"$RES"
    i=$((i + 1))
done

# ---------------------------------------------------------------- 1, 2
for mb in $LARGE_MB; do
    for cache in warm cold; do
        for dest in new existing; do
            n=$REPS
            [ "$cache" = cold ] && [ "$dest" = new ] && n=$CREPS
            note "large $mb MiB, $cache cache, $dest destination: $n x ours/wine/cp/loop64k"
            large_cell "L$mb-$cache-$dest" "$WORK/src-$mb" "$mb" "$dest" "$cache"
        done
    done
done

# ---------------------------------------------------------------- size sweep
for mb in 4 64; do
    note "size sweep: $mb MiB, warm, new destination"
    large_cell "S$mb" "$WORK/src-$mb" "$mb" new warm
done

# ---------------------------------------------------------------- 3
make_small() { # $1 dir, $2 count, $3 size KiB
    mkdir -p "$1"
    head -c $(($2 * $3))K /dev/urandom | split -a 4 -d -b "$3K" - "$1/f"
}
small_cell() { # $1 cell, $2 src dir, $3 pretouch
    ddir=$WORK/dst-small
    rep=0
    while [ "$rep" -lt "$CREPS" ]; do
        cat "$2"/* >/dev/null
        for c in $(rotate "$rep" ours wine loop64k bare cp); do
            rm -rf "$ddir"
            mkdir "$ddir"
            sync
            if [ "$c" = cp ]; then
                out=$("$TIMECMD" -t "$3" cp -r "$2/." "$ddir" 2>&1 >/dev/null) || { note "cp -r failed: $out"; errors=$((errors + 1)); }
                echo "$1 cp $(echo "$out" | sed -n 's/^ms=//p') 0x00000000 -" >>"$RES"
            else
                cf2 many --impl "$IMPL" --method "$(method_of "$c")" --src "$2" --dst "$ddir" --pretouch "$3" ||
                    errors=$((errors + 1))
                commit_part "$1"
            fi
            n=$(find "$ddir" -type f | wc -l)
            [ "$n" -eq "$(find "$2" -type f | wc -l)" ] || { note "$c copied $n files"; errors=$((errors + 1)); }
        done
        rep=$((rep + 1))
    done
    rm -rf "$ddir"
}
note "small files: 2000 x 4 KiB, 500 x 256 KiB: $CREPS x ours/wine/loop64k/bare/cp"
make_small "$WORK/small-4k" 2000 4
make_small "$WORK/small-256k" 500 256
small_cell F4K "$WORK/small-4k" 64
small_cell F256K "$WORK/small-256k" 128

# ---------------------------------------------------------------- 4
# Three times REPS: the callback-overhead target is a 2% difference between
# two ~100 ms copies, below what five samples on this VM can resolve.
VREPS=$((REPS * 3))
note "variants of CopyFile2 on $first_large MiB, new destination: $VREPS x 13, rotated in one process"
cat "$big" >/dev/null
sync
cf2 copy --impl "$IMPL" --method "$VARIANTS" --src "$big" --dst "$DST" --reps "$VREPS" \
    --pretouch "$(min "$first_large" "$PRETOUCH_CAP")" || errors=$((errors + 1))
commit_part V
rm -f "$DST"

# ---------------------------------------------------------------- cancel
last_large=$(echo "$LARGE_MB" | awk '{ print $NF }')
note "cancel latency: $last_large MiB copy, pfCancel set after ${CANCEL_DELAY_MS} ms, $REPS repetitions"
sync
cf2 cancel-latency --impl "$IMPL" --src "$WORK/src-$last_large" --dst "$WORK/dst-cancel" \
    --delay-ms "$CANCEL_DELAY_MS" --reps "$REPS" --pretouch "$(min "$last_large" "$PRETOUCH_CAP")" || true
commit_part cancel
rm -f "$WORK/dst-cancel"

# ---------------------------------------------------------------- 5
# 64 MiB of data in 64 extents of 1 MiB, one every 128 MiB, over 8 GiB; the
# dense reference is 1 GiB with the same density (8 extents), copied without
# ENABLE_SPARSE_COPY, and its time multiplied by 8.
make_sparse() { # $1 file, $2 GiB
    rm -f "$1"
    truncate -s "$2G" "$1"
    i=0
    while [ "$i" -lt $(($2 * 8)) ]; do
        dd if=/dev/urandom of="$1" bs=1M count=1 seek=$((i * 128)) conv=notrunc status=none
        i=$((i + 1))
    done
}
note "sparse: 8 GiB with 64 MiB of data, ENABLE_SPARSE_COPY; dense reference on 1 GiB logical"
make_sparse "$WORK/sparse-8g" 8
make_sparse "$WORK/sparse-1g" 1
cat "$WORK/sparse-8g" "$WORK/sparse-1g" >/dev/null 2>&1 || true
sync
cf2 copy --impl "$IMPL" --method copyfile2/20000000 --src "$WORK/sparse-8g" --dst "$WORK/dst-sparse" \
    --reps "$REPS" --keep --pretouch 64 || errors=$((errors + 1))
commit_part sparse8g
alloc_sparse=$(du -k "$WORK/dst-sparse" | awk '{ print $1 }')
rm -f "$WORK/dst-sparse"
sync
cf2 copy --impl "$IMPL" --method copyfile2 --src "$WORK/sparse-1g" --dst "$WORK/dst-dense" \
    --reps "$REPS" --keep --pretouch "$(min 1024 "$PRETOUCH_CAP")" || errors=$((errors + 1))
commit_part dense1g
alloc_dense=$(du -k "$WORK/dst-dense" | awk '{ print $1 }')
rm -f "$WORK/dst-dense"
alloc_src8=$(du -k "$WORK/sparse-8g" | awk '{ print $1 }')
printf 'alloc_sparse=%s alloc_dense=%s alloc_src8=%s\n' "$alloc_sparse" "$alloc_dense" "$alloc_src8" >"$WORK/facts.sh"

# ---------------------------------------------------------------- 6
# Peak working set: a fresh process, no warm-up, no pre-touch, one copy; the
# growth of PeakWorkingSetSize across the call.
note "memory: peak working-set growth, $REPS fresh processes per case"
mem_case() { # $1 cell, $2 method, $3 src
    i=0
    while [ "$i" -lt "$REPS" ]; do
        cf2 copy --impl "$IMPL" --method "$2" --src "$3" --dst "$WORK/dst-mem" --no-warmup --pretouch 0 ||
            errors=$((errors + 1))
        commit_part "$1"
        i=$((i + 1))
    done
    rm -f "$WORK/dst-mem"
}
mem_case M64 copyfile2 "$WORK/src-64"
mem_case M64L copyfile2/40000 "$WORK/src-64"
mem_case M2G copyfile2 "$WORK/src-$last_large"
mem_case M2GL copyfile2/40000 "$WORK/src-$last_large"
mem_case M8G copyfile2/20000000 "$WORK/sparse-8g"
rm -f "$WORK/sparse-8g" "$WORK/sparse-1g"

# ---------------------------------------------------------------- strace
# Where the time goes: strace -c -f of the Wine process and, attached at the
# same time, of this prefix's wineserver (Wine opens files in the server).
# Each kind is run twice, on the 64 MiB file and on a 4 KiB one (small sets:
# 101 files and 1 file); the report shows the difference, i.e. the cost of
# the data (or of 100 files) without Wine's start-up.
note "strace -c -f of one copy of each kind"
server_pid() { # the wineserver of $PREFIX: its working directory is server-DEV-INODE
    d=$(stat -c '%d %i' "$PREFIX" | awk '{ printf "server-%x-%x", $1, $2 }')
    for p in $(pgrep -x 'wineserver(64)?' 2>/dev/null || true); do
        case $(readlink "/proc/$p/cwd" 2>/dev/null) in */"$d") echo "$p"; return 0 ;; esac
    done
}
st_one() { # $1 name, $2... cf2bench arguments
    n=$1
    shift
    rm -rf "$WORK/strace-dst"
    case " $* " in *" many "*) mkdir "$WORK/strace-dst" ;; esac
    sp=$(server_pid)
    stp=""
    if [ -n "$sp" ]; then
        strace -c -f -o "$WORK/strace-$n.server.txt" -p "$sp" 2>/dev/null &
        stp=$!
        sleep 0.3
    fi
    WINEPREFIX=$PREFIX WINEDEBUG=-all WINEDLLOVERRIDES=winedbg.exe=d \
        strace -c -f -o "$WORK/strace-$n.txt" /usr/lib/wine/wine64 "$EXE" "$@" >"$LOG" 2>&1 </dev/null || true
    if [ -n "$stp" ]; then
        kill -INT "$stp" 2>/dev/null || true
        wait "$stp" 2>/dev/null || true
    fi
}
if command -v strace >/dev/null 2>&1; then
    head -c 4096 /dev/urandom >"$WORK/src-4k"
    cat "$WORK/src-64" >/dev/null
    for m in copyfile2 copyfile2/40000 copyfileex loop64k; do
        t=$(echo "$m" | tr / _)
        st_one "$t-64m" copy --impl "$IMPL" --method "$m" --src "$WORK/src-64" --dst "$WORK/strace-dst" --no-warmup
        st_one "$t-4k" copy --impl "$IMPL" --method "$m" --src "$WORK/src-4k" --dst "$WORK/strace-dst" --no-warmup
    done
    strace -c -f -o "$WORK/strace-cp-64m.txt" cp "$WORK/src-64" "$WORK/strace-dst" || true
    rm -f "$WORK/strace-dst"
    strace -c -f -o "$WORK/strace-cp-4k.txt" cp "$WORK/src-4k" "$WORK/strace-dst" || true
    rm -rf "$WORK/strace-small" "$WORK/strace-one"
    mkdir -p "$WORK/strace-small" "$WORK/strace-one"
    for f in "$WORK"/small-256k/f00[0-9][0-9]; do cp "$f" "$WORK/strace-small/"; done
    cp "$WORK/small-256k/f0100" "$WORK/strace-small/"
    cp "$WORK/small-256k/f0100" "$WORK/strace-one/"
    for m in copyfile2 bare copyfileex; do
        st_one "$m-101x256k" many --impl "$IMPL" --method "$m" --src "$WORK/strace-small" --dst "$WORK/strace-dst"
        st_one "$m-1x256k" many --impl "$IMPL" --method "$m" --src "$WORK/strace-one" --dst "$WORK/strace-dst"
    done
    rm -rf "$WORK/strace-dst" "$WORK/strace-small" "$WORK/strace-one" "$WORK/src-4k"
fi
rm -rf "$WORK"/small-*

# ---------------------------------------------------------------- throttling
# ioDesiredRate accuracy: requested vs achieved average rate over copies of
# about 3 s (the contract asks for +-10 % on copies longer than 2 s).
note "throttling: ioDesiredRate 2048 and 8192 KB/s"
head -c 6M /dev/urandom >"$WORK/src-rate-6m"
head -c 24M /dev/urandom >"$WORK/src-rate-24m"
THROTTLE_LINES=""
for pair in 2048:6m 8192:24m; do
    kbps=${pair%%:*} f=$WORK/src-rate-${pair#*:}
    bytes=$(stat -c %s "$f")
    cf2 copy --impl "$IMPL" --method "copyfile2/0/0/$kbps" --src "$f" --dst "$WORK/rate-dst" --reps 3 --no-warmup ||
        errors=$((errors + 1))
    ms=$(grep "method=copyfile2/0/0/$kbps " "$LOG" 2>/dev/null | sed -n 's/.* ms=\([0-9.]*\).*/\1/p' | sort -n | sed -n 2p)
    if [ -n "$ms" ]; then
        line=$(awk -v b="$bytes" -v ms="$ms" -v r="$kbps" 'BEGIN {
            got = b / 1024 / (ms / 1000); ratio = got / r;
            printf "| %d KB/s, %d MiB | %.0f KB/s (median of 3, %.0f ms) | %.3f | %s |", r, b / 1048576, got, ms, ratio,
                   (ratio >= 0.9 && ratio <= 1.1) ? "PASS" : "MISS" }')
        THROTTLE_LINES="$THROTTLE_LINES
$line"
        echo "throttle: $line"
    fi
done
rm -f "$WORK/src-rate-6m" "$WORK/src-rate-24m" "$WORK/rate-dst"

# ---------------------------------------------------------------- report
. bench/report.sh
