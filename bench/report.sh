# bench/report.sh - the report part of bench/run.sh (sourced by it, with its
# variables and helpers): medians, ratios, PASS/MISS, the plot, and the
# generated half of docs/benchmarks.md.  Kept separate so that a report can
# be rebuilt from build/bench-work/results.txt alone:
#   BENCH_REPORT_ONLY=1 sh bench/run.sh
# shellcheck shell=sh

verdicts=""
add_verdict() { verdicts="$verdicts $1"; }
m_exec=$(median start cp-exec)

/usr/lib/wine/wine64 --version >"$WORK/wine-version.txt" 2>&1 </dev/null || echo unknown >"$WORK/wine-version.txt"
wine_version=$(head -n 1 "$WORK/wine-version.txt")
fs=$(findmnt -no SOURCE,FSTYPE,OPTIONS -T "$WORK" 2>/dev/null | tr -s " " || df -T "$WORK" | awk 'NR == 2 { print $2 }')
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
elapsed=$(($(date +%s) - started))

human() { # MiB -> label
    if [ "$1" -ge 1024 ] && [ $(($1 % 1024)) -eq 0 ]; then echo "$(($1 / 1024)) GiB"; else echo "$1 MiB"; fi
}

# Throughput against size, for the plot: size_bytes label ours wine cp loop64k bare (MiB/s).
dat=$WORK/throughput.dat
{
    echo "# bytes label ours wine cp loop64k bare (MiB/s)"
    for c in F4K:4096:2000:4KiB F256K:262144:500:256KiB; do
        cell=${c%%:*} r=${c#*:} b=${r%%:*} r=${r#*:} n=${r%%:*} l=${r#*:}
        line="$b $l"
        for k in ours wine cp loop64k bare; do line="$line $(mibs $((b * n)) "$(median "$cell" "$k")")"; done
        echo "$line"
    done
    for mb in 4 64; do
        line="$((mb * 1048576)) ${mb}MiB"
        for k in ours wine cp loop64k; do line="$line $(mibs $((mb * 1048576)) "$(median "S$mb" "$k")")"; done
        echo "$line NaN"
    done
    for mb in $LARGE_MB; do
        line="$((mb * 1048576)) $(human "$mb" | tr -d ' ')"
        for k in ours wine cp loop64k; do line="$line $(mibs $((mb * 1048576)) "$(median "L$mb-warm-new" "$k")")"; done
        echo "$line NaN"
    done
} >"$dat"

if command -v gnuplot >/dev/null 2>&1; then
    gnuplot <<GP || note "gnuplot failed; no plot"
set terminal pngcairo size 960,600 font "DejaVu Sans,11"
set output "$PNG"
set title "Copy throughput against file size (warm cache, new destination; median of $REPS)\n4 KiB and 256 KiB: 2,000 / 500 files, one call each (cp: one cp -r process)"
set logscale x 2
set logscale y 10
set xlabel "file size"
set ylabel "MiB/s"
set key top left
set grid
set xtics ("4 KiB" 4096, "256 KiB" 262144, "4 MiB" 4194304, "64 MiB" 67108864, "512 MiB" 536870912, "2 GiB" 2147483648)
set datafile missing "NaN"
plot "$dat" using 1:3 with linespoints lw 2 title "ours (CopyFile2)", \
     "" using 1:4 with linespoints lw 2 title "Wine CopyFileExW", \
     "" using 1:5 with linespoints lw 2 title "cp (incl. process start)", \
     "" using 1:6 with linespoints lw 2 title "64 KiB loop", \
     "" using 1:7 with points pt 7 ps 1.5 lc rgb "black" title "bare Win32 loop (small files)"
GP
fi

report=$WORK/report.md
{
    echo "## Results"
    echo
    echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), commit $rev (plus any uncommitted changes), $REPS repetitions of every timed cell (${CREPS:-$REPS} of the cold new-destination cells and the small-file sets, ${VREPS:-$REPS} of the CopyFile2 variants), ${elapsed} s in all (\`make bench\` adds the build)."
    echo
    echo "- machine: $(nproc) cores ($cpu), $mem RAM, kernel $(uname -r)"
    echo "- file system of build/bench-work: $fs"
    echo "- Wine: $wine_version (64-bit loader /usr/lib/wine/wine64, prefix ${PREFIX#"$here"/})"
    echo "- measured DLL: ${IMPL#"$here"/}"
    echo "- memory pre-touched before each timed copy: the file's size, at most $PRETOUCH_CAP MiB"
    echo "- cold cache: \`bench/native/evict\` (fdatasync + \`posix_fadvise(POSIX_FADV_DONTNEED)\`, checked with mincore) right before every copy; no root needed"
    echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "### Targets"
    echo
    echo "| target | measured | limit | result |"
    echo "|---|---|---:|---|"
    for mb in $LARGE_MB; do
        for cache in warm cold; do
            a=$(median "L$mb-$cache-new" ours) b=$(median "L$mb-$cache-new" cp)
            r=$(ratio "$a" "$b" 1.05)
            echo "| $(human "$mb"), $cache, new destination: ours / cp | $a / $b ms = ${r% *} | <= 1.05 | ${r#* } |"
            add_verdict "${r#* }"
            a=$(median "L$mb-$cache-existing" ours) b=$(median "L$mb-$cache-existing" cp)
            r=$(ratio "$a" "$b" 1.10)
            echo "| $(human "$mb"), $cache, existing destination: ours / cp | $a / $b ms = ${r% *} | <= 1.10 | ${r#* } |"
            add_verdict "${r#* }"
        done
    done
    for c in F4K:2000:4 F256K:500:256; do
        cell=${c%%:*} r=${c#*:} n=${r%%:*} kb=${r#*:}
        fo=$(fps "$n" "$(median "$cell" ours)") fw=$(fps "$n" "$(median "$cell" wine)") fb=$(fps "$n" "$(median "$cell" bare)")
        r=$(ratio_ge "$fo" "$fw" 1.0)
        echo "| $n x $kb KiB: ours / Wine CopyFileExW files/s | $fo / $fw = ${r% *} | >= 1.00 | ${r#* } |"
        add_verdict "${r#* }"
        r=$(ratio_ge "$fo" "$fb" 0.95)
        echo "| $n x $kb KiB: ours / bare Win32 loop files/s | $fo / $fb = ${r% *} | >= 0.95 | ${r#* } |"
        add_verdict "${r#* }"
    done
    a=$(median V copyfile2-cb) b=$(median V ours)
    r=$(ratio "$a" "$b" 1.02)
    echo "| $(human "$first_large"): progress routine (CONTINUE) / none | $a / $b ms = ${r% *} | <= 1.02 | ${r#* } |"
    add_verdict "${r#* }"
    a=$(median V copyfile2/2)
    r=$(ratio "$a" "$b" 1.3)
    echo "| $(human "$first_large"): COPY_FILE_RESTARTABLE / plain | $a / $b ms = ${r% *} | <= 1.30 | ${r#* } |"
    add_verdict "${r#* }"
    ms8=$(median sparse8g copyfile2/20000000) ms1=$(median dense1g ours)
    dense8=$(awk -v m="$ms1" 'BEGIN { if (m == "n/a") print "n/a"; else printf "%.1f\n", m * 8 }')
    r=$(ratio "$ms8" "$dense8" 0.1)
    echo "| sparse 8 GiB (64 MiB data), ENABLE_SPARSE_COPY / dense copy of 8 GiB (= 8 x the 1 GiB dense copy) | $ms8 / $dense8 ms = ${r% *} | <= 0.10 | ${r#* } |"
    add_verdict "${r#* }"
    for c in M64:"64 MiB, in-kernel path" M64L:"64 MiB, NO_OFFLOAD (1 MiB loop)" M2G:"$(human "$last_large") dense, in-kernel path" M2GL:"$(human "$last_large") dense, NO_OFFLOAD" M8G:"8 GiB sparse, ENABLE_SPARSE_COPY"; do
        cell=${c%%:*} what=${c#*:}
        k=$(median_extra "$cell" "$(awk -v d="$cell" '$1 == d { print $2; exit }' "$RES")" peak_kb)
        v=$(awk -v k="$k" 'BEGIN { print (k != "n/a" && k + 0 <= 8192) ? "PASS" : "MISS" }')
        echo "| peak working-set growth, $what | $k KiB | <= 8192 KiB | $v |"
        add_verdict "$v"
    done
    c_ok=$(awk '$1 == "cancel" && $4 == "0x800704d3" && $3 >= 0' "$RES" | wc -l | tr -d ' ')
    m_cancel=$(awk '$1 == "cancel" && $4 == "0x800704d3" && $3 >= 0 { print $3 }' "$RES" | sort -n |
        awk '{ a[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
            printf "%.1f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
    v=$(awk -v m="$m_cancel" -v ok="$c_ok" -v n="$REPS" 'BEGIN { print (m != "n/a" && ok == n && m + 0 <= 50) ? "PASS" : "MISS" }')
    echo "| cancel latency, pfCancel set ${CANCEL_DELAY_MS} ms into a $(human "$last_large") copy ($c_ok/$REPS returned 0x800704D3) | $m_cancel ms | <= 50 ms | $v |"
    add_verdict "$v"
    echo
    echo "### Large files: median ms (ratio to cp)"
    echo
    echo "cp is timed around fork/exec/wait, so its times include starting cp: \`cp --version\` takes $m_exec ms (median)."
    echo
    echo "| file | cache | destination | ours (CopyFile2) | Wine CopyFileExW | cp | 64 KiB loop |"
    echo "|---|---|---|---:|---:|---:|---:|"
    spread=""
    for mb in $LARGE_MB; do
        for cache in warm cold; do
            for dest in new existing; do
                cell=L$mb-$cache-$dest
                cpm=$(median "$cell" cp)
                line="| $(human "$mb") | $cache | $dest |"
                for k in ours wine cp loop64k; do
                    m=$(median "$cell" "$k")
                    line="$line $m ($(div "$m" "$cpm")) |"
                done
                echo "$line"
                # The same cell's quartiles, for the spread table below.
                n=$(awk -v d="$cell" '$1 == d && $2 == "ours" && $4 == "0x00000000"' "$RES" | wc -l)
                o25=$(quantile "$cell" ours 0.25)
                c25=$(quantile "$cell" cp 0.25)
                spread="$spread| $(human "$mb") $cache $dest | $n | $o25 / $(median "$cell" ours) / $(quantile "$cell" ours 0.75) | $c25 / $cpm / $(quantile "$cell" cp 0.75) | $(div "$o25" "$c25") |
"
            done
        done
    done
    echo
    echo "### Spread of the large-file cells: quartiles of ours and cp (ms)"
    echo
    echo "p25 / median / p75 of the samples (nearest rank).  The last column compares the fast quarter of each: the cold cells' samples fall into a fast and a slow group on this VM, and the median moves with how many samples of each contender landed in the slow one."
    echo
    echo "| cell | samples | ours p25 / p50 / p75 | cp p25 / p50 / p75 | ours p25 / cp p25 |"
    echo "|---|---:|---|---|---:|"
    printf "%s" "$spread"
    echo
    echo "### Throughput against file size (MiB/s, warm cache, new destination)"
    echo
    echo "![throughput against file size](benchmarks.png)"
    echo
    echo "| size | ours | Wine CopyFileExW | cp | 64 KiB loop | bare Win32 loop |"
    echo "|---|---:|---:|---:|---:|---:|"
    awk 'NR > 1 { printf "| %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, ($7 == "NaN" ? "-" : $7) }' "$dat"
    echo
    echo "4 KiB and 256 KiB are the small-file sets below (bytes of all files / time of the whole set); the others are one file."
    echo
    echo "### Many small files: files per second (median ms of the whole set)"
    echo
    echo "| set | ours (CopyFile2) | Wine CopyFileExW | 64 KiB loop | bare Win32 loop | cp -r (one process) |"
    echo "|---|---:|---:|---:|---:|---:|"
    for c in F4K:2000:4 F256K:500:256; do
        cell=${c%%:*} r=${c#*:} n=${r%%:*} kb=${r#*:}
        line="| $n x $kb KiB |"
        for k in ours wine loop64k bare cp; do
            m=$(median "$cell" "$k")
            line="$line $(fps "$n" "$m") ($m ms) |"
        done
        echo "$line"
    done
    echo
    echo "### CopyFile2 variants: $(human "$first_large"), warm cache, new destination, one process, rotated"
    echo
    echo "Flags in hex: 2 RESTARTABLE, 1000 NO_BUFFERING, 40000 NO_OFFLOAD (the 1 MiB read/write loop), 4000000 DISABLE_PRE_ALLOCATION; a third field is the V2 ioDesiredSize in KiB; \`-cb\` adds a progress routine returning CONTINUE."
    echo
    echo "| variant | median ms | / plain | progress calls a copy |"
    echo "|---|---:|---:|---:|"
    base=$(median V ours)
    for v in $(echo "$VARIANTS" | tr , ' '); do
        k=$v
        [ "$v" = copyfile2 ] && k=ours
        m=$(median V "$k")
        calls=$(median_extra V "$k" callbacks)
        echo "| $v | $m | $(div "$m" "$base") | $calls |"
    done
    echo
    echo "### Sparse copy"
    echo
    echo "| copy | median ms | destination allocated (du) |"
    echo "|---|---:|---:|"
    echo "| 8 GiB logical, 64 MiB data (source allocates $alloc_src8 KiB), ENABLE_SPARSE_COPY | $ms8 | $alloc_sparse KiB |"
    echo "| 1 GiB logical, 8 MiB data, no sparse flag (dense) | $ms1 | $alloc_dense KiB |"
    echo "| 8 GiB dense, scaled from the 1 GiB copy (x 8; not run: it would write 8 GiB) | $dense8 | - |"
    echo
    echo "### Peak working-set growth of the copying process (KiB; fresh process, no warm-up, one copy)"
    echo
    echo "| case | median | samples |"
    echo "|---|---:|---|"
    for c in M64 M64L M2G M2GL M8G; do
        meth=$(awk -v d="$c" '$1 == d { print $2; exit }' "$RES")
        s=$(awk -v d="$c" '$1 == d { n = split($5, kv, ","); for (i = 1; i <= n; i++) { split(kv[i], p, "="); if (p[1] == "peak_kb") printf "%s ", p[2] } }' "$RES")
        echo "| $c ($meth) | $(median_extra "$c" "$meth" peak_kb) | $s |"
    done
    echo
    echo "M64/M2G: the default path (in-kernel copy_file_range); M64L/M2GL: NO_OFFLOAD; M8G: the sparse source."
    echo
    # Calls per system call in strace -c output $1 minus those in $2.
    st_delta() {
        awk 'FNR == 1 { f++ } $1 ~ /^[0-9.]+$/ && $NF != "total" { c[$NF] += (f == 1 ? $4 : -$4) }
             END { for (k in c) if (c[k] > 0) print c[k], k }' "$1" "$2" 2>/dev/null |
            sort -rn | head -n "${3:-8}" | awk '{ printf "%s%s %s", sep, $2, $1; sep = ", " }'
    }
    if [ -f "$WORK/strace-copyfile2-64m.txt" ]; then
        echo "### System calls: where the time goes (strace -c -f)"
        echo
        echo "Counts of the copy alone: a 64 MiB copy minus a 4 KiB copy in the same way (Wine's start-up cancels out); for the small sets, 101 files minus 1 file, i.e. per 100 files of 256 KiB.  \"server\" is this prefix's wineserver, traced at the same time (Wine opens and creates files there).  Top 8 by count."
        echo
        echo "| copy | process: system calls (calls) | wineserver: system calls (calls) |"
        echo "|---|---|---|"
        for k in copyfile2 copyfile2_40000 copyfileex loop64k; do
            echo "| 64 MiB, $k | $(st_delta "$WORK/strace-$k-64m.txt" "$WORK/strace-$k-4k.txt") | $(st_delta "$WORK/strace-$k-64m.server.txt" "$WORK/strace-$k-4k.server.txt") |"
        done
        echo "| 64 MiB, cp (whole process, not a difference) | $(awk '$1 ~ /^[0-9.]+$/ && $NF != "total" { print $4, $NF }' "$WORK/strace-cp-64m.txt" | sort -rn | head -n 8 | awk '{ printf "%s%s %s", sep, $2, $1; sep = ", " }') | - |"
        for k in copyfile2 bare copyfileex; do
            echo "| 100 x 256 KiB, $k | $(st_delta "$WORK/strace-$k-101x256k.txt" "$WORK/strace-$k-1x256k.txt") | $(st_delta "$WORK/strace-$k-101x256k.server.txt" "$WORK/strace-$k-1x256k.server.txt") |"
        done
        echo
        gd() { awk 'FNR == 1 { f++ } $NF == "getdents64" { c += (f == 1 ? $4 : -$4) } END { print c + 0 }' "$1" "$2" 2>/dev/null; }
        echo "getdents64 calls (folder scans of Wine's case-insensitive lookup) per 100 new files: CopyFile2 $(gd "$WORK/strace-copyfile2-101x256k.txt" "$WORK/strace-copyfile2-1x256k.txt"), bare loop $(gd "$WORK/strace-bare-101x256k.txt" "$WORK/strace-bare-1x256k.txt"), CopyFileExW $(gd "$WORK/strace-copyfileex-101x256k.txt" "$WORK/strace-copyfileex-1x256k.txt")."
        echo
        fa() { awk '$NF == "fadvise64" { s += $4 } END { print s + 0 }' "$@" 2>/dev/null; }
        echo "fadvise64 calls (FILE_FLAG_SEQUENTIAL_SCAN is set on every source the engine opens): CopyFile2 64 MiB $(fa "$WORK/strace-copyfile2-64m.txt" "$WORK/strace-copyfile2-64m.server.txt"), 4 KiB $(fa "$WORK/strace-copyfile2-4k.txt" "$WORK/strace-copyfile2-4k.server.txt"), 101 files $(fa "$WORK/strace-copyfile2-101x256k.txt" "$WORK/strace-copyfile2-101x256k.server.txt"), 1 file $(fa "$WORK/strace-copyfile2-1x256k.txt" "$WORK/strace-copyfile2-1x256k.server.txt"); the bare loop (no hint), 101 files: $(fa "$WORK/strace-bare-101x256k.txt"). One per Wine process whatever it copies: Wine's start-up, not the hint."
        echo
    fi
    echo "### All samples (ms, in run order)"
    echo
    echo "| cell | contender | samples |"
    echo "|---|---|---|"
    awk '{ print $1, $2 }' "$RES" | awk '!seen[$0]++' | while read -r cell k; do
        want=0x00000000
        [ "$cell" = cancel ] && want=0x800704d3
        echo "| $cell | $k | $(samples "$cell" "$k" "$want") |"
    done
} >"$report"

# ioDesiredRate accuracy, measured by run.sh (THROTTLE_LINES).
if [ -n "${THROTTLE_LINES:-}" ]; then
    {
        echo
        echo "### ioDesiredRate: requested vs achieved rate (target: within +-10 %)"
        echo
        echo "| requested | achieved | ratio | result |"
        echo "|---|---|---:|---|"
        echo "$THROTTLE_LINES" | sed '/^$/d'
    } >>"$report"
fi

marker='<!-- Everything below this line is generated by bench/run.sh. -->'
tmp=$DOC.tmp
if [ -f "$DOC" ] && grep -qF -- "$marker" "$DOC"; then
    awk -v m="$marker" '{ print } $0 == m { exit }' "$DOC" >"$tmp"
else
    {
        echo "# Benchmarks"
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
echo "(also written to ${DOC#"$here"/} and ${PNG#"$here"/})"

if [ "$errors" -ne 0 ]; then
    note "$errors error(s): see the messages above"
    exit 1
fi
if [ "$STRICT" = 1 ]; then
    case "$verdicts" in *MISS*) exit 1 ;; esac
fi
exit 0
