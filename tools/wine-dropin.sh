#!/bin/sh
# Installs the kernel32 drop-in (docs/drop-in.md) into a Wine prefix, and
# takes it out again leaving the prefix exactly as it was.
#
#   wine-dropin.sh install   --prefix P --from DIR [--apps "a.exe b.exe"]
#   wine-dropin.sh uninstall --prefix P
#   wine-dropin.sh status    --prefix P [--from DIR] [--k32 WINE_KERNEL32]
#
# install: drive_c/windows/system32/kernel32.dll (Wine's builtin image) is moved
#   into P/copyfile2-dropin/ and replaced by DIR/kernel32.dll (the proxy);
#   DIR/kernel32_wine.dll (Wine's kernel32, renamed) is added next to it; the
#   DLL override kernel32=native,builtin is set under HKCU\Software\Wine:
#   DllOverrides (every program of the prefix) or, with --apps,
#   AppDefaults\<app>\DllOverrides (those programs only).  Every change is
#   written to P/copyfile2-dropin/manifest as it is made, with the previous
#   state of each registry value and which keys did not exist.  Installing
#   again is harmless: it refreshes changed files and re-asserts the override.
# uninstall: undoes what the manifest lists, in reverse order (override first,
#   files after), then removes P/copyfile2-dropin.  Without a manifest it does
#   nothing.  Running it twice is harmless.
#
# The prefix's own Wine runs `reg`, always with WINEDLLOVERRIDES=kernel32=b
# (so a broken drop-in can never stop its own removal) and WINEDEBUG=-all; its
# output goes to a file, never a pipe.
set -eu

WINE=${DROPIN_WINE:-/usr/lib/wine/wine64}
WINESERVER=${DROPIN_WINESERVER:-/usr/lib/wine/wineserver}
STATE_NAME=copyfile2-dropin
TARGET=kernel32_wine.dll
OVERRIDE=native,builtin

die() { printf 'wine-dropin: %s\n' "$*" >&2; exit 1; }
say() { printf 'wine-dropin: %s\n' "$*"; }

[ $# -ge 1 ] || die "usage: wine-dropin.sh install|uninstall|status --prefix P [--from DIR] [--apps LIST]"
cmd=$1; shift
prefix="" from="" apps="" k32=""
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift 2 ;;
        --from) from=$2; shift 2 ;;
        --apps) apps=$2; shift 2 ;;
        --k32) k32=$2; shift 2 ;;
        *) die "unknown argument $1" ;;
    esac
done
[ -n "$prefix" ] || die "no --prefix"
case "$prefix" in /*) ;; *) prefix=$(pwd)/$prefix ;; esac
state=$prefix/$STATE_NAME
manifest=$state/manifest
sys=$prefix/drive_c/windows/system32
tab=$(printf '\t')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wine-dropin.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Runs the prefix's wine with the builtin kernel32; output in $tmp/out.
wine_run() {
    WINEPREFIX=$prefix WINEDEBUG=-all WINEDLLOVERRIDES="kernel32=b;winedbg.exe=d" \
        "$WINE" "$@" >"$tmp/out" 2>&1 </dev/null
}
reg_out() { tr -d '\r' <"$tmp/out"; }

# key_exists KEY
key_exists() { wine_run reg query "$1"; }

# value_get KEY NAME: prints "TYPE<tab>DATA", or fails when the value is absent.
value_get() {
    wine_run reg query "$1" /v "$2" || return 1
    reg_out | awk -v n="$2" -v tab="$tab" '
        { if (index($0, "    " n "    ") == 1) { rest = substr($0, length(n) + 9)
              t = rest; sub(/ .*/, "", t); d = substr(rest, length(t) + 1); sub(/^    /, "", d)
              print t tab d; found = 1; exit } }
        END { exit !found }'
}

# key_is_empty KEY: no values, no subkeys.
key_is_empty() {
    wine_run reg query "$1" || return 1
    [ -z "$(reg_out | grep -v '^[[:space:]]*$' | grep -v -x -F "$(printf '%s\n' "$1" | sed 's/^HKCU/HKEY_CURRENT_USER/')")" ]
}

sha() { sha256sum "$1" | cut -d' ' -f1; }
is_wine_builtin() { [ "$(dd if="$1" bs=1 skip=64 count=16 2>/dev/null)" = "Wine builtin DLL" ]; }
record() { printf '%s\n' "$*" >>"$manifest"; }

# The registry keys that carry the override, one per line.
override_keys() {
    if [ -n "$1" ]; then
        for a in $1; do printf '%s\n' "HKCU\\Software\\Wine\\AppDefaults\\$a\\DllOverrides"; done
    else
        printf '%s\n' 'HKCU\Software\Wine\DllOverrides'
    fi
}

# Creates KEY and the missing keys above it (below HKCU\Software\Wine),
# recording each one created.
ensure_key() {
    key=$1
    rest=${key#HKCU\\Software\\Wine}
    path='HKCU\Software\Wine'
    key_exists "$path" || { wine_run reg add "$path" /f || die "reg add $path failed: $(reg_out)"; record "key-created${tab}$path"; }
    old_ifs=$IFS; IFS='\'
    for part in $rest; do
        [ -n "$part" ] || continue
        path="$path\\$part"
        if ! key_exists "$path"; then
            wine_run reg add "$path" /f || { IFS=$old_ifs; die "reg add $path failed: $(reg_out)"; }
            record "key-created${tab}$path"
        fi
    done
    IFS=$old_ifs
}

set_override() {
    ensure_key "$1"
    if ! K=$1 awk -F "$tab" '$1 == "value-prior" && $2 == ENVIRON["K"] && $3 == "kernel32" { f = 1 } END { exit !f }' "$manifest"; then
        if prior=$(value_get "$1" kernel32); then
            record "value-prior${tab}$1${tab}kernel32${tab}$prior"
        else
            record "value-prior${tab}$1${tab}kernel32${tab}absent"
        fi
    fi
    wine_run reg add "$1" /v kernel32 /t REG_SZ /d "$OVERRIDE" /f || die "reg add $1 failed: $(reg_out)"
}

# Copies SRC to DST through a temporary name and a rename.
put_file() { cp "$1" "$2.dropin-new" && mv -f "$2.dropin-new" "$2"; }

manifest_get() { [ -f "$manifest" ] && awk -F "$tab" -v k="$1" '$1 == k { print $2; exit }' "$manifest"; }

do_install() {
    [ -n "$from" ] || die "no --from"
    [ -f "$from/kernel32.dll" ] && [ -f "$from/$TARGET" ] || die "$from has no kernel32.dll and $TARGET: run make dropin"
    is_wine_builtin "$from/$TARGET" || die "$from/$TARGET is not a Wine builtin kernel32"
    [ -x "$WINE" ] || die "no Wine loader at $WINE"

    if [ ! -f "$prefix/system.reg" ]; then
        [ ! -d "$state" ] || die "$state exists but the prefix has no registry"
        say "creating the prefix $prefix (wineboot)"
        mkdir -p "$prefix"
        wine_run wineboot --init || true
        WINEPREFIX=$prefix "$WINESERVER" -w || true
        [ -f "$prefix/system.reg" ] || die "could not create $prefix: $(cat "$tmp/out")"
        created_prefix=1
    else
        created_prefix=0
    fi
    grep -q '^#arch=win64' "$prefix/system.reg" || die "$prefix is not a 64-bit prefix; the drop-in is x64 only"
    [ -d "$sys" ] || die "$prefix has no drive_c/windows/system32"

    if [ -f "$manifest" ]; then
        old_apps=$(manifest_get scope-apps || true)
        [ "$old_apps" = "$apps" ] || die "already installed with the override for '${old_apps:-every program}';" \
            "run make uninstall-wine first to change it to '${apps:-every program}'"
        changed=0
        if [ "$(sha "$sys/kernel32.dll")" != "$(sha "$from/kernel32.dll")" ]; then
            put_file "$from/kernel32.dll" "$sys/kernel32.dll"; changed=1
        fi
        if [ ! -f "$sys/$TARGET" ] || [ "$(sha "$sys/$TARGET")" != "$(sha "$from/$TARGET")" ]; then
            put_file "$from/$TARGET" "$sys/$TARGET"; changed=1
        fi
        override_keys "$apps" >"$tmp/keys"
        while IFS= read -r k; do set_override "$k"; done <"$tmp/keys"
        if [ $changed = 1 ]; then say "already installed in $prefix; files refreshed"; else say "already installed in $prefix; up to date"; fi
        return 0
    fi

    is_wine_builtin "$sys/kernel32.dll" || die "$sys/kernel32.dll is not Wine's builtin kernel32 (another drop-in?)"
    [ ! -e "$sys/$TARGET" ] || die "$sys/$TARGET exists and is not ours"
    mkdir -p "$state"
    : >"$manifest"
    record "# copyfile2 kernel32 drop-in: what install changed in this prefix (read by uninstall)"
    record "version${tab}1"
    record "wine${tab}$("$WINE" --version 2>/dev/null || echo unknown)"
    record "scope-apps${tab}$apps"
    [ $created_prefix = 0 ] || record "prefix-created${tab}$prefix"

    # Files: the proxy arrives under a temporary name, the original moves into
    # the state folder (same inode, times and mode), the proxy is renamed in.
    cp "$from/kernel32.dll" "$sys/kernel32.dll.dropin-new"
    mv "$sys/kernel32.dll" "$state/kernel32.dll.orig"
    record "file-replaced${tab}drive_c/windows/system32/kernel32.dll${tab}kernel32.dll.orig"
    mv "$sys/kernel32.dll.dropin-new" "$sys/kernel32.dll"
    cp "$from/$TARGET" "$sys/$TARGET"
    record "file-added${tab}drive_c/windows/system32/$TARGET"

    # Registry last: the override never points at files that are not there.
    override_keys "$apps" >"$tmp/keys"
    while IFS= read -r k; do set_override "$k"; done <"$tmp/keys"
    record "installed"
    say "installed in $prefix: system32/kernel32.dll (proxy), system32/$TARGET; kernel32=$OVERRIDE for ${apps:-every program}"
}

do_uninstall() {
    if [ ! -f "$manifest" ]; then
        [ ! -d "$state" ] || die "$state exists without a manifest; not touching it"
        say "not installed in $prefix; nothing to do"
        return 0
    fi
    # 1. Registry, in reverse order of the manifest: values, then the keys made.
    awk '{ l[NR] = $0 } END { for (i = NR; i >= 1; i--) print l[i] }' "$manifest" >"$tmp/rev"
    while IFS="$tab" read -r kind a b c d; do
        case "$kind" in
        value-prior)
            if [ "$c" = absent ]; then
                if value_get "$a" "$b" >/dev/null; then
                    wine_run reg delete "$a" /v "$b" /f || die "reg delete $a /v $b failed: $(reg_out)"
                fi
            else
                wine_run reg add "$a" /v "$b" /t "$c" /d "$d" /f || die "reg add $a /v $b failed: $(reg_out)"
            fi ;;
        key-created)
            if key_exists "$a"; then
                if key_is_empty "$a"; then
                    wine_run reg delete "$a" /f || die "reg delete $a failed: $(reg_out)"
                else
                    say "keeping $a: something else was added to it"
                fi
            fi ;;
        esac
    done <"$tmp/rev"
    # 2. Files.
    while IFS="$tab" read -r kind a b; do
        case "$kind" in
        file-added)
            rm -f "$prefix/$a" ;;
        file-replaced)
            if [ -f "$state/$b" ]; then
                mv -f "$state/$b" "$prefix/$a"
            fi ;;
        esac
    done <"$tmp/rev"
    rm -f "$sys/kernel32.dll.dropin-new"
    rm -rf "$state"
    say "uninstalled from $prefix; the prefix is as it was before install"
}

do_status() {
    if [ ! -f "$manifest" ]; then say "not installed in $prefix"; return 0; fi
    apps=$(manifest_get scope-apps || true)
    say "installed in $prefix (override for ${apps:-every program}; $(manifest_get wine))"
    grep -q '^installed$' "$manifest" || say "WARNING: the install did not finish; run uninstall"
    if [ -n "$k32" ] && [ -f "$k32" ] && [ "$(sha "$sys/$TARGET")" != "$(sha "$k32")" ]; then
        say "STALE: $TARGET is not the installed Wine's kernel32 ($k32): Wine was upgraded; run make install-wine"
        return 1
    fi
    if [ -n "$from" ] && [ -f "$from/$TARGET" ]; then
        if [ "$(sha "$sys/$TARGET")" = "$(sha "$from/$TARGET")" ] && [ "$(sha "$sys/kernel32.dll")" = "$(sha "$from/kernel32.dll")" ]; then
            say "files match the current build ($from)"
        else
            say "STALE: the installed files differ from $from (Wine upgraded or the drop-in rebuilt): run make install-wine"
            return 1
        fi
    fi
}

case "$cmd" in
    install) do_install ;;
    uninstall) do_uninstall ;;
    status) do_status ;;
    *) die "unknown command $cmd" ;;
esac
