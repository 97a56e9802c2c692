#!/bin/sh
# bench/run.sh - the side-by-side benchmark behind `make bench`.
#
# Contenders, each copying the same file (512 MiB by default, warm page cache):
#   ours     CopyFile2 from build/x64/copyfile2.dll, loaded at run time
#   wine     Wine's kernel32 CopyFileExW
#   cp       Linux `cp SRC DST`, run natively, as a user would
#   loop64k  CreateFileW + 64 KiB ReadFile/WriteFile loop (the baseline)
# to (a) a new destination and (b) an existing destination that gets
# overwritten.  Then CopyFile2 with a progress routine returning CONTINUE
# against CopyFile2 without one, and the latency of cancelling through
# pfCancel.  Prints a table of medians and ratios and writes it to
# docs/benchmarks.md below the hand-written introduction.
#
# Method (why each piece is there):
# - The Windows contenders are timed inside the process with
#   QueryPerformanceCounter (bench/cf2bench.c): a Wine process start varies
#   from 15 ms to 0.4 s and must not be part of what is compared.  cp is timed
#   natively by bench/native/timecmd.c around fork/exec/wait.
# - Every repetition runs all four contenders in an order rotated by one per
#   repetition, so drift of this noisy 2-core machine hits them all alike;
#   the Windows contenders that are adjacent in that order share one Wine
#   process.  Medians, not means: one stall must not move the result.
# - Before each timed copy the destination is in the same state for everyone:
#   absent, or a full copy flushed to disk; `sync` before each group keeps
#   writeback of one contender out of the next one's timing.
# - One untimed warm-up round first: on this VM the first touch of memory is
#   expensive (the first 512 MiB copy takes ~10x longer than the next).
# - Right before every timed copy (cp included) the timing program touches
#   and frees as much memory as the file's size.  This VM has virtio-balloon
#   free page reporting (order 11): memory left free for ~2 s goes back to the
#   host and is slow to use again.  On a quiet machine a 512 MiB cp took
#   220-500 ms after a few idle seconds and 115-140 ms right after a pre-touch;
#   without it whichever contender runs first after a pause (a Wine start, a
#   sync) loses.  It is not free: a page fault costs ~13-40 us here, so
#   touching 512 MiB takes 1.7-5 s (outside the timed region); cf2bench
#   skips it when the previous copy in the same process ended less than 1 s
#   earlier (its freed pages are still fresh).  BENCH_PRETOUCH_MB=0 for a
#   quicker, noisier run.
# - The source is read again before each repetition: a DAMON "pageout" scheme
#   on this VM evicts page cache left unread for ~60 s.
#
# Environment:
#   BENCH_REPS=7          repetitions (at least 1; the targets want >= 7)
#   BENCH_SIZE_MB=512     size of the copied file
#   BENCH_CANCEL_MB=2048  size of the file whose copy gets cancelled (large
#                         enough that the copy is still running after 100 ms)
#   BENCH_IMPL=PATH       the DLL to measure (default build/x64/copyfile2.dll)
#   BENCH_WINEPREFIX=DIR  Wine prefix (default build/wineprefix-bench: its own,
#                         so that stopping its wineserver at the end cannot
#                         kill tests running in build/wineprefix meanwhile)
#   BENCH_DOC=PATH        where the results go (default docs/benchmarks.md)
#   BENCH_PRETOUCH_MB=N   memory touched before each timed copy (default
#                         BENCH_SIZE_MB; 0 turns it off)
#   BENCH_STRICT=1        exit 1 when a target is missed (default: only errors)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

REPS=${BENCH_REPS:-7}
SIZE_MB=${BENCH_SIZE_MB:-512}
CANCEL_MB=${BENCH_CANCEL_MB:-2048}
IMPL=${BENCH_IMPL:-$here/build/x64/copyfile2.dll}
PREFIX=${BENCH_WINEPREFIX:-$here/build/wineprefix-bench}
DOC=${BENCH_DOC:-$here/docs/benchmarks.md}
STRICT=${BENCH_STRICT:-0}
PRETOUCH_MB=${BENCH_PRETOUCH_MB:-${BENCH_SIZE_MB:-512}}
CANCEL_DELAY_MS=100

WORK=$here/build/bench-work
EXE=$here/build/x64/bench/cf2bench.exe
TIMECMD=$WORK/timecmd
SRC=$WORK/src.bin
DST=$WORK/dst.bin
CSRC=$WORK/cancel-src.bin
CDST=$WORK/cancel-dst.bin
RES=$WORK/results.txt # one line per sample: DEST CONTENDER MS HRESULT EXTRA
LOG=$WORK/wine.log
WINESERVER=/usr/lib/wine/wineserver

case $REPS in '' | *[!0-9]*) echo "run.sh: BENCH_REPS must be a number" >&2; exit 2 ;; esac
case $SIZE_MB in '' | *[!0-9]*) echo "run.sh: BENCH_SIZE_MB must be a number" >&2; exit 2 ;; esac
case $CANCEL_MB in '' | *[!0-9]*) echo "run.sh: BENCH_CANCEL_MB must be a number" >&2; exit 2 ;; esac
case $PRETOUCH_MB in '' | *[!0-9]*) echo "run.sh: BENCH_PRETOUCH_MB must be a number" >&2; exit 2 ;; esac
[ "$REPS" -ge 1 ] || { echo "run.sh: BENCH_REPS must be >= 1" >&2; exit 2; }
for f in "$IMPL" "$EXE"; do
    [ -f "$f" ] || { echo "run.sh: $f is missing (run make bench, or set BENCH_IMPL)" >&2; exit 2; }
done

mkdir -p "$WORK" "$(dirname "$DOC")"
errors=0

# shellcheck disable=SC2317 # called through trap
cleanup() {
    rm -f "$SRC" "$DST" "$CSRC" "$CDST" "$DST.warm-src" "$DST.warm-dst"
    # Stop only the bench prefix's server (it was made persistent below).
    WINEPREFIX=$PREFIX "$WINESERVER" -k >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- helpers
# Progress on stderr, with the seconds since the start (the whole run should
# stay under ~10 minutes on a 2-core machine).
started=$(date +%s)
note() { echo "bench: [$(($(date +%s) - started)) s] $*" >&2; }

# The cp timer (rebuilt every run: it takes a fraction of a second and POSIX
# test has no -nt).
${NATIVE_CC:-cc} -std=c11 -Wall -Wextra -Werror -O2 -o "$TIMECMD" bench/native/timecmd.c

# Runs cf2bench under Wine.  Its output goes to a file (never through a pipe:
# see tools/wine-run.sh), RESULT lines are appended to $RES.  Returns cf2bench's
# exit code.
cf2() {
    rc=0
    sh tools/wine-run.sh --prefix "$PREFIX" "$EXE" "$@" >"$LOG" 2>&1 || rc=$?
    awk '$1 == "RESULT" {
            for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            extra = ("callbacks" in v) ? "callbacks=" v["callbacks"] : "copy_ms=" v["copy_ms"] ",dst_left=" v["dst_left"]
            print v["dest"], v["method"], v["ms"], v["hr"], extra
            for (k in v) delete v[k]
         }' "$LOG" >>"$RES.part"
    if [ "$rc" -ne 0 ]; then
        note "cf2bench $1 exited with $rc:"
        sed 's/^/    /' "$LOG" >&2
    fi
    return "$rc"
}

# Maps run.sh's contender names to cf2bench's method names.
method_of() {
    case $1 in
        ours) echo copyfile2 ;;
        wine) echo copyfileex ;;
        loop64k) echo loop64k ;;
    esac
}

# Same state for cp as cf2bench gives its methods: destination absent, or a
# full copy present and on disk.
prepare_cp_dst() {
    if [ "$1" = new ]; then
        rm -f "$DST"
    elif [ ! -f "$DST" ] || [ "$(wc -c <"$DST")" -ne "$(wc -c <"$SRC")" ]; then
        cp "$SRC" "$DST"
    fi
    sync
}

# One timed cp.  $1 = new|existing, $2 = repetition number.
run_cp() {
    prepare_cp_dst "$1"
    rc=0
    out=$("$TIMECMD" -t "$PRETOUCH_MB" cp "$SRC" "$DST" 2>&1 >/dev/null) || rc=$?
    ms=$(echo "$out" | sed -n 's/^ms=//p')
    if [ "$rc" -ne 0 ] || [ -z "$ms" ]; then
        note "cp failed ($rc): $out"
        errors=$((errors + 1))
        echo "$1 cp 0 0x80004005 -" >>"$RES.part"
    else
        echo "$1 cp $ms 0x00000000 -" >>"$RES.part"
    fi
    if [ "$2" -eq 0 ] && ! cmp -s "$SRC" "$DST"; then
        note "cp: the destination differs from the source"
        errors=$((errors + 1))
    fi
    if [ "$1" = new ]; then rm -f "$DST"; fi
}

# Timed copies of the Windows contenders in $3 (comma list, in order), in one
# process.  $1 = new|existing, $2 = repetition number.
run_group() {
    [ -n "$3" ] || return 0
    set -- "$1" "$2" "$3" ""
    [ "$1" = existing ] && set -- "$1" "$2" "$3" --existing
    # Content is compared on the first repetition only (it takes ~1 s a copy).
    verify=""
    [ "$2" -eq 0 ] && verify=--verify
    sync
    # shellcheck disable=SC2086 # $4 and $verify are single words or empty
    cf2 copy --impl "$IMPL" --method "$3" --src "$SRC" --dst "$DST" $4 $verify \
        --pretouch "$PRETOUCH_MB" ||
        errors=$((errors + 1))
}

# Median of the samples of one contender, with a successful HRESULT.
median() {
    awk -v d="$1" -v c="$2" '$1 == d && $2 == c && $4 == "0x00000000" { print $3 }' "$RES" |
        sort -n | awk '{ a[NR] = $1 }
            END {
                if (NR == 0) { print "n/a"; exit }
                if (NR % 2) m = a[(NR + 1) / 2]; else m = (a[NR / 2] + a[NR / 2 + 1]) / 2
                printf "%.1f\n", m
            }'
}

# All samples of one contender in run order; an HRESULT other than the
# expected one ($3, default S_OK) is shown next to its sample.
samples() {
    awk -v d="$1" -v c="$2" -v want="${3:-0x00000000}" '$1 == d && $2 == c {
            printf "%s%.1f%s", sep, $3, ($4 == want ? "" : " (" $4 ")"); sep = " " }
        END { print "" }' "$RES"
}

# "RATIO PASS|MISS" for a / b against "<= target"; "n/a MISS" without data.
ratio() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
        if (a == "n/a" || b == "n/a" || b + 0 <= 0) { print "n/a MISS"; exit }
        r = a / b; printf "%.3f %s\n", r, (r <= t + 0 ? "PASS" : "MISS") }'
}

# ---------------------------------------------------------------- set-up
: >"$RES"
: >"$RES.part"

note "creating a ${SIZE_MB} MiB source in $WORK"
rm -f "$SRC" "$DST" "$CSRC" "$CDST"
head -c "${SIZE_MB}M" /dev/urandom >"$SRC"
cat "$SRC" >/dev/null # warm page cache: every contender reads from memory

# A persistent wineserver for the bench prefix, so that no run pays for
# starting it.  `wineserver -p` only works when no server of the prefix runs
# (it exits 2 otherwise), so: create the prefix if needed (~5 s, once), stop
# any server left in it, wait until it is gone, then start one.
if [ ! -f "$PREFIX/system.reg" ]; then
    note "creating the Wine prefix $PREFIX"
    sh tools/wine-run.sh --prefix "$PREFIX" "$EXE" >"$LOG" 2>&1 || true
fi
WINEPREFIX=$PREFIX "$WINESERVER" -k >/dev/null 2>&1 || true
WINEPREFIX=$PREFIX "$WINESERVER" -w >/dev/null 2>&1 || true
WINEPREFIX=$PREFIX "$WINESERVER" -p >"$WORK/wineserver.log" 2>&1 </dev/null ||
    note "could not start a persistent wineserver; carrying on without"

note "warm-up round (untimed)"
cf2 copy --impl "$IMPL" --method copyfile2,copyfileex,loop64k --src "$SRC" --dst "$DST" ||
    { note "the warm-up copy failed; giving up"; exit 1; }
cf2 copy --impl "$IMPL" --method copyfile2,copyfileex,loop64k --src "$SRC" --dst "$DST" --existing ||
    { note "the warm-up copy failed; giving up"; exit 1; }
cp "$SRC" "$DST" && rm -f "$DST" && cp "$SRC" "$DST" && rm -f "$DST"
: >"$RES.part" # warm-up samples are not kept

# cp's own process start, to show how much of cp's time is not copying.
i=0
while [ "$i" -lt "$REPS" ]; do
    out=$("$TIMECMD" cp --version 2>&1 >/dev/null) || true
    echo "start cp-exec $(echo "$out" | sed -n 's/^ms=//p') 0x00000000 -" >>"$RES"
    i=$((i + 1))
done

# ---------------------------------------------------------------- (a), (b)
for dest in new existing; do
    note "$dest destination: $REPS repetitions of ours / wine / cp / loop64k, interleaved"
    rep=0
    while [ "$rep" -lt "$REPS" ]; do
        cat "$SRC" >/dev/null # still warm (see DAMON above)
        # Rotate the order by one each repetition.
        set -- ours wine cp loop64k
        k=0
        while [ "$k" -lt $((rep % 4)) ]; do
            first=$1
            shift
            set -- "$@" "$first"
            k=$((k + 1))
        done
        group=""
        for c in "$@"; do
            if [ "$c" = cp ]; then
                run_group "$dest" "$rep" "$group"
                group=""
                run_cp "$dest" "$rep"
            else
                group=${group:+$group,}$(method_of "$c")
            fi
        done
        run_group "$dest" "$rep" "$group"
        # cf2bench names methods, run.sh names contenders.
        sed -e 's/ copyfile2 / ours /' -e 's/ copyfileex / wine /' "$RES.part" >>"$RES"
        : >"$RES.part"
        rep=$((rep + 1))
    done
    rm -f "$DST"
done

# ---------------------------------------------------------------- callback
note "callback returning CONTINUE vs no callback: $REPS repetitions each, alternating"
cat "$SRC" >/dev/null
sync
cf2 copy --impl "$IMPL" --method copyfile2,copyfile2-cb --src "$SRC" --dst "$DST" --reps "$REPS" \
    --pretouch "$PRETOUCH_MB" ||
    errors=$((errors + 1))
sed -e 's/^new /callback /' -e 's/ copyfile2 / ours /' "$RES.part" >>"$RES"
: >"$RES.part"
rm -f "$DST"

# ---------------------------------------------------------------- cancel
note "cancel latency: ${CANCEL_MB} MiB copy, pfCancel set after ${CANCEL_DELAY_MS} ms, $REPS repetitions"
n=$((CANCEL_MB / SIZE_MB))
[ "$n" -ge 1 ] || n=1
: >"$CSRC"
i=0
while [ "$i" -lt "$n" ]; do
    cat "$SRC" >>"$CSRC"
    i=$((i + 1))
done
rm -f "$SRC" # not needed any more: frees its page cache for the cancel source
sync
# A repetition whose copy was not aborted makes cf2bench exit 1; that is a
# result (shown in the table), not a harness error.
cf2 cancel-latency --impl "$IMPL" --src "$CSRC" --dst "$CDST" --delay-ms "$CANCEL_DELAY_MS" \
    --reps "$REPS" --pretouch "$PRETOUCH_MB" || true
sed 's/^new /cancel /' "$RES.part" >>"$RES"
: >"$RES.part"
rm -f "$CSRC" "$CDST"

# ---------------------------------------------------------------- report
m_ours_new=$(median new ours)
m_wine_new=$(median new wine)
m_cp_new=$(median new cp)
m_loop_new=$(median new loop64k)
m_ours_ex=$(median existing ours)
m_wine_ex=$(median existing wine)
m_cp_ex=$(median existing cp)
m_loop_ex=$(median existing loop64k)
m_exec=$(median start cp-exec)
r_new=$(ratio "$m_ours_new" "$m_cp_new" 1.05)
v_new=${r_new#* } r_new=${r_new% *}
r_ex=$(ratio "$m_ours_ex" "$m_cp_ex" 1.10)
v_ex=${r_ex#* } r_ex=${r_ex% *}

m_cb=$(median callback copyfile2-cb)
m_nocb=$(median callback ours)
r_cb=$(ratio "$m_cb" "$m_nocb" 1.02)
v_cb=${r_cb#* } r_cb=${r_cb% *}
cb_calls=$(awk '$1 == "callback" && $2 == "copyfile2-cb" { sub("callbacks=", "", $5); print $5; exit }' "$RES")
[ -n "$cb_calls" ] || cb_calls=0

# Valid cancel samples: aborted with the right HRESULT after the flag was set.
c_ok=$(awk '$1 == "cancel" && $4 == "0x800704d3" && $3 >= 0' "$RES" | wc -l | tr -d ' ')
c_left=$(awk '$1 == "cancel" && $5 ~ /dst_left=1/' "$RES" | wc -l | tr -d ' ')
m_cancel=$(awk '$1 == "cancel" && $4 == "0x800704d3" && $3 >= 0 { print $3 }' "$RES" | sort -n |
    awk '{ a[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
        printf "%.1f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
v_cancel=$(awk -v m="$m_cancel" -v ok="$c_ok" -v n="$REPS" 'BEGIN {
    print (m != "n/a" && ok == n && m + 0 <= 50) ? "PASS" : "MISS" }')

# Net of cp's process start, for information: ours/(cp - exec).
net() {
    awk -v a="$1" -v b="$2" -v e="$3" 'BEGIN {
        if (a == "n/a" || b == "n/a" || e == "n/a" || b - e <= 0) print "n/a"
        else printf "%.3f\n", a / (b - e) }'
}
r_new_net=$(net "$m_ours_new" "$m_cp_new" "$m_exec")
r_ex_net=$(net "$m_ours_ex" "$m_cp_ex" "$m_exec")

# Through a file, like every Wine program's output here (tools/wine-run.sh).
/usr/lib/wine/wine64 --version >"$WORK/wine-version.txt" 2>&1 </dev/null || echo unknown >"$WORK/wine-version.txt"
wine_version=$(head -n 1 "$WORK/wine-version.txt")
fs=$(findmnt -no FSTYPE,OPTIONS -T "$WORK" 2>/dev/null | tr -s " " || df -T "$WORK" | awk 'NR == 2 { print $2 }')
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
elapsed=$(($(date +%s) - started))

report=$WORK/report.md
{
    echo "## Results"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), commit $rev (plus any uncommitted changes), $REPS repetitions, ${elapsed} s in all."
    echo
    echo "- machine: $(nproc) cores ($cpu), $mem RAM, kernel $(uname -r)"
    echo "- file system of build/bench-work: $fs"
    echo "- Wine: $wine_version (64-bit loader /usr/lib/wine/wine64)"
    echo "- measured DLL: ${IMPL#"$here"/}"
    echo "- memory pre-touched before each timed copy: $PRETOUCH_MB MiB"
    echo
    echo "### ${SIZE_MB} MiB copy, warm cache: median ms"
    echo
    echo "| destination | ours (CopyFile2) | Wine CopyFileExW | cp | 64 KiB loop | ours/cp | target | result |"
    echo "|---|---:|---:|---:|---:|---:|---:|---|"
    echo "| new | $m_ours_new | $m_wine_new | $m_cp_new | $m_loop_new | $r_new | <= 1.05 | $v_new |"
    echo "| existing (overwritten) | $m_ours_ex | $m_wine_ex | $m_cp_ex | $m_loop_ex | $r_ex | <= 1.10 | $v_ex |"
    echo
    echo "cp's time includes starting the cp process: \`cp --version\` takes $m_exec ms (median)."
    echo "Without it ours/cp would be $r_new_net (new) and $r_ex_net (existing)."
    echo
    echo "### CopyFile2 progress routine and cancellation"
    echo
    echo "| measurement | value | target | result |"
    echo "|---|---|---:|---|"
    echo "| ${SIZE_MB} MiB, new destination: callback returning CONTINUE vs none (median ms) | $m_cb vs $m_nocb = $r_cb ($cb_calls calls a copy) | <= 1.02 | $v_cb |"
    echo "| cancel latency: pfCancel set ${CANCEL_DELAY_MS} ms into a ${CANCEL_MB} MiB copy, until CopyFile2 returns (median ms) | $m_cancel ($c_ok/$REPS returned 0x800704D3; destination left behind $c_left times) | <= 50 | $v_cancel |"
    echo
    echo "### All samples (ms, in run order)"
    echo
    echo "| what | samples |"
    echo "|---|---|"
    for d in new existing; do
        for c in ours wine cp loop64k; do
            echo "| $d: $c | $(samples "$d" "$c") |"
        done
    done
    echo "| callback: none | $(samples callback ours) |"
    echo "| callback: CONTINUE | $(samples callback copyfile2-cb) |"
    echo "| cancel latency | $(samples cancel cancel 0x800704d3) |"
    echo "| cp --version | $(samples start cp-exec) |"
} >"$report"

# The hand-written introduction is everything above the marker; it is kept.
marker='<!-- Everything below this line is generated by bench/run.sh. -->'
tmp=$DOC.tmp
if [ -f "$DOC" ] && grep -qF -- "$marker" "$DOC"; then
    awk -v m="$marker" '{ print } $0 == m { exit }' "$DOC" >"$tmp"
else
    {
        echo "# Benchmarks"
        echo
        echo "Written by bench/run.sh (\`make bench\`); edit this introduction freely, the"
        echo "part below the marker is replaced on every run."
        echo
        echo "$marker"
    } >"$tmp"
fi
{
    echo
    cat "$report"
} >>"$tmp"
mv "$tmp" "$DOC"

echo
cat "$report"
echo
echo "(also written to ${DOC#"$here"/})"

if [ "$errors" -ne 0 ]; then
    note "$errors error(s): see the messages above"
    exit 1
fi
if [ "$STRICT" = 1 ]; then
    case "$v_new $v_ex $v_cb $v_cancel" in *MISS*) exit 1 ;; esac
fi
exit 0
