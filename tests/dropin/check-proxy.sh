#!/bin/sh
# Checks a built kernel32 proxy against the kernel32 it was generated from:
#  - every export of the original is there, under the same ordinal, as a
#    forwarder: to TARGET.name for the original's own code or data, to the
#    original's own forward string for its forwarders, to TARGET.#N for an
#    export by ordinal only;
#  - the names of OWN_DEF (CopyFile2) are exported as code of the proxy itself;
#  - nothing else is exported;
#  - the proxy imports nothing from KERNEL32.dll (it is KERNEL32.dll), and
#    nothing beyond kernel32_wine, ntdll, kernelbase, msvcrt, ucrtbase, advapi32.
# Usage: check-proxy.sh PROXY_DLL ORIGINAL_DLL TARGET_DLL_NAME OWN_DEF
set -eu
proxy=$1 orig=$2 target=$3 own=$4
here=$(cd "$(dirname "$0")/../.." && pwd)
gen="sh $here/tools/gen-kernel32-def.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-proxy.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

$gen --kernel32 "$orig" names "$tmp/orig" >/dev/null
$gen --kernel32 "$proxy" names "$tmp/proxy" >/dev/null
sed -n '/^EXPORTS/,$p' "$own" | sed -e '1d' -e 's/;.*//' | awk 'NF {n=$1; sub(/@.*/,"",n); print n}' >"$tmp/own"

bad=$(awk -v target="${target%.dll}" -v ownf="$tmp/own" -v pf="$tmp/proxy" '
BEGIN {
    while ((getline n < ownf) > 0) own[n] = 1
    while ((getline l < pf) > 0) { split(l, f, " "); key = f[2] == "-" ? "#" f[1] : f[2]
        pk[key] = f[3]; pf_[key] = f[4]; po[key] = f[1]; seen[key] = 0 }
}
{
    key = $2 == "-" ? "#" $1 : $2
    if ($2 in own) next
    if (!(key in pk)) { print "missing export " key " (ordinal " $1 ")"; next }
    seen[key] = 1
    if (po[key] != $1) print key ": ordinal " po[key] ", the original has " $1
    want = $3 == "fwd" ? $4 : ($2 == "-" ? target ".#" $1 : target "." $2)
    if (pk[key] != "fwd" || pf_[key] != want) print key ": exported as " pk[key] " " pf_[key] ", expected forwarder " want
}
END {
    for (n in own) { if (!(n in pk)) print "missing own export " n
                     else { seen[n] = 1; if (pk[n] != "code") print "own export " n " is a " pk[n] " " pf_[n] } }
    for (k in seen) if (!seen[k]) print "extra export " k
}' "$tmp/orig")

x86_64-w64-mingw32-objdump -p "$proxy" | sed -n 's/^[[:space:]]*DLL Name: //p' >"$tmp/imports"
# KERNEL32.dll would be itself.  Beyond that, only DLLs that every process
# loads anyway or that are harmless there: no user32, gdi32, shell32, ...
while read -r d; do
    case "$(echo "$d" | tr 'A-Z' 'a-z')" in
        kernel32.dll) bad="$bad
the proxy imports from KERNEL32.dll (itself)" ;;
        kernel32_wine.dll|ntdll.dll|kernelbase.dll|msvcrt.dll|ucrtbase.dll|advapi32.dll) ;;
        *) bad="$bad
the proxy imports from $d, which would then load into every process" ;;
    esac
done <"$tmp/imports"
if [ -n "$bad" ]; then
    echo "check-proxy: $proxy does not match $orig:" >&2
    echo "$bad" | head -n 20 >&2
    exit 1
fi
n=$(wc -l <"$tmp/orig")
echo "check-proxy: $(basename "$proxy"): $n exports of $(basename "$orig") forwarded with their ordinals," \
     "own: $(echo $(cat "$tmp/own")); imports: $(echo $(cat "$tmp/imports"))"
