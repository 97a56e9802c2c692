#!/bin/sh
# make install into a scratch DESTDIR, then build a program for each target
# against the installed files through pkg-config, and check that the shared
# build imports CopyFile2 from copyfile2.dll and the static build has no
# CopyFile2 import.  The x64 programs run under Wine.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
cd "$here"
dest=$here/build/install-test
rm -rf "$dest"
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

make --no-print-directory install DESTDIR="$dest" PREFIX=/usr >/dev/null

for pair in x64:x86_64-w64-mingw32 x86:i686-w64-mingw32; do
    arch=${pair%%:*} t=${pair#*:}
    root=$dest/usr/$t
    for f in bin/copyfile2.dll bin/cf2copy.exe lib/libcopyfile2.dll.a lib/libcopyfile2.a \
             include/copyfile2.h include/copyfile2_restart.h lib/pkgconfig/copyfile2.pc \
             lib/pkgconfig/copyfile2-static.pc; do
        if [ -f "$root/$f" ]; then ok "$t/$f installed"; else bad "$t/$f missing"; fi
    done
    export PKG_CONFIG_LIBDIR="$root/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
    out=$dest/$arch
    mkdir -p "$out"
    for kind in copyfile2 copyfile2-static; do
        cflags=$(pkg-config --cflags $kind) libs=$(pkg-config --libs $kind)
        if $t-gcc -std=c11 -Wall -Werror $cflags -o "$out/$kind.exe" tests/header/header_c.c $libs -static-libgcc; then
            ok "$t: built against $kind.pc"
        else
            bad "$t: build against $kind.pc failed"; continue
        fi
        mode=import; [ $kind = copyfile2-static ] && mode=static
        if sh tools/check-imports.sh $arch "$out/$kind.exe" $mode >/dev/null; then
            ok "$t: $kind.exe resolves CopyFile2 ($mode)"
        else
            bad "$t: $kind.exe resolves CopyFile2 wrongly"
        fi
    done
    cp "$root/bin/copyfile2.dll" "$out/"
    for kind in copyfile2 copyfile2-static; do
        if [ $arch = x86 ] && ! sh tools/have-wine32.sh; then
            echo "SKIP: $t $kind.exe not run: 32-bit Wine (wine32:i386) is not installed"
            continue
        fi
        if sh tools/wine-run.sh "$out/$kind.exe" >/dev/null 2>&1; then
            ok "$t: $kind.exe runs and gets E_INVALIDARG for NULL paths"
        else
            bad "$t: $kind.exe failed under Wine"
        fi
    done
done
# Idempotent: a second install over the first succeeds and changes nothing.
before=$(cd "$dest" && find . -type f -exec sha256sum {} + | sort)
make --no-print-directory install DESTDIR="$dest" PREFIX=/usr >/dev/null
after=$(cd "$dest" && find . -type f -exec sha256sum {} + | sort)
if [ "$before" = "$after" ]; then ok "install is idempotent"; else bad "second install changed files"; fi
rm -rf "$dest"
echo "install: $passed passed, $failed failed"
[ $failed -eq 0 ]
