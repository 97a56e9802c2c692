#!/bin/sh
# Derives the def file for one architecture from def/copyfile2.def, the single
# source of the export list: x86 keeps the stdcall decorations (the link strips
# them from the exported names), x64 has none.
# Usage: arch-def.sh x64|x86 IN OUT
set -eu
case "$1" in
    x86) cp "$2" "$3" ;;
    x64) sed -e 's/^\([A-Za-z_][A-Za-z0-9_]*\)@[0-9][0-9]*/\1/' "$2" >"$3" ;;
    *) echo "arch-def.sh: unknown arch $1" >&2; exit 2 ;;
esac
