#!/bin/sh
# Installs one architecture's build into DESTDIR/PREFIX/TRIPLET (mk/install.mk).
# Usage: install.sh DESTDIR PREFIX TRIPLET BUILDDIR
set -eu
destdir=$1 prefix=$2 triplet=$3 build=$4
root="$destdir$prefix/$triplet"
install -d "$root/bin" "$root/lib/pkgconfig" "$root/include"
install -m 644 "$build/copyfile2.dll" "$root/bin/copyfile2.dll"
install -m 755 "$build/cf2copy.exe" "$root/bin/cf2copy.exe"
install -m 644 "$build/libcopyfile2.dll.a" "$root/lib/libcopyfile2.dll.a"
install -m 644 "$build/libcopyfile2.a" "$root/lib/libcopyfile2.a"
install -m 644 include/copyfile2.h include/copyfile2_restart.h "$root/include/"
version=$(sed -n 's/^VERSION *:= *//p' Makefile)
for kind in shared static; do
    if [ $kind = shared ]; then
        name=copyfile2 libs='-L${libdir} -lcopyfile2'
        desc='CopyFile2 for Windows and Wine (import library for copyfile2.dll)'
    else
        name=copyfile2-static libs='${libdir}/libcopyfile2.a'
        desc='CopyFile2 for Windows and Wine (static: no CopyFile2 import)'
    fi
    cat >"$root/lib/pkgconfig/$name.pc" <<PC
prefix=$prefix/$triplet
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: $name
Description: $desc
Version: $version
Cflags: -I\${includedir}
Libs: $libs
PC
done
echo "installed $triplet into $root"
