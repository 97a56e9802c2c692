#!/bin/sh
# Checks how a test program resolved CopyFile2:
#   static: no DLL import of CopyFile2 at all (the static library defines it);
#   import: CopyFile2 imported from copyfile2.dll (not from KERNEL32.dll).
# Usage: check-imports.sh x64|x86 EXE static|import
set -eu
arch=$1 exe=$2 mode=$3
case "$arch" in x64) t=x86_64-w64-mingw32 ;; x86) t=i686-w64-mingw32 ;; *) exit 2 ;; esac
# Lists "DLL name" pairs from the import tables.
imports=$($t-objdump -p "$exe" | awk '/DLL Name:/ {dll=$3} /^[[:space:]]+[0-9a-f]+[[:space:]]+[0-9]+[[:space:]]+[A-Za-z_]/ {print dll, $3}')
found=$(echo "$imports" | awk '$2=="CopyFile2" {print $1}')
case "$mode" in
    static)
        [ -z "$found" ] || { echo "check-imports: $exe imports CopyFile2 from $found" >&2; exit 1; } ;;
    import)
        [ "$found" = "copyfile2.dll" ] || { echo "check-imports: $exe imports CopyFile2 from '${found:-nothing}', expected copyfile2.dll" >&2; exit 1; } ;;
    *) exit 2 ;;
esac
echo "check-imports: $arch $(basename "$exe") ($mode): CopyFile2 ${found:-linked statically}"
