#!/bin/sh
# Builds a static cmocka for the Windows targets from Debian's cmocka source
# package (Debian ships no cmocka for mingw-w64).  The result is cached:
#   $OUT/<arch>/include/cmocka.h, $OUT/<arch>/lib/libcmocka-static.a
# Usage: build-cmocka-win.sh OUTDIR
set -eu
OUT=$1
if [ -f "$OUT/x64/lib/libcmocka-static.a" ] && [ -f "$OUT/x86/lib/libcmocka-static.a" ]; then
    exit 0
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SRC="$OUT/src"
if [ ! -f "$SRC/CMakeLists.txt" ]; then
    tmp="$OUT/src.tmp"
    rm -rf "$tmp" && mkdir -p "$tmp"
    echo "cmocka-win: fetching Debian's cmocka source package"
    (cd "$tmp" && apt-get source -qq cmocka >"$OUT/apt-source.log" 2>&1) || {
        cat "$OUT/apt-source.log" >&2
        echo "cmocka-win: 'apt-get source cmocka' failed (is there a deb-src entry?)" >&2
        exit 1
    }
    dir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d -name 'cmocka-*' | head -n 1)
    rm -rf "$SRC"
    mv "$dir" "$SRC"
    rm -rf "$tmp"
fi
for pair in x64:x86_64 x86:i686; do
    arch=${pair%%:*}
    triplet=${pair#*:}-w64-mingw32
    [ -f "$OUT/$arch/lib/libcmocka-static.a" ] && continue
    echo "cmocka-win: building for $triplet"
    b="$OUT/build-$arch"
    rm -rf "$b" && mkdir -p "$b"
    (cd "$b" && cmake "$SRC" -DCMAKE_SYSTEM_NAME=Windows \
        -DCMAKE_C_COMPILER="$triplet-gcc" -DCMAKE_RC_COMPILER="$triplet-windres" \
        -DBUILD_SHARED_LIBS=OFF -DWITH_STATIC_LIB=ON -DUNIT_TESTING=OFF \
        -DWITH_EXAMPLES=OFF -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$OUT/$arch" >cmake.log 2>&1 &&
     make -j2 install >make.log 2>&1) || {
        tail -n 30 "$b"/*.log >&2
        exit 1
    }
done
