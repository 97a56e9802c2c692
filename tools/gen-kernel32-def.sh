#!/bin/sh
# Generates, from the export table of the installed Wine's kernel32.dll, the
# files the kernel32 drop-in is built from (docs/drop-in.md).  Nothing of it is
# written by hand: rerun it (the build does, every time) after a Wine upgrade.
#
#   gen-kernel32-def.sh [options] proxy      OUT   module definition of the proxy kernel32.dll
#   gen-kernel32-def.sh [options] implib     OUT   module definition of the renamed original
#                                                  (for the import library the proxy's own
#                                                  code links against)
#   gen-kernel32-def.sh [options] version-rc OUT   our VERSIONINFO, carrying the numbers of
#                                                  the original's (no text of it)
#   gen-kernel32-def.sh [options] names      OUT   "ordinal name kind" per export (tests)
# Options:
#   --kernel32 DLL   the PE kernel32 to read (default: the installed Wine's, searched below)
#   --target NAME    the name the original is reachable under (default kernel32_wine.dll)
#   --own DEF        def file whose EXPORTS the proxy implements itself (CopyFile2); they
#                    are not forwarded, and keep the original's ordinal if it has the name
#   --objdump TOOL   default x86_64-w64-mingw32-objdump
#
# Proxy def: one line per entry of the original's export address table, with its
# ordinal: "Name = kernel32_wine.Name @N" for an export with code in the original,
# the original's own forward string ("Name = NTDLL.RtlX @N") for a forwarder, DATA
# when the exported address is in no code section, "NONAME" with a forward by
# ordinal ("kernel32_wine.#N") for an ordinal without a name.  OUT is replaced
# only when its content changes, so an unchanged Wine causes no relink.
set -eu

k32=""
target=kernel32_wine.dll
own=""
objdump=x86_64-w64-mingw32-objdump
while [ $# -gt 0 ]; do
    case "$1" in
        --kernel32) k32=$2; shift 2 ;;
        --target) target=$2; shift 2 ;;
        --own) own=$2; shift 2 ;;
        --objdump) objdump=$2; shift 2 ;;
        *) break ;;
    esac
done
[ $# -eq 2 ] || { sed -n '2,25p' "$0" >&2; exit 2; }
mode=$1 out=$2

if [ -z "$k32" ]; then
    for d in /usr/lib/x86_64-linux-gnu/wine/x86_64-windows /usr/lib/wine/x86_64-windows \
             /usr/lib64/wine/x86_64-windows /opt/wine-stable/lib/wine/x86_64-windows \
             /opt/wine-devel/lib/wine/x86_64-windows /usr/local/lib/wine/x86_64-windows; do
        if [ -f "$d/kernel32.dll" ]; then k32=$d/kernel32.dll; break; fi
    done
fi
[ -n "$k32" ] && [ -f "$k32" ] || {
    echo "gen-kernel32-def: no 64-bit PE kernel32.dll of Wine found (give --kernel32)" >&2; exit 1; }
case "$target" in *.dll) ;; *) target=$target.dll ;; esac
target_mod=${target%.dll}

tmp=$(mktemp "${TMPDIR:-/tmp}/gen-k32.XXXXXX")
trap 'rm -f "$tmp" "$tmp".*' EXIT
"$objdump" -p "$k32" >"$tmp.p"
"$objdump" -h "$k32" >"$tmp.h"
grep -q '^\[Ordinal/Name Pointer\] Table' "$tmp.p" || {
    echo "gen-kernel32-def: $k32 has no export table that $objdump can read" >&2; exit 1; }

# Our own exports: the names after EXPORTS in the --own def, decoration dropped.
: >"$tmp.own"
if [ -n "$own" ]; then
    sed -n '/^EXPORTS/,$p' "$own" | sed -e '1d' -e 's/;.*//' | awk 'NF {n=$1; sub(/@.*/,"",n); print n}' >"$tmp.own"
fi

# One line per export: ordinal, name ("-" if none), kind (code|data|fwd), forward string.
awk -v hfile="$tmp.h" '
function hex(s,   i, c, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)); if (!c) break; v = v * 16 + c - 1 }
    return v }
BEGIN {
    # Code sections, as VMA ranges (objdump -h: "Idx Name Size VMA LMA Off Algn" then flags).
    while ((getline l < hfile) > 0) {
        n = split(l, f, /[ \t]+/)
        if (l ~ /^ *[0-9]+ /) { sz = f[4]; vma = f[5]; if (f[1] != "") { sz = f[3]; vma = f[4] } next_is_flags = 1; continue }
        if (next_is_flags) { if (l ~ /CODE/) { cs[++ncs] = hex(vma); ce[ncs] = hex(vma) + hex(sz) } next_is_flags = 0 }
    }
}
/^ImageBase/ { base_addr = hex($2) }
/^Export Address Table -- Ordinal Base/ { eat = 1; obase = $NF + 0; next }
/^\[Ordinal\/Name Pointer\] Table/ { eat = 0; names = 1; next }
names && /^[ \t]*$/ { names = 0 }
eat && /\+base\[/ {
    l = $0; sub(/^[^+]*\+base\[ */, "", l); ord = l; sub(/\].*/, "", ord); ord += 0
    sub(/^[0-9]+\] */, "", l); split(l, f, /[ \t]+/); rva = hex(f[1])
    if (rva == 0) next                      # an unused slot
    if (l ~ /Forwarder RVA/) { fw = l; sub(/.*Forwarder RVA -- */, "", fw); kind[ord] = "fwd"; fwd[ord] = fw }
    else {
        kind[ord] = "data"; a = base_addr + rva
        for (i = 1; i <= ncs; i++) if (a >= cs[i] && a < ce[i]) { kind[ord] = "code"; break }
    }
    ords[++nords] = ord
}
names && /^[ \t]*\[/ {
    l = $0; sub(/^[ \t]*\[ */, "", l); idx = l; sub(/\].*/, "", idx); sub(/^[0-9]+\] */, "", l)
    name[idx + obase] = l
}
END {
    for (i = 1; i <= nords; i++) { o = ords[i]
        printf "%d %s %s %s\n", o, ((o in name) ? name[o] : "-"), kind[o], ((o in fwd) ? fwd[o] : "-") }
}' "$tmp.p" | sort -n >"$tmp.list"
[ -s "$tmp.list" ] || { echo "gen-kernel32-def: no exports parsed from $k32" >&2; exit 1; }

sha=$(sha256sum "$k32" | cut -d' ' -f1)
winever=""
case "$k32" in     # the version of the Wine the DLL belongs to, when it is Wine's
    */wine/*) if [ -x /usr/lib/wine/wine64 ]; then winever=$(/usr/lib/wine/wine64 --version 2>/dev/null || true); fi ;;
esac

case "$mode" in
names)
    cp "$tmp.list" "$tmp.out" ;;
proxy)
    awk -v target="$target_mod" -v ownf="$tmp.own" -v src="$k32" -v sha="$sha" -v winever="$winever" '
    BEGIN { while ((getline n < ownf) > 0) own[n] = 1 }
    { ord[NR] = $1; nm[NR] = $2; kd[NR] = $3; fw[NR] = $4; if ($1 > max) max = $1; if ($2 in own) ownord[$2] = $1 }
    END {
        nf = 0; nfw = 0; nd = 0; nn = 0
        for (i = 1; i <= NR; i++) {
            if (nm[i] in own) continue
            if (kd[i] == "fwd") { t = fw[i]; nfw++ }
            else if (nm[i] == "-") { t = target ".#" ord[i]; nf++ }
            else { t = target "." nm[i]; nf++ }
            if (t ~ /#/) t = "\"" t "\""          # ld needs a forward by ordinal quoted
            if (nm[i] == "-") { line[i] = sprintf("k32_ordinal_%d = %s @%d NONAME", ord[i], t, ord[i]); nn++ }
            else line[i] = sprintf("%s = %s @%d", nm[i], t, ord[i])
            if (kd[i] == "data") { line[i] = line[i] " DATA"; nd++ }
        }
        print "; GENERATED by tools/gen-kernel32-def.sh from the installed Wine - do not edit."
        print "; source: " src
        print "; sha256: " sha
        if (winever != "") print "; wine:   " winever
        printf "; %d exports: %d forwarded to %s.dll, %d forwarders copied as they are (%d DATA, %d by ordinal only)\n", NR, nf, target, nfw, nd, nn
        own_list = ""
        for (n in own) own_list = own_list " " n
        print "; implemented by the proxy itself:" own_list
        print "LIBRARY kernel32.dll"
        print "EXPORTS"
        for (i = 1; i <= NR; i++) if (i in line) print line[i]
        # Our own exports: the original ordinal when it has the name, else new ones.
        next_ord = max + 1
        n = 0; for (x in own) names[++n] = x
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (names[j] < names[i]) { t = names[i]; names[i] = names[j]; names[j] = t }
        for (i = 1; i <= n; i++) {
            if (names[i] in ownord) printf "%s @%d\n", names[i], ownord[names[i]]
            else printf "%s @%d\n", names[i], next_ord++
        }
    }' "$tmp.list" >"$tmp.out" ;;
implib)
    awk -v target="$target" '
    BEGIN { print "; GENERATED by tools/gen-kernel32-def.sh - import library of the renamed original kernel32"
            print "LIBRARY " target; print "EXPORTS" }
    $2 != "-" { print $2 ($3 == "data" ? " DATA" : "") }' "$tmp.list" >"$tmp.out" ;;
version-rc)
    # Only the numbers of the original's version resource are used (programs read
    # kernel32.dll's file version to tell the Windows version); the text is ours.
    command -v x86_64-w64-mingw32-windres >/dev/null || { echo "gen-kernel32-def: x86_64-w64-mingw32-windres missing" >&2; exit 1; }
    x86_64-w64-mingw32-windres -J coff -O rc -i "$k32" >"$tmp.rc" 2>/dev/null || : >"$tmp.rc"
    fv=$(sed -n 's/^ *FILEVERSION *\([0-9]*\), *\([0-9]*\), *\([0-9]*\), *\([0-9]*\).*/\1,\2,\3,\4/p' "$tmp.rc" | head -n 1)
    pv=$(sed -n 's/^ *PRODUCTVERSION *\([0-9]*\), *\([0-9]*\), *\([0-9]*\), *\([0-9]*\).*/\1,\2,\3,\4/p' "$tmp.rc" | head -n 1)
    [ -n "$fv" ] || fv=10,0,0,0
    [ -n "$pv" ] || pv=$fv
    {
        echo "// GENERATED by tools/gen-kernel32-def.sh: the version numbers of $k32"
        echo "1 VERSIONINFO"
        echo " FILEVERSION $fv"
        echo " PRODUCTVERSION $pv"
        echo " FILEFLAGSMASK 0x3f"
        echo " FILEOS 0x40004"
        echo " FILETYPE 0x2"
        echo "BEGIN"
        echo "  BLOCK \"StringFileInfo\""
        echo "  BEGIN"
        echo "    BLOCK \"040904b0\""
        echo "    BEGIN"
        echo "      VALUE \"CompanyName\", \"copyfile2 project\""
        echo "      VALUE \"FileDescription\", \"kernel32 drop-in: CopyFile2, everything else forwarded to $target\""
        echo "      VALUE \"FileVersion\", \"$(echo "$fv" | tr , .)\""
        echo "      VALUE \"OriginalFilename\", \"kernel32.dll\""
        echo "      VALUE \"ProductName\", \"copyfile2\""
        echo "      VALUE \"ProductVersion\", \"$(echo "$pv" | tr , .)\""
        echo "    END"
        echo "  END"
        echo "  BLOCK \"VarFileInfo\""
        echo "  BEGIN"
        echo "    VALUE \"Translation\", 0x409, 1200"
        echo "  END"
        echo "END"
    } >"$tmp.out" ;;
*)
    echo "gen-kernel32-def: unknown mode $mode" >&2; exit 2 ;;
esac

mkdir -p "$(dirname "$out")"
if [ -f "$out" ] && cmp -s "$tmp.out" "$out"; then
    :
else
    cp "$tmp.out" "$out.new.$$" && mv -f "$out.new.$$" "$out"
    echo "gen-kernel32-def: wrote $out ($mode, from $k32)"
fi
