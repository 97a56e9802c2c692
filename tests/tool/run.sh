#!/bin/sh
# tests/tool/run.sh - tests of the copy tool, build/<arch>/cf2copy.exe
# (make check-tool).  Runs every program under Wine in the project's private
# prefix through tools/wine-run.sh, which sends stdout and stderr to one file
# (so stdout is never a console: the tool prints only errors, or --json);
# tests/tool/check_json.py checks the JSON event streams.  Work files go to
# build/tool-test/<arch>/.
#
# Two checks cannot go through wine-run.sh, which always redirects stdout:
# - terminal mode: the tool runs under `script`, so its stdout is a Unix tty,
#   which Wine turns into a console; the Wine loader is called directly with
#   wine-run.sh's environment (same prefix, WINEDEBUG, WINEDLLOVERRIDES);
# - Ctrl+C: tests/tool/ctrlc_test.exe (run through wine-run.sh) starts the tool
#   itself on a console and sends it console control events.
# shellcheck disable=SC2016,SC2034 # conditions are single-quoted on purpose: check() evaluates them
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
B=build
passes=0
fails=0
start=$(date +%s)

ok() { passes=$((passes + 1)); echo "ok - $*"; }
bad() { fails=$((fails + 1)); echo "not ok - $*"; }
# check DESCRIPTION 'SHELL CONDITION': evaluates the condition (single-quoted
# at the call, so variables expand here).
check() {
    if eval "$2"; then ok "$1"; else bad "$1"; fi
}

# tool OUTFILE ARGS...: runs cf2copy, output (stdout+stderr) to OUTFILE, sets rc.
tool() {
    out=$1; shift
    rc=0
    sh tools/wine-run.sh "$exe" "$@" >"$out" 2>&1 || rc=$?
}
has() { grep -q -F -e "$2" "$1"; }
hasnt() { ! grep -q -F -e "$2" "$1"; }
empty() { [ ! -s "$1" ]; }
size_of() { wc -c <"$1" | tr -d ' '; }
same() { cmp -s "$1" "$2"; }
json() { python3 tests/tool/check_json.py "$@" >"$W/json.log" 2>&1 || { cat "$W/json.log"; return 1; }; sed 's/^/    /' "$W/json.log"; }

run_arch() {
    arch=$1
    exe=$B/$arch/cf2copy.exe
    W=$B/tool-test/$arch
    echo "== cf2copy ($arch)"
    rm -rf "$W"
    mkdir -p "$W"
    # Sources: 5 MiB + 123 bytes (not a whole number of sectors), small, empty.
    head -c $((5 * 1048576 + 123)) /dev/urandom >"$W/src.bin"
    head -c 524288 /dev/urandom >"$W/half.bin"
    : >"$W/empty.bin"
    size=$(size_of "$W/src.bin")

    # ---- plain copy
    tool "$W/plain.out" "$W/src.bin" "$W/plain.bin"
    check "plain copy: exit 0" '[ $rc = 0 ]'
    check "plain copy: same bytes" 'same "$W/src.bin" "$W/plain.bin"'
    check "plain copy: no output when stdout is not a console" 'empty "$W/plain.out"'
    tool "$W/empty.out" "$W/empty.bin" "$W/empty-copy.bin"
    check "empty file: exit 0, empty copy" '[ $rc = 0 -a -f "$W/empty-copy.bin" -a ! -s "$W/empty-copy.bin" ]'
    tool "$W/over.out" "$W/half.bin" "$W/plain.bin"
    check "overwrite an existing destination: exit 0, same bytes" '[ $rc = 0 ] && same "$W/half.bin" "$W/plain.bin"'
    tool "$W/uni.out" "$W/src.bin" "$W/dst é € 名.bin" --json
    check "a destination name with spaces and non-ASCII characters: exit 0, same bytes" '[ $rc = 0 ] && same "$W/src.bin" "$W/dst é € 名.bin"'
    check "  ... and the JSON result names it in UTF-8" 'has "$W/uni.out" "\"destination\":\"$W/dst é € 名.bin\""'

    # ---- help and usage errors (exit 2, nothing copied)
    tool "$W/help.out" --help
    check "--help: exit 0" '[ $rc = 0 ]'
    for w in --fail-if-exists --restartable --resume --unbuffered --chunk --rate --json --quiet \
             --pause-after "Exit codes" "0  the copy is complete" "2  bad usage" "3  paused" "4  cancelled" Ctrl+C; do
        check "--help documents '$w'" 'has "$W/help.out" "$w"'
    done
    n=0
    for args in "" "$W/src.bin" "$W/src.bin $W/u1.bin extra" "$W/src.bin $W/u1.bin --bogus" \
                "$W/src.bin $W/u1.bin --chunk" "$W/src.bin $W/u1.bin --chunk 8G" \
                "$W/src.bin $W/u1.bin --rate 1.5" "$W/src.bin $W/u1.bin --pause-after lots"; do
        n=$((n + 1))
        # shellcheck disable=SC2086 # split on purpose
        tool "$W/usage$n.out" $args
        check "bad usage '${args:-(no arguments)}': exit 2 with a hint" '[ $rc = 2 ] && has "$W/usage$n.out" "cf2copy --help"'
    done
    check "bad usage: nothing was copied" '[ ! -e "$W/u1.bin" ]'
    tool "$W/dashdash.out" -- "$W/src.bin" "$W/dashdash.bin"
    check "'--' ends the options: exit 0" '[ $rc = 0 ] && same "$W/src.bin" "$W/dashdash.bin"'

    # ---- --fail-if-exists
    printf 'old content\n' >"$W/exists.bin"
    tool "$W/fie.out" "$W/src.bin" "$W/exists.bin" --fail-if-exists
    check "--fail-if-exists on an existing file: exit 1" '[ $rc = 1 ]'
    check "  ... reports HRESULT 0x80070050 and Win32 error 80" 'has "$W/fie.out" "HRESULT 0x80070050, Win32 error 80: "'
    check "  ... with the system's message text" 'grep -q "Win32 error 80: [A-Za-z]" "$W/fie.out"'
    check "  ... and leaves the file alone" '[ "$(cat "$W/exists.bin")" = "old content" ]'
    tool "$W/fie2.out" "$W/src.bin" "$W/fie-new.bin" --fail-if-exists
    check "--fail-if-exists on a new name: exit 0, same bytes" '[ $rc = 0 ] && same "$W/src.bin" "$W/fie-new.bin"'
    tool "$W/nosrc.out" "$W/missing.bin" "$W/nosrc.bin"
    check "missing source: exit 1, HRESULT 0x80070002, Win32 error 2" '[ $rc = 1 ] && has "$W/nosrc.out" "HRESULT 0x80070002, Win32 error 2: "'
    tool "$W/nosrc.json" "$W/missing.bin" "$W/nosrc.bin" --json
    check "missing source, --json: an ERROR message (prepare_source) and a failed result" '[ $rc = 1 ] && json "$W/nosrc.json" --status failed --hresult 0x80070002 && has "$W/nosrc.json" "\"copy_phase\":\"prepare_source\""'

    # ---- --chunk (ioDesiredSize), seen in the JSON stream
    tool "$W/default.json" "$W/src.bin" "$W/default.bin" --json
    check "default chunks: JSON stream valid, chunks of 1 MiB" 'json "$W/default.json" --size "$size" --chunk 1048576'
    check "  ... same bytes" 'same "$W/src.bin" "$W/default.bin"'
    for spec in src:256K:262144 src:3m:3145728 src:0:1048576 half:64KiB:65536 half:4096:4096; do
        f=${spec%%:*}; spec=${spec#*:}; arg=${spec%%:*}; bytes=${spec#*:}
        fsize=$(size_of "$W/$f.bin")
        tool "$W/chunk-$arg.json" "$W/$f.bin" "$W/chunk-$arg.bin" --json "--chunk=$arg"
        check "--chunk $arg: exit 0, chunks of $bytes bytes in the JSON stream" '[ $rc = 0 ] && json "$W/chunk-$arg.json" --size "$fsize" --chunk "$bytes"'
        check "  ... same bytes" 'same "$W/$f.bin" "$W/chunk-$arg.bin"'
    done
    tool "$W/chunk-small.out" "$W/src.bin" "$W/chunk-small.bin" --chunk 1K
    check "--chunk 1K (below 4K): exit 1, E_INVALIDARG (0x80070057, Win32 error 87)" '[ $rc = 1 ] && has "$W/chunk-small.out" "HRESULT 0x80070057, Win32 error 87: "'
    tool "$W/chunk-big.out" "$W/src.bin" "$W/chunk-big.bin" --chunk 2G
    check "--chunk 2G (above 1G): exit 1, E_INVALIDARG" '[ $rc = 1 ] && has "$W/chunk-big.out" "HRESULT 0x80070057"'
    check "  ... no destination created" '[ ! -e "$W/chunk-small.bin" -a ! -e "$W/chunk-big.bin" ]'

    # ---- --unbuffered, --restartable
    tool "$W/unbuf.out" "$W/src.bin" "$W/unbuf.bin" --unbuffered
    check "--unbuffered: exit 0, same bytes (size not a multiple of 4096)" '[ $rc = 0 ] && same "$W/src.bin" "$W/unbuf.bin"'
    tool "$W/unbuf2.json" "$W/src.bin" "$W/unbuf2.bin" --unbuffered --chunk 64K --json
    check "--unbuffered --chunk 64K: exit 0, valid JSON, same bytes" '[ $rc = 0 ] && json "$W/unbuf2.json" --size "$size" --chunk 65536 && same "$W/src.bin" "$W/unbuf2.bin"'
    tool "$W/restart.json" "$W/src.bin" "$W/restart.bin" --restartable --json
    check "--restartable: exit 0, valid JSON, same bytes" '[ $rc = 0 ] && json "$W/restart.json" --size "$size" && same "$W/src.bin" "$W/restart.bin"'

    # ---- --rate (ioDesiredRate, KB/s)
    tool "$W/rate.json" "$W/half.bin" "$W/rate.bin" --rate 512 --json
    check "--rate 512 passes validation: exit 0, same bytes" '[ $rc = 0 ] && same "$W/half.bin" "$W/rate.bin"'
    ms=$(sed -n 's/.*"type":"result".*"elapsed_ms":\([0-9]*\).*/\1/p' "$W/rate.json")
    check "  ... and reaches CopyFile2: 512 KiB at 512 KB/s took ${ms:-?} ms (>= 800)" '[ "${ms:-0}" -ge 800 ]'
    check "  ... valid JSON stream (with POLL_CONTINUE while it waits)" 'json "$W/rate.json" --size 524288'
    tool "$W/rate100.out" "$W/half.bin" "$W/rate100.bin" --rate 100
    check "--rate 100 (below 512): exit 1, E_INVALIDARG (0x80070057, Win32 error 87)" '[ $rc = 1 ] && has "$W/rate100.out" "HRESULT 0x80070057, Win32 error 87: "'
    check "  ... no destination created" '[ ! -e "$W/rate100.bin" ]'
    tool "$W/rate0.json" "$W/src.bin" "$W/rate0.bin" --rate 0 --json
    check "--rate 0 means no limit: exit 0, same bytes, no POLL_CONTINUE" '[ $rc = 0 ] && same "$W/src.bin" "$W/rate0.bin" && hasnt "$W/rate0.json" poll_continue'

    # ---- --pause-after and --resume
    tool "$W/pause.json" "$W/src.bin" "$W/paused.bin" --chunk 1M --pause-after 3M --json
    check "--pause-after 3M: exit 3" '[ $rc = 3 ]'
    check "  ... PAUSE answered to the chunk reaching 3 MiB, STREAM_FINISHED, result paused" 'json "$W/pause.json" --size "$size" --chunk 1048576 --status paused --pause-at 3145728'
    psize=$(size_of "$W/paused.bin")
    check "  ... the paused file ($psize bytes) is larger than the data ($size): it has the restart trailer" '[ "$psize" -gt "$size" ]'
    check "  ... stderr says how to resume, with --resume and without --pause-after" 'grep -q "resume with: .*--chunk 1M --json --resume\$" "$W/pause.json"'
    tool "$W/resume.json" "$W/src.bin" "$W/paused.bin" --chunk 1M --json --resume
    check "--resume: exit 0" '[ $rc = 0 ]'
    check "  ... continues at chunk 3" 'json "$W/resume.json" --size "$size" --chunk 1048576 --first-chunk 3'
    check "  ... byte-identical result" 'same "$W/src.bin" "$W/paused.bin"'

    tool "$W/pause2.out" "$W/src.bin" "$W/paused2.bin" --pause-after 2M
    check "--pause-after 2M (text): exit 3, 'paused at 2.00 MiB', 'resume with:'" '[ $rc = 3 ] && has "$W/pause2.out" "paused at 2.00 MiB of 5.00 MiB (--pause-after)" && has "$W/pause2.out" "resume with: "'
    tool "$W/fie-paused.out" "$W/src.bin" "$W/paused2.bin" --fail-if-exists
    check "--fail-if-exists without --resume on a paused file: exit 1 (it exists)" '[ $rc = 1 ] && has "$W/fie-paused.out" "0x80070050"'
    tool "$W/resume2.json" "$W/src.bin" "$W/paused2.bin" --resume --fail-if-exists --chunk 256K --json
    check "--resume --fail-if-exists, another chunk size: exit 0, continues at 2 MiB, same bytes" '[ $rc = 0 ] && json "$W/resume2.json" --size "$size" --chunk 262144 --first-chunk 8 && same "$W/src.bin" "$W/paused2.bin"'
    tool "$W/quiet.out" "$W/src.bin" "$W/paused3.bin" --pause-after 1M --quiet
    check "--quiet: exit 3 and no output at all" '[ $rc = 3 ] && empty "$W/quiet.out"'
    tool "$W/beyond.out" "$W/src.bin" "$W/beyond.bin" --pause-after 1G
    check "--pause-after beyond the end: the copy completes, exit 0" '[ $rc = 0 ] && same "$W/src.bin" "$W/beyond.bin"'
    cp "$W/half.bin" "$W/nohdr.bin"
    tool "$W/nohdr.json" "$W/src.bin" "$W/nohdr.bin" --resume --json
    check "--resume onto a file without a restart header: starts at chunk 0, same bytes" '[ $rc = 0 ] && json "$W/nohdr.json" --size "$size" --first-chunk 0 && same "$W/src.bin" "$W/nohdr.bin"'

    # ---- terminal mode: stdout is a Unix tty, which Wine makes a console
    if [ "$arch" = x64 ] && command -v script >/dev/null 2>&1; then
        ts=$W/tty.typescript
        rc=0
        WINEPREFIX="$root/$B/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES=winedbg.exe=d \
            script -qec "/usr/lib/wine/wine64 $exe $W/src.bin $W/tty.bin --rate 8192 --chunk 256K" "$ts" \
            </dev/null >/dev/null 2>&1 || rc=$?
        check "terminal: exit 0, same bytes" '[ $rc = 0 ] && same "$W/src.bin" "$W/tty.bin"'
        check "terminal: a progress line redrawn in place (CR), with percent, sizes, rate, time left" \
            'python3 tests/tool/check_tty.py "$ts" 5.00 MiB'
        rc=0
        WINEPREFIX="$root/$B/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES=winedbg.exe=d \
            script -qec "/usr/lib/wine/wine64 $exe $W/src.bin $W/tty2.bin --quiet" "$W/tty-quiet.typescript" \
            </dev/null >/dev/null 2>&1 || rc=$?
        check "terminal --quiet: exit 0, no progress line" '[ $rc = 0 ] && hasnt "$W/tty-quiet.typescript" "%  "'
    fi

    # ---- Ctrl+C typed in a terminal: tmux runs the tool on a pty (a console
    # for Wine) and sends the keystroke; stderr goes to a file.
    if [ "$arch" = x64 ] && command -v tmux >/dev/null 2>&1; then
        sock=cf2copy-test-$$
        rm -f "$W/tmux.rc"
        tmux -L "$sock" -f /dev/null new-session -d -x 160 -y 24 \
            "env WINEPREFIX='$root/$B/wineprefix' WINEDEBUG=-all WINEDLLOVERRIDES=winedbg.exe=d /usr/lib/wine/wine64 $exe $W/src.bin $W/tmux.bin --rate 1024 2>$W/tmux.err; echo \$? >$W/tmux.rc; sleep 60"
        shown=no
        i=0
        while [ $i -lt 200 ]; do   # up to 20 s for Wine to start and draw the line
            if tmux -L "$sock" capture-pane -p 2>/dev/null | grep -q '%  .* of 5.00 MiB'; then shown=yes; break; fi
            sleep 0.1; i=$((i + 1))
        done
        check "terminal Ctrl+C: the progress line is on screen while --rate 1024 holds the copy back" '[ $shown = yes ]'
        tmux -L "$sock" send-keys C-c
        i=0
        while [ ! -s "$W/tmux.rc" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
        tmux -L "$sock" capture-pane -p >"$W/tmux.screen" 2>/dev/null
        tmux -L "$sock" kill-server 2>/dev/null
        check "terminal Ctrl+C: exit 3 (got $(cat "$W/tmux.rc" 2>/dev/null))" '[ "$(cat "$W/tmux.rc" 2>/dev/null)" = 3 ]'
        check "  ... acknowledged, and the resume command printed" 'has "$W/tmux.err" "interrupt: pausing" && has "$W/tmux.err" "resume with: "'
        tool "$W/tmux-resume.out" "$W/src.bin" "$W/tmux.bin" --resume
        check "  ... --resume completes it: exit 0, same bytes" '[ $rc = 0 ] && same "$W/src.bin" "$W/tmux.bin"'
    fi

    # ---- Ctrl+C: real console control events (tests/tool/ctrlc_test.c)
    rc=0
    sh tools/wine-run.sh "$B/$arch/tests/ctrlc_test.exe" "$exe" "$W/ctrlc" >"$W/ctrlc.out" 2>&1 || rc=$?
    sed 's/^/    /' "$W/ctrlc.out"
    check "Ctrl+C test program: all its checks pass" '[ $rc = 0 ]'
}

for arch in x64 x86; do
    if [ "$arch" = x86 ] && ! sh tools/have-wine32.sh; then
        echo "SKIP: cf2copy (x86) built but not run: 32-bit Wine (wine32:i386) is not installed"
        continue
    fi
    run_arch "$arch"
done

echo "check-tool: $passes passed, $fails failed ($(($(date +%s) - start)) s)"
[ "$fails" = 0 ]
