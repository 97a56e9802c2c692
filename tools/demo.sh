#!/bin/sh
# The main job, end to end, on a built-in default (make demo; README's first
# command): a sample file of DEMO_MB MiB (default 300) is copied with
# cf2copy.exe under Wine, paused part way (--pause-after), resumed (--resume),
# and the result's SHA-256 is compared with the source's.
#
# cf2copy is run with the Wine loader directly, not through wine-run.sh, so
# that its stdout stays this terminal and it shows its redrawn progress line.
# --rate holds the copy to about 100 MiB/s so the line can be watched.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
mb=${DEMO_MB:-300}
work=$here/build/demo
prefix=$here/build/wineprefix
rm -rf "$work"
mkdir -p "$work"

echo "== creating the Wine prefix (first run only) and a ${mb} MiB sample file"
sh tools/wine-run.sh build/x64/cf2copy.exe --help >/dev/null
head -c $((mb * 1024 * 1024)) /dev/urandom >"$work/sample.bin"
src='Z:'$(printf '%s' "$work/sample.bin" | tr '/' '\\')
dst='Z:'$(printf '%s' "$work/copy.bin" | tr '/' '\\')

export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="winedbg.exe=d"
cf2copy() {
    /usr/lib/wine/wine64 build/x64/cf2copy.exe "$@" </dev/null
}

half=$((mb / 2))
echo "== copying, pausing after ${half} MiB"
rc=0
cf2copy "$src" "$dst" --rate 102400 --pause-after "${half}M" || rc=$?
if [ $rc -ne 3 ]; then
    echo "demo: expected the copy to pause (exit 3), got exit $rc" >&2
    exit 1
fi
echo "== paused: $(stat -c %s "$work/copy.bin") bytes on disk (data plus the 8 KiB restart trailer)"
echo "== resuming"
cf2copy "$src" "$dst" --rate 102400 --resume
a=$(sha256sum "$work/sample.bin" | cut -d' ' -f1)
b=$(sha256sum "$work/copy.bin" | cut -d' ' -f1)
echo "source  sha256 $a"
echo "copy    sha256 $b"
/usr/lib/wine/wineserver -k 2>/dev/null || true
rm -rf "$work"
if [ "$a" != "$b" ]; then
    echo "demo: FAILED: the copy differs from the source" >&2
    exit 1
fi
echo "demo: verified: the resumed copy is identical to the source"
