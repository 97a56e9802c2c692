#!/bin/sh
# Verifies a built DLL's export table against def/copyfile2.def: every name of
# the def file is exported undecorated ("CopyFile2", never "CopyFile2@12"), and
# nothing else is exported.
# Usage: check-exports.sh x64|x86 DLL DEF
set -eu
arch=$1 dll=$2 def=$3
case "$arch" in x64) t=x86_64-w64-mingw32 ;; x86) t=i686-w64-mingw32 ;; *) exit 2 ;; esac
want=$(sed -n '/^EXPORTS/,$p' "$def" | sed -e '1d' -e 's/;.*//' -e 's/@[0-9]*//' -e 's/[[:space:]]//g' | grep -v '^$' | sort)
# objdump -p prints the export name table as "[ordinal] name" lines.
have=$($t-objdump -p "$dll" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' | sed -n 's/^[[:space:]]*\[[[:space:]]*[0-9]*\][[:space:]]*//p' | sort)
if [ "$want" != "$have" ]; then
    echo "check-exports: $dll exports do not match $def" >&2
    echo "  expected: $(echo $want)" >&2
    echo "  found:    $(echo $have)" >&2
    exit 1
fi
echo "check-exports: $arch $(basename "$dll") exports: $(echo $have)"
